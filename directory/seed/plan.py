"""Reading the seed's two files and checking them against each other and the reference data.

`data/sources/london-services-sources.csv` holds the facts, each with its sources, date and
confidence; `data/seed/listings.json` classifies the CSV's active rows. `make_plan` checks the
listings before anything is written and returns them ready to write (see `writing.py`).
"""

import csv
import re
import uuid
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path

from sqlalchemy import select

from .. import dimensions, geo
from ..extensions import db
from ..models import LOCATION_TYPES, Borough, Catchment, Taxonomy, TaxonomyTerm

DATA_DIR = Path(__file__).parent.parent / "data"
LISTINGS_FILE = DATA_DIR / "seed" / "listings.json"
SOURCES_FILE = DATA_DIR / "sources" / "london-services-sources.csv"

# Fixed for ever: changing it would give every seeded row a new id.
NAMESPACE = uuid.UUID("5b0c6a38-2f4e-5d7b-9a51-6c3e8f0d1a27")
CLOSED_PREFIX = "CLOSED:"
DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def seed_id(kind: str, key: str) -> str:
    """Return the deterministic id of a seeded row ("service", source name) etc."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


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
class Plan:
    """listings.json checked against the CSV and reference data, ready to write."""

    services: list[dict]
    organisations: dict[str, dict]
    pathways: list[dict]
    sources: dict[str, dict]
    terms: dict[tuple[str, str], TaxonomyTerm]
    boroughs: dict[str, Borough]  # slug -> borough
    places: dict[str, geo.Place]  # normalised postcode -> place
    skipped_closed: int


def make_plan(spec: dict, sources: dict[str, dict]) -> Plan:
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
        for dimension in dimensions.TAXONOMIES:
            for code in entry.get(dimension.seed_key, []):
                if (dimension.vocabulary, code) not in terms:
                    raise ValueError(f"{where}: unknown {dimension.vocabulary} code {code!r}.")
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

    return Plan(services, organisations, pathways, sources, terms, boroughs, places, skipped)
