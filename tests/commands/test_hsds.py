"""`flask hsds export | export-csv | import`: what each says, and its exit code."""

import json

from directory.interchange import oruk
from directory.models import Service
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
    assert result.exit_code == 0 and "0 new, 0 updated" in result.output
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
