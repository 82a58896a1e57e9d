"""What `flask hsds import` refuses: the agency forms' rules, values of the wrong type, files it cannot read.

Each refusal is a clear CLI error naming the record and the field, with nothing written.
"""

import json
import uuid

import pytest

from directory import plain_text
from directory.models import Organisation, Revision, Service
from tests.interchange.oruk_records import a_service, count


def import_file(app, tmp_path, records=None, text=None):
    """Run `flask hsds import` on records (or raw JSON text); return the result."""
    path = tmp_path / "import.json"
    path.write_text(text if text is not None else json.dumps(records), encoding="utf-8")
    return app.test_cli_runner().invoke(args=["hsds", "import", str(path)])


def assert_refused(result, *words):
    """A clear refusal: a non-zero exit, no traceback, the words in the message, nothing written."""
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, result.output
    assert count(Service) == count(Organisation) == count(Revision) == 0


def a_location(**fields):
    return {"id": str(uuid.uuid4()), "location_type": "virtual", "name": "Online", **fields}


# --- item 3: the agency forms' rules apply on import -------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"url": "javascript:alert(document.cookie)"}, "url"),
        ({"url": "https://example.org/\"><script>"}, "url"),
        ({"email": "<script>@x"}, "email"),
        ({"email": "not an email"}, "email"),
        ({"organization": {"id": str(uuid.uuid4()), "name": "Org", "description": "",
                           "website": "javascript:alert(1)"}}, "organization.website"),
        ({"organization": {"id": str(uuid.uuid4()), "name": "Org", "description": "",
                           "email": "<b>@x"}}, "organization.email"),
        ({"service_at_locations": [{"id": str(uuid.uuid4()),
                                    "location": a_location(url="javascript:alert(1)")}]},
         "service_at_locations[0].location.url"),
    ],
)
def test_an_import_with_a_script_link_or_a_bad_email_is_refused(app, tmp_path, overrides, field):
    result = import_file(app, tmp_path, [a_service(**overrides)])
    assert_refused(result, "Rejected record 1", field, "Nothing was imported.")


def test_an_import_with_a_five_megabyte_description_is_refused(app, tmp_path):
    result = import_file(app, tmp_path, [a_service(description="x" * 5_000_000)])
    assert_refused(result, "Rejected record 1", "description", "at most")
    assert len(result.output) < 5_000


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "Drop-in\x00"}, "name", plain_text.CONTROL_CHARACTER),
        ({"name": "Drop-in\non two lines"}, "name", plain_text.LINE_BREAK),
        ({"description": "Peer support\x1b[31m"}, "description", plain_text.CONTROL_CHARACTER),
        ({"phones": [{"id": str(uuid.uuid4()), "number": "020 7946 0000\x00"}]}, "phones[0].number",
         plain_text.CONTROL_CHARACTER),
        ({"languages": [{"id": str(uuid.uuid4()), "name": "Polish\x07"}]}, "languages[0].name",
         plain_text.CONTROL_CHARACTER),
        ({"x_their_own_field": "kept as it came\x00"}, "x_their_own_field", plain_text.CONTROL_CHARACTER),
    ],
)
def test_an_import_with_a_control_character_in_any_text_is_refused(app, tmp_path, overrides, field, message):
    result = import_file(app, tmp_path, [a_service(**overrides)])
    assert_refused(result, "Rejected record 1", field, message)
    assert "\x00" not in result.output and "\x1b" not in result.output


def test_an_import_longer_than_the_agency_form_takes_is_refused(app, tmp_path):
    result = import_file(app, tmp_path, [a_service(name="x" * 201)])
    assert_refused(result, "Rejected record 1", "name", "at most 200")


# --- item 11: values of the wrong type and files we cannot read ---------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"phones": "020 7946 0000"}, "phones"),
        ({"phones": {"number": "020 7946 0000"}}, "phones"),
        ({"phones": ["020 7946 0000"]}, "phones[0]"),
        ({"phones": [{"id": str(uuid.uuid4())}]}, "phones[0].number"),
        ({"phones": [{"id": str(uuid.uuid4()), "number": 2079460000}]}, "phones[0].number"),
        ({"minimum_age": 1e308}, "minimum_age"),
        ({"minimum_age": -1}, "minimum_age"),
        ({"minimum_age": 4.5}, "minimum_age"),
        ({"maximum_age": "18"}, "maximum_age"),
        ({"maximum_age": True}, "maximum_age"),
        ({"application_process": ["Call us"]}, "application_process"),
        ({"fees_description": {"text": "Free"}}, "fees_description"),
        ({"accessibility_description": 5}, "accessibility_description"),
        ({"languages": [{"id": str(uuid.uuid4()), "name": ["Polish"]}]}, "languages[0].name"),
        ({"service_at_locations": [{"id": str(uuid.uuid4()), "location": a_location(latitude=1e308)}]},
         "service_at_locations[0].location.latitude"),
        ({"service_at_locations": [{"id": str(uuid.uuid4()), "location": a_location(url=["x"])}]},
         "service_at_locations[0].location.url"),
        ({"service_at_locations": [{"id": str(uuid.uuid4()), "location": a_location(location_type="boat")}]},
         "service_at_locations[0].location.location_type"),
    ],
)
def test_an_import_with_a_value_of_the_wrong_type_is_refused(app, tmp_path, overrides, field):
    result = import_file(app, tmp_path, [a_service(**overrides)])
    assert_refused(result, "Rejected record 1", field)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_an_import_with_nan_or_infinity_is_refused(app, tmp_path, constant):
    text = json.dumps([a_service(minimum_age=0)]).replace('"minimum_age": 0', f'"minimum_age": {constant}')
    result = import_file(app, tmp_path, text=text)
    assert_refused(result, constant)


@pytest.mark.parametrize("depth", [100_000, 200])
def test_an_import_of_deeply_nested_json_is_refused(app, tmp_path, depth):
    result = import_file(app, tmp_path, text="[" * depth + "]" * depth)
    assert_refused(result, "nested")
    record = a_service()
    deep = "[" * depth + "]" * depth
    text = json.dumps([record])[:-2] + f', "x_deep": {deep}' + "}]"
    assert_refused(import_file(app, tmp_path, text=text), "nested")
