"""What an import reads from each ORUK object, and the rule each value must follow: the import's field table.

A listing that arrives by import must be one the agency form could have saved, so each text field
takes the form's rule (one line or several, web or email address, no control characters) and its
longest length, read from the form itself; fields no form edits take their column's length. What
we do not read is kept as it came (the remainder), so it too must hold no control character, no
oversized text and no number JSON cannot carry. `problems(record)` says what breaks these rules,
each problem starting with the path of the field, e.g. `service_at_locations[0].location.url`.
"""

import math
from dataclasses import dataclass
from functools import lru_cache

from wtforms import TextAreaField
from wtforms.validators import Length, NumberRange

from .. import contact_details, plain_text
from ..admin.forms import OrganisationForm
from ..agency.forms import ServiceForm
from ..agency.listing_forms import LocationForm, PhoneForm
from ..models import LOCATION_TYPES, Location, Organisation, ServiceAtLocation

# Kinds of value.
LINE = "line"  # text on one line
TEXT = "text"  # text that may run over several lines
WEB = "web"  # a web address (contact_details.web_address_problem)
EMAIL = "email"  # an email address (contact_details.email_problem)
ID = "id"  # an identifier (the ORUK schema checks it is a UUID where it says so)
CHOICE = "choice"  # one of a fixed list of codes
NUMBER = "number"  # a number within a range
WHOLE = "whole"  # a whole number within a range
LIST = "list"  # a list of objects, each following the table `items`
OBJECT = "object"  # one object following the table `items`

# Deeper than any ORUK service nests (service > service_at_locations > location > addresses >
# attributes > taxonomy_term is 11 levels of JSON): more is a broken or hostile file.
MAX_DEPTH = 32
# More repeated items than any one listing has; a list this long would make the listing unusable.
MAX_ITEMS = 200


@dataclass(frozen=True)
class Imported:
    """One field of an ORUK object as an import reads it."""

    key: str  # its key in the ORUK object
    kind: str  # one of the kinds above
    max_length: int = plain_text.MAX_CHARACTERS  # for text
    items: str = ""  # for a list or an object: the table its items follow
    choices: tuple = ()  # for a choice
    low: float = 0  # for numbers: the range they must fall in
    high: float = 0
    required: bool = False  # the ORUK schema does not require it, but we cannot read the object without it
    message: str = ""  # what to say when a number is out of range


def _form_rule(form_field) -> tuple:
    """Return (kind, longest length) the agency form gives a text field."""
    kind = TEXT if issubclass(form_field.field_class, TextAreaField) else LINE
    lengths = [v.max for v in form_field.kwargs.get("validators", ()) if isinstance(v, Length) and v.max >= 0]
    return kind, (min(lengths) if lengths else plain_text.MAX_CHARACTERS)


def _column_length(column) -> int:
    return getattr(column.type, "length", None) or plain_text.MAX_CHARACTERS


def edited(key: str, form_field, kind: str = "", **options) -> Imported:
    """A text field the agency form edits: the form's rule and its longest length."""
    form_kind, length = _form_rule(form_field)
    return Imported(key, kind or form_kind, max_length=length, **options)


def stored(key: str, column, kind: str = TEXT, **options) -> Imported:
    """A text field no form edits: as long as its column takes."""
    return Imported(key, kind, max_length=_column_length(column), **options)


def _age(key: str, form_field) -> Imported:
    (limits,) = [v for v in form_field.kwargs["validators"] if isinstance(v, NumberRange)]
    return Imported(key, WHOLE, low=limits.min, high=limits.max, message=limits.message)


def _ids(*keys: str, required=("id",)) -> tuple[Imported, ...]:
    return tuple(Imported(k, ID, max_length=36, required=k in required) for k in keys)


def _lines(*keys: str) -> tuple[Imported, ...]:
    """Fields we read only to match or describe something (codes, names of areas), kept as they came."""
    return tuple(Imported(k, LINE, max_length=300) for k in keys)


COORDINATE = "A coordinate is from -180 to 180 degrees."
# The service's languages column holds the names read from `languages`, joined with commas.
LANGUAGES = edited("languages", ServiceForm.languages)

# Every ORUK object an import reads, by name, with the fields it reads from it. A field added here
# is checked, and covered by tests/interchange/test_import_properties.py, without further work.
OBJECTS: dict[str, tuple[Imported, ...]] = {
    "service": (
        *_ids("id", "organization_id"),
        edited("name", ServiceForm.name, required=True),
        edited("description", ServiceForm.description),
        edited("url", ServiceForm.url, WEB),
        edited("email", ServiceForm.email, EMAIL),
        Imported("status", CHOICE, choices=("active", "inactive", "defunct", "temporarily closed")),
        edited("fees", ServiceForm.fees_description),
        edited("fees_description", ServiceForm.fees_description),
        _age("minimum_age", ServiceForm.minimum_age),
        _age("maximum_age", ServiceForm.maximum_age),
        edited("alert", ServiceForm.alert),
        Imported("last_modified", LINE, max_length=40),
        edited("application_process", ServiceForm.application_process),
        edited("eligibility_description", ServiceForm.eligibility_description),
        edited("accessibility_description", ServiceForm.accessibility),
        Imported("schedules", LIST, items="schedule"),
        Imported("service_areas", LIST, items="service_area"),
        Imported("service_at_locations", LIST, items="service_at_location"),
        Imported("languages", LIST, items="language"),
        Imported("phones", LIST, items="phone"),
        Imported("attributes", LIST, items="attribute"),
        Imported("organization", OBJECT, items="organization"),
    ),
    "organization": (
        *_ids("id"),
        edited("name", OrganisationForm.name, required=True),
        stored("description", Organisation.description),
        edited("email", OrganisationForm.email, EMAIL),
        edited("website", OrganisationForm.website, WEB),
    ),
    "service_at_location": (
        *_ids("id", "location_id"),
        stored("description", ServiceAtLocation.description),
        Imported("location", OBJECT, items="location"),
        Imported("schedules", LIST, items="schedule"),
    ),
    "location": (
        *_ids("id"),
        Imported("location_type", CHOICE, choices=LOCATION_TYPES),
        edited("name", LocationForm.name),
        stored("description", Location.description),
        # Degrees, held only to what keeps distance sums finite: ORUK's own example has latitude 100.
        Imported("latitude", NUMBER, low=-180, high=180, message=COORDINATE),
        Imported("longitude", NUMBER, low=-180, high=180, message=COORDINATE),
        edited("url", LocationForm.url, WEB),
        Imported("addresses", LIST, items="address"),
    ),
    "address": (
        *_ids("id", "location_id", required=()),
        edited("address_1", LocationForm.address_1),
        edited("address_2", LocationForm.address_2),
        edited("city", LocationForm.city),
        edited("postal_code", LocationForm.postcode),
        *_lines("state_province", "country"),
    ),
    "schedule": (
        *_ids("id", "service_id", "service_at_location_id"),
        *_lines("freq", "byday", "opens_at", "closes_at"),
        Imported("interval", WHOLE, low=1, high=366, message="A schedule's interval is from 1 to 366."),
        # A short description becomes each session's note, a longer one the location's hours note.
        edited("description", LocationForm.hours_note),
    ),
    "phone": (
        *_ids("id", "service_id"),
        edited("number", PhoneForm.number, required=True),
        edited("description", PhoneForm.description),
    ),
    "language": (*_ids("id", "service_id"), Imported("name", LINE, max_length=LANGUAGES.max_length)),
    "service_area": (
        *_ids("id", "service_id"),
        *_lines("name", "uri", "service_area"),
        Imported("extent", TEXT),
    ),
    "attribute": (
        *_ids("id", "link_id", "taxonomy_term_id"),
        Imported("taxonomy_term", OBJECT, items="taxonomy_term"),
    ),
    "taxonomy_term": (*_ids("id"), *_lines("taxonomy", "term", "code")),
}

_TYPE_NAMES = {str: "text", bool: "true or false", int: "a number", float: "a number", list: "a list",
               dict: "an object", type(None): "null"}


def keys(name: str) -> set[str]:
    """Return the keys the import reads from one kind of ORUK object."""
    return {f.key for f in OBJECTS[name]}


def problems(record: dict) -> list[str]:
    """Return what in one ORUK service breaks the import's rules, each starting with its field's path."""
    found: list[str] = []
    _check_object(record, "service", "", found, depth=1)
    return found


def _check_object(obj: dict, name: str, path: str, found: list, depth: int) -> None:
    table = _TABLES[name]
    for spec in _REQUIRED[name]:
        if obj.get(spec.key) in (None, ""):
            found.append(f"{_join(path, spec.key)}: is missing.")
    for key, value in obj.items():
        if _key_problem(key):
            found.append(_name_problem(_join(path, str(key)), key))
            continue
        spec = table.get(key)
        if spec is None or value is None:
            _check_kept(value, _join(path, str(key)), found, depth + 1)
        elif (spec.kind in _PLAIN_KINDS and type(value) is str and value.isprintable()
              and len(value) <= spec.max_length):
            continue  # most values: plain text of a usable length, passed without a call
        else:
            _check_value(value, spec, _join(path, str(key)), found, depth)


def _check_value(value, spec: Imported, where: str, found: list, depth: int) -> None:
    if spec.kind in (LIST, OBJECT):
        expected = list if spec.kind == LIST else dict
        if not isinstance(value, expected):
            found.append(f"{where}: should be {_TYPE_NAMES[expected]}, not {_type_name(value)}.")
        elif spec.kind == OBJECT:
            _check_object(value, spec.items, where, found, depth + 1)
        elif len(value) > MAX_ITEMS:
            found.append(f"{where}: has {len(value):,} items; at most {MAX_ITEMS} are taken.")
        else:
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    _check_object(item, spec.items, f"{where}[{i}]", found, depth + 2)
                else:
                    found.append(f"{where}[{i}]: should be an object, not {_type_name(item)}.")
    elif spec.kind in (NUMBER, WHOLE):
        problem = _number_problem(value, spec)
        if problem:
            found.append(f"{where}: {problem}")
    elif not isinstance(value, str):
        found.append(f"{where}: should be text, not {_type_name(value)}.")
    else:
        problem = _text_problem(value, spec)
        if problem:
            found.append(f"{where}: {problem}")


def _number_problem(value, spec: Imported) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"should be a number, not {_type_name(value)}."
    if not math.isfinite(value):
        return "should be a number, not NaN or infinity."
    if spec.kind == WHOLE and value != int(value):
        return f"should be a whole number, not {value}."
    if not spec.low <= value <= spec.high:
        return spec.message
    return None


def _text_problem(value: str, spec: Imported) -> str | None:
    problem = _plain_problem(value, spec.kind == TEXT, spec.max_length)
    if problem or not value.strip():
        return problem
    if spec.kind == WEB:
        return contact_details.web_address_problem(value)
    if spec.kind == EMAIL:
        return contact_details.email_problem(value)
    if spec.kind == CHOICE and value not in spec.choices:
        return f"should be one of {', '.join(spec.choices)}."
    return None


def _plain_problem(value: str, multiline: bool, max_length: int) -> str | None:
    # Printable text holds no control character or line break: most values need only their length
    # checked, and an import checks hundreds of thousands of them.
    if value.isprintable() and len(value) <= max_length:
        return None
    return plain_text.problem(value, multiline=multiline, max_length=max_length)


def _check_kept(value, where: str, found: list, depth: int) -> None:
    """Check what we keep as it came: text, numbers and nesting JSON and our database can hold."""
    if depth > MAX_DEPTH:
        found.append(f"{where}: is nested more than {MAX_DEPTH} levels deep.")
    elif isinstance(value, str):
        problem = _plain_problem(value, True, plain_text.MAX_CHARACTERS)
        if problem:
            found.append(f"{where}: {problem}")
    elif isinstance(value, float) and not math.isfinite(value):
        found.append(f"{where}: should be a number, not NaN or infinity.")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_kept(item, f"{where}[{i}]", found, depth + 1)
            if len(found) > 20:
                return
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = _join(where, str(key))
            named = _name_problem(inner, key)
            if named:
                found.append(named)
            else:
                _check_kept(item, inner, found, depth + 1)


def _name_problem(where: str, key: str) -> str | None:
    problem = _key_problem(key)
    if problem:
        return f"{plain_text.printable(where[:100])}: this field's name is not usable. {problem}"
    return None


@lru_cache(maxsize=4096)
def _key_problem(key: str) -> str | None:
    # Every record repeats the same few dozen field names: each is checked once.
    return plain_text.problem(str(key), max_length=100)


_TABLES = {name: {f.key: f for f in specs} for name, specs in OBJECTS.items()}
# Kinds whose only rules are those of plain text (`_text_problem` adds none for them).
_PLAIN_KINDS = frozenset({LINE, TEXT, ID})
_REQUIRED = {name: [f for f in specs if f.required] for name, specs in OBJECTS.items()}


def _type_name(value) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
