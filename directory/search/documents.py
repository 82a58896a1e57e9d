"""What the index holds for a service: text for matching, keywords for filters, a column for sorting.

Text is analysed here (see `text.py`) and handed to Whoosh as space-separated terms, so listings
and queries are analysed by exactly the same code. Taxonomy, pathway and borough *names* are not
copied into every document: the query side expands words to those codes (see `catalogue.py`), which
keeps the index small and a full rebuild fast.

A document is made from a `Listing`, which comes either from a loaded `Service` (single
changes) or straight from table rows (full rebuilds: several times faster than the ORM);
a test checks that both give the same document. The listing is also stored with the document,
so a page of results is shown from the index without loading a row (see `cards.py`).
"""

import json
import zlib
from dataclasses import dataclass, field
from dataclasses import fields as fields_of
from datetime import datetime, time
from functools import lru_cache

from sqlalchemy import select
from whoosh import columns, fields
from whoosh.analysis import SpaceSeparatedTokenizer

from .. import catchment, dimensions, hours, reference
from ..models import (
    Location,
    Organisation,
    Pathway,
    PathwayStage,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    pathway_stage_services,
    service_catchment,
    service_terms,
)
from ..models.base import as_utc
from . import ages, english, needs, text

# Bump when the schema or the analysis changes: an index of another version is rebuilt.
SCHEMA = 12  # 11: the ages a listing's eligibility admits; 12: slang in a name only as its kind of service


def _analysis_fingerprint() -> int:
    """A number that changes with the word lists a listing is analysed with (vocabulary, names,
    places), so an index built before one of them was edited is rebuilt, not left half-tagged."""
    crc = 0
    for path in (text.VOCABULARY_FILE, text.NAMES_FILE, text.DATA / "places.txt"):
        crc = zlib.crc32(path.read_bytes(), crc)
    return crc


SCHEMA_VERSION = SCHEMA * 10**10 + _analysis_fingerprint()

# Query-time weights: a word in the name counts for more than one in the description.
TEXT_FIELDS = {"name": 4.0, "organisation": 2.0, "description": 1.0}
CONCEPT_BOOST = 1.5
# Concept tokens are repeated per field, so a concept named in the title scores above one in passing.
CONCEPT_REPEAT = {"name": 3, "organisation": 2, "description": 1}

_terms_analyzer = SpaceSeparatedTokenizer()


def _text_field():
    return fields.TEXT(analyzer=_terms_analyzer, phrase=False)


def _keywords():
    # Scorable only so that Whoosh 2.7.4 writes a length column: without one it stats a file for
    # every posting of the field while committing, which made full builds several times slower.
    return fields.KEYWORD(lowercase=False, scorable=True)


def schema() -> fields.Schema:
    """Return the index schema."""
    return fields.Schema(
        id=fields.ID(unique=True, stored=True),
        name=_text_field(),
        organisation=_text_field(),
        description=_text_field(),
        concepts=_keywords(),
        **{dimension.key: _keywords() for dimension in dimensions.ALL},  # taxonomy codes, pathway slugs
        term=_keywords(),  # taxonomy term ids (API filter)
        organisation_id=_keywords(),
        residents=_keywords(),  # ONS codes whose residents may use it, or "ALL"
        located=_keywords(),  # ONS codes of the boroughs it has a physical location in
        ages=_keywords(),  # the ages its eligibility admits: "from-18", "to-24" (ages.py)
        meta=fields.COLUMN(columns.VarBytesColumn()),  # id, sort name, points, opening minutes
        listing=fields.STORED,  # the Listing as JSON: what a result card shows
    )


# -- listings: the facts a document is made of -------------------------------------------------


@dataclass
class _Term:
    code: str
    id: str
    vocabulary: str


@dataclass
class _Place:
    location_type: str
    borough_code: str | None
    latitude: float | None
    longitude: float | None

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass
class _Borough:
    ons_code: str


@dataclass
class Listing:
    """The indexable facts of one service, however they were loaded."""

    id: str
    name: str
    description: str
    eligibility: str
    organisation_id: str
    organisation: str
    catchment: str
    terms: list[_Term] = field(default_factory=list)
    pathways: set[str] = field(default_factory=set)
    locations: list[_Place] = field(default_factory=list)
    catchment_boroughs: list[_Borough] = field(default_factory=list)
    schedules: list[tuple[int, time, time]] = field(default_factory=list)
    minimum_age: int | None = None
    maximum_age: int | None = None
    verified_at: datetime | None = None
    seeded: bool = False
    # What a card offers when it cannot say whether the place is open: a number, the website, the
    # locations' own notes on opening times ("By appointment only").
    phones: list[tuple[str, str]] = field(default_factory=list)  # (number, description), in order
    url: str = ""
    hours_notes: list[str] = field(default_factory=list)  # per location, in order, the non-empty ones
    # Whether it takes new referrals, as the agency last said and when (capacity.py words it).
    capacity: str | None = None
    capacity_wait_weeks: int | None = None
    capacity_stated_at: datetime | None = None

    def term_codes(self, vocabulary: str) -> set[str]:
        # The same question catchment.py asks of a Service.
        return {t.code for t in self.terms if t.vocabulary == vocabulary}


def listing_from_service(service: Service) -> Listing:
    """Return the indexable facts of a loaded Service."""
    return Listing(
        id=service.id,
        name=service.name or "",
        description=service.description or "",
        eligibility=service.eligibility_description or "",
        organisation_id=service.organisation_id or "",
        organisation=service.organisation.name if service.organisation else "",
        catchment=service.catchment,
        # The same order as `listings_from_rows`: positions repeat across taxonomies.
        terms=[_Term(t.code, t.id, t.taxonomy.code)
               for t in sorted(service.terms, key=lambda t: (t.taxonomy.code, t.position, t.code))],
        pathways={stage.pathway.slug for stage in service.pathway_stages if stage.pathway is not None},
        locations=[
            _Place(loc.location_type, loc.borough_code, loc.latitude, loc.longitude)
            for loc in service.locations
        ],
        catchment_boroughs=[_Borough(b.ons_code) for b in service.catchment_boroughs],
        schedules=[(s.weekday, s.opens_at, s.closes_at) for sal in service.service_at_locations
                   for s in sal.schedules],
        minimum_age=service.minimum_age,
        maximum_age=service.maximum_age,
        verified_at=as_utc(service.verified_at),
        seeded=bool(service.seeded),
        phones=[(p.number, p.description or "") for p in service.phones],
        url=service.url or "",
        hours_notes=[sal.hours_note for sal in service.service_at_locations if sal.hours_note],
        capacity=service.capacity,
        capacity_wait_weeks=service.capacity_wait_weeks,
        capacity_stated_at=as_utc(service.capacity_stated_at),
    )


def listings_from_rows(session, ids: list[str]) -> dict[str, Listing]:
    """Load the indexable facts of services straight from the tables (for full rebuilds).

    `session` is a Session or a Connection.
    """
    if not hasattr(session, "exec_driver_sql"):
        # Its connection, in its transaction: plain rows, without the ORM's result machinery.
        session = session.connection()
    rows = session.execute(
        select(Service.id, Service.name, Service.description, Service.eligibility_description,
               Service.organisation_id, Organisation.name, Service.catchment, Service.minimum_age,
               Service.maximum_age, Service.verified_at, Service.seeded, Service.url, Service.capacity,
               Service.capacity_wait_weeks, Service.capacity_stated_at)
        .join(Organisation, Organisation.id == Service.organisation_id)
        .where(Service.id.in_(ids))
    ).all()
    found = {
        r[0]: Listing(r[0], r[1] or "", r[2] or "", r[3] or "", r[4] or "", r[5] or "", r[6],
                      minimum_age=r[7], maximum_age=r[8], verified_at=as_utc(r[9]), seeded=bool(r[10]),
                      url=r[11] or "", capacity=r[12], capacity_wait_weeks=r[13],
                      capacity_stated_at=as_utc(r[14]))
        for r in rows
    }
    for service_id, code, term_id, vocabulary in session.execute(
        select(service_terms.c.service_id, TaxonomyTerm.code, TaxonomyTerm.id, Taxonomy.code)
        .join(TaxonomyTerm, TaxonomyTerm.id == service_terms.c.taxonomy_term_id)
        .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
        .where(service_terms.c.service_id.in_(ids))
        .order_by(service_terms.c.service_id, Taxonomy.code, TaxonomyTerm.position, TaxonomyTerm.code)
    ):
        found[service_id].terms.append(_Term(code, term_id, vocabulary))
    for service_id, slug in session.execute(
        select(pathway_stage_services.c.service_id, Pathway.slug)
        .join(PathwayStage, PathwayStage.id == pathway_stage_services.c.stage_id)
        .join(Pathway, Pathway.id == PathwayStage.pathway_id)
        .where(pathway_stage_services.c.service_id.in_(ids))
    ):
        found[service_id].pathways.add(slug)
    for service_id, location_type, borough_code, lat, lon, hours_note in session.execute(
        select(ServiceAtLocation.service_id, Location.location_type, Location.borough_code,
               Location.latitude, Location.longitude, ServiceAtLocation.hours_note)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(ServiceAtLocation.service_id.in_(ids))
        .order_by(ServiceAtLocation.service_id, ServiceAtLocation.position)
    ):
        found[service_id].locations.append(_Place(location_type, borough_code, lat, lon))
        if hours_note:
            found[service_id].hours_notes.append(hours_note)
    for service_id, number, description in session.execute(
        select(Phone.service_id, Phone.number, Phone.description)
        .where(Phone.service_id.in_(ids))
        .order_by(Phone.service_id, Phone.position)
    ):
        found[service_id].phones.append((number, description or ""))
    for service_id, code in session.execute(
        select(service_catchment.c.service_id, service_catchment.c.borough_code)
        .where(service_catchment.c.service_id.in_(ids))
    ):
        found[service_id].catchment_boroughs.append(_Borough(code))
    for service_id, weekday, opens, closes in session.execute(
        select(ServiceAtLocation.service_id, Schedule.weekday, Schedule.opens_at, Schedule.closes_at)
        .join(ServiceAtLocation, ServiceAtLocation.id == Schedule.service_at_location_id)
        .where(ServiceAtLocation.service_id.in_(ids))
    ):
        found[service_id].schedules.append((weekday, opens, closes))
    return found


# -- documents ---------------------------------------------------------------------------------


def document(listing: Listing | Service) -> dict:
    """Return the Whoosh document for a listing (or a loaded Service)."""
    if isinstance(listing, Service):
        listing = listing_from_service(listing)
    description = f"{listing.description} {listing.eligibility}"
    sources = {"name": listing.name, "organisation": listing.organisation, "description": description}
    analysed = {name: _analysed(value) for name, value in sources.items()}
    doc = {name: joined for name, (joined, _, _) in analysed.items()}
    found = {name: _found for name, (_, _, _found) in analysed.items()}
    found["name"] = _named_concepts(listing, found)
    doc["concepts"] = " ".join(
        c for name, concepts in found.items() for c in concepts for _ in range(CONCEPT_REPEAT[name])
    )
    for dimension in dimensions.TAXONOMIES:
        codes = listing.term_codes(dimension.vocabulary)
        # A walk-in service takes self-referrals: filters and facets count the implied terms too.
        doc[dimension.key] = " ".join(sorted(reference.with_implied(dimension.vocabulary, codes)))
    doc.update(
        id=listing.id,
        **{dimensions.PATHWAY.key: " ".join(sorted(listing.pathways))},
        term=" ".join(sorted(t.id for t in listing.terms)),
        organisation_id=listing.organisation_id,
        residents=" ".join(sorted(catchment.resident_tokens(listing))),
        located=" ".join(sorted(catchment.located_in(listing))),
        ages=" ".join(ages.terms(listing.eligibility, listing.minimum_age, listing.maximum_age)),
        meta=encode_meta(listing, [analysed[name][1] for name in TEXT_FIELDS]),
        listing=encode_listing(listing),
    )
    return doc


def _named_concepts(listing: Listing, found: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Return the concepts a listing's name says, leaving out a drug said in everyday words of a name that
    is something else: such a name says the drug only of the kind of service that answers it, or when its
    description says it too ("White Lines Tennis Club", "Lean on Me Befriending" and "Bubble and Squeak
    Toddler Group" are not cocaine, codeine and mephedrone; "Bubble", a chemsex service, would be)."""
    drugs = needs.layer().groups.get("drug", frozenset())
    if not drugs.intersection(found["name"]):
        return found["name"]  # most names say no drug: nothing to read again
    vocabulary = text.vocabulary()
    types = listing.term_codes("service-type")
    said_elsewhere = set(found["description"]) | set(found["organisation"])

    def answers(code: str) -> bool:
        return all(part in types or part in said_elsewhere for part in code.split(" + "))

    words = text.tokens(listing.name)
    everyday = {c for c, first, last in vocabulary.concepts_in(words, text.cased_tokens(listing.name))
                if c in drugs and all(english.is_word(w) for w in words[first:last])}
    return tuple(c for c in found["name"] if c not in everyday or c in said_elsewhere
                 or any(answers(code) for code in vocabulary.broader.get(c, ())))


@lru_cache(maxsize=4096)
def _analysed(value: str) -> tuple[str, int, tuple[str, ...]]:
    """Return a text field's indexed terms (joined), how many there are, and the concepts it names.

    What `text.index_terms` and `text.concept_tokens` give, its words read once; cached, because
    a build meets each organisation's name once per service.
    """
    words = text.tokens(value)
    stems = [text.stem(w) for w in words]
    terms = [st for w, st in zip(words, stems, strict=True) if text.is_indexable(w)]
    concepts = tuple(c for c, _, _ in text.vocabulary().concepts_in(words, text.cased_tokens(value)))
    return " ".join(terms), len(terms), concepts


_LISTING_FIELDS = tuple(f.name for f in fields_of(Listing))


def encode_listing(listing: Listing) -> str:
    """Return the listing as compact JSON, to store with its document."""
    # The fields in order, as `asdict` gives them; the parts that are not plain values are set below.
    data = {name: getattr(listing, name) for name in _LISTING_FIELDS}
    data["pathways"] = sorted(listing.pathways)
    data["terms"] = [[t.code, t.id, t.vocabulary] for t in listing.terms]
    data["locations"] = [[p.location_type, p.borough_code, p.latitude, p.longitude]
                         for p in listing.locations]
    data["catchment_boroughs"] = [b.ons_code for b in listing.catchment_boroughs]
    data["schedules"] = [[w, o.isoformat(), c.isoformat()] for w, o, c in listing.schedules]
    data["verified_at"] = listing.verified_at.isoformat() if listing.verified_at else None
    stated = listing.capacity_stated_at
    data["capacity_stated_at"] = stated.isoformat() if stated else None
    data["phones"] = [list(p) for p in listing.phones]
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def decode_listing(raw: str) -> Listing:
    """Return the Listing `encode_listing` stored."""
    data = json.loads(raw)
    data["pathways"] = set(data["pathways"])
    data["terms"] = [_Term(*t) for t in data["terms"]]
    data["locations"] = [_Place(*p) for p in data["locations"]]
    data["catchment_boroughs"] = [_Borough(code) for code in data["catchment_boroughs"]]
    data["schedules"] = [(w, time.fromisoformat(o), time.fromisoformat(c)) for w, o, c in data["schedules"]]
    if data["verified_at"]:
        data["verified_at"] = datetime.fromisoformat(data["verified_at"])
    if data["capacity_stated_at"]:
        data["capacity_stated_at"] = datetime.fromisoformat(data["capacity_stated_at"])
    data["phones"] = [(number, description) for number, description in data["phones"]]
    return Listing(**data)


def encode_meta(listing: Listing, lengths: list[int]) -> bytes:
    """Pack what ranking, filters and sorting read per document: id, sort name, text field lengths,
    coordinates and opening minutes."""
    points = ";".join(
        f"{loc.latitude:.6f},{loc.longitude:.6f}"
        for loc in listing.locations
        if loc.location_type == "physical" and loc.has_coordinates
    )
    ranges = sorted({r for w, o, c in listing.schedules for r in hours.Session(w, o, c).minute_ranges()})
    opening = ";".join(f"{a}-{b}" for a, b in ranges)
    sort_name = " ".join(listing.name.casefold().split()).replace("\x1f", " ")
    return "\x1f".join((listing.id, sort_name, ",".join(map(str, lengths)), points, opening)).encode("utf-8")


def decode_meta(raw: bytes) -> tuple[str, str, tuple[int, ...], tuple[tuple[float, float], ...], str]:
    """Unpack `encode_meta`: (id, sort name, lengths, ((lat, lon), ...), opening minutes as text)."""
    service_id, sort_name, lengths, points, opening = raw.decode("utf-8").split("\x1f")
    coords = tuple(
        (float(lat), float(lon)) for lat, lon in (p.split(",") for p in points.split(";") if p)
    )
    return service_id, sort_name, tuple(int(n) for n in lengths.split(",")), coords, opening


def opening_ranges(opening: str) -> tuple[tuple[int, int], ...]:
    """Parse the opening minutes text of `encode_meta` into [start, end) minutes of the week."""
    return tuple(tuple(int(x) for x in r.split("-")) for r in opening.split(";") if r)
