"""Property: every field an import reads refuses a control character, an oversized value and a wrong type.

The fields come from the import's own table (`directory/interchange/fields.py`), so a field added
there is covered here without touching this file. Each example builds one file holding one record
per field, each record broken in that field alone, and imports it with `flask hsds import`: every
record must be rejected with its field named, no traceback, and nothing written.
"""

import copy
import json
import os
import re
import uuid

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from directory.interchange import fields
from directory.models import (
    InterchangeRecord,
    Location,
    Organisation,
    Phone,
    Revision,
    Schedule,
    Service,
    ServiceAtLocation,
)
from tests.interchange.oruk_records import a_service, count

TEXT_KINDS = (fields.LINE, fields.TEXT, fields.WEB, fields.EMAIL, fields.ID, fields.CHOICE)
NUMBER_KINDS = (fields.NUMBER, fields.WHOLE)
CONTROL_CHARACTERS = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]
# Tabs and line breaks are text in a field that runs over several lines.
LINE_CHARACTERS = ("\t", "\n", "\r")

SETTINGS = settings(
    max_examples=int(os.environ.get("IMPORT_PROPERTY_EXAMPLES", "8")),
    deadline=None,
    derandomize=True,
    # One app for every example: an import that is refused writes nothing, so examples cannot meet.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    # Shrinking a file of a hundred records takes minutes; the failure names its field anyway.
    phases=[Phase.explicit, Phase.generate],
)


def full_service() -> dict:
    """Return a valid ORUK service holding at least one of every object the import reads."""
    record = a_service()
    sal = record["service_at_locations"][0]
    sal["schedules"] = [{"id": str(uuid.uuid4()), "freq": "WEEKLY", "byday": "MO", "opens_at": "09:00",
                         "closes_at": "12:00"}]
    record["phones"] = [{"id": str(uuid.uuid4()), "number": "020 7946 0000", "description": "Reception"}]
    record["languages"] = [{"id": str(uuid.uuid4()), "name": "Polish"}]
    record["attributes"] = [
        {
            "id": str(uuid.uuid4()),
            "taxonomy_term": {"id": str(uuid.uuid4()), "name": "Term", "description": "", "taxonomy": "x"},
        }
    ]
    return record


def object_paths() -> dict[str, list]:
    """Return, for each object of the field table, the path to one of it in `full_service()`."""
    paths, queue = {"service": []}, ["service"]
    while queue:
        name = queue.pop(0)
        for spec in fields.OBJECTS[name]:
            if spec.kind in (fields.LIST, fields.OBJECT) and spec.items not in paths:
                step = [spec.key, 0] if spec.kind == fields.LIST else [spec.key]
                paths[spec.items] = paths[name] + step
                queue.append(spec.items)
    assert set(paths) == set(fields.OBJECTS), "an object of the field table is not reachable from a service"
    return paths


PATHS = object_paths()
EVERY_FIELD = [(name, spec) for name in fields.OBJECTS for spec in fields.OBJECTS[name]]


def holder(record: dict, path: list) -> dict:
    obj = record
    for step in path:
        obj = obj[step]
    assert isinstance(obj, dict), f"full_service() has no example at {path}: add one"
    return obj


def label(path: list, key: str) -> str:
    """Return the field's path as the import names it, e.g. service_at_locations[0].location.url."""
    text = ""
    for step in [*path, key]:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def with_control_character(spec, base, draw):
    allowed = [c for c in CONTROL_CHARACTERS if spec.kind != fields.TEXT or c not in LINE_CHARACTERS]
    text = base if isinstance(base, str) else "text"
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(st.sampled_from(allowed)) + text[at:]


def oversized(spec, base, draw):
    extra = draw(st.integers(1, 50))
    if spec.kind in NUMBER_KINDS:
        return draw(st.sampled_from([spec.high + extra, spec.low - extra, 1e308, -1e308]))
    if spec.kind == fields.LIST:
        return [copy.deepcopy(base[0]) for _ in range(fields.MAX_ITEMS + extra)]
    if spec.kind == fields.OBJECT:
        return {**base, "x_notes": "a" * (fields.plain_text.MAX_CHARACTERS + extra)}
    if spec.kind == fields.WEB:
        return "https://example.org/" + "a" * spec.max_length
    if spec.kind == fields.EMAIL:
        return "a" * spec.max_length + "@example.org"
    return "a" * (spec.max_length + extra)


def of_the_wrong_type(spec, base, draw):
    if spec.kind in TEXT_KINDS:
        options = [5, 1.5, True, ["text"], {"text": "x"}]
    elif spec.kind in NUMBER_KINDS:
        options = ["5", True, [5], {"value": 5}]
    elif spec.kind == fields.LIST:
        options = ["text", 5, True, {"id": str(uuid.uuid4())}, ["text"]]
    else:
        options = ["text", 5, True, [copy.deepcopy(base)]]
    return draw(st.sampled_from(options))


def stored_rows():
    return [count(m) for m in (Service, Organisation, Location, ServiceAtLocation, Schedule, Phone, Revision,
                               InterchangeRecord)]


def assert_every_field_refuses(app, tmp_path, data, make_bad):
    records, expected = [], []
    for name, spec in EVERY_FIELD:
        record = full_service()
        obj = holder(record, PATHS[name])
        obj[spec.key] = make_bad(spec, obj.get(spec.key), data.draw)
        records.append(record)
        expected.append(label(PATHS[name], spec.key))
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    before = stored_rows()
    result = app.test_cli_runner().invoke(args=["hsds", "import", str(path)])
    assert result.exit_code == 1, result.output[-2000:]
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    rejections = {int(line.split()[2]): line for line in lines if line.startswith("Rejected record ")}
    for index, field_path in enumerate(expected, start=1):
        # The field's own path, starting a reason: "name" must not pass for "organization.name".
        named = re.compile(rf"\s{re.escape(field_path)}[:\[.]")
        assert named.search(rejections.get(index, "")), (field_path, rejections.get(index))
    assert stored_rows() == before


@SETTINGS
@given(data=st.data())
def test_every_imported_field_refuses_a_control_character(app, tmp_path, data):
    assert_every_field_refuses(app, tmp_path, data, with_control_character)


@SETTINGS
@given(data=st.data())
def test_every_imported_field_refuses_an_oversized_value(app, tmp_path, data):
    assert_every_field_refuses(app, tmp_path, data, oversized)


@SETTINGS
@given(data=st.data())
def test_every_imported_field_refuses_a_value_of_the_wrong_type(app, tmp_path, data):
    assert_every_field_refuses(app, tmp_path, data, of_the_wrong_type)
