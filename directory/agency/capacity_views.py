"""Agency pages: saying whether a service takes new referrals, confirming it, and stopping saying it.

Published at once, without review: it is the agency's own dated statement about its operations,
kept as history (`capacity.py`). Editors of the service's organisation and admins only.
"""

from flask import flash, redirect, url_for
from flask_login import current_user

from .. import capacity
from ..extensions import db
from ..permissions import agency_member_required, get_service_or_404
from . import bp
from .capacity_forms import CapacityForm
from .forms import ConfirmForm
from .views import service_page


@bp.post("/services/<service_id>/capacity")
@agency_member_required
def state_capacity(service_id):
    """Publish what the service says now about new referrals."""
    service = get_service_or_404(service_id)
    form = CapacityForm()
    if form.validate_on_submit():
        try:
            capacity.state_capacity(service, form.capacity.data, form.wait_weeks.data, current_user)
        except capacity.CapacityError as exc:
            form.refused(exc)
        else:
            db.session.commit()
            said = capacity.label(service.capacity, service.capacity_wait_weeks)
            flash(f"Thank you. The listing now says: {said}.", "success")
            return _back_to(service)
    return service_page(service, capacity_form=form)


@bp.post("/services/<service_id>/capacity/confirm")
@agency_member_required
def confirm_capacity(service_id):
    """Re-date the statement: it is still the same today."""
    return _answer(service_id, capacity.confirm, "Thank you. The listing says it is still the same today.")


@bp.post("/services/<service_id>/capacity/clear")
@agency_member_required
def clear_capacity(service_id):
    """Stop saying anything about new referrals."""
    return _answer(service_id, capacity.clear, "The listing no longer says whether it takes new referrals.")


def _answer(service_id, change, thanks):
    service = get_service_or_404(service_id)
    if ConfirmForm().validate_on_submit():
        try:
            change(service, current_user)
        except capacity.CapacityError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(thanks, "success")
    return _back_to(service)


def _back_to(service):
    return redirect(url_for("agency.service", service_id=service.id, _anchor="referrals"))
