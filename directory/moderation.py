"""Agency changes wait for an admin: propose, approve, reject, withdraw, restore, close; diffs.

A proposal is a PENDING revision holding a full snapshot (the shape `revisions.snapshot` gives) and
the listing version it was based on. The published listing changes only when an admin approves.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from . import audit, revisions
from .extensions import db
from .models import (
    WEEKDAYS,
    Borough,
    Catchment,
    Membership,
    Organisation,
    ProblemReport,
    Revision,
    RevisionStatus,
    Service,
    TaxonomyTerm,
    User,
)
from .models.base import as_utc, utcnow
from .validation import ListingError

KIND_LABELS = {
    "seed": "Seeded from public sources",
    "import": "Imported",
    "edit": "Edit",
    "proposal": "New service",
    "closure": "Closure",
    "restore": "Restore",
    "admin": "Admin edit",
    "system": "System",
}
STATUS_LABELS = {
    RevisionStatus.PUBLISHED: "Published",
    RevisionStatus.PENDING: "Waiting for review",
    RevisionStatus.REJECTED: "Rejected",
    RevisionStatus.WITHDRAWN: "Withdrawn",
}
FIELD_LABELS = {
    "name": "Name",
    "organisation_id": "Organisation",
    "description": "Description",
    "status": "Status",
    "is_published": "Shown publicly",
    "alert": "Alert",
    "url": "Website",
    "email": "Email",
    "application_process": "How to get help",
    "eligibility_description": "Who can use it",
    "minimum_age": "Minimum age",
    "maximum_age": "Maximum age",
    "fees_description": "Fees",
    "languages": "Languages",
    "accessibility": "Accessibility",
    "catchment": "Who may use it (by where they live)",
    "catchment_boroughs": "Boroughs whose residents may use it",
    "phones": "Phone numbers",
}
VOCABULARY_LABELS = {
    "service-type": "Types of help",
    "audience": "Who it is for",
    "referral-route": "How to get in",
    "delivery": "How it is delivered",
}
LOCATION_LABELS = {
    "location_type": "Kind of location",
    "name": "Name",
    "description": "Description",
    "address_1": "Address",
    "address_2": "Address line 2",
    "city": "Town or city",
    "postcode": "Postcode",
    "borough_code": "Borough",
    "url": "Web address",
    "hours_note": "Note on opening times",
    "schedules": "Opening times",
}
CLOSURE_STATUSES = {"defunct": "Closed for good", "temporarily closed": "Temporarily closed"}


class ModerationError(ValueError):
    """A moderation step was refused; the message is fit to show the user."""


class NothingChanged(ModerationError):
    """The proposal is the listing as it already is."""


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


class StaleEdit(ModerationError):
    """Someone else changed the listing (or its pending proposal) since the form was opened."""

    def __init__(self, changes: list[Change]):
        super().__init__(
            "Someone else changed this listing while you were editing it. "
            "Your changes have not been saved. Check what changed below, "
            "then save again if yours should still apply."
        )
        self.changes = changes


# --- Diff ------------------------------------------------------------------------------------


def diff(old: dict | None, new: dict) -> list[Change]:
    """Return the readable field-by-field differences between two listing snapshots."""
    old = old or {}
    names = _Names()
    changes = []
    for field in revisions.SERVICE_FIELDS:
        if field in ("is_published",) and field not in old:
            continue
        before, after = old.get(field), new.get(field)
        if before != after:
            changes.append(Change(FIELD_LABELS[field], names.value(field, before), names.value(field, after)))
    for vocabulary, label in VOCABULARY_LABELS.items():
        before = sorted((old.get("terms") or {}).get(vocabulary, []))
        after = sorted((new.get("terms") or {}).get(vocabulary, []))
        if before != after:
            changes.append(Change(label, names.terms(vocabulary, before), names.terms(vocabulary, after)))
    if sorted(old.get("catchment_boroughs") or []) != sorted(new.get("catchment_boroughs") or []):
        changes.append(
            Change(
                FIELD_LABELS["catchment_boroughs"],
                names.boroughs(old.get("catchment_boroughs") or []),
                names.boroughs(new.get("catchment_boroughs") or []),
            )
        )
    if (old.get("phones") or []) != (new.get("phones") or []):
        changes.append(Change(FIELD_LABELS["phones"], _phones(old.get("phones")), _phones(new.get("phones"))))
    changes.extend(_location_changes(old.get("locations") or [], new.get("locations") or [], names))
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
        for field, label in LOCATION_LABELS.items():
            if field == "schedules":
                b, a = (
                    describe_hours(before.get("schedules") or []),
                    describe_hours(loc.get("schedules") or []),
                )
            elif field == "borough_code":
                b, a = names.borough_code(before.get(field)), names.borough_code(loc.get(field))
            else:
                b, a = _text(before.get(field)), _text(loc.get(field))
            if b != a:
                changes.append(Change(f"{title}: {label}", b, a))
    for loc in old_locations:
        if loc.get("id") not in matched:
            changes.append(
                Change(f"Location ({location_title(loc)}): removed", describe_location(loc, names), "")
            )
    return changes


def location_title(loc: dict) -> str:
    return loc.get("name") or loc.get("address_1") or loc.get("postcode") or loc.get("location_type") or "new"


def describe_location(loc: dict, names=None) -> str:
    names = names or _Names()
    parts = [loc.get("location_type") or "physical"]
    parts += [
        p for p in (loc.get("name"), loc.get("address_1"), loc.get("address_2"), loc.get("postcode")) if p
    ]
    if loc.get("borough_code"):
        parts.append(names.borough_code(loc["borough_code"]))
    if loc.get("url"):
        parts.append(loc["url"])
    hours = describe_hours(loc.get("schedules") or [])
    if hours:
        parts.append(f"open {hours}")
    if loc.get("hours_note"):
        parts.append(loc["hours_note"])
    return "; ".join(parts)


def describe_hours(schedules: list[dict]) -> str:
    """Say weekly opening sessions in words: "Monday 09:00–17:00; Friday 22:00–02:00 (walk-in)"."""
    parts = []
    for s in sorted(schedules, key=lambda s: (s["weekday"], s["opens_at"])):
        text = f"{WEEKDAYS[s['weekday']]} {s['opens_at']}–{s['closes_at']}"
        if s.get("note"):
            text += f" ({s['note']})"
        parts.append(text)
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


# --- Reading the state of a listing --------------------------------------------------------------


def pending_revisions(service: Service) -> list[Revision]:
    """Return a service's proposals waiting for review, oldest first."""
    return list(
        db.session.scalars(
            select(Revision)
            .where(Revision.service_id == service.id, Revision.status == RevisionStatus.PENDING)
            .order_by(Revision.created_at, Revision.id)
        )
    )


def latest_pending_edit(service: Service) -> Revision | None:
    """Return the newest pending edit or new-service proposal (what an editor continues from)."""
    edits = [r for r in pending_revisions(service) if r.kind in ("edit", "proposal")]
    return edits[-1] if edits else None


def starting_point(service: Service) -> tuple[dict, int, int]:
    """Return (snapshot an editor starts from, listing version, pending revision id or 0)."""
    pending = latest_pending_edit(service)
    if pending is not None:
        return pending.snapshot, service.version, pending.id
    return revisions.snapshot(service), service.version, 0


def snapshot_at_version(service: Service, version: int) -> dict | None:
    """Return the published snapshot that was current when the listing was at `version`."""
    published = db.session.scalars(
        select(Revision.snapshot)
        .where(Revision.service_id == service.id, Revision.status == RevisionStatus.PUBLISHED)
        .order_by(Revision.number)
    ).all()
    if not published or version < 1:
        return None
    return published[min(version, len(published)) - 1]


def check_base(service: Service, base_version: int | None, base_pending_id: int | None) -> None:
    """Raise StaleEdit if the listing or its pending proposal moved since the form was opened."""
    current, version, pending_id = starting_point(service)
    if base_version == version and (base_pending_id or 0) == pending_id:
        return
    if base_pending_id:
        started = db.session.get(Revision, base_pending_id)
        started_from = started.snapshot if started is not None and started.service_id == service.id else None
    else:
        started_from = snapshot_at_version(service, base_version or 0)
    raise StaleEdit(diff(started_from, current))


def is_stale(service: Service, now=None) -> bool:
    """Return whether nobody has confirmed the listing within STALE_AFTER_DAYS."""
    if service.verified_at is None:
        return True
    now = now or utcnow()
    return as_utc(service.verified_at) < now - timedelta(days=current_app.config["STALE_AFTER_DAYS"])


# --- Proposals -------------------------------------------------------------------------------


def propose_change(
    service: Service,
    data: dict,
    author: User,
    reason: str = "",
    base_version: int | None = None,
    base_pending_id: int | None = 0,
    kind: str = "edit",
) -> Revision | None:
    """Queue a change to a listing for review; return the pending revision.

    Raises StaleEdit when someone changed the listing since `base_version`, and NothingChanged when
    the data is the published listing (any pending edit is then withdrawn).
    """
    check_base(service, base_version, base_pending_id)
    if kind == "edit" and not service.is_published:
        kind = "proposal"  # still a new service awaiting its first approval
    if kind == "proposal":
        data = {**data, "is_published": True}
    published = revisions.snapshot(service)
    superseded = [r for r in pending_revisions(service) if r.kind in ("edit", "proposal")]
    if data == published and service.is_published:
        for old in superseded:
            _withdraw(old, author, "The editor put the listing back as it was.")
        db.session.commit()
        raise NothingChanged("That is the listing as it is published now, so there is nothing to review.")
    if superseded and superseded[-1].snapshot == data:
        raise NothingChanged("That is the change already waiting for review.")
    revision = Revision(
        service_id=service.id,
        number=revisions.next_number(service.id),
        kind=kind,
        status=RevisionStatus.PENDING,
        snapshot=data,
        base_version=service.version,
        author_id=author.id,
        author_label=author.email,
        reason=(reason or "").strip(),
    )
    db.session.add(revision)
    for old in superseded:
        _withdraw(old, author, "Replaced by a newer proposal.")
    db.session.flush()
    audit.record("revision-proposed", actor=author, target=revision, service=service.name, kind=kind)
    db.session.commit()
    return revision


def propose_new_service(organisation: Organisation, data: dict, author: User, reason: str = "") -> Service:
    """Create an unpublished service and a pending proposal to publish it."""
    service = Service(name=data["name"], organisation=organisation, is_published=False)
    db.session.add(service)
    with revisions.recording(kind="proposal", author=author, reason="Draft of a proposed new service"):
        db.session.flush()
    data = {**data, "organisation_id": organisation.id, "is_published": True, "status": "active"}
    propose_change(service, data, author, reason, service.version, 0, kind="proposal")
    return service


def request_closure(
    service: Service, status: str, author: User, reason: str, base_version: int | None
) -> Revision:
    """Ask an admin to mark a service closed (for good or for now)."""
    if status not in CLOSURE_STATUSES:
        raise ModerationError("Choose whether the service has closed for good or for now.")
    if not (reason or "").strip():
        raise ModerationError("Say why the service is closing; the admin and the public see it.")
    if service.status == status:
        raise NothingChanged(f"The listing already says “{CLOSURE_STATUSES[status]}”.")
    if base_version is not None and base_version != service.version:
        raise StaleEdit(diff(snapshot_at_version(service, base_version), revisions.snapshot(service)))
    data = {**revisions.snapshot(service), "status": status}
    pending_edit = latest_pending_edit(service)
    revision = Revision(
        service_id=service.id,
        number=revisions.next_number(service.id),
        kind="closure",
        status=RevisionStatus.PENDING,
        snapshot=data,
        base_version=service.version,
        author_id=author.id,
        author_label=author.email,
        reason=reason.strip(),
    )
    db.session.add(revision)
    if pending_edit is not None:
        _withdraw(pending_edit, author, "Withdrawn: the service is closing.")
    db.session.flush()
    audit.record("revision-proposed", actor=author, target=revision, service=service.name, kind="closure")
    db.session.commit()
    return revision


def _withdraw(revision: Revision, by: User, note: str) -> None:
    revision.status = RevisionStatus.WITHDRAWN
    revision.reviewed_by_id = by.id
    revision.reviewed_at = utcnow()
    revision.review_note = note


def withdraw(revision: Revision, by: User) -> None:
    """Withdraw a pending proposal (its author or an admin)."""
    if revision.status != RevisionStatus.PENDING:
        raise ModerationError("Only a change waiting for review can be withdrawn.")
    _withdraw(revision, by, "Withdrawn before review.")
    audit.record("revision-withdrawn", actor=by, target=revision, service=revision.service.name)
    db.session.commit()


# --- Review ----------------------------------------------------------------------------------


def is_out_of_date(revision: Revision) -> bool:
    """Return whether the listing was changed after this proposal was made."""
    return revision.base_version is not None and revision.base_version != revision.service.version


def approve(revision: Revision, reviewer: User, note: str = "") -> None:
    """Publish a pending revision; the search index follows through the change log."""
    if revision.status != RevisionStatus.PENDING:
        raise ModerationError("This change has already been reviewed.")
    service = revision.service
    if is_out_of_date(revision):
        raise ModerationError(
            f"The listing has changed since this was proposed (it was version {revision.base_version}, "
            f"now {service.version}). Reject it with a note asking the agency to check and resubmit."
        )
    revision.reviewed_by_id = reviewer.id
    revision.reviewed_at = utcnow()
    revision.review_note = (note or "").strip()
    try:
        with revisions.applying(revision):
            _apply(service, revision.snapshot)
    except (ListingError, ValueError) as exc:
        db.session.rollback()
        raise ModerationError(f"This change cannot be published: {exc}") from exc
    if revision.status == RevisionStatus.PENDING:
        # Nothing differed from the published listing, so no new version exists to publish.
        revision.status = RevisionStatus.WITHDRAWN
        revision.review_note = "Nothing to publish: the listing already matched this change."
    audit.record(
        "revision-approved", actor=reviewer, target=revision, service=service.name, kind=revision.kind
    )
    db.session.commit()


def reject(revision: Revision, reviewer: User, reason: str) -> None:
    """Turn down a pending revision with a reason the agency will see."""
    if revision.status != RevisionStatus.PENDING:
        raise ModerationError("This change has already been reviewed.")
    if not (reason or "").strip():
        raise ModerationError("Say why the change is rejected; the agency sees the reason.")
    revision.status = RevisionStatus.REJECTED
    revision.reviewed_by_id = reviewer.id
    revision.reviewed_at = utcnow()
    revision.review_note = reason.strip()
    audit.record(
        "revision-rejected",
        actor=reviewer,
        target=revision,
        service=revision.service.name,
        reason=reason.strip(),
    )
    db.session.commit()


def restore(service: Service, revision: Revision, by: User, reason: str = "") -> None:
    """Publish an earlier version of a listing again, as a new revision."""
    if revision.service_id != service.id or revision.status != RevisionStatus.PUBLISHED:
        raise ModerationError("Only a version that was published can be restored.")
    if revision.snapshot == revisions.snapshot(service):
        raise NothingChanged("The listing already matches that version.")
    why = (reason or "").strip() or f"Restored version {revision.number}"
    try:
        with revisions.recording(kind="restore", author=by, reason=why):
            _apply(service, revision.snapshot)
    except (ListingError, ValueError) as exc:
        db.session.rollback()
        raise ModerationError(f"That version cannot be restored: {exc}") from exc
    audit.record("revision-restored", actor=by, target=service, restored=revision.number, reason=why)
    db.session.commit()


def _apply(service: Service, data: dict) -> None:
    # One flush for the whole snapshot: an autoflush half-way (apply_snapshot queries terms and
    # boroughs) would publish a half-applied listing as a revision of its own.
    with db.session.no_autoflush:
        revisions.apply_snapshot(service, data)
    db.session.flush()


def verify(service: Service, by: User) -> None:
    """Record that a person confirmed the listing is still accurate (no revision is written)."""
    service.verified_at = utcnow()
    service.verified_by_id = by.id
    audit.record("service-verified", actor=by, target=service)
    db.session.commit()


def resolve_report(report: ProblemReport, by: User, note: str = "") -> None:
    """Mark a public problem report dealt with."""
    if report.status == "resolved":
        raise ModerationError("This report is already resolved.")
    report.status = "resolved"
    report.resolved_at = utcnow()
    report.resolved_by_id = by.id
    report.resolution_note = (note or "").strip()
    audit.record("report-resolved", actor=by, target=report, service=report.service.name)
    db.session.commit()


# --- Dashboards and queues -------------------------------------------------------------------


@dataclass
class ListingState:
    """What an agency needs to know about one of its listings."""

    service: Service
    pending: list[Revision]
    rejected: Revision | None  # the latest rejection since the last published change
    open_reports: list[ProblemReport]
    stale: bool

    @property
    def urgency(self) -> tuple:
        # Most urgent first: never/long unverified, then open reports, then rejected changes.
        return (
            not self.stale,
            not self.open_reports,
            self.rejected is None,
            self.service.verified_at is not None,
            self.service.name.lower(),
        )


def listing_states(services: list[Service]) -> list[ListingState]:
    """Return the state of each service, most urgent first."""
    ids = [s.id for s in services]
    if not ids:
        return []
    revs = db.session.scalars(
        select(Revision)
        .where(
            Revision.service_id.in_(ids),
            Revision.status.in_([RevisionStatus.PENDING, RevisionStatus.REJECTED, RevisionStatus.PUBLISHED]),
        )
        .order_by(Revision.number)
    ).all()
    reports = db.session.scalars(
        select(ProblemReport)
        .where(ProblemReport.service_id.in_(ids), ProblemReport.status == "open")
        .order_by(ProblemReport.created_at)
    ).all()
    now = utcnow()
    states = []
    for service in services:
        mine = [r for r in revs if r.service_id == service.id]
        last_published = max((r.number for r in mine if r.status == RevisionStatus.PUBLISHED), default=0)
        rejected = [r for r in mine if r.status == RevisionStatus.REJECTED and r.number > last_published]
        states.append(
            ListingState(
                service=service,
                pending=[r for r in mine if r.status == RevisionStatus.PENDING],
                rejected=rejected[-1] if rejected else None,
                open_reports=[p for p in reports if p.service_id == service.id],
                stale=is_stale(service, now),
            )
        )
    return sorted(states, key=lambda s: s.urgency)


def agency_services(user: User) -> list[Service]:
    """Return the services of every organisation the user edits (admins: none unless members)."""
    org_ids = user.organisation_ids
    if not org_ids:
        return []
    return list(db.session.scalars(select(Service).where(Service.organisation_id.in_(org_ids))))


@dataclass
class QueueGroup:
    service: Service
    revisions: list[Revision]

    @property
    def oldest(self):
        return self.revisions[0].created_at


def queue() -> list[QueueGroup]:
    """Return pending revisions grouped by service, the group with the oldest waiting first."""
    pending = db.session.scalars(
        select(Revision)
        .where(Revision.status == RevisionStatus.PENDING)
        .order_by(Revision.created_at, Revision.id)
    ).all()
    groups: dict[str, QueueGroup] = {}
    for revision in pending:
        groups.setdefault(revision.service_id, QueueGroup(revision.service, [])).revisions.append(revision)
    return list(groups.values())


def open_reports() -> list[ProblemReport]:
    return list(
        db.session.scalars(
            select(ProblemReport).where(ProblemReport.status == "open").order_by(ProblemReport.created_at)
        )
    )


@dataclass
class OrganisationSummary:
    organisation: Organisation
    services: int
    stale: int
    active_editors: int


def admin_summary_rows() -> list[OrganisationSummary]:
    """Return each organisation with its live, stale and editor counts."""
    now = utcnow()
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    editors = dict(
        db.session.execute(
            select(Membership.organisation_id, func.count())
            .join(User, User.id == Membership.user_id)
            .where(User.is_active.is_(True), User.password_hash.is_not(None))
            .group_by(Membership.organisation_id)
        ).all()
    )
    summaries = []
    for organisation in organisations:
        live = [s for s in organisation.services if s.is_published and s.status != "defunct"]
        summaries.append(
            OrganisationSummary(
                organisation=organisation,
                services=len(live),
                stale=sum(1 for s in live if is_stale(s, now)),
                active_editors=editors.get(organisation.id, 0),
            )
        )
    return summaries


def admin_summary() -> dict:
    """Return the figures for the admin dashboard."""
    pending = db.session.scalar(
        select(func.count()).select_from(Revision).where(Revision.status == RevisionStatus.PENDING)
    )
    reports = db.session.scalar(
        select(func.count()).select_from(ProblemReport).where(ProblemReport.status == "open")
    )
    summaries = admin_summary_rows()
    return {
        "pending": pending or 0,
        "reports": reports or 0,
        "stale_by_organisation": sorted(
            (s for s in summaries if s.stale), key=lambda s: (-s.stale, s.organisation.name)
        ),
        "without_editor": [s for s in summaries if s.active_editors == 0],
        "stale_total": sum(s.stale for s in summaries),
    }


@dataclass
class HistoryEntry:
    revision: Revision
    changes: list[Change]

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.revision.kind, self.revision.kind)

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.revision.status, self.revision.status)


def history(service: Service) -> list[HistoryEntry]:
    """Return every revision newest first, each with what it changed.

    Published versions are compared with the published one before them; proposals with the
    published listing they were based on.
    """
    entries = []
    published_before: dict | None = None
    published_by_version: list[dict] = []
    for revision in sorted(revisions.history(service), key=lambda r: r.number):
        if revision.status == RevisionStatus.PUBLISHED:
            entries.append(HistoryEntry(revision, diff(published_before, revision.snapshot)))
            published_before = revision.snapshot
            published_by_version.append(revision.snapshot)
        else:
            base = published_before
            if revision.base_version and 0 < revision.base_version <= len(published_by_version):
                base = published_by_version[revision.base_version - 1]
            entries.append(HistoryEntry(revision, diff(base, revision.snapshot)))
    return list(reversed(entries))
