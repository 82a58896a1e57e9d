"""What changed between two listing snapshots, field by field, in the words moderation shows."""

from dataclasses import dataclass

from sqlalchemy import select

from .. import dimensions
from ..extensions import db
from ..hours_wording import snapshot_hours
from ..models import Borough, Catchment, Organisation, TaxonomyTerm
from .fields import CATCHMENT_BOROUGHS, LOCATION_PARTS, LOCATIONS, PHONES, SERVICE_FIELDS, TERMS, Snapshot


@dataclass(frozen=True)
class Change:
    """One field that differs: its label and its value before and after, in words."""

    label: str
    before: str
    after: str


def diff(old: Snapshot | None, new: Snapshot) -> list[Change]:
    """Return the readable field-by-field differences between two listing snapshots."""
    old = old or {}
    names = _Names()
    changes = []
    for field in SERVICE_FIELDS:
        # Being shown is a change only against a snapshot that says it (not for a first version).
        if field.key == "is_published" and field.key not in old:
            continue
        before, after = old.get(field.key), new.get(field.key)
        if before != after:
            changes.append(Change(field.label, names.value(field.key, before), names.value(field.key, after)))
    for dimension in dimensions.TAXONOMIES:
        vocabulary = dimension.vocabulary
        before = sorted((old.get(TERMS.key) or {}).get(vocabulary, []))
        after = sorted((new.get(TERMS.key) or {}).get(vocabulary, []))
        if before != after:
            label = dimension.agency_label
            changes.append(Change(label, names.terms(vocabulary, before), names.terms(vocabulary, after)))
    old_boroughs = old.get(CATCHMENT_BOROUGHS.key) or []
    new_boroughs = new.get(CATCHMENT_BOROUGHS.key) or []
    if sorted(old_boroughs) != sorted(new_boroughs):
        changes.append(
            Change(CATCHMENT_BOROUGHS.label, names.boroughs(old_boroughs), names.boroughs(new_boroughs))
        )
    if (old.get(PHONES.key) or []) != (new.get(PHONES.key) or []):
        changes.append(Change(PHONES.label, _phones(old.get(PHONES.key)), _phones(new.get(PHONES.key))))
    changes.extend(_location_changes(old.get(LOCATIONS.key) or [], new.get(LOCATIONS.key) or [], names))
    return changes


def _location_changes(old_locations, new_locations, names) -> list[Change]:
    changes = []
    old_by_id = {loc["id"]: loc for loc in old_locations if loc.get("id")}
    matched = set()
    for position, loc in enumerate(new_locations, start=1):
        before = old_by_id.get(loc.get("id")) if loc.get("id") else None
        title = f"Location {position} ({location_title(loc)})"
        if before is None:
            changes.append(Change(f"{title}: added", "", describe_location(loc, names)))
            continue
        matched.add(loc["id"])
        for field in LOCATION_PARTS:
            if not field.label:
                continue
            if field.key == "schedules":
                b, a = (
                    snapshot_hours(before.get("schedules") or []),
                    snapshot_hours(loc.get("schedules") or []),
                )
            elif field.key == "borough_code":
                b, a = names.borough_code(before.get(field.key)), names.borough_code(loc.get(field.key))
            else:
                b, a = _text(before.get(field.key)), _text(loc.get(field.key))
            if b != a:
                changes.append(Change(f"{title}: {field.label}", b, a))
    for loc in old_locations:
        if loc.get("id") not in matched:
            changes.append(
                Change(f"Location ({location_title(loc)}): removed", describe_location(loc, names), "")
            )
    return changes


def location_title(loc: dict) -> str:
    """Return the words that name a location in a diff: its name, address, postcode or kind."""
    return loc.get("name") or loc.get("address_1") or loc.get("postcode") or loc.get("location_type") or "new"


def describe_location(loc: dict, names=None) -> str:
    """Say a whole location in one line, for a location added or removed."""
    names = names or _Names()
    parts = [loc.get("location_type") or "physical"]
    parts += [
        p for p in (loc.get("name"), loc.get("address_1"), loc.get("address_2"), loc.get("postcode")) if p
    ]
    if loc.get("borough_code"):
        parts.append(names.borough_code(loc["borough_code"]))
    if loc.get("url"):
        parts.append(loc["url"])
    hours = snapshot_hours(loc.get("schedules") or [])
    if hours:
        parts.append(f"open {hours}")
    if loc.get("hours_note"):
        parts.append(loc["hours_note"])
    return "; ".join(parts)


def _phones(phones) -> str:
    return "; ".join(
        f"{p['number']} ({p['description']})" if p.get("description") else p["number"] for p in phones or []
    )


def _text(value) -> str:
    if value is None:
        return ""
    return str(value)


class _Names:
    """Readable names for codes, looked up once per diff."""

    def __init__(self):
        self._terms = None
        self._boroughs = None

    def _load(self):
        if self._terms is None:
            self._terms = {
                (t.taxonomy.code, t.code): t.name for t in db.session.scalars(select(TaxonomyTerm)).all()
            }
            rows = db.session.scalars(select(Borough)).all()
            self._boroughs = {b.slug: b.name for b in rows} | {b.ons_code: b.name for b in rows}

    def terms(self, vocabulary, codes) -> str:
        self._load()
        return ", ".join(self._terms.get((vocabulary, c), c) for c in codes)

    def boroughs(self, slugs) -> str:
        self._load()
        return ", ".join(sorted(self._boroughs.get(s, s) for s in slugs))

    def borough_code(self, code) -> str:
        self._load()
        return self._boroughs.get(code, code or "")

    def value(self, field, value) -> str:
        if field == "catchment":
            return Catchment.LABELS.get(value, value or "")
        if field == "is_published":
            return "Yes" if value else "No"
        if field == "organisation_id":
            organisation = db.session.get(Organisation, value) if value else None
            return organisation.name if organisation else _text(value)
        return _text(value)
