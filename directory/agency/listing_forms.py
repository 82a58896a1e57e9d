"""Rows of the agency listing form: a location with its weekly opening sessions, and a phone number.

Each row reads and writes its part of a listing snapshot (`listing.LocationSnapshot` and the rest).
"""

import re
from datetime import time

import phonenumbers
from sqlalchemy import select
from wtforms import (
    BooleanField,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from .. import contact_details, geo, hours, listing, plain_text
from ..extensions import db
from ..forms import PlainForm, Rows
from ..listing.fields import CHOICE, KEPT, LOCATION_PARTS, OPTIONAL, POSTCODE, TEXT, longest
from ..models import LOCATION_TYPES, WEEKDAYS, Borough

_TIME = re.compile(r"^\s*([01]?\d|2[0-3])[:.]?([0-5]\d)\s*$")
# The most opening sessions one location takes: four a day, every day, and a couple more.
MOST_SESSIONS = 30


def _longest(key: str) -> int:
    return longest(key, LOCATION_PARTS)


def _borough_code_choices():
    boroughs = db.session.scalars(select(Borough).order_by(Borough.name)).all()
    return [SelectChoice("", "Not known or not in a borough")] + [
        SelectChoice(b.ons_code, b.name) for b in boroughs
    ]


def _parse_time(text: str) -> time | None:
    match = _TIME.match(text or "")
    if not match:
        return None
    return time(int(match.group(1)), int(match.group(2)))


def check_web_address(form, field):
    """Accept only complete http(s) addresses (the rule imports follow too)."""
    problem = contact_details.web_address_problem(field.data) if field.data else None
    if problem:
        raise ValidationError(problem)


def blank(value) -> bool:
    """Return whether a typed value is empty or only spaces."""
    # A lone control character (a stray line break) is not blank: the row is checked and says so.
    return value is None or (str(value).strip() == "" and not plain_text.has_control_characters(str(value)))


class SessionForm(PlainForm):
    """One weekly opening session; a row left blank is ignored."""

    weekday = SelectField(
        "Day",
        choices=[SelectChoice("", "Choose a day")]
        + [SelectChoice(str(i), d) for i, d in enumerate(WEEKDAYS)],
        validators=[Optional()],
    )
    opens_at = StringField(
        "Opens", validators=[Length(max=10)], render_kw={"type": "time", "placeholder": "09:00"}
    )
    closes_at = StringField(
        "Closes", validators=[Length(max=10)], render_kw={"type": "time", "placeholder": "17:00"}
    )
    note = StringField(
        "Note (optional)", validators=[Length(max=200)], render_kw={"placeholder": "e.g. walk-in"}
    )

    def is_blank(self) -> bool:
        """Return whether the row was left empty."""
        return all(blank(f.data) for f in (self.weekday, self.opens_at, self.closes_at, self.note))

    left_out = is_blank

    def validate(self, extra_validators=None):
        if self.is_blank():
            return True
        ok = super().validate(extra_validators)
        if blank(self.weekday.data):
            self.weekday.errors.append("Choose the day.")
            ok = False
        for field in (self.opens_at, self.closes_at):
            if blank(field.data):
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

    def session(self) -> listing.ScheduleSnapshot | None:
        """Return the session as snapshot data, or None for a blank row."""
        if self.is_blank():
            return None
        return {
            "weekday": int(self.weekday.data),
            "opens_at": _parse_time(self.opens_at.data).strftime("%H:%M"),
            "closes_at": _parse_time(self.closes_at.data).strftime("%H:%M"),
            "note": (self.note.data or "").strip(),
        }


class LocationForm(PlainForm):
    """A place the service runs, with its weekly opening times."""

    id = HiddenField(validators=[Length(max=36)])
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
    name = StringField("Name of the place (optional)", validators=[Length(max=_longest("name"))])
    address_1 = StringField("Address", validators=[Length(max=_longest("address_1"))])
    address_2 = StringField("Address line 2 (optional)", validators=[Length(max=_longest("address_2"))])
    city = StringField("Town or city", validators=[Length(max=_longest("city"))])
    postcode = StringField(
        "Postcode", validators=[Length(max=_longest("postcode"))], render_kw={"autocomplete": "postal-code"}
    )
    borough_code = SelectField("Borough (used when there is no postcode)", choices=_borough_code_choices)
    url = StringField(
        "Web address (for online services)", validators=[Length(max=_longest("url")), check_web_address]
    )
    hours_note = TextAreaField(
        "Note on opening times (optional)",
        validators=[Length(max=_longest("hours_note"))],
        render_kw={"rows": 2},
        description="For example: “By appointment” or “Walk-in times change weekly”.",
    )
    sessions = Rows(
        FormField(SessionForm),
        min_entries=0,
        most=MOST_SESSIONS,
        message=f"Enter at most {MOST_SESSIONS} opening times for one location: leave the rest blank.",
    )

    place: geo.Place | None = None

    def left_out(self) -> bool:
        """Return whether the editor ticked this location for removal."""
        return bool(self.remove.data)

    def validate(self, extra_validators=None):
        if self.remove.data:
            return True
        ok = super().validate(extra_validators)
        self.place = None
        if self.location_type.data not in LOCATION_TYPES:
            return False
        if not blank(self.postcode.data):
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
            and blank(self.address_1.data)
            and blank(self.postcode.data)
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
            section = self.sessions.section_errors
            self.sessions.errors = [entry.errors for entry in self.sessions.entries] + section
        return ok

    def snapshot(self, start_locations: dict, allowed_ids: set[str]) -> listing.LocationSnapshot:
        """Return the location as snapshot data; what the form does not show comes from `start_locations`."""
        # An id the service does not own (a tampered hidden field) becomes a new location.
        location_id = self.id.data if self.id.data in allowed_ids else None
        before = start_locations.get(location_id) or {}
        postcode = (self.postcode.data or "").strip()
        if postcode and self.place is not None:
            postcode = self.place.query
            if postcode == before.get("postcode") and before.get("latitude") is not None:
                borough_code, latitude, longitude = (
                    before["borough_code"],
                    before["latitude"],
                    before["longitude"],
                )
            else:
                borough_code, latitude, longitude = (
                    self.place.borough_code,
                    self.place.latitude,
                    self.place.longitude,
                )
        else:
            borough_code = self.borough_code.data or None
            same_place = borough_code == before.get("borough_code") and not before.get("postcode")
            latitude = before.get("latitude") if same_place else None
            longitude = before.get("longitude") if same_place else None
        sessions = [s for s in (entry.form.session() for entry in self.sessions) if s]
        values = {
            "postcode": postcode or None,
            "borough_code": borough_code,
            "latitude": latitude,
            "longitude": longitude,
            "schedules": sorted(sessions, key=lambda s: (s["weekday"], s["opens_at"])),
        }
        for field in listing.LOCATION_PARTS:
            if field.kind == KEPT:
                values[field.key] = before.get(field.key, "")
            elif field.kind in (CHOICE, TEXT, OPTIONAL):
                values[field.key] = typed(field.kind, getattr(self, field.key).data)
        return {"id": location_id, **{field.key: values[field.key] for field in listing.LOCATION_PARTS}}


def location_data(loc: listing.LocationSnapshot) -> dict:
    """Return a location form's initial data from a location snapshot."""
    data = {
        field.key: loc.get(field.key) or ""
        for field in listing.LOCATION_PARTS
        if field.kind in (CHOICE, TEXT, OPTIONAL, POSTCODE)
    }
    return {
        "id": loc.get("id") or "",
        **data,
        # A borough is chosen only for a place without a postcode; otherwise the postcode says it.
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


def typed(kind: str, value):
    """Return what a snapshot holds for a value typed into a field of this kind."""
    if kind == TEXT:
        return (value or "").strip()
    if kind == OPTIONAL:
        return (value or "").strip() or None
    return value


def _overlaps(a: hours.Session, b: hours.Session) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a.minute_ranges() for s2, e2 in b.minute_ranges())


class PhoneForm(PlainForm):
    """A UK phone number; a row left blank is ignored."""

    number = StringField(
        "Phone number", validators=[Length(max=40)], render_kw={"type": "tel", "autocomplete": "tel"}
    )
    description = StringField(
        "What it is for (optional)",
        validators=[Length(max=200)],
        render_kw={"placeholder": "e.g. Appointments"},
    )

    def left_out(self) -> bool:
        """Return whether the row was left empty."""
        return blank(self.number.data) and blank(self.description.data)

    def validate_number(self, field):
        if blank(field.data):
            if not blank(self.description.data):
                raise ValidationError("Enter the phone number, or clear its description.")
            return
        try:
            parsed = phonenumbers.parse(field.data, "GB")
        except phonenumbers.NumberParseException:
            parsed = None
        if parsed is None or not phonenumbers.is_valid_number(parsed):
            raise ValidationError("Enter a UK phone number, like 020 7946 0000 or 0800 123 4567.")

    def phone(self) -> listing.PhoneSnapshot | None:
        """Return the phone as snapshot data, or None for a blank row."""
        if blank(self.number.data):
            return None
        parsed = phonenumbers.parse(self.number.data, "GB")
        if parsed.country_code == 44:
            number = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        else:
            number = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        return {"number": number, "description": (self.description.data or "").strip()}


