"""Seed the directory with the sourced London services.

Two files: `data/sources/london-services-sources.csv` (the facts, each with its sources, date and
confidence) and `data/seed/listings.json` (a curated classification of the CSV's active rows:
service types, audiences, catchment, locations, care pathways). The CSV's provenance is carried into
each service; seeded services are unverified until a person confirms them.

Idempotent: ids are uuid5 of a fixed namespace, and only attributes that differ are written, so a
second run changes nothing and writes no revisions. A service that a person has since edited,
verified or closed (any non-seed revision, or a verification) is left alone.
"""

import csv
import json
import re
import uuid
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path

from sqlalchemy import select

from . import geo, revisions
from .extensions import db
from .models import (
    LOCATION_TYPES,
    Borough,
    Catchment,
    Location,
    Organisation,
    Pathway,
    PathwayStage,
    Revision,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

DATA_DIR = Path(__file__).parent / "data"
LISTINGS_FILE = DATA_DIR / "seed" / "listings.json"
SOURCES_FILE = DATA_DIR / "sources" / "london-services-sources.csv"

# Fixed for ever: changing it would give every seeded row a new id.
NAMESPACE = uuid.UUID("5b0c6a38-2f4e-5d7b-9a51-6c3e8f0d1a27")
CLOSED_PREFIX = "CLOSED:"
SEED_KIND = "seed"
# listings.json key -> taxonomy code
VOCABULARIES = {
    "types": "service-type",
    "audiences": "audience",
    "referral_routes": "referral-route",
    "delivery": "delivery",
}
DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def seed_id(kind: str, key: str) -> str:
    """Return the deterministic id of a seeded row ("service", source name) etc."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


@dataclass
class SeedReport:
    """What a seed run did. Service counts: created + updated + unchanged + kept = seeded rows."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # edited, verified or closed by a person since: left alone
    skipped_closed: int = 0  # CSV rows named "CLOSED:", never listed
    organisations_created: int = 0
    pathways_created: int = 0
    pathways_updated: int = 0

    @property
    def services(self) -> int:
        return self.created + self.updated + self.unchanged + self.kept

    def __str__(self):
        return (
            f"{self.services} services ({self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.kept} kept as edited); "
            f"{self.skipped_closed} closed rows skipped; {self.organisations_created} organisations created; "
            f"pathways: {self.pathways_created} created, {self.pathways_updated} updated"
        )


# ------------------------------------------------------------------------------------ loading


def load_sources(path: Path = SOURCES_FILE) -> dict[str, dict]:
    """Return the source CSV rows keyed by their `name` column."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_name: dict[str, dict] = {}
    for row in rows:
        name = row["name"].strip()
        if name in by_name:
            raise ValueError(f"The sources CSV names {name!r} twice.")
        by_name[name] = row
    return by_name


def is_closed(name: str) -> bool:
    return name.strip().upper().startswith(CLOSED_PREFIX)


def source_date(value: str) -> date | None:
    """A full ISO date, else None (year-only and year-month dates are described in the notes)."""
    value = (value or "").strip()
    if _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _hhmm(value: str, where: str) -> time:
    if not isinstance(value, str) or not _HHMM.match(value):
        raise ValueError(f"{where}: time {value!r} is not HH:MM.")
    return time.fromisoformat(value)


# --------------------------------------------------------------------------------- validation


@dataclass
class _Plan:
    """listings.json checked against the CSV and reference data, ready to write."""

    services: list[dict]
    organisations: dict[str, dict]
    pathways: list[dict]
    sources: dict[str, dict]
    terms: dict[tuple[str, str], TaxonomyTerm]
    boroughs: dict[str, Borough]  # slug -> borough
    places: dict[str, geo.Place]  # normalised postcode -> place
    skipped_closed: int


def _plan(spec: dict, sources: dict[str, dict]) -> _Plan:
    terms = {
        (t.taxonomy.code, t.code): t for t in db.session.scalars(select(TaxonomyTerm).join(Taxonomy)).all()
    }
    boroughs = {b.slug: b for b in db.session.scalars(select(Borough)).all()}
    if not terms or not boroughs:
        raise RuntimeError("Load the reference data (boroughs, taxonomies) before seeding.")
    organisations = spec.get("organisations") or {}
    services, places, seen = [], {}, set()
    skipped = sum(1 for name in sources if is_closed(name))

    for entry in spec.get("services", []):
        name = entry.get("source_name", "")
        where = f"listings.json service {name!r}"
        if name not in sources:
            raise ValueError(f"{where}: no row of that name in the sources CSV.")
        if name in seen:
            raise ValueError(f"{where}: listed twice.")
        seen.add(name)
        if is_closed(name):
            continue  # never listed, whatever listings.json says
        if not (entry.get("name") or "").strip():
            raise ValueError(f"{where}: needs a display name.")
        if entry.get("organisation") not in organisations:
            raise ValueError(
                f"{where}: organisation {entry.get('organisation')!r} is not in 'organisations'."
            )
        for key, vocabulary in VOCABULARIES.items():
            for code in entry.get(key, []):
                if (vocabulary, code) not in terms:
                    raise ValueError(f"{where}: unknown {vocabulary} code {code!r}.")
        if not entry.get("types"):
            raise ValueError(f"{where}: needs at least one service type.")
        catchment = entry.get("catchment")
        if catchment not in Catchment.ALL:
            raise ValueError(f"{where}: unknown catchment {catchment!r}.")
        for slug in entry.get("catchment_boroughs", []):
            if slug not in boroughs:
                raise ValueError(f"{where}: unknown borough {slug!r}.")
        if (catchment == Catchment.BOROUGHS) != bool(entry.get("catchment_boroughs")):
            raise ValueError(f"{where}: name catchment boroughs exactly when the catchment is 'boroughs'.")
        for key in ("minimum_age", "maximum_age"):
            if entry.get(key) is not None and not isinstance(entry[key], int):
                raise ValueError(f"{where}: {key} must be a whole number or null.")
        if entry.get("url") and not str(entry["url"]).startswith("https://"):
            raise ValueError(f"{where}: url must start with https://.")
        for i, loc in enumerate(entry.get("locations", [])):
            lwhere = f"{where} location {i + 1}"
            if loc.get("type") not in LOCATION_TYPES:
                raise ValueError(f"{lwhere}: unknown location type {loc.get('type')!r}.")
            if loc.get("borough") and loc["borough"] not in boroughs:
                raise ValueError(f"{lwhere}: unknown borough {loc['borough']!r}.")
            if loc.get("postcode"):
                try:
                    place = geo.lookup(loc["postcode"])
                except geo.PostcodeError as error:
                    raise ValueError(f"{lwhere}: {error}") from error
                places[place.query] = place
            for schedule in loc.get("schedules", []):
                if not schedule.get("days") or any(d not in DAYS for d in schedule["days"]):
                    raise ValueError(f"{lwhere}: schedule days must be among {', '.join(DAYS)}.")
                _hhmm(schedule.get("opens"), lwhere)
                _hhmm(schedule.get("closes"), lwhere)
        services.append(entry)

    listed = {s["source_name"] for s in services}
    pathways, slugs = [], set()
    for pathway in spec.get("pathways", []):
        slug = pathway.get("slug", "")
        if not slug or slug in slugs:
            raise ValueError(f"listings.json pathway {slug!r}: needs a unique slug.")
        slugs.add(slug)
        if not pathway.get("stages"):
            raise ValueError(f"listings.json pathway {slug!r}: needs at least one stage.")
        for stage in pathway["stages"]:
            for name in stage.get("services", []):
                if name not in sources:
                    raise ValueError(f"listings.json pathway {slug!r}: no CSV row named {name!r}.")
                if not is_closed(name) and name not in listed:
                    raise ValueError(f"listings.json pathway {slug!r}: {name!r} is not among the services.")
        pathways.append(pathway)

    return _Plan(services, organisations, pathways, sources, terms, boroughs, places, skipped)


# ------------------------------------------------------------------------------------ writing


def _assign(obj, values: dict) -> bool:
    """Set only the attributes whose value differs; return whether anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def _assign_list(obj, key: str, wanted: list, by=lambda o: o.id) -> bool:
    """Replace a relationship list when its members (or their order) differ."""
    current = getattr(obj, key)
    if [by(o) for o in current] == [by(o) for o in wanted]:
        return False
    setattr(obj, key, wanted)
    return True


def _edited_by_people(service: Service) -> bool:
    """Whether anyone but the seed has changed or verified this listing since it was seeded."""
    if service.verified_at is not None:
        return True
    return (
        db.session.scalar(
            select(Revision.id).where(Revision.service_id == service.id, Revision.kind != SEED_KIND).limit(1)
        )
        is not None
    )


def _organisation(name: str, data: dict, report: SeedReport) -> Organisation:
    org = db.session.get(Organisation, seed_id("organisation", name)) or db.session.scalar(
        select(Organisation).where(Organisation.name == name)
    )
    if org is None:
        org = Organisation(id=seed_id("organisation", name), name=name)
        db.session.add(org)
        report.organisations_created += 1
    # Agencies own their organisation's details: only fill what is still empty.
    if not org.website and data.get("website"):
        org.website = data["website"]
    if not org.description and data.get("description"):
        org.description = data["description"]
    return org


def _location_key(source_name: str, index: int, loc: dict) -> str:
    """Locations with the same address are one place shared by its services (e.g. 56 Dean Street)."""
    if loc["type"] == "physical" and (loc.get("address_1") or "").strip():
        return "|".join(
            [loc["type"], loc["address_1"].strip().lower(), geo_postcode(loc.get("postcode")) or ""]
        )
    return f"{source_name}#{index}"


def geo_postcode(text: str | None) -> str | None:
    """The normalised form of a full postcode ("w1d6aq" -> "W1D 6AQ"), or None."""
    if not (text or "").strip():
        return None
    return geo.parse_postcode(text).display


def _location_values(loc: dict, plan: _Plan) -> dict:
    postcode = geo_postcode(loc.get("postcode"))
    values = {
        "location_type": loc["type"],
        "name": loc.get("name") or "",
        "address_1": loc.get("address_1") or "",
        "address_2": loc.get("address_2") or "",
        "city": "London",
        "postcode": postcode,
        "url": loc.get("url") or None,
        "borough_code": None,
        "latitude": None,
        "longitude": None,
    }
    if postcode:
        # The borough comes from the postcode, not from what anyone typed.
        place = plan.places[postcode]
        values.update(borough_code=place.borough_code, latitude=place.latitude, longitude=place.longitude)
    elif loc.get("borough"):
        values["borough_code"] = plan.boroughs[loc["borough"]].ons_code
    return values


def _schedules(loc: dict) -> list[tuple[int, time, time, str]]:
    wanted = []
    for schedule in loc.get("schedules", []):
        opens, closes = time.fromisoformat(schedule["opens"]), time.fromisoformat(schedule["closes"])
        for day in schedule["days"]:
            wanted.append((DAYS[day], opens, closes, schedule.get("note", "") or ""))
    return sorted(wanted)


def _sync_locations(service: Service, entry: dict, plan: _Plan, locations: dict[str, tuple]) -> bool:
    changed = False
    wanted_sals = []
    for index, loc in enumerate(entry.get("locations", [])):
        location_id = seed_id("location", _location_key(entry["source_name"], index, loc))
        values = _location_values(loc, plan)
        if location_id in locations:  # already written for another service in this run
            seen_values, location = locations[location_id]
            if seen_values != values:
                raise ValueError(
                    f"listings.json: locations at {values['address_1']!r} differ between services; "
                    "make them identical."
                )
        else:
            location = db.session.get(Location, location_id)
            if location is None:
                location = Location(id=location_id, organisation_id=service.organisation_id)
                db.session.add(location)
            locations[location_id] = (values, location)
            changed |= _assign(location, values)

        sal_id = seed_id("service-at-location", f"{service.id}:{location_id}")
        sal = next((s for s in service.service_at_locations if s.id == sal_id), None)
        if sal is None:
            sal = ServiceAtLocation(id=sal_id, location=location)
            changed = True
        changed |= _assign(sal, {"position": index, "hours_note": loc.get("hours_note") or ""})
        wanted = _schedules(loc)
        current = sorted((s.weekday, s.opens_at, s.closes_at, s.note) for s in sal.schedules)
        if current != wanted:
            sal.schedules = [Schedule(weekday=w, opens_at=o, closes_at=c, note=n) for w, o, c, n in wanted]
            changed = True
        wanted_sals.append(sal)
    changed |= _assign_list(service, "service_at_locations", wanted_sals)
    return changed


def _service(entry: dict, org: Organisation, plan: _Plan, report: SeedReport, locations: dict) -> Service:
    row = plan.sources[entry["source_name"]]
    service_id = seed_id("service", entry["source_name"])
    service = db.session.get(Service, service_id)
    created = service is None
    if created:
        service = Service(id=service_id, verified_at=None)
        db.session.add(service)
    elif _edited_by_people(service):
        report.kept += 1
        return service

    changed = _assign(
        service,
        {
            "name": entry["name"].strip(),
            "organisation_id": org.id,
            "description": entry.get("description", ""),
            "status": "active",
            "is_published": True,
            "alert": entry.get("alert", ""),
            "url": entry.get("url") or None,
            "application_process": entry.get("application_process", ""),
            "eligibility_description": entry.get("eligibility", ""),
            "minimum_age": entry.get("minimum_age"),
            "maximum_age": entry.get("maximum_age"),
            # The sources do not state fees: say nothing rather than guess.
            "fees_description": "",
            "catchment": entry["catchment"],
            "source_urls": row.get("source_url", "").strip(),
            "source_date": source_date(row.get("source_date", "")),
            "confidence": row.get("confidence", "").strip() or "low",
            "source_notes": row.get("notes", "").strip(),
            "seeded": True,
        },
    )
    if service.organisation is not org:
        service.organisation = org
    wanted_terms = [
        plan.terms[(vocabulary, code)]
        for key, vocabulary in VOCABULARIES.items()
        for code in entry.get(key, [])
    ]
    wanted_terms.sort(key=lambda t: (t.taxonomy.code, t.position))
    current_terms = sorted(service.terms, key=lambda t: (t.taxonomy.code, t.position))
    if [t.id for t in current_terms] != [t.id for t in wanted_terms]:
        service.terms = wanted_terms
        changed = True
    wanted_boroughs = sorted(
        (plan.boroughs[s] for s in entry.get("catchment_boroughs", [])), key=lambda b: b.name
    )
    current_boroughs = sorted(service.catchment_boroughs, key=lambda b: b.name)
    if [b.ons_code for b in current_boroughs] != [b.ons_code for b in wanted_boroughs]:
        service.catchment_boroughs = wanted_boroughs
        changed = True
    changed |= _sync_locations(service, entry, plan, locations)

    if created:
        report.created += 1
    elif changed:
        report.updated += 1
    else:
        report.unchanged += 1
    return service


def _pathway(position: int, spec: dict, services: dict[str, Service], report: SeedReport) -> None:
    slug = spec["slug"]
    pathway = db.session.get(Pathway, seed_id("pathway", slug)) or db.session.scalar(
        select(Pathway).where(Pathway.slug == slug)
    )
    created = pathway is None
    if created:
        pathway = Pathway(id=seed_id("pathway", slug), slug=slug)
        db.session.add(pathway)
    changed = _assign(
        pathway, {"name": spec["name"], "summary": spec.get("summary", ""), "position": position}
    )
    stages = {stage.position: stage for stage in pathway.stages}
    for index, stage_spec in enumerate(spec["stages"]):
        stage = stages.pop(index, None)
        if stage is None:
            stage = PathwayStage(id=seed_id("pathway-stage", f"{slug}:{index}"), position=index)
            pathway.stages.append(stage)
            changed = True
        changed |= _assign(
            stage, {"name": stage_spec["name"], "description": stage_spec.get("description", "")}
        )
        wanted = sorted(
            (services[name] for name in stage_spec.get("services", []) if name in services),
            key=lambda s: (s.name, s.id),
        )
        current = sorted(stage.services, key=lambda s: (s.name, s.id))
        if [s.id for s in current] != [s.id for s in wanted]:
            stage.services = wanted
            changed = True
    for stage in stages.values():  # stages the pathway no longer has
        pathway.stages.remove(stage)
        changed = True
    if created:
        report.pathways_created += 1
    elif changed:
        report.pathways_updated += 1


def seed_services(listings_path: Path | None = None, sources_path: Path | None = None) -> SeedReport:
    """Create or update the seeded London services, organisations, locations and pathways.

    Raises ValueError when listings.json names a row the CSV does not have, or an unknown taxonomy
    code, borough or organisation; nothing is written then.
    """
    spec = json.loads(Path(listings_path or LISTINGS_FILE).read_text(encoding="utf-8"))
    sources = load_sources(Path(sources_path or SOURCES_FILE))
    plan = _plan(spec, sources)
    report = SeedReport(skipped_closed=plan.skipped_closed)

    with revisions.recording(kind=SEED_KIND, author_label="seed", reason="Seeded from public information"):
        try:
            with db.session.no_autoflush:
                organisations = {
                    name: _organisation(name, plan.organisations[name], report)
                    for name in sorted({s["organisation"] for s in plan.services})
                }
                services, locations = {}, {}
                for entry in plan.services:
                    services[entry["source_name"]] = _service(
                        entry, organisations[entry["organisation"]], plan, report, locations
                    )
                for position, pathway in enumerate(plan.pathways):
                    _pathway(position, pathway, services, report)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    return report
