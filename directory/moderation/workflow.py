"""The review workflow: agencies propose, withdraw and ask to close; admins approve, reject, restore.

A proposal is a PENDING revision holding a full snapshot (`listing.Snapshot`) and the listing version
it was based on. The published listing changes only when an admin approves. These functions stage
their changes in the session and raise a `ModerationError` when a step is refused; the caller
commits once (or, after an error, rolls back: approving or restoring may have half-applied a listing).
"""

from sqlalchemy import select

from .. import audit, clock, listing, notifications, revisions
from ..extensions import db
from ..models import Organisation, ProblemReport, Revision, RevisionStatus, Service, User
from ..models.base import utcnow
from ..validation import ListingError

CLOSURE_STATUSES = {"defunct": "Closed for good", "temporarily closed": "Temporarily closed"}


class ModerationError(ValueError):
    """A moderation step was refused; the message is fit to show the user."""


class NothingChanged(ModerationError):
    """The proposal is the listing as it already is."""


class StaleEdit(ModerationError):
    """Someone else changed the listing (or its pending proposal) since the form was opened."""

    def __init__(self, changes: list[listing.Change]):
        super().__init__(
            "Someone else changed this listing while you were editing it. "
            "Your changes have not been saved. Check what changed below, "
            "then save again if yours should still apply."
        )
        self.changes = changes


# --- Where an edit starts from ---------------------------------------------------------------


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


def starting_point(service: Service) -> tuple[listing.Snapshot, int, int]:
    """Return (snapshot an editor starts from, listing version, pending revision id or 0)."""
    pending = latest_pending_edit(service)
    if pending is not None:
        return pending.snapshot, service.version, pending.id
    return listing.take(service), service.version, 0


def snapshot_at_version(service: Service, version: int) -> listing.Snapshot | None:
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
    raise StaleEdit(listing.diff(started_from, current))


# --- Proposals -------------------------------------------------------------------------------


def propose_change(
    service: Service,
    data: listing.Snapshot,
    author: User,
    reason: str = "",
    base_version: int | None = None,
    base_pending_id: int | None = 0,
    kind: str = "edit",
) -> Revision | None:
    """Queue a change to a listing for review; return the pending revision.

    Raises StaleEdit when someone changed the listing since `base_version`, and NothingChanged when
    the data is the published listing (any pending edit is then withdrawn: staged, for the caller
    to commit as it would a proposal).
    """
    check_base(service, base_version, base_pending_id)
    if kind == "edit" and not service.is_published:
        kind = "proposal"  # still a new service awaiting its first approval
    if kind == "proposal":
        data = {**data, "is_published": True}
    published = listing.take(service)
    superseded = [r for r in pending_revisions(service) if r.kind in ("edit", "proposal")]
    if data == published and service.is_published:
        for old in superseded:
            _withdraw(old, author, "The editor put the listing back as it was.")
        raise NothingChanged("That is the listing as it is published now, so there is nothing to review.")
    if superseded and superseded[-1].snapshot == data:
        raise NothingChanged("That is the change already waiting for review.")
    revision = _pending_revision(service, data, author, reason, kind)
    for old in superseded:
        _withdraw(old, author, "Replaced by a newer proposal.")
    db.session.flush()
    audit.record("revision-proposed", actor=author, target=revision, service=service.name, kind=kind)
    return revision


def _pending_revision(
    service: Service, data: listing.Snapshot, author: User, reason: str, kind: str
) -> Revision:
    """Stage a proposal of `data`, based on the listing's current version, for an admin to review."""
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
    return revision


def propose_new_service(
    organisation: Organisation, data: listing.Snapshot, author: User, reason: str = ""
) -> Service:
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
        raise StaleEdit(listing.diff(snapshot_at_version(service, base_version), listing.take(service)))
    data = {**listing.take(service), "status": status}
    pending_edit = latest_pending_edit(service)
    revision = _pending_revision(service, data, author, reason, "closure")
    if pending_edit is not None:
        _withdraw(pending_edit, author, "Withdrawn: the service is closing.")
    db.session.flush()
    audit.record("revision-proposed", actor=author, target=revision, service=service.name, kind="closure")
    return revision


def _withdraw(revision: Revision, by: User, note: str) -> None:
    revision.status = RevisionStatus.WITHDRAWN
    revision.reviewed_by_id = by.id
    revision.reviewed_at = utcnow()
    revision.review_note = note


def may_withdraw(revision: Revision, user: User) -> bool:
    """Return whether `user` may withdraw this proposal: its author or an admin, while it waits."""
    return revision.status == RevisionStatus.PENDING and (user.is_admin or revision.author_id == user.id)


def withdraw(revision: Revision, by: User) -> None:
    """Withdraw a pending proposal (its author or an admin)."""
    if revision.status != RevisionStatus.PENDING:
        raise ModerationError("Only a change waiting for review can be withdrawn.")
    if not may_withdraw(revision, by):
        raise ModerationError(
            f"Only the person who proposed this change ({revision.author_label or 'another editor'}) "
            "or an admin can withdraw it."
        )
    _withdraw(revision, by, "Withdrawn before review.")
    audit.record("revision-withdrawn", actor=by, target=revision, service=revision.service.name)


# --- Review ----------------------------------------------------------------------------------


def is_out_of_date(revision: Revision) -> bool:
    """Return whether the listing was changed after this proposal was made."""
    return revision.base_version is not None and revision.base_version != revision.service.version


def approve(revision: Revision, reviewer: User, note: str = "") -> None:
    """Publish a pending revision; the search index follows through the change log.

    On a ModerationError the session may hold a half-applied listing: the caller rolls back.
    """
    if revision.status != RevisionStatus.PENDING:
        raise ModerationError("This change has already been reviewed.")
    service = revision.service
    if is_out_of_date(revision):
        raise ModerationError(
            f"The listing has changed since this was proposed (it was version {revision.base_version}, "
            f"now {service.version}). Reject it with a note asking the agency to check and resubmit."
        )
    unstorable = listing.storage_problem(revision.snapshot)
    if unstorable:
        raise ModerationError(
            f"This change cannot be published: {unstorable} Reject it with a note asking the agency "
            "to correct it and send it again."
        )
    revision.reviewed_by_id = reviewer.id
    revision.reviewed_at = utcnow()
    revision.review_note = (note or "").strip()
    try:
        with revisions.applying(revision):
            _apply(service, revision.snapshot)
    except (ListingError, ValueError) as exc:
        raise ModerationError(f"This change cannot be published: {exc}") from exc
    if revision.status == RevisionStatus.PENDING:
        # Nothing differed from the published listing, so no new version exists to publish.
        revision.status = RevisionStatus.WITHDRAWN
        revision.review_note = "Nothing to publish: the listing already matched this change."
    audit.record(
        "revision-approved", actor=reviewer, target=revision, service=service.name, kind=revision.kind
    )
    notifications.change_reviewed(revision)  # only a change that published something is news


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
    notifications.change_reviewed(revision)


def restore(service: Service, revision: Revision, by: User, reason: str = "") -> None:
    """Publish an earlier version of a listing again, as a new revision.

    On a ModerationError the session may hold a half-applied listing: the caller rolls back.
    """
    if revision.service_id != service.id or revision.status != RevisionStatus.PUBLISHED:
        raise ModerationError("Only a version that was published can be restored.")
    if revision.snapshot == listing.take(service):
        raise NothingChanged("The listing already matches that version.")
    unstorable = listing.storage_problem(revision.snapshot)
    if unstorable:
        raise ModerationError(f"That version cannot be restored: {unstorable}")
    why = (reason or "").strip() or f"Restored version {revision.number}"
    try:
        with revisions.recording(kind="restore", author=by, reason=why):
            _apply(service, revision.snapshot)
    except (ListingError, ValueError) as exc:
        raise ModerationError(f"That version cannot be restored: {exc}") from exc
    audit.record("revision-restored", actor=by, target=service, restored=revision.number, reason=why)


def _apply(service: Service, data: listing.Snapshot) -> None:
    # One flush for the whole snapshot: an autoflush half-way (applying queries terms and
    # boroughs) would publish a half-applied listing as a revision of its own.
    with db.session.no_autoflush:
        listing.apply(service, data)
    db.session.flush()


# How a listing was checked: an admin phoning, emailing or visiting the service, or the agency itself.
VERIFICATION_METHODS = {
    "phone": "by phone with the service",
    "email": "by email with the service",
    "visit": "by visiting the service",
    "agency": "confirmed by the service itself",
}


def verify(service: Service, by: User, *, method: str | None = None) -> None:
    """Record that a person confirmed the listing is still accurate (no revision is written), and how."""
    if method is not None and method not in VERIFICATION_METHODS:
        raise ModerationError("Choose how the listing was checked: by phone, by email or by a visit.")
    # The directory's clock (a pinned DIRECTORY_NOW in tests and demos), as reminders' due dates are.
    service.verified_at = clock.utcnow()
    service.verified_by_id = by.id
    service.verification_method = method
    audit.record("service-verified", actor=by, target=service, method=method)


def resolve_report(report: ProblemReport, by: User, note: str = "") -> None:
    """Mark a public problem report dealt with."""
    if report.status == "resolved":
        raise ModerationError("This report is already resolved.")
    report.status = "resolved"
    report.resolved_at = utcnow()
    report.resolved_by_id = by.id
    report.resolution_note = (note or "").strip()
    audit.record("report-resolved", actor=by, target=report, service=report.service.name)
