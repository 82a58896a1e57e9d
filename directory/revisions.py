"""Every change to a listing is kept as a revision: a snapshot with who, when and why.

A session listener snapshots each service whose listing changed during a flush and, in the same
transaction, appends an `IndexChange` so every node's search index follows the database.
Writers say who and why with `recording(...)`; without it the revision is attributed to "system".
"""

from contextlib import contextmanager
from datetime import date, time

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from .extensions import db
from .models import (
    Borough,
    IndexChange,
    Location,
    Organisation,
    PathwayStage,
    Phone,
    Revision,
    RevisionStatus,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from .models.base import new_id, utcnow
from .validation import ListingError, check_listing

# Columns of a service that make up its listing. Verification and bookkeeping are left out, so
# "still accurate" clicks and no-op saves never create a revision.
SERVICE_FIELDS = (
    "name",
    "organisation_id",
    "description",
    "status",
    "is_published",
    "alert",
    "url",
    "email",
    "application_process",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "fees_description",
    "languages",
    "accessibility",
    "catchment",
)
LOCATION_FIELDS = (
    "location_type",
    "name",
    "description",
    "address_1",
    "address_2",
    "city",
    "postcode",
    "borough_code",
    "latitude",
    "longitude",
    "url",
)
VOCABULARIES = ("service-type", "audience", "referral-route", "delivery")

_CONTEXT_KEY = "revision_context"
_APPLYING_KEY = "applying_revision"


@contextmanager
def recording(kind="system", author=None, author_label="", reason="", session=None):
    """Attribute the revisions written inside this block to `author` (a User) and `reason`."""
    session = session or db.session
    previous = session.info.get(_CONTEXT_KEY)
    session.info[_CONTEXT_KEY] = {
        "kind": kind,
        "author_id": author.id if author is not None else None,
        "author_label": author_label or (author.email if author is not None else kind),
        "reason": reason,
    }
    try:
        yield
    finally:
        if previous is None:
            session.info.pop(_CONTEXT_KEY, None)
        else:
            session.info[_CONTEXT_KEY] = previous


@contextmanager
def applying(revision: Revision, session=None):
    """Publish an existing (pending) revision: the flush fills it in instead of adding another."""
    session = session or db.session
    session.info[_APPLYING_KEY] = revision
    try:
        yield
    finally:
        session.info.pop(_APPLYING_KEY, None)


def snapshot(service: Service) -> dict:
    """Return the listing as plain JSON-able data: what revisions store, diff and restore."""
    data = {field: _plain(getattr(service, field)) for field in SERVICE_FIELDS}
    if service.organisation is not None:
        data["organisation_id"] = service.organisation.id
    data["terms"] = {
        vocabulary: sorted(t.code for t in service.terms if t.taxonomy.code == vocabulary)
        for vocabulary in VOCABULARIES
    }
    data["catchment_boroughs"] = sorted(b.slug for b in service.catchment_boroughs)
    data["phones"] = [{"number": p.number, "description": p.description} for p in service.phones]
    data["locations"] = [
        {
            "id": sal.location.id if sal.location else sal.location_id,
            **{field: _plain(getattr(sal.location, field)) for field in LOCATION_FIELDS},
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


def apply_snapshot(service: Service, data: dict, session=None) -> None:
    """Make the service's listing match a snapshot (approve or restore a revision)."""
    session = session or db.session
    # The look-ups below must not flush a half-applied listing: it would be recorded as a revision.
    with session.no_autoflush:
        _apply(service, data, session)


def _apply(service: Service, data: dict, session) -> None:
    for field in SERVICE_FIELDS:
        if field in data:
            setattr(service, field, data[field])
    if "terms" in data:
        codes = [(vocab, code) for vocab, vocab_codes in data["terms"].items() for code in vocab_codes]
        service.terms = _terms(session, codes)
    if "catchment_boroughs" in data:
        slugs = data["catchment_boroughs"]
        service.catchment_boroughs = (
            list(session.scalars(select(Borough).where(Borough.slug.in_(slugs)))) if slugs else []
        )
    if "phones" in data:
        service.phones = [
            Phone(number=p["number"], description=p.get("description", ""), position=i)
            for i, p in enumerate(data["phones"])
        ]
    if "locations" in data:
        service.service_at_locations = [
            _service_at_location(session, service, i, loc) for i, loc in enumerate(data["locations"])
        ]


def history(service: Service) -> list[Revision]:
    """Return a service's revisions, newest first."""
    return list(
        db.session.scalars(
            select(Revision).where(Revision.service_id == service.id).order_by(Revision.number.desc())
        )
    )


def latest_published(service_id: str, session=None) -> Revision | None:
    session = session or db.session
    return session.scalars(
        select(Revision)
        .where(Revision.service_id == service_id, Revision.status == RevisionStatus.PUBLISHED)
        .order_by(Revision.number.desc())
        .limit(1)
    ).first()


def next_number(service_id: str, session=None) -> int:
    session = session or db.session
    with session.no_autoflush:
        current = session.scalar(select(func.max(Revision.number)).where(Revision.service_id == service_id))
    pending = [
        r.number for r in session.new if isinstance(r, Revision) and r.service_id == service_id and r.number
    ]
    return max([current or 0, *pending]) + 1


def _service_at_location(session, service, position, loc) -> ServiceAtLocation:
    location = session.get(Location, loc["id"]) if loc.get("id") else None
    if location is None:
        location = Location(id=loc["id"]) if loc.get("id") else Location()
        location.organisation_id = service.organisation_id
    for field in LOCATION_FIELDS:
        if field in loc:
            setattr(location, field, loc[field])
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


def _assign_ids(session: Session) -> None:
    # UUIDs and scalar defaults are given before the snapshot is taken, so the first snapshot
    # already names its organisation and locations and holds the stored values.
    for obj in session.new:
        if not hasattr(type(obj), "__table__"):
            continue
        _fill_defaults(obj)
        column = type(obj).__table__.columns.get("id")
        if column is None or obj.id is not None or column.default is None:
            continue
        if column.default.is_callable:
            obj.id = new_id()


def _fill_defaults(obj) -> None:
    # Column defaults land only at INSERT; the first snapshot must already see them.
    for column in type(obj).__table__.columns:
        if column.default is not None and column.default.is_scalar and getattr(obj, column.key, 0) is None:
            setattr(obj, column.key, column.default.arg)


def _affected_services(session: Session) -> tuple[set[Service], set[str]]:
    """Return services whose listing may have changed in this flush, and ids of deleted ones."""
    services: set[Service] = set()
    deleted: set[str] = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, Service):
            if obj in session.deleted:
                deleted.add(obj.id)
            else:
                services.add(obj)
        elif isinstance(obj, ServiceAtLocation | Phone):
            if obj.service is not None:
                services.add(obj.service)
        elif isinstance(obj, Schedule):
            sal = obj.service_at_location
            if sal is not None and sal.service is not None:
                services.add(sal.service)
        elif isinstance(obj, Location) and obj not in session.new:
            services.update(sal.service for sal in obj.service_at_locations if sal.service is not None)
    return {s for s in services if s not in session.deleted}, deleted


def _searchable_neighbours(session: Session) -> set[str]:
    """Ids of services whose search text changed through another row (organisation, pathway)."""
    ids: set[str] = set()
    for obj in session.dirty:
        renamed = isinstance(obj, Organisation) and session.is_modified(obj, include_collections=False)
        if renamed or isinstance(obj, PathwayStage):
            ids.update(s.id for s in obj.services)
    for obj in session.new:
        if isinstance(obj, PathwayStage):
            ids.update(s.id for s in obj.services)
    return ids


def _verification_changed(service: Service) -> bool:
    state = inspect(service)
    return any(state.attrs[name].history.has_changes() for name in ("verified_at", "seeded"))


@event.listens_for(Session, "before_flush")
def _record_revisions(session: Session, flush_context, instances):
    listing_types = Service | ServiceAtLocation | Schedule | Location | Phone | Organisation | PathwayStage
    changed = list(session.new) + list(session.dirty) + list(session.deleted)
    if not any(isinstance(o, listing_types) for o in changed):
        return
    context = session.info.get(_CONTEXT_KEY) or {"kind": "system", "author_id": None,
                                                 "author_label": "system", "reason": ""}
    applying_revision = session.info.get(_APPLYING_KEY)
    with session.no_autoflush:
        _assign_ids(session)
        services, deleted = _affected_services(session)
        index_ids = set(deleted) | _searchable_neighbours(session)
        for service in services:
            problems = check_listing(service)
            if problems:
                raise ListingError(" ".join(problems))
            data = snapshot(service)
            last = latest_published(service.id, session) if service not in session.new else None
            if last is not None and last.snapshot == data:
                if _verification_changed(service):
                    index_ids.add(service.id)  # result cards say when a listing was last verified
                continue
            index_ids.add(service.id)
            if last is not None:
                service.version = (service.version or 1) + 1
                service.last_modified = utcnow()
            if applying_revision is not None and applying_revision.service_id == service.id:
                applying_revision.snapshot = data
                applying_revision.status = RevisionStatus.PUBLISHED
                continue
            session.add(
                Revision(
                    service_id=service.id,
                    number=next_number(service.id, session),
                    kind=context["kind"],
                    status=RevisionStatus.PUBLISHED,
                    snapshot=data,
                    base_version=(service.version - 1) if last is not None else None,
                    author_id=context["author_id"],
                    author_label=context["author_label"],
                    reason=context["reason"],
                )
            )
        for service_id in sorted(index_ids):
            session.add(IndexChange(service_id=service_id))
