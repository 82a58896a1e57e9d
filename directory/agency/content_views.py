"""Agency pages for network content: an organisation's proposals, proposing events, history."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..extensions import db
from ..models import ContentStatus
from ..moderation import content
from ..network import events, members
from ..network.forms import event_form
from ..permissions import (
    agency_member_required,
    get_content_item_or_404,
    get_content_revision_or_404,
)
from . import bp
from .forms import ConfirmForm


def _member_organisations():
    """The network member organisations the current user edits for (admins: every member)."""
    return members.member_organisations(None if current_user.is_admin else current_user.organisation_ids)


@bp.get("/network")
@agency_member_required
def network_content():
    """List the organisation's network proposals with their status and any rejection reasons."""
    # Admins see every organisation's proposals and events, as they see every listing.
    ids = None if current_user.is_admin else current_user.organisation_ids
    own_events = [
        e for e in events.published() if e.organisation_id and (ids is None or e.organisation_id in ids)
    ]
    return render_template(
        "agency/content_proposals.html",
        proposals=content.proposals_of(ids),
        own_events=own_events,
        may_propose=bool(_member_organisations()),
        button=ConfirmForm(),
        kind_of=content.kind,
        item_of=content.item_of,
        status_labels=content.STATUS_LABELS,
        action_labels=content.ACTION_LABELS,
        pending="pending",
        when=events.when,
    )


@bp.route("/network/events/new", methods=["GET", "POST"])
@agency_member_required
def propose_event():
    """Propose a new network event; it is published once an admin approves it."""
    organisations = _member_organisations()
    form = event_form(organisations, allow_none=False)
    if organisations and form.validate_on_submit():
        return _propose(None, form)
    return render_template("agency/content_event.html", form=form, event=None, organisations=organisations)


@bp.route("/network/events/<event_id>/edit", methods=["GET", "POST"])
@agency_member_required
def propose_event_change(event_id):
    """Propose a change to one of the organisation's events; it waits for an admin's review."""
    event = get_content_item_or_404("event", event_id)
    organisations = _member_organisations()
    waiting = [r for r in content.history(events.KIND, event.id) if r.status == "pending"]
    start = waiting[-1].snapshot if waiting else events.take(event)
    form = event_form(organisations, allow_none=False, snapshot=start)
    if organisations and form.validate_on_submit():
        return _propose(event, form)
    return render_template("agency/content_event.html", form=form, event=event, organisations=organisations)


def _propose(event, form):
    try:
        revision = content.propose(
            events.KIND,
            event,
            form.snapshot(),
            author=current_user,
            organisation_id=form.organisation.data,
            reason=form.reason.data,
        )
    except content.ModerationError as exc:
        db.session.rollback()
        form.title.errors.append(str(exc))
        organisations = _member_organisations()
        return render_template(
            "agency/content_event.html", form=form, event=event, organisations=organisations
        ), 400
    db.session.commit()
    flash("Sent for review. An admin will check it before it is published.", "success")
    return redirect(url_for("agency.network_content", _anchor=f"proposal-{revision.id}"))


@bp.post("/network/proposals/<int:content_revision_id>/withdraw")
@agency_member_required
def withdraw_content(content_revision_id):
    """Withdraw one of the organisation's proposals before it is reviewed."""
    revision = get_content_revision_or_404(content_revision_id)
    if ConfirmForm().validate_on_submit():
        try:
            content.withdraw(revision, author=current_user)
        except content.ModerationError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Withdrawn.", "success")
    return redirect(url_for("agency.network_content"))


@bp.get("/network/<kind_name>/<item_id>/history")
@agency_member_required
def content_history(kind_name, item_id):
    """Show every revision of a piece of network content, with who, when, why and what changed."""
    item = get_content_item_or_404(kind_name, item_id)
    content_kind = content.kind(kind_name)
    revisions = content.history(content_kind, item.id)
    return render_template(
        "agency/content_history.html",
        item=item,
        content_kind=content_kind,
        revisions=revisions,
        rows=[
            _rows(content_kind, r.snapshot, before)
            for r, before in zip(revisions, [{}] + [r.snapshot for r in revisions], strict=False)
        ],
        status_labels=content.STATUS_LABELS,
        action_labels=content.ACTION_LABELS,
        published=ContentStatus.PUBLISHED,
    )


def _rows(content_kind, snapshot, before):
    """The fields a revision set differently from the revision before it (all of them for the first)."""
    return [
        (label, content.show(content_kind, key, snapshot.get(key)))
        for key, label in content_kind.fields
        if not before or before.get(key) != snapshot.get(key)
    ]
