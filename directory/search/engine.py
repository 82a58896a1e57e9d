"""Answer a search request: match, filter, count facets, rank one page, read its listings.

Every filter is a document set (see `bitsets.py`). The matches are the AND of all of them; a
facet's counts use the AND of all the *other* filters, so each dimension shows what choosing a
value would give. Only the requested page is scored and read: Whoosh scores just the documents
that survived the filters, and each hit's listing comes from the index, stored with its document,
so showing a page loads no rows. One query of primary keys re-checks that each hit is still
published and active: an index that has not caught up yet must never show a closed service.
"""

import math
import time
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from .. import catchment, clock, geo, hours
from ..extensions import db
from ..models import Borough, Pathway, Taxonomy, TaxonomyTerm
from . import bitsets, documents, query, text
from .documents import Listing
from .store import IndexBusy

SORTS = ("relevance", "distance", "name")
MAX_MILES = 100.0
MAX_PER_PAGE = 1000
CATALOGUE_SECONDS = 60
# What a match through a category, pathway or borough name adds to a listing's score.
ABOUT_SCORE = 2.0
K1, B = 1.2, 0.75  # BM25

# Facet dimensions and the request attribute that filters each.
TAXONOMY_DIMENSIONS = {
    "service_type": ("service_types", "service-type"),
    "audience": ("audiences", "audience"),
    "referral_route": ("referral_routes", "referral-route"),
    "delivery": ("delivery", "delivery"),
}
# Request fields checked against the catalogue (which may be up to a minute old).
CATALOGUE_FIELDS = frozenset(("borough", "pathway", "taxonomy_term_ids",
                              *(attribute for attribute, _ in TAXONOMY_DIMENSIONS.values())))


class SearchInputError(ValueError):
    """A search request that cannot be answered as asked; `message` is fit to show the user."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class BoroughRef:
    """A London borough as search reports it."""

    ons_code: str
    slug: str
    name: str


@dataclass(frozen=True)
class Choice:
    """An option of a filter: its code (a pathway's slug) and the name people see."""

    code: str
    name: str


@dataclass
class SearchRequest:
    text: str | None = None
    borough: str | None = None  # slug or ONS code: "usable by a resident of"
    service_types: list[str] = field(default_factory=list)
    pathway: str | None = None
    referral_routes: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    delivery: list[str] = field(default_factory=list)
    open_now: bool = False
    postcode: str | None = None
    max_miles: float | None = None
    organisation_id: str | None = None
    taxonomy_term_ids: list[str] = field(default_factory=list)
    sort: str = "relevance"
    page: int = 1
    per_page: int | None = 20


@dataclass
class Hit:
    listing: Listing  # the facts the index holds for the service (see `documents.Listing`)
    score: float | None = None
    snippet: Markup = field(default_factory=Markup)
    distance_miles: float | None = None
    distance_label: str | None = None
    why: list[str] = field(default_factory=list)
    open_now: bool | None = None


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None
    relaxations: list[tuple[str, int]]
    page: int
    pages: int
    per_page: int | None
    sort: str
    place: geo.Place | None = None
    borough: BoroughRef | None = None
    partial: bool = False  # no listing had every word: these match some of them
    corrections: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # ms: "index" (match, facets, rank), "rows"
    # ("rows": reading and describing the page's listings)


@dataclass
class _Criteria:
    """A validated request: codes checked, borough and postcode resolved."""

    request: SearchRequest
    text: str
    borough: BoroughRef | None
    taxonomy: dict[str, list[str]]  # dimension -> codes
    pathway: str | None
    place: geo.Place | None
    max_metres: float | None
    sort: str
    page: int
    per_page: int | None
    labels: dict


# -- validation --------------------------------------------------------------------------------


class Catalogue:
    """Boroughs, taxonomy codes and pathways, read from the database at most once a minute."""

    def __init__(self):
        self.loaded_at = -math.inf

    def fresh(self, max_age: float = CATALOGUE_SECONDS) -> "Catalogue":
        if time.monotonic() - self.loaded_at > max_age:
            self._load()
        return self

    def _load(self):
        session = db.session
        boroughs = [BoroughRef(code, slug, name) for code, slug, name in
                    session.execute(select(Borough.ons_code, Borough.slug, Borough.name))]
        self.boroughs = {b.slug: b for b in boroughs} | {b.ons_code: b for b in boroughs}
        self.borough_slugs = {b.ons_code: b.slug for b in boroughs}
        self.borough_choices = sorted(boroughs, key=lambda b: b.name)
        terms = session.execute(
            select(Taxonomy.code, TaxonomyTerm.code, TaxonomyTerm.name, TaxonomyTerm.id,
                   TaxonomyTerm.description).join(Taxonomy)
            .order_by(Taxonomy.code, TaxonomyTerm.position, TaxonomyTerm.name)
        ).all()
        self.terms = {}
        self.term_ids = {}
        # Words that find listings through their categories rather than their own text:
        # (index field, code, stems of the name, concepts of the name and description).
        self.expansions = []
        self.stems = {}
        dimensions = {vocabulary: dimension for dimension, (_, vocabulary) in TAXONOMY_DIMENSIONS.items()}
        for vocabulary, code, name, term_id, description in terms:
            self.terms.setdefault(vocabulary, {})[code] = name
            self.term_ids[term_id] = name
            if vocabulary in dimensions:
                self._expand(dimensions[vocabulary], code, name, description)
        pathways = session.execute(
            select(Pathway.slug, Pathway.name, Pathway.summary).order_by(Pathway.position, Pathway.name)
        ).all()
        self.pathways = {slug: name for slug, name, _ in pathways}
        self.pathway_choices = [Choice(slug, name) for slug, name, _ in pathways]
        for slug, name, summary in pathways:
            self._expand("pathway", slug, name, summary)
        for b in boroughs:
            self._expand("located", b.ons_code, b.name, "")
            self._expand("residents", b.ons_code, b.name, "")
        self.loaded_at = time.monotonic()

    def term_choices(self, vocabulary: str) -> list["Choice"]:
        """Return a taxonomy's terms in display order."""
        return [Choice(code, name) for code, name in self.terms.get(vocabulary, {}).items()]

    def term_name(self, vocabulary: str, code: str) -> str:
        return self.terms.get(vocabulary, {}).get(code, code)

    def borough_name(self, ons_code: str) -> str:
        borough = self.boroughs.get(ons_code)
        return borough.name if borough else ons_code

    def _expand(self, field_name, code, name, description):
        words = [w for w in text.tokens(name) if text.is_indexable(w)]
        stems = {text.stem(w) for w in words}
        for w in words:
            self.stems.setdefault(text.stem(w), w)
        concepts = set(text.concept_tokens(name)) | set(text.concept_tokens(description or ""))
        self.expansions.append((field_name, code, stems, concepts))

    def expansion_bits(self, view, clause) -> int:
        """Return the documents a clause finds through category, pathway and borough names."""
        bits = 0
        for field_name, code, stems, concepts in self.expansions:
            if (clause.concept and clause.concept in concepts) or (
                not clause.concept and any(s in stems for s in clause.stems)
            ) or (clause.concept and len(clause.stems) == 1 and clause.stems[0] in stems):
                bits |= view.term(field_name, code)
        return bits


def _codes(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [str(v).strip() for v in value if str(v).strip()]


def validate(request: SearchRequest, catalogue: Catalogue) -> _Criteria:
    """Check a request; raise SearchInputError naming the field for anything unusable."""
    labels: dict = {}
    borough = None
    if request.borough:
        value = str(request.borough).strip()
        borough = catalogue.boroughs.get(value.upper()) or catalogue.boroughs.get(value.lower())
        if borough is None:
            raise SearchInputError("borough", "Choose a London borough from the list.")
    taxonomy = {}
    for dimension, (attribute, vocabulary) in TAXONOMY_DIMENSIONS.items():
        codes = _codes(getattr(request, attribute))
        known = catalogue.terms.get(vocabulary, {})
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise SearchInputError(attribute, f"Unknown {vocabulary.replace('-', ' ')}: {unknown[0][:40]}.")
        taxonomy[dimension] = list(dict.fromkeys(codes))
        labels[dimension] = " or ".join(known[c] for c in taxonomy[dimension])
    pathway = (request.pathway or "").strip() or None
    if pathway and pathway not in catalogue.pathways:
        raise SearchInputError("pathway", "Choose a care pathway from the list.")
    if pathway:
        labels["pathway"] = catalogue.pathways[pathway]
    term_ids = _codes(request.taxonomy_term_ids)
    if any(t not in catalogue.term_ids for t in term_ids):
        raise SearchInputError("taxonomy_term_ids", "Unknown taxonomy term id.")
    place = None
    if request.postcode and str(request.postcode).strip():
        try:
            place = geo.lookup(str(request.postcode))
        except geo.PostcodeError as exc:
            raise SearchInputError("postcode", str(exc)) from exc
    max_metres = None
    if request.max_miles not in (None, ""):
        try:
            miles = float(request.max_miles)
        except (TypeError, ValueError):
            miles = math.nan
        if not (0 < miles <= MAX_MILES):
            raise SearchInputError("max_miles", f"Choose a distance between 0 and {MAX_MILES:g} miles.")
        if place is not None:
            max_metres = miles * geo.METRES_PER_MILE
            labels["distance"] = f"within {miles:g} miles"
    sort = (request.sort or "relevance").strip().lower()
    if sort not in SORTS:
        raise SearchInputError("sort", "Sort by relevance, distance or name.")
    if sort == "distance" and place is None:
        raise SearchInputError("postcode", "Enter a postcode to sort by distance.")
    page = _positive_int(request.page, "page", default=1)
    per_page = None if request.per_page is None else min(_positive_int(request.per_page, "per_page", 20),
                                                         MAX_PER_PAGE)
    if borough is not None:
        labels["borough"] = f"{borough.name} residents"
    labels["open_now"] = "open now"
    labels["text"] = "your search words"
    labels["organisation"] = "this organisation"
    labels["term"] = "the chosen categories"
    return _Criteria(request, (request.text or "")[: query.MAX_CHARS], borough, taxonomy, pathway, place,
                     max_metres, sort, page, per_page, labels)


def _positive_int(value, name, default):
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        label = name.replace("_", " ").capitalize()
        raise SearchInputError(name, f"{label} must be a whole number.") from None
    if number < 1:
        raise SearchInputError(name, f"{name.replace('_', ' ').capitalize()} must be 1 or more.")
    return number


# -- matching ----------------------------------------------------------------------------------


def _text_bits(view, parsed: query.ParsedText, catalogue) -> tuple[int | None, bool, list[int]]:
    """Return the documents matching every clause (or, failing that, any clause), whether that is
    partial, and per clause the documents it found only through category names (for ranking)."""
    if not parsed.clauses:
        return None, False, []
    sets, abouts = [], []
    for clause in parsed.clauses:
        bits = view.term("concepts", clause.concept) if clause.concept else 0
        for s in clause.stems:
            for name in documents.TEXT_FIELDS:
                bits |= view.term(name, s)
        about = catalogue.expansion_bits(view, clause)
        sets.append(bits | about)
        abouts.append(about)
    every = sets[0]
    for bits in sets[1:]:
        every &= bits
    if every & view.live or len(sets) == 1:
        return every, False, abouts
    anything = 0
    for bits in sets:
        anything |= bits
    return anything, True, abouts


def _constraints(view, criteria: _Criteria, text_bits: int | None, now) -> dict[str, int]:
    """Return one document set per active filter."""
    out = {}
    if text_bits is not None:
        out["text"] = text_bits
    if criteria.borough is not None:
        out["borough"] = view.any_of("residents", (criteria.borough.ons_code, catchment.EVERYWHERE))
    for dimension, codes in criteria.taxonomy.items():
        if codes:
            out[dimension] = view.any_of(dimension, codes)
    if criteria.pathway:
        out["pathway"] = view.term("pathway", criteria.pathway)
    if criteria.request.open_now:
        out["open_now"] = view.open_at(hours.minute_of_week(now))
    if criteria.max_metres is not None:
        out["distance"] = view.within(criteria.place.latitude, criteria.place.longitude, criteria.max_metres)
    if criteria.request.organisation_id:
        out["organisation"] = view.term("organisation_id", str(criteria.request.organisation_id))
    term_ids = _codes(criteria.request.taxonomy_term_ids)
    if term_ids:
        out["term"] = view.any_of("term", term_ids)
    return out


def _all_but(view, constraints: dict[str, int], leave_out: str | None) -> int:
    bits = view.live
    for name, c in constraints.items():
        if name != leave_out:
            bits &= c
    return bits


def _facets(view, constraints, catalogue, now) -> dict[str, dict[str, int]]:
    facets = {}
    for dimension in (*TAXONOMY_DIMENSIONS, "pathway"):
        base = _all_but(view, constraints, dimension)
        facets[dimension] = {v: (base & view.term(dimension, v)).bit_count() for v in view.values(dimension)}
    base = _all_but(view, constraints, "borough")
    everywhere = view.term("residents", catchment.EVERYWHERE)
    facets["borough"] = {
        slug: (base & (everywhere | view.term("residents", code))).bit_count()
        for code, slug in sorted(catalogue.borough_slugs.items(), key=lambda kv: kv[1])
    }
    base = _all_but(view, constraints, "open_now")
    facets["open_now"] = {"yes": (base & view.open_at(hours.minute_of_week(now))).bit_count()}
    return facets


def _relaxations(view, constraints, labels) -> list[tuple[str, int]]:
    found = []
    for name in constraints:
        count = _all_but(view, constraints, name).bit_count()
        if count:
            found.append((labels.get(name) or name.replace("_", " "), count))
    return sorted(found, key=lambda item: -item[1])


# -- ordering ----------------------------------------------------------------------------------


def _scores(view, parsed: query.ParsedText, abouts: list[int]) -> np.ndarray | None:
    """Return every document's score (an array by document number), or None without text: Whoosh's
    BM25F for the text, plus a fixed amount for each clause a document answers through its categories.

    Computed here from Whoosh's postings, whole segments at a time with NumPy, rather than by
    Whoosh's matchers, which cost tens of microseconds per document: ranking thousands of matches
    to show 20 must not take longer than finding them.
    """
    if not parsed.clauses:
        return None
    scores = np.zeros(view.size)
    n = max(1, view.live.bit_count())
    for name, term, boost in _scoring_terms(parsed):
        df = view.doc_frequency(name, term)
        if not df:
            continue
        weight = boost * math.log(1 + (n - df + 0.5) / (df + 0.5))
        # Rounded, so a segment's term-frequency parts stay valid while edits nudge the mean length.
        average = round(view.average_length(name), 1) if name in documents.TEXT_FIELDS else None
        for reader, offset, data in view.leaves:
            key = ("bm25", name, term, average)
            parts = data.derived(key, _frequency_parts, reader, data, name, term, average)
            if parts is not None:
                scores[offset:offset + data.size] += weight * parts
    for about in abouts:
        scores += ABOUT_SCORE * bitsets.to_array(about, view.size)
    return scores


def _frequency_parts(reader, data, name: str, term: str, average: float | None) -> np.ndarray | None:
    """Return BM25's term-frequency part, tf·(k1+1)/(tf+norm), of each document of a segment
    (0 where the term is absent), or None when no document holds it."""
    weights = data.weights(reader, name, term)
    if not weights:
        return None
    docs = np.fromiter(weights.keys(), dtype=np.int64, count=len(weights))
    tf = np.fromiter(weights.values(), dtype=np.float64, count=len(weights))
    if average:
        lengths = np.asarray(data.lengths[name], dtype=np.float64)[docs]
        norm = K1 * (1 - B + B * lengths / average)
    else:
        norm = K1
    parts = np.zeros(data.size)
    parts[docs] = tf * (K1 + 1) / (tf + norm)
    return parts


def _scoring_terms(parsed: query.ParsedText):
    for clause in parsed.clauses:
        if clause.concept:
            yield "concepts", clause.concept, documents.CONCEPT_BOOST
        factor = 0.7 if clause.corrected else 1.0
        for s in clause.stems:
            for name, boost in documents.TEXT_FIELDS.items():
                yield name, s, boost * factor


def _order(view, criteria, parsed, matched: int, abouts) -> tuple[list[int], dict, dict, str]:
    """Return the page's document numbers in order, their scores and approximate distances."""
    docnums = np.flatnonzero(bitsets.to_array(matched, view.size))
    sort = criteria.sort
    if sort == "relevance" and not parsed.clauses:
        sort = "distance" if criteria.place is not None else "name"
    ranks = view.rank_array[docnums]  # name order (and ties) as small ints
    if criteria.per_page is None:
        start, limit = 0, len(docnums)
    else:
        start = (criteria.page - 1) * criteria.per_page
        limit = start + criteria.per_page
    metres = None
    if criteria.place is not None:
        metres = view.metres_from(criteria.place.latitude, criteria.place.longitude)
    scores = _scores(view, parsed, abouts)
    if sort == "relevance":
        keys = (ranks, -scores[docnums])
    elif sort == "distance":
        keys = (ranks, metres[docnums])
    else:
        keys = (ranks,)
    page = docnums[_first_in_order(keys, limit)[start:limit]].tolist()
    page_scores = {} if scores is None else {d: float(scores[d]) for d in page}
    distances = {} if metres is None else {d: float(metres[d]) for d in page if np.isfinite(metres[d])}
    return page, page_scores, distances, sort


def _first_in_order(keys: tuple[np.ndarray, ...], limit: int) -> np.ndarray:
    """Return the positions of the first `limit` items in `np.lexsort(keys)` order (the last key
    sorts first). Only those are sorted: the rest of thousands of matches never are."""
    primary = keys[-1]
    if limit >= len(primary):
        return np.lexsort(keys)
    # Everything up to the limit-th smallest primary key, ties included, then sorted in full.
    bound = np.partition(primary, limit - 1)[limit - 1]
    candidates = np.flatnonzero(primary <= bound)
    return candidates[np.lexsort(tuple(key[candidates] for key in keys))][:limit]


# -- results ---------------------------------------------------------------------------------


def _still_listed(ids: list[str]) -> set[str]:
    """Return which of these services are still published and active (one primary-key query)."""
    if not ids:
        return set()
    try:
        return _listed(ids)
    except DBAPIError as error:
        # A pooled connection that died under us (the database restarted): SQLAlchemy has
        # discarded the pool, so a second try gets a fresh connection. A read is safe to repeat.
        if not error.connection_invalidated:
            raise
        return _listed(ids)


def _listed(ids: list[str]) -> set[str]:
    # On its own connection in autocommit: one statement needs no transaction, and opening and
    # rolling one back would cost two more round trips to the database on every results page.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return documents.listed(connection, ids)


def prepare_snippets(listings) -> None:
    """Read each listing's text for highlighting now, as a search would (a server, before it forks)."""
    for listing in listings:
        text.analyse(_snippet_source(listing))


def _snippet_source(listing: Listing) -> str:
    return listing.description or listing.eligibility


def _hit(listing: Listing, criteria, parsed, score, metres, now) -> Hit:
    hit = Hit(listing=listing, score=score)
    source = _snippet_source(listing)
    hit.snippet = (
        _snippet(source, frozenset(parsed.highlight_stems), frozenset(parsed.highlight_concepts))
        if parsed.clauses
        else escape(_shorten(source))
    )
    if criteria.place is not None and metres is not None:
        # The index's flat-earth distance: within London it differs from the geodesic by far less
        # than the "about 1.2 miles" a card shows.
        hit.distance_miles = metres / geo.METRES_PER_MILE
        hit.distance_label = geo.describe_miles(hit.distance_miles)
    if criteria.borough is not None:
        usable = catchment.usable_by(listing, criteria.borough.ons_code, criteria.borough.name)
        if usable is not None:
            hit.why = [usable.label]
    if listing.schedules:
        hit.open_now = _open_at(tuple(listing.schedules), hours.minute_of_week(now))
    return hit


@lru_cache(maxsize=32768)
def _open_at(schedules: tuple, minute: int) -> bool:
    # Many services keep the same hours: answer each timetable once per minute.
    return hours.is_open_at([hours.Session(*s) for s in schedules], minute)


@lru_cache(maxsize=8192)
def _snippet(source: str, stems: frozenset[str], concepts: frozenset[str]) -> Markup:
    # Popular searches show the same listings again and again: highlight each text once per query.
    return text.snippet(source, stems, concepts)


def _shorten(source: str, width: int = 220) -> str:
    source = " ".join(source.split())
    if len(source) <= width:
        return source
    cut = source.rfind(" ", 0, width)
    return source[: cut if cut > 0 else width] + "…"


@dataclass
class _Reading:
    """What one pass over the index found for a request."""

    parsed: query.ParsedText
    partial: bool
    total: int
    facets: dict
    relaxations: list
    scores: dict[int, float]
    metres: dict[int, float]
    sort: str
    stored: list[tuple[int, Listing | None]]  # the page's document numbers, in order, and listings
    indexed: float  # perf_counter when ranking ended


def _read(index, criteria: _Criteria, catalogue: Catalogue, now) -> _Reading:
    """Match, count, rank and read the page's listings from the index."""
    with index.reading() as view:
        parsed = query.parse(criteria.text, view, catalogue)
        text_bits, partial, abouts = _text_bits(view, parsed, catalogue)
        constraints = _constraints(view, criteria, text_bits, now)
        matched = _all_but(view, constraints, None)
        total = matched.bit_count()
        facets = _facets(view, constraints, catalogue, now)
        relaxations = _relaxations(view, constraints, criteria.labels) if total == 0 else []
        page_docs, scores, metres, sort = _order(view, criteria, parsed, matched, abouts)
        indexed = time.perf_counter()
        stored = [(d, view.listing(d)) for d in page_docs]
    return _Reading(parsed, partial, total, facets, relaxations, scores, metres, sort, stored, indexed)


def run(index, request: SearchRequest, catalogue: Catalogue) -> SearchResult:
    """Answer `request` from `index` (a store.SearchIndex)."""
    try:
        criteria = validate(request, catalogue.fresh())
    except SearchInputError as error:
        if error.field not in CATALOGUE_FIELDS:
            raise
        # A pathway or term added in the last minute is not an error: look again before saying so.
        criteria = validate(request, catalogue.fresh(max_age=1.0))
    now = clock.now()
    started = time.perf_counter()
    try:
        read = _read(index, criteria, catalogue, now)
    except IndexBusy:
        raise
    except Exception as exc:  # noqa: BLE001  (a damaged index file fails in many ways: rebuild, answer)
        index.recover(index.build, exc)
        read = None
    if read is None:
        read = _read(index, criteria, catalogue, now)
    stored = read.stored
    listed = _still_listed([listing.id for _, listing in stored if listing])
    hits = [
        _hit(listing, criteria, read.parsed, read.scores.get(d), read.metres.get(d), now)
        for d, listing in stored
        if listing is not None and listing.id in listed
    ]
    pages = 1 if not criteria.per_page else max(1, math.ceil(read.total / criteria.per_page))
    return SearchResult(
        total=read.total,
        hits=hits,
        facets=read.facets,
        suggestion=read.parsed.suggestion(t for h in hits for t in (h.listing.name, h.listing.description)),
        relaxations=read.relaxations,
        page=criteria.page,
        pages=pages,
        per_page=criteria.per_page,
        sort=read.sort,
        place=criteria.place,
        borough=criteria.borough,
        partial=read.partial,
        corrections=read.parsed.corrections,
        timings={"index": (read.indexed - started) * 1000,
                 "rows": (time.perf_counter() - read.indexed) * 1000},
    )

