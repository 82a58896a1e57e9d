"""Moderation of network content (events, harm-reduction resources): one workflow for every kind.

Each kind registers a `ContentKind` saying how to read an item into a JSON-safe snapshot and write
one back. Member agencies' editors propose (a new item is created unpublished; an edit waits as a
pending revision); admins approve, reject with a reason, or publish their own changes at once.
Every change is a `ContentRevision`. Validating a snapshot is the kind's form and domain module's
job, not this one's. These functions stage their changes and raise `ModerationError` when a step
is refused; the caller commits (or rolls back).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from .. import audit, notifications
from ..extensions import db
from ..models import ContentRevision, ContentStatus, Organisation, RevisionStatus, User
from ..models.base import utcnow
from .workflow import ModerationError, NothingChanged


@dataclass(frozen=True)
class ContentKind:
    """How the workflow handles one kind of network content."""

    name: str  # "event", "resource"; ContentRevision.kind
    model: type  # the SQLAlchemy model; rows have .id (str), .organisation_id, .status
    noun: str  # "event", "harm-reduction resource" (for messages and the queue)
    fields: list[tuple[str, str]]  # (snapshot key, label) in display order, for review and history
    take: Callable[[Any], dict]  # item -> snapshot (JSON-safe)
    apply: Callable[[Any, dict], None]  # write a snapshot onto an item
    # item, and optionally how to build a link (url_for, or links.external_url for an email) -> its page
    public_url: Callable[..., str]
    # Optional: (snapshot key, value) -> words for the review and history pages; plain str() without it.
    describe: Callable[[str, Any], str] | None = None


_KINDS: dict[str, ContentKind] = {}

ACTION_LABELS = {
    "proposal": "Proposed",
    "edit": "Change proposed",
    "admin": "Changed by an admin",
    "seed": "Loaded from the seed data",
}
STATUS_LABELS = {
    RevisionStatus.PUBLISHED: "Published",
    RevisionStatus.PENDING: "Waiting for review",
    RevisionStatus.REJECTED: "Rejected",
    RevisionStatus.WITHDRAWN: "Withdrawn",
}


def register(content_kind: ContentKind) -> None:
    """Make a kind of content moderable (called once, when its domain module is imported)."""
    _KINDS[content_kind.name] = content_kind


def kind(name: str) -> ContentKind:
    """Return a registered kind; KeyError if there is none by that name."""
    return _KINDS[name]


def kinds() -> list[ContentKind]:
    """Return every registered kind, in registration order."""
    return list(_KINDS.values())


def show(content_kind: ContentKind, key: str, value: Any) -> str:
    """Return a snapshot value in words, for the review and history pages."""
    if content_kind.describe is not None:
        return content_kind.describe(key, value)
    if value is None or value == "":
        return ""
    return "Yes" if value is True else "No" if value is False else str(value)


def title_of(item) -> str:
    """Return what an item is called (its title, or its name)."""
    return getattr(item, "title", None) or getattr(item, "name", None) or "(untitled)"


def item_of(revision: ContentRevision):
    """Return the item a revision is about (None if it has gone)."""
    return db.session.get(kind(revision.kind).model, revision.item_id)


# --- Who may ----------------------------------------------------------------------------------


def may_propose(user: User, organisation_id: str | None) -> bool:
    """Return whether `user` may propose for this organisation: its editor or an admin, if it is a member."""
    if not organisation_id or not (user.is_admin or organisation_id in user.organisation_ids):
        return False
    organisation = db.session.get(Organisation, organisation_id)
    return organisation is not None and organisation.network_member_since is not None


def may_see(user: User, revision: ContentRevision) -> bool:
    """Return whether `user` may see (and so withdraw) a proposal: admins, or its organisation's editors."""
    return bool(
        user.is_admin or (revision.organisation_id and revision.organisation_id in user.organisation_ids)
    )


# --- Proposals --------------------------------------------------------------------------------


def propose(
    content_kind: ContentKind,
    item,
    snapshot: dict,
    *,
    author: User,
    organisation_id: str | None,
    reason: str = "",
) -> ContentRevision:
    """Queue a new item (`item` None) or a change to one for an admin's review; return the revision."""
    noun = content_kind.noun
    if not may_propose(author, organisation_id):
        raise ModerationError(
            f"Only editors of a network member organisation can propose a {noun}. "
            "Ask an admin to add your organisation to the network."
        )
    if item is None:
        item = content_kind.model(status=ContentStatus.PENDING)
        content_kind.apply(item, snapshot)
        db.session.add(item)
        db.session.flush()
        action = "proposal"
    else:
        if item.organisation_id != organisation_id:
            raise ModerationError(f"This {noun} belongs to another organisation, so you cannot change it.")
        action = "edit" if item.status == ContentStatus.PUBLISHED else "proposal"
        waiting = _pending_for(content_kind, item.id)
        if action == "edit" and snapshot == content_kind.take(item):
            raise NothingChanged(f"That is the {noun} as it is published now, so there is nothing to review.")
        if waiting and waiting[-1].snapshot == snapshot:
            raise NothingChanged("That is the change already waiting for review.")
        for old in waiting:
            _close(old, author, RevisionStatus.WITHDRAWN, "Replaced by a newer proposal.")
        if action == "proposal":
            item.status = ContentStatus.PENDING  # a rejected or withdrawn draft goes back for review
    revision = _revision(content_kind, item, snapshot, action, RevisionStatus.PENDING, author, reason)
    revision.organisation_id = organisation_id
    db.session.flush()
    audit.record(
        "content-proposed", actor=author, kind=content_kind.name, item=item.id, number=revision.number
    )
    return revision


def withdraw(revision: ContentRevision, *, author: User) -> None:
    """Withdraw a pending proposal (an editor of the proposing organisation, or an admin)."""
    if revision.status != RevisionStatus.PENDING:
        raise ModerationError("Only a proposal waiting for review can be withdrawn.")
    if not may_see(author, revision):
        raise ModerationError(
            "Only editors of the organisation that proposed this, or an admin, can withdraw it."
        )
    _close(revision, author, RevisionStatus.WITHDRAWN, "Withdrawn before review.")
    _settle_unpublished(revision, ContentStatus.WITHDRAWN)
    audit.record("content-withdrawn", actor=author, kind=revision.kind, item=revision.item_id)


# --- Review -----------------------------------------------------------------------------------


def approve(revision: ContentRevision, *, admin: User, note: str = ""):
    """Publish a pending proposal: its snapshot is written onto the item; return the item."""
    _check_reviewable(revision, admin)
    content_kind = kind(revision.kind)
    newer = db.session.scalar(
        select(func.count()).where(
            ContentRevision.kind == revision.kind,
            ContentRevision.item_id == revision.item_id,
            ContentRevision.status == RevisionStatus.PUBLISHED,
            ContentRevision.number > revision.number,
        )
    )
    if newer:
        raise ModerationError(
            f"The {content_kind.noun} has changed since this was proposed. Reject it with a note "
            "asking the agency to check and send it again."
        )
    item = item_of(revision)
    if item is None:
        raise ModerationError(f"The {content_kind.noun} this change is about no longer exists.")
    content_kind.apply(item, revision.snapshot)
    item.status = ContentStatus.PUBLISHED
    _close(revision, admin, RevisionStatus.PUBLISHED, note)
    db.session.flush()
    audit.record("content-approved", actor=admin, kind=revision.kind, item=revision.item_id)
    notifications.content_reviewed(revision, content_kind, item)
    return item


def reject(revision: ContentRevision, *, admin: User, note: str) -> None:
    """Turn down a pending proposal with a reason the proposing agency will see."""
    _check_reviewable(revision, admin)
    if not (note or "").strip():
        raise ModerationError("Say why it is rejected; the agency sees the reason.")
    _close(revision, admin, RevisionStatus.REJECTED, note)
    _settle_unpublished(revision, ContentStatus.REJECTED)
    audit.record(
        "content-rejected", actor=admin, kind=revision.kind, item=revision.item_id, reason=note.strip()
    )
    notifications.content_reviewed(revision, kind(revision.kind), item_of(revision))


def publish_directly(content_kind: ContentKind, item, snapshot: dict, *, admin: User, reason: str = ""):
    """Publish an admin's own new item or change at once, as a published revision; return the item."""
    if admin is None or not admin.is_admin:
        raise ModerationError(f"Only an admin can publish a {content_kind.noun} without review.")
    item = _publish(content_kind, item, snapshot, "admin", admin, reason)
    audit.record("content-published", actor=admin, kind=content_kind.name, item=item.id)
    return item


def publish_seed(content_kind: ContentKind, snapshot: dict, *, reason: str, item=None):
    """Publish an item from the seed data, with a "seed" revision saying where its facts come from.

    `item` is an existing item to update, or a new one with its (stable) id already set.
    """
    return _publish(content_kind, item, snapshot, "seed", None, reason)


# --- Reading ----------------------------------------------------------------------------------


def history(content_kind: ContentKind | str, item_id: str) -> list[ContentRevision]:
    """Return every revision of an item, oldest first."""
    name = content_kind if isinstance(content_kind, str) else content_kind.name
    return list(
        db.session.scalars(
            select(ContentRevision)
            .where(ContentRevision.kind == name, ContentRevision.item_id == item_id)
            .order_by(ContentRevision.number)
        )
    )


def pending(kinds: Iterable[ContentKind | str] | None = None) -> list[ContentRevision]:
    """Return proposals waiting for review, oldest first (for the admin review queue)."""
    query = select(ContentRevision).where(ContentRevision.status == RevisionStatus.PENDING)
    if kinds is not None:
        query = query.where(ContentRevision.kind.in_([k if isinstance(k, str) else k.name for k in kinds]))
    return list(db.session.scalars(query.order_by(ContentRevision.created_at, ContentRevision.id)))


def proposals_of(organisation_ids: Iterable[str] | None) -> list[ContentRevision]:
    """Return the proposals these organisations made (None: every organisation's), newest first."""
    query = select(ContentRevision).where(ContentRevision.organisation_id.is_not(None))
    if organisation_ids is not None:
        query = query.where(ContentRevision.organisation_id.in_(list(organisation_ids) or [""]))
    return list(
        db.session.scalars(query.order_by(ContentRevision.created_at.desc(), ContentRevision.id.desc()))
    )


def changed_fields(revision: ContentRevision) -> list[tuple[str, str, str]]:
    """Return (label, published value, proposed value) in words for each field (published: "" if none)."""
    content_kind = kind(revision.kind)
    item = item_of(revision)
    current = content_kind.take(item) if item is not None and item.status == ContentStatus.PUBLISHED else {}
    proposed = revision.snapshot
    return [
        (label, show(content_kind, key, current.get(key)), show(content_kind, key, proposed.get(key)))
        for key, label in content_kind.fields
    ]


# --- Inner steps ------------------------------------------------------------------------------


def _publish(content_kind: ContentKind, item, snapshot: dict, action: str, by: User | None, reason: str):
    if item is None:
        item = content_kind.model(status=ContentStatus.PUBLISHED)
        content_kind.apply(item, snapshot)
        db.session.add(item)
        db.session.flush()
    elif item.id is None or item not in db.session:
        # A new item whose id the caller chose (the seed's stable ids).
        item.status = ContentStatus.PUBLISHED
        content_kind.apply(item, snapshot)
        db.session.add(item)
        db.session.flush()
    else:
        if item.status == ContentStatus.PUBLISHED and snapshot == content_kind.take(item):
            raise NothingChanged(f"That is the {content_kind.noun} as it is published now.")
        content_kind.apply(item, snapshot)
        item.status = ContentStatus.PUBLISHED
    revision = _revision(content_kind, item, snapshot, action, RevisionStatus.PUBLISHED, by, reason)
    if by is None:
        revision.author_label = action
    db.session.flush()
    return item


def _revision(content_kind, item, snapshot, action, status, author, reason) -> ContentRevision:
    revision = ContentRevision(
        kind=content_kind.name,
        item_id=item.id,
        number=_next_number(content_kind.name, item.id),
        action=action,
        status=status,
        snapshot=snapshot,
        author_id=author.id if author is not None else None,
        author_label=author.email if author is not None else "",
        reason=(reason or "").strip(),
    )
    db.session.add(revision)
    return revision


def _next_number(kind_name: str, item_id: str) -> int:
    stored = db.session.scalar(
        select(func.max(ContentRevision.number)).where(
            ContentRevision.kind == kind_name, ContentRevision.item_id == item_id
        )
    )
    staged = [
        r.number
        for r in db.session.new
        if isinstance(r, ContentRevision) and r.kind == kind_name and r.item_id == item_id
    ]
    return max([stored or 0, *staged]) + 1


def _pending_for(content_kind: ContentKind, item_id: str) -> list[ContentRevision]:
    return [r for r in history(content_kind, item_id) if r.status == RevisionStatus.PENDING]


def _check_reviewable(revision: ContentRevision, admin: User) -> None:
    if admin is None or not admin.is_admin:
        raise ModerationError("Only an admin can review proposals.")
    if revision.status != RevisionStatus.PENDING:
        raise ModerationError("This proposal has already been reviewed or withdrawn.")


def _close(revision: ContentRevision, by: User, status: str, note: str) -> None:
    revision.status = status
    revision.reviewed_by_id = by.id
    revision.reviewed_at = utcnow()
    revision.review_note = (note or "").strip()


def _settle_unpublished(revision: ContentRevision, status: str) -> None:
    """A never-published item whose last proposal is turned down or withdrawn takes that status."""
    item = item_of(revision)
    if (
        item is not None
        and item.status != ContentStatus.PUBLISHED
        and not _pending_for(kind(revision.kind), item.id)
    ):
        item.status = status
