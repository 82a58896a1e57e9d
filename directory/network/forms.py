"""The event form (agency proposals and admins' own edits) and the network settings admins keep.

Dates and times are typed in London time, as separate fields (friendlier on phones than one
date-and-time box); `snapshot()` turns a valid form into the snapshot moderation keeps.
"""

from datetime import date, datetime, time

from wtforms import BooleanField, EmailField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from ..agency.listing_forms import check_web_address
from ..forms import DirectoryForm
from . import events

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")
TIME_FORMATS = ("%H:%M", "%H.%M")
NO_ORGANISER = ""


def parse_date(text: str) -> date | None:
    """Return a typed date (2026-10-24 or 24/10/2026), None if blank; ValueError if not a date."""
    text = (text or "").strip()
    if not text:
        return None
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError("Enter a date like 24/10/2026.")


def parse_time(text: str) -> time | None:
    """Return a typed 24-hour time (18:30), None if blank; ValueError if not a time."""
    text = (text or "").strip()
    if not text:
        return None
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    raise ValueError("Enter a time on the 24-hour clock, like 18:30.")


def _date_field(label, required=False):
    validators = [Length(max=20)]
    if required:
        validators.insert(0, DataRequired("Enter the date the event starts, like 24/10/2026."))
    return StringField(label, validators=validators, render_kw={"type": "date", "inputmode": "numeric"})


def _time_field(label):
    return StringField(label, validators=[Length(max=10)], render_kw={"type": "time"})


class EventForm(DirectoryForm):
    title = StringField("Title", validators=[DataRequired("Enter the event's title."), Length(max=200)])
    start_date = _date_field("Date it starts", required=True)
    start_time = _time_field("Start time (optional)")
    end_date = _date_field("Date it ends (optional, if it runs over more than one day)")
    end_time = _time_field("End time (optional)")
    place = TextAreaField(
        "Where it is (optional if it is online)",
        description="The venue and address, as people should find it.",
        validators=[Length(max=1000)],
        render_kw={"rows": 2},
    )
    is_online = BooleanField("It is held online (or can be joined online)")
    audience = StringField(
        "Who it is for",
        description="For example: staff of member agencies; anyone working with people affected by chemsex.",
        validators=[Length(max=500)],
    )
    organisation = SelectField("Organiser", choices=[], validate_choice=True)
    description = TextAreaField("Description", validators=[Length(max=5000)], render_kw={"rows": 5})
    registration_url = StringField(
        "Registration link (optional)",
        description="Where people book a place, starting https://",
        validators=[Optional(), Length(max=500), check_web_address],
        render_kw={"type": "url"},
    )
    reason = TextAreaField(
        "Note for the reviewer (optional)", validators=[Length(max=2000)], render_kw={"rows": 2}
    )
    submit = SubmitField("Send for review")

    times: tuple[datetime, datetime, bool] | None = None

    def validate_place(self, field):
        if not (field.data or "").strip() and not self.is_online.data:
            raise ValidationError("Say where the event is, or tick that it is held online.")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        parsed = {}
        for name, parse in (
            ("start_date", parse_date),
            ("start_time", parse_time),
            ("end_date", parse_date),
            ("end_time", parse_time),
        ):
            field = getattr(self, name)
            if field.errors:
                continue
            try:
                parsed[name] = parse(field.data)
            except ValueError as exc:
                field.errors.append(str(exc))
        if not valid or len(parsed) < 4 or parsed["start_date"] is None:
            return False
        try:
            self.times = events.times_from_parts(**parsed)
        except events.EventTimeError as exc:
            getattr(self, exc.field).errors.append(str(exc))
            return False
        return True

    def snapshot(self) -> dict:
        """Return the event snapshot this (validated) form describes."""
        starts_at, ends_at, all_day = self.times
        return {
            "title": self.title.data.strip(),
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "all_day": all_day,
            "place": (self.place.data or "").strip(),
            "is_online": bool(self.is_online.data),
            "audience": (self.audience.data or "").strip(),
            "organisation_id": self.organisation.data or None,
            "description": (self.description.data or "").strip(),
            "registration_url": (self.registration_url.data or "").strip(),
        }

    def fill_from(self, snapshot: dict) -> None:
        """Fill the fields from an event snapshot, in London time."""
        starts = events.in_london(datetime.fromisoformat(snapshot["starts_at"]))
        ends = events.in_london(datetime.fromisoformat(snapshot["ends_at"]))
        self.title.data = snapshot["title"]
        self.start_date.data = starts.date().isoformat()
        self.end_date.data = ends.date().isoformat() if ends.date() != starts.date() else ""
        self.start_time.data = "" if snapshot.get("all_day") else f"{starts:%H:%M}"
        self.end_time.data = "" if snapshot.get("all_day") else f"{ends:%H:%M}"
        self.place.data = snapshot.get("place", "")
        self.is_online.data = bool(snapshot.get("is_online"))
        self.audience.data = snapshot.get("audience", "")
        self.organisation.data = snapshot.get("organisation_id") or NO_ORGANISER
        self.description.data = snapshot.get("description", "")
        self.registration_url.data = snapshot.get("registration_url", "")


def event_form(organisations, *, allow_none: bool, snapshot: dict | None = None, **kwargs) -> EventForm:
    """Return an event form whose organiser choices are `organisations` (and "not recorded" if allowed)."""
    form = EventForm(**kwargs)
    choices = [(o.id, o.name) for o in organisations]
    if allow_none:
        choices.insert(0, (NO_ORGANISER, "Not recorded"))
    form.organisation.choices = choices
    if snapshot is not None and not form.is_submitted():
        form.fill_from(snapshot)
    return form


class NetworkSettingsForm(DirectoryForm):
    join_email = EmailField(
        "Email address for agencies asking to join (optional)",
        validators=[
            Optional(),
            Length(max=254),
            Email("Enter an email address, like network@example.org.", check_deliverability=False),
        ],
    )
    join_details = TextAreaField(
        "How to join, in a few words (optional)",
        description="Shown on the network page. Leave both blank to say no contact has been set.",
        validators=[Length(max=2000)],
        render_kw={"rows": 4},
    )
    submit = SubmitField("Save")


class MembershipForm(DirectoryForm):
    member_since = StringField(
        "Date it joined the network",
        description="Leave blank to take it off the network.",
        validators=[Length(max=20)],
        render_kw={"type": "date"},
    )
    submit = SubmitField("Save network membership")

    joined: date | None = None

    def validate_member_since(self, field):
        try:
            self.joined = parse_date(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        if self.joined is not None and self.joined > date.today():
            raise ValidationError("The date it joined cannot be in the future.")
