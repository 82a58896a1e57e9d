"""What `flask hsds import` says: a line per kind of warning, --verbose for all, and a no-op re-import."""

import json

from directory import geo
from directory.extensions import db
from directory.models import IndexChange, Location, Revision
from tests.interchange.oruk_records import a_service, count


def _write(tmp_path, records):
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def _with_postcode(postcode, **overrides):
    record = a_service(**overrides)
    record["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] = postcode
    return record


def test_warnings_are_summarised_a_line_per_kind_naming_the_first_five(app, tmp_path):
    records = [a_service(name=f"Open clinic {n}", service_areas=[]) for n in range(1, 8)]
    records.append(_with_postcode("CM13 1AA", name="Essex outreach"))
    result = app.test_cli_runner().invoke(args=["hsds", "import", str(_write(tmp_path, records))])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Warning")]
    assert len(lines) == 2
    assert lines[0].startswith("Warning: 7 records with no service area we recognise")
    assert all(f"record {n} “Open clinic {n}”" in lines[0] for n in range(1, 6))
    assert "Open clinic 6" not in lines[0] and lines[0].endswith("and 2 more.")
    assert lines[1].startswith("Warning: 1 record with a postcode outside London") and "record 8" in lines[1]
    assert "8 warnings in all: --verbose lists each one." in result.output
    assert "Imported. 8 records: 8 new" in result.output


def test_verbose_lists_every_warning(app, tmp_path):
    records = [a_service(name=f"Open clinic {n}", service_areas=[]) for n in range(1, 8)]
    path = _write(tmp_path, records)
    result = app.test_cli_runner().invoke(args=["hsds", "import", str(path), "--verbose"])
    lines = [line for line in result.output.splitlines() if line.startswith("Warning")]
    assert [line.split(" (")[0] for line in lines] == [f"Warning: record {n}" for n in range(1, 8)]
    assert all(r["id"] in line for r, line in zip(records, lines, strict=True))
    assert "--verbose" not in result.output


def test_no_progress_counter_when_stderr_is_not_a_terminal(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["hsds", "import", str(_write(tmp_path, [a_service()]))])
    assert "\r" not in result.output and "records:" not in result.output.split("Imported.")[0]


def test_reimporting_the_same_file_changes_nothing_and_says_so(app, tmp_path):
    path = _write(tmp_path, [a_service(name=f"Clinic {n}") for n in range(3)])
    runner = app.test_cli_runner()
    assert runner.invoke(args=["hsds", "import", str(path)]).exit_code == 0
    revisions, changes = count(Revision), count(IndexChange)
    result = runner.invoke(args=["hsds", "import", str(path)])
    assert result.exit_code == 0
    assert "Nothing to change: 3 records already up to date." in result.output
    assert "Imported." not in result.output
    assert (count(Revision), count(IndexChange)) == (revisions, changes)


def test_a_non_geographic_postcode_is_reported_as_such_and_gives_no_location(app, tmp_path):
    # SE1P 6 is a PO box sector: most of its postcodes have no borough, so it once read as "not London".
    record = _with_postcode("SE1P 6AB")
    result = app.test_cli_runner().invoke(args=["hsds", "import", str(_write(tmp_path, [record]))])
    assert result.exit_code == 0, result.output
    assert "Warning: 1 record with a PO box or other non-geographic postcode" in result.output
    assert "not a London postcode" not in result.output
    location = db.session.get(Location, record["service_at_locations"][0]["location"]["id"])
    assert (location.postcode, location.borough_code, location.latitude) == ("SE1P 6AB", None, None)


def test_the_bundled_data_says_which_postcodes_are_non_geographic():
    assert all(geo.non_geographic(p) for p in ("SE1P 6AB", "SE1P 5LX", "EC1P 1AA", "SE1P", "N1P 3ZZ"))
    assert not any(geo.non_geographic(p) for p in ("SE1 7PB", "SW9 8BS", "WC1A 1AA", "CM13 1AA"))
