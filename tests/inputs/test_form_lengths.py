"""Every text field of every form says how long it may be, and fits the column it is stored in."""

import importlib
import pkgutil

from sqlalchemy import Column
from wtforms import StringField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

import directory
from directory.forms import DirectoryForm, PlainForm
from directory.models import (
    Location,
    Organisation,
    Phone,
    ProblemReport,
    Revision,
    Schedule,
    Service,
    ServiceAtLocation,
    User,
)


def _import_every_module():
    for module in pkgutil.walk_packages(directory.__path__, "directory."):
        if not module.name.startswith("directory.commands"):
            importlib.import_module(module.name)


def _every_form() -> list[type]:
    _import_every_module()
    found, waiting = [], [DirectoryForm, PlainForm]
    while waiting:
        for sub in waiting.pop().__subclasses__():
            waiting.append(sub)
            if sub.__module__.startswith("directory."):
                found.append(sub)
    return found


def _text_fields(form_class) -> dict[str, UnboundField]:
    return {
        name: value
        for name in dir(form_class)
        if isinstance(value := getattr(form_class, name), UnboundField)
        and issubclass(value.field_class, StringField)
    }


def _longest(unbound: UnboundField) -> int | None:
    validators = unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else ())
    maxima = [v.max for v in validators if isinstance(v, Length) and v.max not in (None, -1)]
    return min(maxima) if maxima else None


# Which tables each form writes: a field stores into the column of the same name, unless named here.
WRITES = {
    "ServiceForm": (Service,),
    "NewServiceForm": (Service,),
    "LocationForm": (Location, ServiceAtLocation),
    "SessionForm": (Schedule,),
    "PhoneForm": (Phone,),
    "OrganisationForm": (Organisation,),
    "InviteForm": (User,),
    "LoginForm": (User,),
}
STORED_AS: dict[tuple[str, str], Column] = {
    ("ServiceForm", "reason"): Revision.__table__.c.reason,
    ("NewServiceForm", "reason"): Revision.__table__.c.reason,
    ("CloseForm", "reason"): Revision.__table__.c.reason,
    ("RestoreForm", "reason"): Revision.__table__.c.reason,
    ("ApproveForm", "note"): Revision.__table__.c.review_note,
    ("RejectForm", "reason"): Revision.__table__.c.review_note,
    ("ResolveForm", "note"): ProblemReport.__table__.c.resolution_note,
    ("ReportForm", "message"): ProblemReport.__table__.c.message,
    ("ReportForm", "contact_email"): ProblemReport.__table__.c.contact_email,
    ("LocationForm", "id"): Location.__table__.c.id,
}


def _column(form_class, name) -> Column | None:
    if (form_class.__name__, name) in STORED_AS:
        return STORED_AS[form_class.__name__, name]
    for model in WRITES.get(form_class.__name__, ()):
        if name in model.__table__.c:
            return model.__table__.c[name]
    return None


def test_the_walk_finds_the_forms_of_every_area():
    names = {f.__name__ for f in _every_form()}
    assert {"ServiceForm", "LocationForm", "SessionForm", "PhoneForm", "ReportForm", "OrganisationForm",
            "LoginForm", "CloseForm"} <= names


def test_every_text_field_of_every_form_says_how_long_it_may_be():
    missing = [
        f"{form_class.__module__}.{form_class.__name__}.{name}"
        for form_class in _every_form()
        for name, unbound in _text_fields(form_class).items()
        if _longest(unbound) is None
    ]
    assert missing == [], "give each a Length(max=...) that fits where it is stored"


def test_no_text_field_takes_more_than_its_column_holds():
    too_long = []
    for form_class in _every_form():
        for name, unbound in _text_fields(form_class).items():
            column = _column(form_class, name)
            length = getattr(column.type, "length", None) if column is not None else None
            if length is not None and (_longest(unbound) or 0) > length:
                too_long.append(f"{form_class.__name__}.{name}: {_longest(unbound)} > {length} in {column}")
    assert too_long == []


def test_the_forms_lengths_come_from_the_listing_field_table():
    from directory import listing
    from directory.agency.forms import ServiceForm
    from directory.agency.listing_forms import LocationForm

    for field in listing.SERVICE_FIELDS:
        if field.max_length is not None:
            assert _longest(getattr(ServiceForm, field.key)) == field.max_length, field.key
    for field in listing.LOCATION_PARTS:
        if field.max_length is not None:
            assert _longest(getattr(LocationForm, field.key)) == field.max_length, field.key
