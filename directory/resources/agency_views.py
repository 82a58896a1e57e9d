"""Agency pages for harm-reduction resources: the organisation's resources, and proposing them.

The routes are on the agency blueprint, under the same permission decorators and meta-tests as
the listings'. Editors' proposals go through the generic content moderation; the organisation's
proposals, withdrawing one and each resource's history are the generic pages in
`agency/content_views.py`. An admin's own new resource or change is published at once, with its
revision (`content.publish_directly`).
"""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..agency import bp
from ..extensions import db
from ..models import Pathway, PathwayStage, Resource, RevisionStatus, Service
from ..moderation import content
from ..network import members
from ..permissions import agency_member_required, get_content_item_or_404
from . import catalogue
from .forms import resource_form


def _choices():
    """What the current user's form offers: member organisations, their listed services, every stage.

    An editor chooses among their own organisations and services; an admin among every member and
    every listed service.
    """
    admin = current_user.is_admin
    ids = None if admin else current_user.organisation_ids
    organisations = members.member_organisations(ids)
    query = select(Service).where(Service.is_visible).order_by(Service.name)
    if not admin:
        query = query.where(Service.organisation_id.in_(list(ids) or [""]))
    services = db.session.scalars(query).all()
    stages = db.session.scalars(
        select(PathwayStage).join(Pathway).options(selectinload(PathwayStage.pathway))
        .order_by(Pathway.position, PathwayStage.position)
    ).all()
    return organisations, services, stages


@bp.get("/resources")
@agency_member_required
def resources():
    """List the harm-reduction resources the user's organisations keep up to date (admins: all)."""
    ids = list(current_user.organisation_ids) or [""]
    query = select(Resource).order_by(Resource.name)
    if not current_user.is_admin:
        query = query.where(Resource.organisation_id.in_(ids))
    own = db.session.scalars(query)
    return render_template(
        "resources/agency_list.html", resources=list(own), status_labels=content.STATUS_LABELS,
        may_propose=bool(members.member_organisations(ids)),
    )


@bp.route("/resources/new", methods=["GET", "POST"])
@agency_member_required
def propose_resource():
    """Propose a new harm-reduction resource; it is published once an admin approves it."""
    organisations, services, stages = _choices()
    form = resource_form(organisations, services, stages, admin=current_user.is_admin)
    if (organisations or current_user.is_admin) and form.validate_on_submit():
        return _propose(None, form, organisations)
    return _page(form, None, organisations)


@bp.route("/resources/<resource_id>/edit", methods=["GET", "POST"])
@agency_member_required
def propose_resource_change(resource_id):
    """Propose a change to one of the organisation's resources; it waits for an admin's review."""
    resource = get_content_item_or_404(catalogue.KIND.name, resource_id)
    organisations, services, stages = _choices()
    waiting = [r for r in content.history(catalogue.KIND, resource.id) if r.status == RevisionStatus.PENDING]
    start = waiting[-1].snapshot if waiting else catalogue.take(resource)
    form = resource_form(organisations, services, stages, snapshot=start, admin=current_user.is_admin)
    if (organisations or current_user.is_admin) and form.validate_on_submit():
        return _propose(resource, form, organisations)
    return _page(form, resource, organisations)


def _page(form, resource, organisations, status=200):
    # A form with mistakes is shown again with them beside its fields, as the listing forms are.
    return render_template(
        "resources/propose.html", form=form, resource=resource, organisations=organisations
    ), status


def _propose(resource, form, organisations):
    snapshot = form.snapshot(catalogue.take(resource) if resource is not None else None)
    try:
        if current_user.is_admin:
            published = content.publish_directly(
                catalogue.KIND, resource, snapshot, admin=current_user, reason=form.reason.data
            )
        else:
            revision = content.propose(
                catalogue.KIND, resource, snapshot, author=current_user,
                organisation_id=snapshot["organisation_id"], reason=form.reason.data,
            )
    except content.ModerationError as exc:
        db.session.rollback()
        form.name.errors.append(str(exc))
        return _page(form, resource, organisations, 400)
    db.session.commit()
    if current_user.is_admin:
        flash("Published.", "success")
        return redirect(url_for("resources.resource", resource_id=published.id))
    flash("Sent for review. An admin will check it before it is published.", "success")
    return redirect(url_for("agency.network_content", _anchor=f"proposal-{revision.id}"))
