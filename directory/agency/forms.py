"""Forms for agency editors: a service listing with its locations, hours and phones."""

import re
from datetime import time
from urllib.parse import urlparse

import phonenumbers
from flask import request
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    FieldList,
    Form,
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

from .. import geo, hours, reference
from ..extensions import db
from ..models import LOCATION_TYPES, WEEKDAYS, Borough, Catchment
from ..moderation import CLOSURE_STATUSES

_TIME = re.compile(r"^\s*([01]?\d|2[0-3])[:.]?([0-5]\d)\s*$")
SPARE_SESSION_ROWS = 2
VOCABULARY_FIELDS = {
    "service-type": "service_types",
    "audience": "audiences",
    "referral-route": "referral_routes",
    "delivery": "delivery",
}


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (works without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _borough_choices():
    boroughs = db.session.scalars(select(Borough).order_by(Borough.name)).all()
    return [SelectChoice(b.slug, b.name) for b in boroughs]


def _borough_code_choices():
    boroughs = db.session.scalars(select(Borough).order_by(Borough.name)).all()
    return [SelectChoice("", "Not known or not in a borough")] + [
        SelectChoice(b.ons_code, b.name) for b in boroughs
    ]


def _term_choices(vocabulary):
    def choices():
        return [SelectChoice(t.code, t.name) for t in reference.terms_by_vocabulary().get(vocabulary, [])]

    return choices


def _parse_time(text: str) -> time | None:
    match = _TIME.match(text or "")
    if not match:
        return None
    return time(int(match.group(1)), int(match.group(2)))


def check_web_address(form, field):
    """Accept only complete http(s) addresses."""
    if not field.data:
        return
    value = field.data.strip()
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or "." not in parsed.netloc or " " in value:
        raise ValidationError(
            "Enter a full web address starting with https://, like https://www.example.org."
        )


def _blank(value) -> bool:
    return value is None or str(value).strip() == ""


class SessionForm(Form):
    """One weekly opening session; a row left blank is ignored."""

    weekday = SelectField(
        "Day",
        choices=[SelectChoice("", "Choose a day")]
        + [SelectChoice(str(i), d) for i, d in enumerate(WEEKDAYS)],
        validators=[Optional()],
    )
    opens_at = StringField("Opens", render_kw={"type": "time", "placeholder": "09:00"})
    closes_at = StringField("Closes", render_kw={"type": "time", "placeholder": "17:00"})
    note = StringField(
        "Note (optional)", validators=[Length(max=200)], render_kw={"placeholder": "e.g. walk-in"}
    )

    def is_blank(self) -> bool:
        return all(_blank(f.data) for f in (self.weekday, self.opens_at, self.closes_at, self.note))

    def validate(self, extra_validators=None):
        if self.is_blank():
            return True
        ok = super().validate(extra_validators)
        if _blank(self.weekday.data):
            self.weekday.errors.append("Choose the day.")
            ok = False
        for field in (self.opens_at, self.closes_at):
            if _blank(field.data):
                field.errors.append(
                    f"Enter the time it {'opens' if field is self.opens_at else 'closes'}, like 09:00."
                )
                ok = False
            elif _parse_time(field.data) is None:
                field.errors.append("Enter a time on the 24-hour clock, like 09:00 or 17:30.")
                ok = False
        if ok:
            opens, closes = _parse_time(self.opens_at.data), _parse_time(self.closes_at.data)
            if opens == closes and opens != time(0, 0):
                self.closes_at.errors.append(
                    "The closing time is the same as the opening time. For a whole day use 00:00 to 00:00."
                )
                ok = False
        return ok

    def session(self) -> dict | None:
        """Return the session as snapshot data, or None for a blank row."""
        if self.is_blank():
            return None
        return {
            "weekday": int(self.weekday.data),
            "opens_at": _parse_time(self.opens_at.data).strftime("%H:%M"),
            "closes_at": _parse_time(self.closes_at.data).strftime("%H:%M"),
            "note": (self.note.data or "").strip(),
        }


class LocationForm(Form):
    """A place the service runs, with its weekly opening times."""

    id = HiddenField()
    remove = BooleanField("Remove this location from the listing")
    location_type = SelectField(
        "Kind of location",
        choices=[
            SelectChoice("physical", "A building people visit"),
            SelectChoice("virtual", "Phone or online"),
            SelectChoice("postal", "By post"),
        ],
        validators=[InputRequired()],
    )
    name = StringField("Name of the place (optional)", validators=[Length(max=200)])
    address_1 = StringField("Address", validators=[Length(max=200)])
    address_2 = StringField("Address line 2 (optional)", validators=[Length(max=200)])
    city = StringField("Town or city", validators=[Length(max=100)])
    postcode = StringField("Postcode", validators=[Length(max=10)], render_kw={"autocomplete": "postal-code"})
    borough_code = SelectField("Borough (used when there is no postcode)", choices=_borough_code_choices)
    url = StringField("Web address (for online services)", validators=[Length(max=300), check_web_address])
    hours_note = TextAreaField(
        "Note on opening times (optional)",
        render_kw={"rows": 2},
        description="For example: “By appointment” or “Walk-in times change weekly”.",
    )
    sessions = FieldList(FormField(SessionForm), min_entries=0)

    place: geo.Place | None = None

    def validate(self, extra_validators=None):
        if self.remove.data:
            return True
        ok = super().validate(extra_validators)
        self.place = None
        if self.location_type.data not in LOCATION_TYPES:
            return False
        if not _blank(self.postcode.data):
            try:
                self.place = geo.lookup(self.postcode.data)
            except geo.PostcodeError as exc:
                self.postcode.errors.append(str(exc))
                ok = False
            else:
                if geo.parse_postcode(self.postcode.data).full is None:
                    self.postcode.errors.append("Enter the full postcode, like SW9 8BS.")
                    ok = False
        if (
            self.location_type.data == "physical"
            and _blank(self.address_1.data)
            and _blank(self.postcode.data)
        ):
            self.address_1.errors.append("Enter the address or the postcode of the building.")
            ok = False
        return self._check_sessions() and ok

    def _check_sessions(self) -> bool:
        seen: list[hours.Session] = []
        ok = True
        for entry in self.sessions:
            row = entry.form
            data = row.session() if not row.errors and not row.is_blank() else None
            if data is None:
                continue
            current = hours.Session(
                data["weekday"], time.fromisoformat(data["opens_at"]), time.fromisoformat(data["closes_at"])
            )
            for other in seen:
                if _overlaps(current, other):
                    span = f"{WEEKDAYS[other.weekday]} {other.opens_at:%H:%M}–{other.closes_at:%H:%M}"
                    row.opens_at.errors.append(
                        f"This overlaps {span}. Join them into one session or change the times."
                    )
                    ok = False
                    break
            seen.append(current)
        if not ok:
            # FieldList gathered its rows' errors before these were found: gather them again.
            self.sessions.errors = [entry.errors for entry in self.sessions.entries]
        return ok


def _overlaps(a: hours.Session, b: hours.Session) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a.minute_ranges() for s2, e2 in b.minute_ranges())


class PhoneForm(Form):
    """A UK phone number; a row left blank is ignored."""

    number = StringField(
        "Phone number", validators=[Length(max=40)], render_kw={"type": "tel", "autocomplete": "tel"}
    )
    description = StringField(
        "What it is for (optional)",
        validators=[Length(max=200)],
        render_kw={"placeholder": "e.g. Appointments"},
    )

    def validate_number(self, field):
        if _blank(field.data):
            if not _blank(self.description.data):
                raise ValidationError("Enter the phone number, or clear its description.")
            return
        try:
            parsed = phonenumbers.parse(field.data, "GB")
        except phonenumbers.NumberParseException:
            parsed = None
        if parsed is None or not phonenumbers.is_valid_number(parsed):
            raise ValidationError("Enter a UK phone number, like 020 7946 0000 or 0800 123 4567.")

    def phone(self) -> dict | None:
        if _blank(self.number.data):
            return None
        parsed = phonenumbers.parse(self.number.data, "GB")
        if parsed.country_code == 44:
            number = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        else:
            number = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        return {"number": number, "description": (self.description.data or "").strip()}


class ServiceForm(FlaskForm):
    """A whole service listing, as an agency proposes it."""

    # The version the editor started from: a save based on an older one is refused.
    base_version = HiddenField()
    base_pending = HiddenField()

    name = StringField(
        "Name of the service", validators=[DataRequired("Enter the name of the service."), Length(max=200)]
    )
    description = TextAreaField("What the service does", validators=[Length(max=5000)], render_kw={"rows": 5})
    alert = TextAreaField(
        "Alert (optional)",
        validators=[Length(max=1000)],
        render_kw={"rows": 2},
        description="Shown at the top of the listing, e.g. “Closed on bank holidays”.",
    )
    url = StringField(
        "Website",
        validators=[Optional(), Length(max=300), check_web_address],
        render_kw={"type": "url", "autocomplete": "url"},
    )
    email = StringField(
        "Email address",
        validators=[
            Optional(),
            Length(max=200),
            Email("Enter an email address, like clinic@example.nhs.uk.", check_deliverability=False),
        ],
        render_kw={"type": "email"},
    )
    application_process = TextAreaField(
        "How to get help", render_kw={"rows": 3}, validators=[Length(max=3000)]
    )
    eligibility_description = TextAreaField(
        "Who can use it", render_kw={"rows": 3}, validators=[Length(max=3000)]
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
    fees_description = StringField("Fees", validators=[Length(max=500)])
    languages = StringField(
        "Languages", validators=[Length(max=300)], description="Separate them with commas."
    )
    accessibility = TextAreaField("Accessibility", render_kw={"rows": 2}, validators=[Length(max=2000)])
    catchment = RadioField(
        "Who may use it, by where they live",
        choices=[SelectChoice(code, Catchment.LABELS[code]) for code in Catchment.ALL],
        validators=[InputRequired("Choose who may use the service.")],
    )
    catchment_boroughs = MultiCheckboxField("Boroughs whose residents may use it", choices=_borough_choices)
    service_types = MultiCheckboxField("Types of help", choices=_term_choices("service-type"))
    audiences = MultiCheckboxField("Who it is for", choices=_term_choices("audience"))
    referral_routes = MultiCheckboxField("How to get in", choices=_term_choices("referral-route"))
    delivery = MultiCheckboxField("How it is delivered", choices=_term_choices("delivery"))
    phones = FieldList(FormField(PhoneForm), min_entries=0)
    locations = FieldList(FormField(LocationForm), min_entries=0)
    reason = TextAreaField(
        "What changed and why (for the admin who reviews it)",
        render_kw={"rows": 2},
        validators=[Length(max=2000)],
    )

    save = SubmitField("Send for review")
    add_location = SubmitField("Add another location")
    add_rows = SubmitField("Add more rows")

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
        phone_blanks = sum(1 for entry in self.phones if _blank(entry.form.number.data))
        for _ in range(max(0, 1 - phone_blanks) + (1 if extra_rows else 0)):
            self.phones.append_entry()
        for entry in self.locations:
            blanks = sum(1 for s in entry.form.sessions if s.form.is_blank())
            wanted = SPARE_SESSION_ROWS + (3 if extra_rows else 0)
            for _ in range(max(0, wanted - blanks)):
                entry.form.sessions.append_entry()

    @classmethod
    def from_snapshot(cls, snapshot: dict, version: int, pending_id: int, **kwargs) -> "ServiceForm":
        """Return a form filled from a listing snapshot (on GET) or from the request (on POST)."""
        if request.method == "POST":
            return cls(**kwargs)
        return cls(data=form_data(snapshot, version, pending_id), **kwargs)

    def to_snapshot(self, start: dict, allowed_location_ids: set[str]) -> dict:
        """Return the listing the form describes, shaped like `revisions.snapshot`."""
        data = {
            **{key: start.get(key) for key in ("organisation_id", "status", "is_published")},
            "name": self.name.data.strip(),
            "description": _text(self.description.data),
            "alert": _text(self.alert.data),
            "url": (self.url.data or "").strip() or None,
            "email": (self.email.data or "").strip() or None,
            "application_process": _text(self.application_process.data),
            "eligibility_description": _text(self.eligibility_description.data),
            "minimum_age": self.minimum_age.data,
            "maximum_age": self.maximum_age.data,
            "fees_description": _text(self.fees_description.data),
            "languages": _text(self.languages.data),
            "accessibility": _text(self.accessibility.data),
            "catchment": self.catchment.data,
            "catchment_boroughs": sorted(self.catchment_boroughs.data or [])
            if self.catchment.data == Catchment.BOROUGHS
            else [],
            "terms": {
                vocab: sorted(getattr(self, name).data or []) for vocab, name in VOCABULARY_FIELDS.items()
            },
            "phones": [p for p in (entry.form.phone() for entry in self.phones) if p],
        }
        start_locations = {loc["id"]: loc for loc in start.get("locations", []) if loc.get("id")}
        data["locations"] = [
            _location(entry.form, start_locations, allowed_location_ids)
            for entry in self.locations
            if not entry.form.remove.data
        ]
        return data


class NewServiceForm(ServiceForm):
    """A service an agency proposes to add."""

    organisation_id = SelectField("Organisation", validators=[InputRequired()])
    save = SubmitField("Send for review")


def _text(value) -> str:
    return (value or "").strip()


def _location(form: LocationForm, start_locations: dict, allowed_ids: set[str]) -> dict:
    # An id the service does not own (a tampered hidden field) becomes a new location.
    location_id = form.id.data if form.id.data in allowed_ids else None
    before = start_locations.get(location_id) or {}
    postcode = (form.postcode.data or "").strip()
    if postcode and form.place is not None:
        postcode = form.place.query
        if postcode == before.get("postcode") and before.get("latitude") is not None:
            borough_code, latitude, longitude = (
                before["borough_code"],
                before["latitude"],
                before["longitude"],
            )
        else:
            borough_code, latitude, longitude = (
                form.place.borough_code,
                form.place.latitude,
                form.place.longitude,
            )
    else:
        borough_code = form.borough_code.data or None
        same_place = borough_code == before.get("borough_code") and not before.get("postcode")
        latitude = before.get("latitude") if same_place else None
        longitude = before.get("longitude") if same_place else None
    sessions = [s for s in (entry.form.session() for entry in form.sessions) if s]
    return {
        "id": location_id,
        "location_type": form.location_type.data,
        "name": _text(form.name.data),
        "description": before.get("description", ""),
        "address_1": _text(form.address_1.data),
        "address_2": _text(form.address_2.data),
        "city": _text(form.city.data),
        "postcode": postcode or None,
        "borough_code": borough_code,
        "latitude": latitude,
        "longitude": longitude,
        "url": (form.url.data or "").strip() or None,
        "hours_note": _text(form.hours_note.data),
        "schedules": sorted(sessions, key=lambda s: (s["weekday"], s["opens_at"])),
    }


def form_data(snapshot: dict, version: int, pending_id: int) -> dict:
    """Return the form's initial data from a listing snapshot."""
    terms = snapshot.get("terms") or {}
    data = {
        key: snapshot.get(key)
        for key in (
            "name",
            "description",
            "alert",
            "url",
            "email",
            "application_process",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
            "fees_description",
            "languages",
            "accessibility",
        )
    }
    data.update(
        base_version=str(version),
        base_pending=str(pending_id or 0),
        catchment=snapshot.get("catchment") or Catchment.OPEN_ACCESS,
        catchment_boroughs=list(snapshot.get("catchment_boroughs") or []),
        phones=[dict(p) for p in snapshot.get("phones") or []],
        locations=[
            {
                **{
                    key: loc.get(key) or ""
                    for key in (
                        "id",
                        "location_type",
                        "name",
                        "address_1",
                        "address_2",
                        "city",
                        "postcode",
                        "url",
                        "hours_note",
                    )
                },
                "borough_code": "" if loc.get("postcode") else (loc.get("borough_code") or ""),
                "sessions": [
                    {
                        "weekday": str(s["weekday"]),
                        "opens_at": s["opens_at"],
                        "closes_at": s["closes_at"],
                        "note": s.get("note", ""),
                    }
                    for s in loc.get("schedules") or []
                ],
            }
            for loc in snapshot.get("locations") or []
        ],
    )
    for vocab, name in VOCABULARY_FIELDS.items():
        data[name] = list(terms.get(vocab) or [])
    return data


def blank_snapshot(organisation_id: str) -> dict:
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


class CloseForm(FlaskForm):
    """Ask an admin to mark a service closed."""

    base_version = HiddenField()
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


class ConfirmForm(FlaskForm):
    """A button that only needs CSRF protection (e.g. "Still accurate")."""

    submit = SubmitField("Confirm")
