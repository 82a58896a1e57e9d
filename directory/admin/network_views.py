"""Admin pages for the network: membership dates, the how-to-join contact, and events added directly."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ..extensions import db
from ..moderation import content
from ..network import events, members
from ..network.forms import MembershipForm, NetworkSettingsForm, event_form
from ..permissions import admin_required, get_content_item_or_404, get_organisation_or_404
from . import bp


@bp.route("/network", methods=["GET", "POST"])
@admin_required
def network():
    """Set how agencies ask to join the network; list members and every event."""
    settings = members.settings()
    form = NetworkSettingsForm(obj=settings)
    if form.validate_on_submit():
        members.save_settings(form.join_email.data, form.join_details.data, current_user)
        db.session.commit()
        flash("Saved. The network page shows the new contact.", "success")
        return redirect(url_for("admin.network"))
    return render_template(
        "admin/network.html",
        form=form,
        members=members.member_organisations(),
        lists=events.listed(),
        pending=content.pending([events.KIND]),
        when=events.when,
    ), 400 if form.errors else 200


@bp.post("/organisations/<organisation_id>/network")
@admin_required
def network_membership(organisation_id):
    """Make an organisation a network member since a date, or take it off the network."""
    organisation = get_organisation_or_404(organisation_id)
    form = MembershipForm()
    if form.validate_on_submit():
        members.set_membership(organisation, form.joined, current_user)
        db.session.commit()
        flash(
            f"{organisation.name} is a network member since {form.joined:%-d %B %Y}."
            if form.joined
            else f"{organisation.name} is not a network member.",
            "success",
        )
    else:
        flash(" ".join(form.member_since.errors) or "Check the date.", "error")
    return redirect(url_for("admin.organisation", organisation_id=organisation.id, _anchor="network"))


@bp.route("/network/events/new", methods=["GET", "POST"])
@admin_required
def add_event():
    """Add an event and publish it at once (an admin's own change is not reviewed)."""
    form = event_form(members.member_organisations(), allow_none=True)
    form.submit.label.text = "Publish event"
    if form.validate_on_submit():
        return _publish(None, form)
    return render_template("admin/network_event.html", form=form, event=None)


@bp.route("/network/events/<event_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_event(event_id):
    """Change an event and publish the change at once, as a revision."""
    event = get_content_item_or_404("event", event_id)
    organisers = members.member_organisations()
    if event.organisation is not None and event.organisation not in organisers:
        organisers.append(event.organisation)  # it has left the network since: still its organiser
    form = event_form(organisers, allow_none=True, snapshot=events.take(event))
    form.submit.label.text = "Publish changes"
    if form.validate_on_submit():
        return _publish(event, form)
    return render_template("admin/network_event.html", form=form, event=event)


def _publish(event, form):
    try:
        event = content.publish_directly(
            events.KIND, event, form.snapshot(), admin=current_user, reason=form.reason.data
        )
    except content.ModerationError as exc:
        db.session.rollback()
        form.title.errors.append(str(exc))
        return render_template("admin/network_event.html", form=form, event=event), 400
    db.session.commit()
    flash(f"Published “{event.title}”.", "success")
    return redirect(url_for("network.event", event_id=event.id))
