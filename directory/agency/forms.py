"""Forms for agency editors: a whole service listing, a new service, closing one, a confirm button.

The listing form fills itself from a snapshot and gives one back (`listing.Snapshot`), field by field
as `listing.SERVICE_FIELDS` says; its location and phone rows are in `listing_forms`.
"""

from flask import request
from sqlalchemy import select
from wtforms import (
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from .. import dimensions, listing, reference
from ..extensions import db
from ..forms import DirectoryForm, Rows
from ..listing.fields import KEPT, NUMBER, OPTIONAL, TEXT, longest
from ..models import Borough, Catchment
from ..moderation import CLOSURE_STATUSES
from .listing_forms import LocationForm, PhoneForm, blank, check_web_address, location_data, typed

SPARE_SESSION_ROWS = 2
# The most phone numbers and locations one listing takes.
MOST_PHONES = 10
MOST_LOCATIONS = 20


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (works without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _borough_choices():
    boroughs = db.session.scalars(select(Borough).order_by(Borough.name)).all()
    return [SelectChoice(b.slug, b.name) for b in boroughs]


def _term_choices(vocabulary):
    def choices():
        return [SelectChoice(t.code, t.name) for t in reference.terms_by_vocabulary().get(vocabulary, [])]

    return choices


def _ticks(dimension: dimensions.Dimension) -> MultiCheckboxField:
    """Return the checkboxes for one vocabulary, labelled as the dimensions table says."""
    return MultiCheckboxField(dimension.agency_label, choices=_term_choices(dimension.vocabulary))


class ServiceForm(DirectoryForm):
    """A whole service listing, as an agency proposes it."""

    # The version the editor started from: a save based on an older one is refused.
    base_version = HiddenField(validators=[Length(max=20)])
    base_pending = HiddenField(validators=[Length(max=20)])

    name = StringField(
        "Name of the service",
        validators=[DataRequired("Enter the name of the service."), Length(max=longest("name"))],
    )
    description = TextAreaField(
        "What the service does", validators=[Length(max=longest("description"))], render_kw={"rows": 5}
    )
    alert = TextAreaField(
        "Alert (optional)",
        validators=[Length(max=longest("alert"))],
        render_kw={"rows": 2},
        description="Shown at the top of the listing, e.g. “Closed on bank holidays”.",
    )
    url = StringField(
        "Website",
        validators=[Optional(), Length(max=longest("url")), check_web_address],
        render_kw={"type": "url", "autocomplete": "url"},
    )
    email = StringField(
        "Email address",
        validators=[
            Optional(),
            Length(max=longest("email")),
            Email("Enter an email address, like clinic@example.nhs.uk.", check_deliverability=False),
        ],
        render_kw={"type": "email"},
    )
    application_process = TextAreaField(
        "How to get help", render_kw={"rows": 3}, validators=[Length(max=longest("application_process"))]
    )
    eligibility_description = TextAreaField(
        "Who can use it", render_kw={"rows": 3}, validators=[Length(max=longest("eligibility_description"))]
    )
    minimum_age = IntegerField(
        "Minimum age (optional)",
        validators=[Optional(), NumberRange(0, 120, "Enter an age from 0 to 120.")],
        render_kw={"inputmode": "numeric"},
    )
    maximum_age = IntegerField(
        "Maximum age (optional)",
        validators=[Optional(), NumberRange(0, 120, "Enter an age from 0 to 120.")],
        render_kw={"inputmode": "numeric"},
    )
    fees_description = StringField("Fees", validators=[Length(max=longest("fees_description"))])
    languages = StringField(
        "Languages", validators=[Length(max=longest("languages"))], description="Separate them with commas."
    )
    accessibility = TextAreaField(
        "Accessibility", render_kw={"rows": 2}, validators=[Length(max=longest("accessibility"))]
    )
    catchment = RadioField(
        "Who may use it, by where they live",
        choices=[SelectChoice(code, Catchment.LABELS[code]) for code in Catchment.ALL],
        validators=[InputRequired("Choose who may use the service.")],
    )
    catchment_boroughs = MultiCheckboxField("Boroughs whose residents may use it", choices=_borough_choices)
    # One set of checkboxes per vocabulary, each named `dimension.field` (checked below the class).
    service_types = _ticks(dimensions.SERVICE_TYPE)
    audiences = _ticks(dimensions.AUDIENCE)
    referral_routes = _ticks(dimensions.REFERRAL_ROUTE)
    delivery = _ticks(dimensions.DELIVERY)
    phones = Rows(
        FormField(PhoneForm),
        min_entries=0,
        most=MOST_PHONES,
        message=f"Enter at most {MOST_PHONES} phone numbers: leave the rest blank.",
    )
    locations = Rows(
        FormField(LocationForm),
        min_entries=0,
        most=MOST_LOCATIONS,
        message=f"A listing takes at most {MOST_LOCATIONS} locations: tick “Remove” on the ones to drop.",
    )
    reason = TextAreaField(
        "What changed and why (for the admin who reviews it)",
        render_kw={"rows": 2},
        validators=[Length(max=2000)],
    )

    save = SubmitField("Send for review")
    add_location = SubmitField("Add another location")
    add_rows = SubmitField("Add more rows")


    @property
    def vocabularies(self) -> list:
        """Return the checkboxes of each vocabulary, in the dimensions table's order."""
        return [self[d.field] for d in dimensions.TAXONOMIES]
    def validate_maximum_age(self, field):
        if (
            field.data is not None
            and self.minimum_age.data is not None
            and self.minimum_age.data > field.data
        ):
            raise ValidationError("The maximum age must not be below the minimum age.")

    def validate_catchment_boroughs(self, field):
        if self.catchment.data == Catchment.BOROUGHS and not field.data:
            raise ValidationError("Tick the boroughs whose residents may use the service.")

    def validate_service_types(self, field):
        if not field.data:
            raise ValidationError("Tick at least one type of help.")

    @property
    def wants_more_rows(self) -> bool:
        """Whether the editor asked for another location or more rows rather than to save."""
        return bool(self.add_location.data or self.add_rows.data)

    def add_spares(self, extra_location: bool = False, extra_rows: bool = False) -> None:
        """Add blank rows, so phones and opening times can be added without JavaScript."""
        if extra_location:
            self.locations.append_entry({"location_type": "physical", "city": "London"})
        phone_blanks = sum(1 for entry in self.phones if blank(entry.form.number.data))
        for _ in range(max(0, 1 - phone_blanks) + (1 if extra_rows else 0)):
            self.phones.append_entry()
        for entry in self.locations:
            blanks = sum(1 for s in entry.form.sessions if s.form.is_blank())
            wanted = SPARE_SESSION_ROWS + (3 if extra_rows else 0)
            for _ in range(max(0, wanted - blanks)):
                entry.form.sessions.append_entry()

    @classmethod
    def from_snapshot(
        cls, snapshot: listing.Snapshot, version: int, pending_id: int, **kwargs
    ) -> "ServiceForm":
        """Return a form filled from a listing snapshot (on GET) or from the request (on POST)."""
        if request.method == "POST":
            return cls(**kwargs)
        return cls(data=form_data(snapshot, version, pending_id), **kwargs)

    def to_snapshot(self, start: listing.Snapshot, allowed_location_ids: set[str]) -> listing.Snapshot:
        """Return the listing the form describes, shaped like `listing.take`."""
        # Keys in the order stored proposals hold them: what the form keeps, then what it shows.
        data = {f.key: start.get(f.key) for f in listing.SERVICE_FIELDS if f.kind == KEPT}
        for f in listing.SERVICE_FIELDS:
            if f.kind != KEPT:
                data[f.key] = typed(f.kind, getattr(self, f.key).data)
        data[listing.CATCHMENT_BOROUGHS.key] = (
            sorted(self.catchment_boroughs.data or []) if self.catchment.data == Catchment.BOROUGHS else []
        )
        data[listing.TERMS.key] = {
            d.vocabulary: sorted(getattr(self, d.field).data or []) for d in dimensions.TAXONOMIES
        }
        data[listing.PHONES.key] = [p for p in (entry.form.phone() for entry in self.phones) if p]
        start_locations = {loc["id"]: loc for loc in start.get("locations", []) if loc.get("id")}
        data[listing.LOCATIONS.key] = [
            entry.form.snapshot(start_locations, allowed_location_ids)
            for entry in self.locations
            if not entry.form.remove.data
        ]
        return data


_unticked = [d.field for d in dimensions.TAXONOMIES if not hasattr(ServiceForm, d.field)]
if _unticked:  # a vocabulary added to the dimensions table needs its checkboxes on the form
    raise RuntimeError(f"ServiceForm has no checkboxes for {', '.join(_unticked)}")


class NewServiceForm(ServiceForm):
    """A service an agency proposes to add."""

    organisation_id = SelectField("Organisation", validators=[InputRequired()])
    save = SubmitField("Send for review")


def form_data(snapshot: listing.Snapshot, version: int, pending_id: int) -> dict:
    """Return the form's initial data from a listing snapshot."""
    terms = snapshot.get(listing.TERMS.key) or {}
    data = {f.key: snapshot.get(f.key) for f in listing.SERVICE_FIELDS if f.kind in (TEXT, OPTIONAL, NUMBER)}
    data.update(
        base_version=str(version),
        base_pending=str(pending_id or 0),
        catchment=snapshot.get("catchment") or Catchment.OPEN_ACCESS,
        catchment_boroughs=list(snapshot.get(listing.CATCHMENT_BOROUGHS.key) or []),
        phones=[dict(p) for p in snapshot.get(listing.PHONES.key) or []],
        locations=[location_data(loc) for loc in snapshot.get(listing.LOCATIONS.key) or []],
    )
    for dimension in dimensions.TAXONOMIES:
        data[dimension.field] = list(terms.get(dimension.vocabulary) or [])
    return data


def blank_snapshot(organisation_id: str) -> listing.Snapshot:
    """Return the starting point for a proposed new service."""
    return {
        "organisation_id": organisation_id,
        "status": "active",
        "is_published": False,
        "catchment": Catchment.OPEN_ACCESS,
        "fees_description": "Free",
        "languages": "English",
        "locations": [{"id": None, "location_type": "physical", "city": "London", "schedules": []}],
    }


class CloseForm(DirectoryForm):
    """Ask an admin to mark a service closed."""

    base_version = HiddenField(validators=[Length(max=20)])
    status = RadioField(
        "Has the service closed for good?",
        choices=[SelectChoice(code, label) for code, label in CLOSURE_STATUSES.items()],
        validators=[InputRequired("Choose whether the service has closed for good or for now.")],
    )
    reason = TextAreaField(
        "Why is it closing, and from when?",
        render_kw={"rows": 3},
        validators=[DataRequired("Say why the service is closing."), Length(max=2000)],
    )
    submit = SubmitField("Send for review")


class ConfirmForm(DirectoryForm):
    """A button that only needs CSRF protection (e.g. "Still accurate")."""

    submit = SubmitField("Confirm")
