"""The agency service page's small forms: taking new referrals?, and how the listing was checked.

`page_context` gives the service page what these forms need, so its view (views.py) and the views
that answer the forms (capacity_views.py) render the same page, errors beside the field.
"""

from flask import current_app
from flask_login import current_user
from wtforms import RadioField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from .. import capacity as referrals
from .. import clock
from ..forms import DirectoryForm
from ..models import Service
from ..moderation.workflow import VERIFICATION_METHODS

# An admin checks a listing with the service; an editor's own check is always "agency".
ADMIN_METHODS = {code: VERIFICATION_METHODS[code] for code in ("phone", "email", "visit")}


class CapacityForm(DirectoryForm):
    """Say whether the service takes new referrals now: published at once, dated."""

    capacity = RadioField(
        "Taking new referrals?",
        choices=[
            SelectChoice(referrals.ACCEPTING, "Yes, accepting new referrals"),
            SelectChoice(referrals.WAITING_LIST, "Yes, with a waiting list"),
            SelectChoice(referrals.NOT_ACCEPTING, "No, not at the moment"),
        ],
        validators=[InputRequired("Choose whether the service is taking new referrals.")],
    )
    wait_weeks = StringField(
        "How long is the wait, in weeks?",
        description="Only for a waiting list: about how many weeks from referral to first appointment. "
        "Leave it blank if you cannot say.",
        validators=[Length(max=10)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    submit = SubmitField("Save")

    @classmethod
    def of(cls, service: Service) -> "CapacityForm":
        """Return the form filled with what the service says now (the sent form, when one was sent)."""
        weeks = service.capacity_wait_weeks
        return cls(formdata=None, capacity=service.capacity, wait_weeks="" if weeks is None else str(weeks))

    def refused(self, error: referrals.CapacityError) -> None:
        """Show a refused statement's message beside its field."""
        field = getattr(self, error.field, self.capacity)
        field.errors = [*field.errors, str(error)]


class VerifyForm(DirectoryForm):
    """ "Still accurate": an admin also says how they checked."""

    method = SelectField(
        "How did you check it?",
        description="The public page says how the listing was last checked, when you say.",
        choices=[SelectChoice("", "Not saying")] + [
            SelectChoice(code, wording.capitalize()) for code, wording in ADMIN_METHODS.items()
        ],
        validate_choice=False,  # checked in `chosen_method`, so only an admin's answer is read
    )
    submit = SubmitField("Still accurate")

    def chosen_method(self, user) -> str | None:
        """Return how the listing was checked ("" for an admin not saying), or None with the error
        beside the field."""
        if not user.is_admin:
            return "agency"
        if not self.method.data or self.method.data in ADMIN_METHODS:
            return self.method.data or ""
        self.method.errors = [*self.method.errors, "Choose how you checked: by phone, email or a visit."]
        return None


def page_context(service: Service, capacity_form: CapacityForm | None = None,
                 verify_form: VerifyForm | None = None) -> dict:
    """Return what the agency service page shows of new referrals and verification."""
    return {
        "capacity_form": capacity_form or CapacityForm.of(service),
        "verify_form": verify_form or VerifyForm(formdata=None),
        "capacity_state": referrals.state(service, clock.utcnow(), current_app.config["CAPACITY_FRESH_DAYS"]),
        "capacity_history": referrals.history(service),
        "capacity_describe": referrals.describe,
        "verified_how": VERIFICATION_METHODS.get(service.verification_method or ""),
        "asks_method": current_user.is_admin,
    }
