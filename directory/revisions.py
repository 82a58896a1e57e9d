"""Every change to a listing is kept as a revision: a snapshot with who, when and why.

A session listener snapshots each service whose listing changed during a flush and, in the same
transaction, appends an `IndexChange` so every node's search index follows the database.
Writers say who and why with `recording(...)`; without it the revision is attributed to "system".
"""

from contextlib import contextmanager

from sqlalchemy import event, func, insert, inspect, select
from sqlalchemy.orm import Session

from . import listing
from .extensions import db
from .models import (
    IndexChange,
    InterchangeRecord,
    Location,
    Organisation,
    PathwayStage,
    Phone,
    Revision,
    RevisionStatus,
    Schedule,
    Service,
    ServiceAtLocation,
)
from .models.base import new_id, utcnow
from .validation import ListingError, check_listing

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


def history(service: Service) -> list[Revision]:
    """Return a service's revisions, newest first."""
    return list(
        db.session.scalars(
            select(Revision).where(Revision.service_id == service.id).order_by(Revision.number.desc())
        )
    )


def latest_published(service_id: str, session=None) -> Revision | None:
    """Return a service's newest published revision (None before its first)."""
    session = session or db.session
    return session.scalars(
        select(Revision)
        .where(Revision.service_id == service_id, Revision.status == RevisionStatus.PUBLISHED)
        .order_by(Revision.number.desc())
        .limit(1)
    ).first()


def next_number(service_id: str, session=None) -> int:
    """Return the number a service's next revision takes, counting those not yet flushed."""
    session = session or db.session
    with session.no_autoflush:
        current = session.scalar(select(func.max(Revision.number)).where(Revision.service_id == service_id))
    pending = [
        r.number for r in session.new if isinstance(r, Revision) and r.service_id == service_id and r.number
    ]
    return max([current or 0, *pending]) + 1


def record_created(listings: list[tuple[str, dict]], session=None) -> None:
    """Record new services written as plain rows (no flush sees them): what a flush records for each.

    `listings` holds (service id, snapshot). Each gets its first revision, attributed as `recording`
    says, and a change-log entry for the search index.
    """
    session = session or db.session
    if not listings:
        return
    context = _context(session)
    now = utcnow()
    session.execute(
        insert(Revision.__table__),
        [
            {
                "service_id": service_id,
                "number": 1,
                "kind": context["kind"],
                "status": RevisionStatus.PUBLISHED,
                "snapshot": data,
                "base_version": None,
                "author_id": context["author_id"],
                "author_label": context["author_label"],
                "reason": context["reason"],
                "created_at": now,
                "reviewed_by_id": None,
                "reviewed_at": None,
                "review_note": "",
            }
            for service_id, data in listings
        ],
    )
    # As objects, not a bulk insert: the flush that writes them tells search to follow the change log
    # once the transaction commits, as for any other change.
    session.add_all([IndexChange(service_id=service_id) for service_id, _ in sorted(listings)])


def _context(session: Session) -> dict:
    return session.info.get(_CONTEXT_KEY) or {
        "kind": "system", "author_id": None, "author_label": "system", "reason": ""
    }


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
    new, gone = session.new, session.deleted  # fresh sets on every access: taken once, not per object
    for obj in list(new) + list(session.dirty) + list(gone):
        if isinstance(obj, Service):
            if obj in gone:
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
        elif isinstance(obj, Location) and obj not in new:
            services.update(sal.service for sal in obj.service_at_locations if sal.service is not None)
    return {s for s in services if s not in gone}, deleted


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
    return any(state.attrs[name].history.has_changes() for name in _SHOWN_OUTSIDE_SNAPSHOT)


# Columns kept out of the snapshot that result cards still show: changing one re-indexes the listing.
_SHOWN_OUTSIDE_SNAPSHOT = (
    "verified_at", "seeded", "capacity", "capacity_wait_weeks", "capacity_stated_at", "verification_method",
)


@event.listens_for(Session, "before_flush")
def _record_revisions(session: Session, flush_context, instances):
    listing_types = Service | ServiceAtLocation | Schedule | Location | Phone | Organisation | PathwayStage
    changed = list(session.new) + list(session.dirty) + list(session.deleted)
    if not any(isinstance(o, listing_types) for o in changed):
        return
    context = _context(session)
    applying_revision = session.info.get(_APPLYING_KEY)
    with session.no_autoflush:
        _assign_ids(session)
        services, deleted = _affected_services(session)
        index_ids = set(deleted) | _searchable_neighbours(session)
        pending_numbers: dict[str, int] = {}
        for r in session.new:
            if isinstance(r, Revision) and r.number:
                pending_numbers[r.service_id] = max(pending_numbers.get(r.service_id, 0), r.number)
        new = session.new  # a fresh set on every access: taken once, not once per service
        for service in services:
            problems = check_listing(service)
            if problems:
                raise ListingError(" ".join(problems))
            data = listing.take(service)
            last = latest_published(service.id, session) if service not in new else None
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
            if service in new:
                # A new service has no stored revisions: only those pending in this flush count.
                # (Asking next_number scans the whole session: slow when a bulk import adds thousands.)
                number = pending_numbers.get(service.id, 0) + 1
            else:
                number = next_number(service.id, session)
            pending_numbers[service.id] = number
            session.add(
                Revision(
                    service_id=service.id,
                    number=number,
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


@event.listens_for(Session, "before_flush")
def _log_remainder_changes(session: Session, flush_context, instances):
    # What ORUK carried that we do not model is part of a listing's open-data document: a change
    # to it alone (a re-import) must reach every node's document store through the change log too.
    changed = [r for r in (*session.new, *session.dirty) if isinstance(r, InterchangeRecord)]
    service_ids = {r.entity_id for r in changed if r.entity_type == "service"}
    organisation_ids = {r.entity_id for r in changed if r.entity_type == "organization"}
    if organisation_ids:
        with session.no_autoflush:
            service_ids |= set(session.scalars(
                select(Service.id).where(Service.organisation_id.in_(organisation_ids))
            ))
    # A listing that changed too already has its entry (`_record_revisions` runs first).
    service_ids -= {c.service_id for c in session.new if isinstance(c, IndexChange)}
    for service_id in sorted(service_ids):
        session.add(IndexChange(service_id=service_id))
