"""Who is told by email when the public reports a problem or an admin reviews a proposed change.

Each function decides who hears about an event and stages their messages with `mail.queue`, in the
caller's transaction: the view commits the change and its mail together (or neither). This module
reads only models, so the moderation workflow can call it without an import loop.

A problem report's reporter may be someone who uses the service: nothing about them (their
address, whether they left one) goes in any message, only what they said about the listing.
"""

import re

from sqlalchemy import select

from . import mail
from .extensions import db
from .links import external_url
from .models import ContentRevision, Membership, ProblemReport, Revision, RevisionStatus, User

OUTCOMES = {RevisionStatus.PUBLISHED: "published", RevisionStatus.REJECTED: "rejected"}

def active_admins() -> list[User]:
    """Return every directory admin whose account is switched on."""
    return list(
        db.session.scalars(
            select(User).where(User.is_admin.is_(True), User.is_active.is_(True)).order_by(User.id)
        )
    )


def active_editors(organisation_id: str) -> list[User]:
    """Return the switched-on accounts that edit the organisation's listings."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation_id, User.is_active.is_(True))
            .order_by(User.id)
        )
    )


def problem_reported(report: ProblemReport, category_label: str) -> int:
    """Tell the listing's editors and the admins what a report says; return how many are told.

    An admin who also edits the organisation gets one message: the admin's, which links to the queue.
    """
    service = report.service
    admins = active_admins()
    admin_ids = {a.id for a in admins}
    editors = [e for e in active_editors(service.organisation_id) if e.id not in admin_ids]
    context = {
        "service": service,
        "organisation": service.organisation,
        "what": category_label,
        "message": _without_reporter(report),
        "listing": external_url("public.service", service_id=service.id),
        "agency_page": external_url("agency.service", service_id=service.id),
        "queue": external_url("admin.queue") + "#reports",
    }
    staged = mail.queue("problem-report", [e.email for e in editors], "problem_report", for_admin=False,
                        **context)
    staged += mail.queue("problem-report", [a.email for a in admins], "problem_report", for_admin=True,
                         **context)
    return len(staged)


def _without_reporter(report: ProblemReport) -> str:
    """Return what the reporter wrote, with their own address taken out if they typed it in too."""
    message = report.message or ""
    if report.contact_email:
        address = re.compile(re.escape(report.contact_email), re.IGNORECASE)
        message = address.sub("[their address, not passed on]", message)
    return message


def content_reviewed(revision: ContentRevision, content_kind, item) -> int:
    """Tell whoever proposed network content (an event, a resource) that an admin published or rejected
    it; return how many are told. Nobody is told for their own review or from a switched-off account."""
    outcome = OUTCOMES.get(revision.status)
    author = revision.author
    if outcome is None or author is None or not author.is_active or author.id == revision.reviewed_by_id:
        return 0
    snapshot = revision.snapshot or {}
    title = snapshot.get("title") or snapshot.get("name") or getattr(item, "title", None) or "(untitled)"
    published = item is not None and outcome == "published"
    staged = mail.queue(
        f"content-{outcome}",
        author.email,
        f"content_{outcome}",
        user=author,
        noun=content_kind.noun,
        title=title,
        new=revision.action == "proposal",
        note=(revision.review_note or "").strip(),
        proposals=external_url("agency.network_content"),
        public=content_kind.public_url(item, external_url) if published else None,
    )
    return len(staged)


def change_reviewed(revision: Revision) -> int:
    """Tell a proposal's author that an admin published or rejected it; return how many are told.

    Nobody is told when the approval published nothing (the listing already said it: the
    proposal is withdrawn), when the author's account is gone or switched off, or when the
    author reviewed their own proposal.
    """
    outcome = OUTCOMES.get(revision.status)
    author = revision.author
    if outcome is None or author is None or not author.is_active or author.id == revision.reviewed_by_id:
        return 0
    service = revision.service
    staged = mail.queue(
        f"change-{outcome}",
        author.email,
        f"change_{outcome}",
        user=author,
        service=service,
        revision=revision,
        note=(revision.review_note or "").strip(),
        agency_page=external_url("agency.service", service_id=service.id),
        history=external_url("agency.history", service_id=service.id),
        edit=external_url("agency.edit_service", service_id=service.id),
        listing=external_url("public.service", service_id=service.id),
    )
    return len(staged)
