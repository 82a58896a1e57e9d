"""Agency pages: an editor's listings, proposing changes, verifying, asking to close."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import FieldList, FormField, SelectChoice

from .. import completeness, coverage, listing, moderation, revisions, shared_locations
from ..extensions import db
from ..models import RevisionStatus
from ..moderation.confirming import why_not_confirmable
from ..permissions import (
    agency_member_required,
    editable_organisations,
    get_organisation_or_404,
    get_revision_or_404,
    get_service_or_404,
)
from . import bp
from .capacity_forms import VerifyForm, page_context
from .forms import CloseForm, ConfirmForm, NewServiceForm, ServiceForm, blank_snapshot


@bp.get("/")
@agency_member_required
def dashboard():
    """List the editor's services, most urgent first."""
    states = moderation.listing_states(moderation.agency_services(current_user))
    return render_template(
        "agency/dashboard.html",
        states=states,
        organisations=editable_organisations(current_user) if not current_user.is_admin else [],
        stale_after_days=_stale_days(),
        completeness=completeness.for_services([state.service for state in states]),
        # Admins see every organisation's freshness under Insights; an editor sees their own here.
        freshness=None if current_user.is_admin else coverage.freshness_for_organisations(
            current_user.organisation_ids
        ),
    )


@bp.get("/services/<service_id>")
@agency_member_required
def service(service_id):
    """Show a listing's status, pending changes, rejections and open problem reports."""
    return service_page(get_service_or_404(service_id))


def service_page(service, status=200, **forms):
    """Render the service page; `forms` (capacity_form, verify_form) are sent ones, with their errors."""
    state = moderation.listing_states([service])[0]
    pending_diffs = [(r, listing.diff(listing.take(service), r.snapshot)) for r in state.pending]
    return render_template(
        "agency/service.html",
        service=service,
        state=state,
        pending_diffs=pending_diffs,
        confirm_form=ConfirmForm(),
        stale_after_days=_stale_days(),
        may_withdraw=moderation.may_withdraw,
        completeness=completeness.of(service),
        confirm_refused=why_not_confirmable(service, state.pending),
        **page_context(service, **forms),
    ), status


@bp.route("/services/<service_id>/edit", methods=["GET", "POST"])
@agency_member_required
def edit_service(service_id):
    """Propose changes to a listing; they wait for an admin's review."""
    service = get_service_or_404(service_id)
    start, version, pending_id = moderation.starting_point(service)
    form = ServiceForm.from_snapshot(start, version, pending_id)
    conflict = None
    shared = shared_locations.other_listings(_location_ids(service, start), service.id)
    if form.is_submitted() and form.wants_more_rows:
        form.add_spares(extra_location=bool(form.add_location.data), extra_rows=bool(form.add_rows.data))
        return render_template(
            "agency/edit.html", form=form, service=service, conflict=None, shared=shared
        )
    if form.validate_on_submit():
        data = form.to_snapshot(start, _location_ids(service, start))
        try:
            moderation.propose_change(
                service,
                data,
                current_user,
                form.reason.data,
                _int(form.base_version.data),
                _int(form.base_pending.data),
            )
            db.session.commit()
        except moderation.StaleEdit as exc:
            conflict = exc
            # The editor has now seen what changed: a second save is a deliberate one.
            form.base_version.data, form.base_pending.data = str(version), str(pending_id)
        except moderation.NothingChanged as exc:
            db.session.commit()  # putting the listing back as it was withdraws the pending edit
            flash(str(exc), "info")
            return redirect(url_for("agency.service", service_id=service.id))
        else:
            flash(
                "Thank you. Your changes are waiting for an admin to review; "
                "the public listing stays as it is until then.",
                "success",
            )
            return redirect(url_for("agency.service", service_id=service.id))
    form.add_spares()
    return render_template("agency/edit.html", form=form, service=service, conflict=conflict, shared=shared)


@bp.route("/services/new", methods=["GET", "POST"])
@agency_member_required
def new_service():
    """Propose a new service for one of the editor's organisations."""
    organisations = editable_organisations(current_user)
    if not organisations:
        flash("You are not an editor of any organisation yet.", "error")
        return redirect(url_for("agency.dashboard"))
    form = NewServiceForm.from_snapshot(blank_snapshot(organisations[0].id), 0, 0)
    form.organisation_id.choices = [SelectChoice(o.id, o.name) for o in organisations]
    if form.is_submitted() and form.wants_more_rows:
        form.add_spares(extra_location=bool(form.add_location.data), extra_rows=bool(form.add_rows.data))
        return render_template("agency/edit.html", form=form, service=None, conflict=None)
    if form.validate_on_submit():
        organisation = get_organisation_or_404(form.organisation_id.data)
        data = form.to_snapshot(blank_snapshot(organisation.id), set())
        service = moderation.propose_new_service(organisation, data, current_user, form.reason.data)
        db.session.commit()
        flash("Thank you. The new service will appear publicly once an admin approves it.", "success")
        return redirect(url_for("agency.service", service_id=service.id))
    form.add_spares()
    return render_template("agency/edit.html", form=form, service=None, conflict=None)


@bp.post("/services/<service_id>/verify")
@agency_member_required
def verify(service_id):
    """Record that the listing is still accurate, and how (an admin says how they checked)."""
    service = get_service_or_404(service_id)
    refused = why_not_confirmable(service)
    if refused:
        flash(refused, "error")
        return redirect(url_for("agency.service", service_id=service.id))
    form = VerifyForm()
    if form.validate_on_submit():
        method = form.chosen_method(current_user)
        if method is None:
            return service_page(service, verify_form=form, status=400)
        moderation.verify(service, current_user, method=method or None)
        db.session.commit()
        flash("Thank you. The listing is marked as checked today.", "success")
    return redirect(url_for("agency.service", service_id=service.id))


@bp.route("/services/<service_id>/close", methods=["GET", "POST"])
@agency_member_required
def close_service(service_id):
    """Ask an admin to mark a service closed."""
    service = get_service_or_404(service_id)
    form = CloseForm(base_version=str(service.version))
    if form.validate_on_submit():
        try:
            moderation.request_closure(
                service, form.status.data, current_user, form.reason.data, _int(form.base_version.data)
            )
            db.session.commit()
        except moderation.ModerationError as exc:
            flash(str(exc), "error")
        else:
            flash("Thank you. An admin will review the closure.", "success")
            return redirect(url_for("agency.service", service_id=service.id))
    return render_template("agency/close.html", form=form, service=service)


@bp.post("/revisions/<int:revision_id>/withdraw")
@agency_member_required
def withdraw(revision_id):
    """Withdraw a change that is still waiting for review."""
    revision = get_revision_or_404(revision_id)
    if ConfirmForm().validate_on_submit():
        try:
            moderation.withdraw(revision, current_user)
            db.session.commit()
            flash("The change was withdrawn.", "success")
        except moderation.ModerationError as exc:
            flash(str(exc), "error")
    return redirect(url_for("agency.service", service_id=revision.service_id))


@bp.get("/services/<service_id>/history")
@agency_member_required
def history(service_id):
    """Show every version of a listing with who changed what, when and why."""
    return history_page(get_service_or_404(service_id))


def history_page(service, refused_id=None, refused_reason=None, status=200):
    """Render a listing's history; a refused restore shows its reason's error beside that revision."""
    latest = revisions.latest_published(service.id)
    return render_template(
        "agency/history.html",
        service=service,
        entries=moderation.history(service),
        published=RevisionStatus.PUBLISHED,
        latest_published=latest.number if latest else None,
        refused_id=refused_id,
        refused_reason=refused_reason,
    ), status


def _location_ids(service, start) -> set[str]:
    ids = {sal.location_id for sal in service.service_at_locations}
    return ids | {loc["id"] for loc in start.get("locations", []) if loc.get("id")}


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _stale_days():
    return current_app.config["STALE_AFTER_DAYS"]


@bp.app_template_global()
def form_error_list(form) -> list[tuple[str, str]]:
    """Return (field id, message) for every error in a form, nested rows included, in page order."""
    found = []

    def walk(fields, context=""):
        for field in fields:
            if isinstance(field, FieldList):
                found.extend(
                    (field.id, f"{context}{field.label.text}: {message}")
                    for message in getattr(field, "section_errors", ())
                )
                for position, entry in enumerate(field.entries, start=1):
                    walk(
                        entry.form if isinstance(entry, FormField) else [entry],
                        f"{context}{_singular(field.label.text)} {position}, ",
                    )
            elif isinstance(field, FormField):
                walk(field.form, context)
            elif field.errors:
                found.append((field.id, f"{context}{field.label.text}: {' '.join(map(str, field.errors))}"))

    walk(form)
    return found


def _singular(label: str) -> str:
    return {"Locations": "Location", "Phones": "Phone", "Sessions": "Opening time"}.get(label, label)
