"""Backups: `flask backup FILE` and `flask restore FILE` round-trip every table, row by row."""

import json
import os
import stat
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from directory import listing, revisions, search
from directory.backup import tables
from directory.extensions import db
from directory.models import (
    AuditEvent,
    Invitation,
    ProblemReport,
    Revision,
    RevisionStatus,
    Service,
    User,
)
from tests.conftest import USING_POSTGRES, make_app
from tests.factories import Factories

PASSWORD = "correct horse battery staple"


def every_row() -> dict[str, list[dict]]:
    """Return every row of every table, in primary-key order, times as aware UTC.

    PostgreSQL hands back aware datetimes and SQLite naive ones holding the same UTC instant, so a
    backup taken from one and restored into the other compares equal only once both are aware.
    """
    with db.engine.connect() as conn:
        return {
            t.name: [{k: _aware(v) for k, v in r.items()} for r in conn.execute(
                select(t).order_by(*(list(t.primary_key.columns) or list(t.columns)))).mappings()]
            for t in tables()
        }


def _aware(value):
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return value


@pytest.fixture
def lived_in(seeded_app):
    """The seeded directory after some use: editors, edits, a pending proposal, reports, audit events."""
    make = Factories()
    service = db.session.scalars(select(Service).order_by(Service.name)).first()
    admin = make.user(email="admin@example.org", is_admin=True)
    editor = make.user(email="editor@example.org", password=PASSWORD, organisations=[service.organisation])
    with revisions.recording(kind="edit", author=editor, reason="New evening clinic"):
        service.description += " Evening clinic on Thursdays."
        db.session.commit()
    pending = listing.take(service)
    pending["alert"] = "Closed on bank holidays"
    db.session.add(Revision(service_id=service.id, number=revisions.next_number(service.id), kind="proposal",
                            status=RevisionStatus.PENDING, snapshot=pending, base_version=service.version,
                            author_id=editor.id, author_label=editor.email, reason="Bank holidays"))
    db.session.add(AuditEvent(actor_id=admin.id, action="membership-granted", target_type="user",
                              target_id=str(editor.id), detail={"organisation": service.organisation.name}))
    db.session.add(ProblemReport(service_id=service.id, category="hours", message="Shut on Mondays now"))
    db.session.add(Invitation(token_hash="f" * 64, user_id=editor.id, created_by_id=admin.id,
                              expires_at=datetime.now(UTC) + timedelta(hours=72)))
    db.session.commit()
    return seeded_app


def empty_database(app):
    """Empty the test database of every row (the restore target)."""
    with app.app_context():
        if USING_POSTGRES:
            names = ", ".join(f'"{t.name}"' for t in tables())
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables()):
                db.session.execute(table.delete())
        db.session.commit()


def test_backup_and_restore_round_trip_every_table(lived_in, tmp_path):
    before = every_row()
    assert before["service"] and before["revision"] and before["audit_event"] and before["user"]
    assert any(r["status"] == "pending" for r in before["revision"])
    backup = tmp_path / "directory-backup.jsonl"

    result = lived_in.test_cli_runner().invoke(args=["backup", str(backup)])
    assert result.exit_code == 0, result.output
    assert f"Backed up {sum(len(rows) for rows in before.values())} rows" in result.output

    if USING_POSTGRES:
        db.session.remove()
        empty_database(lived_in)
        target = lived_in
    else:
        target = make_app(f"sqlite:///{tmp_path / 'restored.db'}", tmp_path / "restored-index")
        with target.app_context():
            db.create_all()
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["restore", str(backup)])
        assert result.exit_code == 0, result.output
        after = every_row()
        # The node's search index was rebuilt from the restored rows.
        assert "Rebuilt the search index" in result.output
        assert search.status()["problem"] is None
        found = search.search(search.SearchRequest(text="sexual health"))
        assert found.total > 0
        for name in before:
            assert after[name] == before[name], f"table {name} differs after restore"
        # Ids carry on after the restored ones (PostgreSQL sequences were moved past them).
        newcomer = User(email="after-restore@example.org")
        db.session.add(newcomer)
        db.session.commit()
        assert newcomer.id > max(r["id"] for r in before["user"])
        db.session.remove()
        db.engine.dispose()


def test_the_backup_holds_password_hashes_never_passwords(lived_in, tmp_path):
    backup = tmp_path / "b.jsonl"
    assert lived_in.test_cli_runner().invoke(args=["backup", str(backup)]).exit_code == 0
    content = backup.read_text(encoding="utf-8")
    assert PASSWORD not in content
    editor_hash = db.session.scalar(select(User.password_hash).where(User.email == "editor@example.org"))
    assert editor_hash and editor_hash in content
    header = json.loads(content.splitlines()[0])
    assert header["format_version"] == 1 and "service" in header["schema"]
    assert header["counts"]["user"] == 2


def test_restore_refuses_a_database_that_already_has_data(lived_in, tmp_path):
    backup = tmp_path / "b.jsonl"
    assert lived_in.test_cli_runner().invoke(args=["backup", str(backup)]).exit_code == 0
    before = every_row()
    result = lived_in.test_cli_runner().invoke(args=["restore", str(backup)])
    assert result.exit_code != 0
    assert "needs an empty database" in result.output and "service" in result.output
    assert every_row() == before


def test_restore_refuses_a_truncated_or_foreign_file(app, tmp_path):
    backup = tmp_path / "b.jsonl"
    assert app.test_cli_runner().invoke(args=["backup", str(backup)]).exit_code == 0
    lines = backup.read_text(encoding="utf-8").splitlines()
    truncated = tmp_path / "truncated.jsonl"
    truncated.write_text("\n".join(lines[: len(lines) // 2]) + "\n", encoding="utf-8")
    empty_database(app)
    result = app.test_cli_runner().invoke(args=["restore", str(truncated)])
    assert result.exit_code != 0 and "incomplete" in result.output

    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"hello": "world"}\n', encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["restore", str(foreign)])
    assert result.exit_code != 0 and "not a directory backup" in result.output
    assert every_row()["borough"] == []


def test_restore_into_a_database_without_tables_creates_the_schema_by_migrations(lived_in, tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    backup = tmp_path / "b.jsonl"
    assert lived_in.test_cli_runner().invoke(args=["backup", str(backup)]).exit_code == 0
    before = every_row()
    target = make_app(f"sqlite:///{tmp_path / 'no-tables.db'}", tmp_path / "restored-index")
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["restore", str(backup)])
        assert result.exit_code == 0, result.output
        with db.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), db.metadata) == []
        assert every_row() == before
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def open_umask():
    """A umask that lets everyone read new files, so only the backup's own mode can protect it."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_only_the_owner_can_read_the_backup_file(app, tmp_path, open_umask):
    backup = tmp_path / "b.jsonl"
    result = app.test_cli_runner().invoke(args=["backup", str(backup)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


def test_a_backup_over_an_old_readable_file_or_leftover_partial_is_still_owner_only(
    app, tmp_path, open_umask
):
    backup = tmp_path / "b.jsonl"
    leftover = tmp_path / "b.jsonl.partial"  # as a crashed earlier backup would leave it
    for path in (backup, leftover):
        path.write_text("old\n", encoding="utf-8")
        path.chmod(0o644)
    result = app.test_cli_runner().invoke(args=["backup", str(backup)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert not leftover.exists()
    assert backup.read_text(encoding="utf-8").startswith('{"counts"')


def test_the_partial_backup_is_owner_only_while_it_is_written(app, tmp_path, open_umask, monkeypatch):
    from directory import backup as backup_module

    modes = []
    real_dumps = backup_module.json.dumps

    def spy(*args, **kwargs):
        partial = tmp_path / "b.jsonl.partial"
        if partial.exists():
            modes.append(stat.S_IMODE(partial.stat().st_mode))
        return real_dumps(*args, **kwargs)

    monkeypatch.setattr(backup_module.json, "dumps", spy)
    assert app.test_cli_runner().invoke(args=["backup", str(tmp_path / "b.jsonl")]).exit_code == 0
    assert modes and set(modes) == {0o600}
