"""Who may do what: role decorators for views and fetch helpers that check ownership.

Each decorator marks the view with `permission` so a meta-test can prove every agency and admin
route carries one.
"""

from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from .extensions import db, login_manager
from .models import ContentRevision, Organisation, ProblemReport, Revision, Service, User
from .moderation import content

ADMIN = "admin"
AGENCY = "agency"
SIGNED_IN = "signed-in"
# No sign-in: a signed, single-use link in the URL is the authority (the emailed "still accurate" link).
SIGNED_LINK = "signed-link"


def _require(check, permission):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not check(current_user):
                abort(403, "Your account does not have access to this page.")
            return view(*args, **kwargs)

        wrapped.permission = permission
        return wrapped

    return decorator


def signed_link_required(view):
    """Mark a view whose signed link is its authority; the view itself checks the link and says why not."""
    view.permission = SIGNED_LINK
    return view


def is_agency_member(user) -> bool:
    return bool(user.is_admin or user.memberships)


admin_required = _require(lambda user: user.is_admin, ADMIN)
admin_required.__doc__ = "Allow only directory admins; send anyone signed out to the sign-in page."
agency_member_required = _require(is_agency_member, AGENCY)
agency_member_required.__doc__ = "Allow agency editors (of any organisation) and admins."
login_required = _require(lambda user: True, SIGNED_IN)
login_required.__doc__ = "Allow anyone signed in."


def can_edit(user, service: Service) -> bool:
    """Return whether `user` may see and change `service`'s listing."""
    return bool(user.is_authenticated and (user.is_admin or service.organisation_id in user.organisation_ids))


def get_service_or_404(service_id: str, for_editing: bool = True) -> Service:
    """Return a service the current user may edit; 404 if it does not exist, 403 if not theirs."""
    service = db.session.get(Service, service_id)
    if service is None:
        abort(404, "There is no such service.")
    if for_editing and not can_edit(current_user, service):
        abort(403, "This listing belongs to another organisation.")
    return service


def get_organisation_or_404(organisation_id: str) -> Organisation:
    """Return an organisation the current user belongs to (admins: any)."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404, "There is no such organisation.")
    if not (current_user.is_admin or organisation.id in current_user.organisation_ids):
        abort(403, "You are not an editor of this organisation.")
    return organisation


def get_revision_or_404(revision_id: int) -> Revision:
    """Return a revision of a service the current user may edit."""
    revision = db.session.get(Revision, revision_id)
    if revision is None:
        abort(404, "There is no such change.")
    get_service_or_404(revision.service_id)
    return revision


def get_report_or_404(report_id: int) -> ProblemReport:
    """Return a problem report about a service the current user may edit."""
    report = db.session.get(ProblemReport, report_id)
    if report is None:
        abort(404, "There is no such report.")
    get_service_or_404(report.service_id)
    return report


def get_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404, "There is no such account.")
    return user


def editable_organisations(user) -> list[Organisation]:
    """Return the organisations whose listings `user` may change, by name."""
    query = select(Organisation).order_by(Organisation.name)
    if not user.is_admin:
        query = query.where(Organisation.id.in_(user.organisation_ids or {""}))
    return list(db.session.scalars(query))


def can_edit_content(user, item) -> bool:
    """Return whether `user` may propose changes to a piece of network content (an event, a resource)."""
    return bool(user.is_admin or (item.organisation_id and item.organisation_id in user.organisation_ids))


def get_content_item_or_404(kind_name: str, item_id: str, for_editing: bool = True):
    """Return network content the current user may change; 404 if no such item, 403 if not theirs."""
    try:
        content_kind = content.kind(kind_name)
    except KeyError:
        abort(404, "There is no such kind of content.")
    item = db.session.get(content_kind.model, item_id)
    if item is None:
        abort(404, f"There is no such {content_kind.noun}.")
    if for_editing and not can_edit_content(current_user, item):
        abort(403, f"This {content_kind.noun} belongs to another organisation.")
    return item


def get_content_revision_or_404(revision_id: int):
    """Return a network content proposal the current user may see (admins, its organisation's editors)."""
    revision = db.session.get(ContentRevision, revision_id)
    if revision is None:
        abort(404, "There is no such proposal.")
    if not content.may_see(current_user, revision):
        abort(403, "This proposal belongs to another organisation.")
    return revision
