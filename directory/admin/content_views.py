"""Admin review of network content proposals (every registered kind): compare, approve, reject."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..extensions import db
from ..models import RevisionStatus
from ..moderation import content
from ..permissions import admin_required, get_content_revision_or_404
from . import bp
from .forms import ApproveForm, RejectForm


@bp.get("/content/<int:content_revision_id>")
@admin_required
def content_revision(content_revision_id):
    """Show a proposal's fields against the published ones, with approve and reject forms."""
    revision = get_content_revision_or_404(content_revision_id)
    return _review_page(revision, ApproveForm(formdata=None), RejectForm(formdata=None))


def _review_page(revision, approve_form, reject_form, status=200):
    content_kind = content.kind(revision.kind)
    item = content.item_of(revision)
    return render_template(
        "admin/content_revision.html",
        revision=revision,
        content_kind=content_kind,
        item=item,
        title=content.title_of(item) if item is not None else "(gone)",
        rows=content.changed_fields(revision),
        approve_form=approve_form,
        reject_form=reject_form,
        status_labels=content.STATUS_LABELS,
        action_labels=content.ACTION_LABELS,
        pending=RevisionStatus.PENDING,
    ), status


@bp.post("/content/<int:content_revision_id>/approve")
@admin_required
def approve_content(content_revision_id):
    """Publish a network content proposal."""
    revision = get_content_revision_or_404(content_revision_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        return _review_page(revision, form, RejectForm(formdata=None), status=400)
    try:
        item = content.approve(revision, admin=current_user, note=form.note.data)
    except content.ModerationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.content_revision", content_revision_id=content_revision_id))
    db.session.commit()
    flash(f"Published “{content.title_of(item)}”.", "success")
    return redirect(url_for("admin.queue", _anchor="content"))


@bp.post("/content/<int:content_revision_id>/reject")
@admin_required
def reject_content(content_revision_id):
    """Turn down a network content proposal with a reason the agency sees."""
    revision = get_content_revision_or_404(content_revision_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _review_page(revision, ApproveForm(formdata=None), form, status=400)
    try:
        content.reject(revision, admin=current_user, note=form.reason.data)
    except content.ModerationError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.content_revision", content_revision_id=content_revision_id))
    db.session.commit()
    flash("Rejected; the agency will see your reason.", "success")
    return redirect(url_for("admin.queue", _anchor="content"))
