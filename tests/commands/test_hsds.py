"""`flask hsds export | export-csv | import`: what each says, and its exit code."""

import json
import uuid

from directory import revisions
from directory.commands.hsds import import_records
from directory.extensions import db
from directory.interchange import oruk
from directory.models import Organisation, Revision, Service
from tests.interchange.oruk_records import a_service, count


def test_cli_export_import_and_csv(seeded_app, tmp_path):
    runner = seeded_app.test_cli_runner()
    out = tmp_path / "all.json"
    result = runner.invoke(args=["hsds", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Exported {len(json.loads(out.read_text()))} services" in result.output
    result = runner.invoke(args=["hsds", "import", str(out), "--dry-run"])
    assert result.exit_code == 0 and "Dry run: nothing was changed." in result.output
    result = runner.invoke(args=["hsds", "import", str(out)])
    assert result.exit_code == 0 and "Nothing to change: " in result.output
    result = runner.invoke(args=["hsds", "export-csv", str(tmp_path / "all.csv")])
    assert result.exit_code == 0 and "rows" in result.output


def test_cli_import_reports_rejections_and_exits_non_zero(app, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([a_service(), a_service(status="open")]), encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["hsds", "import", str(path)])
    assert result.exit_code == 1
    assert "Rejected record 2" in result.output and "Nothing was imported." in result.output
    assert count(Service) == 0
    result = runner.invoke(args=["hsds", "import", str(path), "--skip-invalid"])
    assert result.exit_code == 0 and "1 new" in result.output and count(Service) == 1


def test_cli_import_of_an_unreadable_file_says_so(app, tmp_path):
    path = tmp_path / "x.json"
    path.write_text("[", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["hsds", "import", str(path)])
    assert result.exit_code != 0 and "not JSON" in result.output
    assert oruk.VERSION


# --- a service never changes organisation without --allow-reassign -------------------------------------


def moved_record(tmp_path):
    """Import a service under one organisation; return the path of a file giving it to another."""
    record = a_service()
    assert import_records([record]).committed
    first_org = record["organization"]
    record["organization"] = {"id": str(uuid.uuid4()), "name": "Another Charity", "description": ""}
    record["description"] = "Now run by another charity."
    path = tmp_path / "move.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    return path, record, first_org


def organisation_of(service_id):
    db.session.expire_all()
    return db.session.get(Service, service_id).organisation_id


def test_an_import_that_would_move_a_service_to_another_organisation_is_refused(app, tmp_path):
    path, record, first_org = moved_record(tmp_path)
    revisions_before = count(Revision)
    result = app.test_cli_runner().invoke(args=["hsds", "import", str(path)])
    assert result.exit_code == 1
    assert "Rejected record 1" in result.output
    assert f"from organisation “{first_org['name']}” ({first_org['id']})" in result.output
    assert f"to “Another Charity” ({record['organization']['id']})" in result.output
    assert "--allow-reassign" in result.output and "Nothing was imported." in result.output
    assert organisation_of(record["id"]) == first_org["id"]
    assert count(Revision) == revisions_before and count(Organisation) == 1


def test_a_dry_run_reports_the_services_an_import_would_move_and_changes_nothing(app, tmp_path):
    path, record, first_org = moved_record(tmp_path)
    revisions_before = count(Revision)
    result = app.test_cli_runner().invoke(args=["hsds", "import", str(path), "--dry-run", "--allow-reassign"])
    assert result.exit_code == 0, result.output
    assert f"Would move service {record['id']}" in result.output
    assert f"from organisation “{first_org['name']}”" in result.output
    assert "to “Another Charity”" in result.output
    assert "Dry run: nothing was changed." in result.output and "1 moved" in result.output
    assert organisation_of(record["id"]) == first_org["id"]
    assert count(Revision) == revisions_before and count(Organisation) == 1
    refused = app.test_cli_runner().invoke(args=["hsds", "import", str(path), "--dry-run"])
    assert refused.exit_code == 1 and "--allow-reassign" in refused.output


def test_allow_reassign_moves_the_service_and_its_history_shows_the_move(app, tmp_path):
    path, record, first_org = moved_record(tmp_path)
    result = app.test_cli_runner().invoke(args=["hsds", "import", str(path), "--allow-reassign"])
    assert result.exit_code == 0, result.output
    assert f"Moved service {record['id']}" in result.output and "1 moved" in result.output
    assert organisation_of(record["id"]) == record["organization"]["id"]
    service = db.session.get(Service, record["id"])
    latest, before = revisions.history(service)[:2]
    assert latest.kind == "import"
    assert (before.snapshot["organisation_id"], latest.snapshot["organisation_id"]) == (
        first_org["id"],
        record["organization"]["id"],
    )
    assert latest.snapshot["description"] == "Now run by another charity."
