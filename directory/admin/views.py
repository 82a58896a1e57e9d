"""Admin pages: dashboard, organisations and editors, the review queue, history restore, audit log."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .. import account_mail, accounts, audit, completeness, listing, moderation
from ..agency.views import history_page
from ..extensions import db
from ..links import external_url
from ..mail import delivery
from ..models import RevisionStatus, User
from ..moderation import content
from ..network.forms import MembershipForm
from ..permissions import (
    admin_required,
    get_organisation_or_404,
    get_report_or_404,
    get_revision_or_404,
    get_service_or_404,
    get_user_or_404,
)
from . import bp
from .forms import ApproveForm, ButtonForm, InviteForm, OrganisationForm, RejectForm, ResolveForm, RestoreForm


@bp.get("/")
@admin_required
def dashboard():
    """Show what needs an admin: pending changes, reports, stale listings, agencies without editors."""
    return render_template(
        "admin/dashboard.html",
        summary=moderation.admin_summary(),
        content_pending=len(content.pending()),
        outbox=delivery.status(),
    )


@bp.route("/organisations", methods=["GET", "POST"])
@admin_required
def organisations():
    """List organisations and create one."""
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = accounts.create_organisation(
                form.name.data, current_user, form.website.data, form.email.data
            )
        except accounts.AccountError as exc:
            form.name.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"{organisation.name} was created. Now invite its editors.", "success")
            return redirect(url_for("admin.organisation", organisation_id=organisation.id))
    rows = moderation.admin_summary_rows()
    without_editor = request.args.get("editors") == "none"
    return render_template(
        "admin/organisations.html",
        form=form,
        summaries={s.organisation.id: s for s in rows},
        organisations=[s.organisation for s in rows if s.active_editors == 0 or not without_editor],
        without_editor=without_editor,
        count_without_editor=sum(1 for s in rows if s.active_editors == 0),
        gap_names=list(completeness.GAP_NAMES.values()),
    )


@bp.get("/organisations/<organisation_id>")
@admin_required
def organisation(organisation_id):
    """Show an organisation's editors and services, with the invitation form."""
    organisation = get_organisation_or_404(organisation_id)
    return _organisation_page(organisation, InviteForm())


def _organisation_page(organisation, form, link=None, invited=None, status=200):
    members = sorted((m.user for m in _memberships(organisation)), key=lambda u: u.email)
    states = moderation.listing_states(list(organisation.services))
    return render_template(
        "admin/organisation.html",
        organisation=organisation,
        members=members,
        form=form,
        states=states,
        link=link,
        invited=invited,
        button=ButtonForm(),
        membership_form=MembershipForm(formdata=None, member_since=_iso(organisation.network_member_since)),
    ), status


def _iso(day) -> str:
    return day.isoformat() if day else ""


def _memberships(organisation):
    from ..models import Membership

    return db.session.scalars(select(Membership).where(Membership.organisation_id == organisation.id)).all()


@bp.post("/organisations/<organisation_id>/invite")
@admin_required
def invite(organisation_id):
    """Make someone an editor, email them the single-use link, and show it to copy by hand too."""
    organisation = get_organisation_or_404(organisation_id)
    form = InviteForm()
    if not form.validate_on_submit():
        return _organisation_page(organisation, form, status=400)
    try:
        user, token = accounts.invite_editor(form.email.data, organisation, current_user, form.name.data)
    except accounts.AccountError as exc:
        form.email.errors.append(str(exc))
        return _organisation_page(organisation, form, status=400)
    account_mail.send_invitation(user, token, organisation, current_user)
    db.session.commit()
    link = external_url("auth.set_password", token=token)
    return _organisation_page(organisation, InviteForm(formdata=None), link=link, invited=user)


@bp.post("/organisations/<organisation_id>/members/<int:user_id>/remove")
@admin_required
def remove_member(organisation_id, user_id):
    """Stop someone editing an organisation's listings."""
    organisation = get_organisation_or_404(organisation_id)
    user = get_user_or_404(user_id)
    if ButtonForm().validate_on_submit():
        accounts.remove_membership(user, organisation, current_user)
        db.session.commit()
        flash(f"{user.email} is no longer an editor of {organisation.name}.", "success")
    return redirect(url_for("admin.organisation", organisation_id=organisation.id))


@bp.get("/users")
@admin_required
def users():
    """List everyone who can sign in."""
    people = db.session.scalars(select(User).order_by(User.is_admin.desc(), User.email)).all()
    return render_template("admin/users.html", users=people)


@bp.get("/users/<int:user_id>")
@admin_required
def user(user_id):
    """Show one account with its roles and controls."""
    return render_template("admin/user.html", person=get_user_or_404(user_id), button=ButtonForm(), link=None)


@bp.post("/users/<int:user_id>/reset")
@admin_required
def reset_link(user_id):
    """Issue a new set-password link, email it, and show it to the admin to send by hand too."""
    person = get_user_or_404(user_id)
    if not ButtonForm().validate_on_submit():
        abort(400, "The form expired. Go back, reload the page and try again.")
    try:
        token = accounts.issue_reset(person, current_user)
    except accounts.AccountError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.user", user_id=person.id))
    account_mail.send_reset(person, token, by=current_user)
    db.session.commit()
    link = external_url("auth.set_password", token=token)
    return render_template("admin/user.html", person=person, button=ButtonForm(), link=link)


@bp.post("/users/<int:user_id>/active")
@admin_required
def set_active(user_id):
    """Switch an account on or off."""
    person = get_user_or_404(user_id)
    if ButtonForm().validate_on_submit():
        try:
            accounts.set_active(person, request.form.get("active") == "1", current_user)
            db.session.commit()
            flash(
                f"{person.email} is now {'switched on' if person.is_active else 'switched off'}.", "success"
            )
        except accounts.AccountError as exc:
            flash(str(exc), "error")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.post("/users/<int:user_id>/admin")
@admin_required
def set_admin(user_id):
    """Grant or remove admin rights."""
    person = get_user_or_404(user_id)
    if ButtonForm().validate_on_submit():
        try:
            accounts.set_admin(person, request.form.get("admin") == "1", current_user)
            db.session.commit()
            flash(f"{person.email} {'is now' if person.is_admin else 'is no longer'} an admin.", "success")
        except accounts.AccountError as exc:
            flash(str(exc), "error")
    return redirect(url_for("admin.user", user_id=person.id))


@bp.get("/queue")
@admin_required
def queue():
    """List pending changes by service (oldest first) and open problem reports."""
    return _queue_page()


def _queue_page(refused_id=None, refused_note=None, status=200):
    return render_template(
        "admin/queue.html",
        groups=moderation.queue(),
        reports=moderation.open_reports(),
        content_pending=content.pending(),
        kind_of=content.kind,
        item_of=content.item_of,
        title_of=content.title_of,
        refused_id=refused_id,
        refused_note=refused_note,
    ), status


@bp.get("/revisions/<int:revision_id>")
@admin_required
def revision(revision_id):
    """Show one proposed change as a field-by-field diff, with approve and reject forms."""
    revision = get_revision_or_404(revision_id)
    return _revision_page(revision, ApproveForm(formdata=None), RejectForm(formdata=None))


def _revision_page(revision, approve_form, reject_form, status=200):
    current = listing.take(revision.service)
    return render_template(
        "admin/revision.html",
        revision=revision,
        changes=listing.diff(current, revision.snapshot),
        out_of_date=moderation.is_out_of_date(revision),
        approve_form=approve_form,
        reject_form=reject_form,
        kind_labels=moderation.KIND_LABELS,
        status_labels=moderation.STATUS_LABELS,
        pending=RevisionStatus.PENDING,
    ), status


@bp.post("/revisions/<int:revision_id>/approve")
@admin_required
def approve(revision_id):
    """Publish a proposed change."""
    revision = get_revision_or_404(revision_id)
    form = ApproveForm()
    if form.validate_on_submit():
        try:
            moderation.approve(revision, current_user, form.note.data)
            db.session.commit()
        except moderation.ModerationError as exc:
            db.session.rollback()  # the change may be half-applied
            flash(str(exc), "error")
            return redirect(url_for("admin.revision", revision_id=revision_id))
        flash(f"Published the change to {revision.service.name}.", "success")
        return redirect(url_for("admin.queue"))
    return _revision_page(revision, form, RejectForm(formdata=None), status=400)


@bp.post("/revisions/<int:revision_id>/reject")
@admin_required
def reject(revision_id):
    """Turn down a proposed change with a reason the agency sees."""
    revision = get_revision_or_404(revision_id)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            moderation.reject(revision, current_user, form.reason.data)
            db.session.commit()
        except moderation.ModerationError as exc:
            flash(str(exc), "error")
            return redirect(url_for("admin.revision", revision_id=revision_id))
        flash(f"Rejected the change to {revision.service.name}; the agency will see your reason.", "success")
        return redirect(url_for("admin.queue"))
    return _revision_page(revision, ApproveForm(formdata=None), form, status=400)


@bp.post("/services/<service_id>/restore/<int:revision_id>")
@admin_required
def restore(service_id, revision_id):
    """Publish an earlier version of a listing again, as a new revision, once the admin saw what changes."""
    service = get_service_or_404(service_id)
    revision = get_revision_or_404(revision_id)
    form = RestoreForm()
    # A restore is published at once, without review: the first press only shows what it changes.
    confirmed = request.form.get("confirm") == "yes"
    if form.validate_on_submit():
        restorable = revision.service_id == service.id and revision.status == RevisionStatus.PUBLISHED
        if restorable and not confirmed:
            return _restore_page(service, revision, form)
        try:
            moderation.restore(service, revision, current_user, form.reason.data)
            db.session.commit()
        except moderation.ModerationError as exc:
            db.session.rollback()  # the version may be half-applied
            flash(str(exc), "error")
        else:
            flash(f"Restored version {revision.number} of {service.name}.", "success")
    elif form.reason.errors:
        if confirmed:
            return _restore_page(service, revision, form, status=400)
        return history_page(service, revision.id, form.reason, status=400)
    return redirect(url_for("agency.history", service_id=service.id))


def _restore_page(service, revision, form, status=200):
    """Ask to confirm a restore, showing what it changes in the listing as published now."""
    changes = listing.diff(listing.take(service), revision.snapshot)
    return render_template(
        "admin/restore.html", service=service, revision=revision, form=form, changes=changes
    ), status


@bp.post("/reports/<int:report_id>/resolve")
@admin_required
def resolve_report(report_id):
    """Mark a public problem report dealt with."""
    report = get_report_or_404(report_id)
    form = ResolveForm()
    if form.validate_on_submit():
        try:
            moderation.resolve_report(report, current_user, form.note.data)
            db.session.commit()
            flash(f"Marked the report on {report.service.name} resolved.", "success")
        except moderation.ModerationError as exc:
            flash(str(exc), "error")
    elif form.note.errors:
        return _queue_page(report.id, form.note, status=400)
    return redirect(url_for("admin.queue"))


@bp.get("/audit")
@admin_required
def audit_log():
    """Show the audit log, newest first, optionally one kind of event."""
    action = request.args.get("action") or None
    if action is not None and action not in audit.ACTIONS:
        action = None
    events, pages = audit.events(action, page=request.args.get("page", 1, type=int))
    return render_template(
        "admin/audit.html",
        events=events,
        pages=pages,
        action=action,
        page=min(max(1, request.args.get("page", 1, type=int)), pages),
        actions=audit.ACTIONS,
        describe=audit.describe_target,
        label=audit.label,
    )
