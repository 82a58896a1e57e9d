"""Take a service's listing as a snapshot, and make a service match one (approve, restore, import)."""

from datetime import date, time

from sqlalchemy import select

from ..extensions import db
from ..models import Borough, Location, Phone, Schedule, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
from .fields import (
    CATCHMENT_BOROUGHS,
    LOCATION_FIELDS,
    LOCATIONS,
    PHONES,
    SERVICE_FIELDS,
    TERMS,
    VOCABULARIES,
    LocationSnapshot,
    Snapshot,
)


def take(service: Service) -> Snapshot:
    """Return the listing as plain JSON-able data: what revisions store, diff and restore."""
    # Keys in the order stored revisions hold them (SNAPSHOT_FIELDS).
    data: Snapshot = {f.key: _plain(getattr(service, f.key)) for f in SERVICE_FIELDS}
    if service.organisation is not None:
        data["organisation_id"] = service.organisation.id
    data[TERMS.key] = {
        vocabulary: sorted(t.code for t in service.terms if t.taxonomy.code == vocabulary)
        for vocabulary in VOCABULARIES
    }
    data[CATCHMENT_BOROUGHS.key] = sorted(b.slug for b in service.catchment_boroughs)
    data[PHONES.key] = [{"number": p.number, "description": p.description} for p in service.phones]
    data[LOCATIONS.key] = [
        {
            "id": sal.location.id if sal.location else sal.location_id,
            **{f.key: _plain(getattr(sal.location, f.key)) for f in LOCATION_FIELDS},
            "hours_note": sal.hours_note,
            "schedules": [
                {
                    "weekday": s.weekday,
                    "opens_at": _plain(s.opens_at),
                    "closes_at": _plain(s.closes_at),
                    "note": s.note,
                }
                for s in sorted(sal.schedules, key=lambda s: (s.weekday, s.opens_at))
            ],
        }
        for sal in service.service_at_locations
    ]
    return data


def apply(service: Service, data: Snapshot, session=None) -> None:
    """Make the service's listing match a snapshot; parts the snapshot leaves out stay as they are."""
    session = session or db.session
    # The look-ups below must not flush a half-applied listing: it would be recorded as a revision.
    with session.no_autoflush:
        _apply(service, data, session)


def _apply(service: Service, data: Snapshot, session) -> None:
    for f in SERVICE_FIELDS:
        if f.key in data:
            setattr(service, f.key, data[f.key])
    if TERMS.key in data:
        codes = [(vocab, code) for vocab, vocab_codes in data[TERMS.key].items() for code in vocab_codes]
        service.terms = _terms(session, codes)
    if CATCHMENT_BOROUGHS.key in data:
        slugs = data[CATCHMENT_BOROUGHS.key]
        service.catchment_boroughs = (
            list(session.scalars(select(Borough).where(Borough.slug.in_(slugs)))) if slugs else []
        )
    if PHONES.key in data:
        service.phones = [
            Phone(number=p["number"], description=p.get("description", ""), position=i)
            for i, p in enumerate(data[PHONES.key])
        ]
    if LOCATIONS.key in data:
        service.service_at_locations = [
            _service_at_location(session, service, i, loc) for i, loc in enumerate(data[LOCATIONS.key])
        ]


def _service_at_location(session, service, position, loc: LocationSnapshot) -> ServiceAtLocation:
    location = session.get(Location, loc["id"]) if loc.get("id") else None
    if location is None:
        location = Location(id=loc["id"]) if loc.get("id") else Location()
        location.organisation_id = service.organisation_id
    for f in LOCATION_FIELDS:
        if f.key in loc:
            setattr(location, f.key, loc[f.key])
    existing = next((sal for sal in service.service_at_locations if sal.location is location), None)
    sal = existing or ServiceAtLocation(location=location)
    sal.position = position
    sal.hours_note = loc.get("hours_note", "")
    wanted = [
        (s["weekday"], time.fromisoformat(s["opens_at"]), time.fromisoformat(s["closes_at"]),
         s.get("note", ""))
        for s in loc.get("schedules", [])
    ]
    current = [(s.weekday, s.opens_at, s.closes_at, s.note) for s in sal.schedules]
    if sorted(current) != sorted(wanted):
        sal.schedules = [Schedule(weekday=w, opens_at=o, closes_at=c, note=n) for w, o, c, n in wanted]
    return sal


def _terms(session, pairs) -> list[TaxonomyTerm]:
    if not pairs:
        return []
    terms = session.scalars(select(TaxonomyTerm).join(Taxonomy)).all()
    by_key = {(t.taxonomy.code, t.code): t for t in terms}
    missing = [f"{v}:{c}" for v, c in pairs if (v, c) not in by_key]
    if missing:
        raise ValueError(f"Unknown taxonomy terms: {', '.join(missing)}")
    return [by_key[pair] for pair in pairs]


def _plain(value):
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value
