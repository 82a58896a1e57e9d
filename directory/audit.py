"""The audit log: sign-ins, permission changes, invitations, approvals, rejections, restores.

`record` adds an event to the session; the caller's commit writes it with the change it describes.
"""

from sqlalchemy import func, select

from .extensions import db
from .models import AuditEvent, Organisation, ProblemReport, Revision, Service, User

# Readable names for the log page.
ACTIONS = {
    "sign-in": "Signed in",
    "sign-in-failed": "Failed sign-in",
    "sign-out": "Signed out",
    "password-set": "Set a password from a link",
    "password-changed": "Changed password",
    "admin-granted": "Admin rights granted",
    "admin-removed": "Admin rights removed",
    "membership-granted": "Made editor of an organisation",
    "membership-removed": "Removed as editor of an organisation",
    "account-enabled": "Account switched on",
    "account-disabled": "Account switched off",
    "invitation-issued": "Invitation link issued",
    "reset-link-issued": "Password reset link issued",
    "password-reset-requested": "Asked for a password link by email",
    "organisation-created": "Organisation created",
    "revision-proposed": "Change proposed",
    "revision-approved": "Change approved",
    "revision-rejected": "Change rejected",
    "revision-withdrawn": "Change withdrawn",
    "revision-restored": "Earlier version restored",
    "service-verified": "Listing confirmed still accurate",
    "confirmation-link-used": "Confirmed still accurate from an emailed link",
    "capacity-stated": "Said whether it takes new referrals",
    "capacity-confirmed": "Confirmed what it said about new referrals",
    "capacity-cleared": "Stopped saying whether it takes new referrals",
    "report-resolved": "Problem report resolved",
}

_TARGET_TYPES = {
    User: "user",
    Organisation: "organisation",
    Service: "service",
    Revision: "revision",
    ProblemReport: "problem-report",
}


def record(action: str, actor: User | None = None, target=None, **detail) -> AuditEvent:
    """Add an audit event to the session (written by the caller's commit)."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        target_type=_TARGET_TYPES.get(type(target), "") if target is not None else "",
        target_id=str(target.id) if target is not None else "",
        detail={key: value for key, value in detail.items() if value is not None},
    )
    db.session.add(event)
    return event


def label(action: str) -> str:
    """Return the readable name of an action, for the log page."""
    return ACTIONS.get(action, action.replace("-", " ").capitalize())


def events(action: str | None = None, page: int = 1, per_page: int = 50) -> tuple[list[AuditEvent], int]:
    """Return one page of events, newest first, and the number of pages."""
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = db.session.scalars(
        query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(rows), pages


def describe_target(event: AuditEvent) -> str:
    """Say in words what an event was about."""
    if not event.target_type:
        return ""
    model = {v: k for k, v in _TARGET_TYPES.items()}.get(event.target_type)
    obj = (
        db.session.get(
            model, int(event.target_id) if model in (User, Revision, ProblemReport) else event.target_id
        )
        if model is not None and event.target_id
        else None
    )
    if isinstance(obj, User):
        return obj.email
    if isinstance(obj, Organisation | Service):
        return obj.name
    if isinstance(obj, Revision):
        return f"{obj.service.name}, version {obj.number}"
    if isinstance(obj, ProblemReport):
        return f"report on {obj.service.name}"
    return f"{event.target_type} {event.target_id}"
