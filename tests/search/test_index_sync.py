"""The index follows the database: after commit, never on rollback, across nodes, and self-repairing."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update

from directory import revisions, search
from directory.extensions import db
from directory.models import IndexChange, Service
from directory.search import changelog, documents
from tests.conftest import make_app

BASE_DIR = Path(__file__).resolve().parents[2]


def names(text_, **criteria):
    result = search.search(search.SearchRequest(text=text_, per_page=None, **criteria))
    return [h.listing.name for h in result.hits]


def edit(service, **fields):
    with revisions.recording(kind="edit", author_label="test"):
        for key, value in fields.items():
            setattr(service, key, value)
        db.session.commit()


def test_a_committed_edit_is_searchable_immediately(app, make):
    service = make.service(name="Kestrel", description="Walk in.")
    assert names("kestrel") == ["Kestrel"]  # the index is open in this process from here on
    edit(service, description="Walk in. Now with zebrafinch.")
    assert names("zebrafinch") == ["Kestrel"]
    edit(service, name="Renamed place")
    assert names("kestrel") == [] and names("renamed") == ["Renamed place"]


def test_a_new_service_is_searchable_before_the_index_was_ever_opened(app, make):
    make.service(name="Early bird")
    assert names("early bird") == ["Early bird"]


@pytest.mark.parametrize("opened", [True, False])
def test_a_rolled_back_change_never_reaches_the_index(app, make, opened):
    service = make.service(name="Clinic", description="Walk in.")
    organisation = make.organisation()
    if opened:
        assert names("clinic") == ["Clinic"]
    service.description = "Walk in. Secret quokka."
    make.service(name="Quokka house", organisation=organisation, commit=False)
    db.session.flush()  # the change-log rows exist inside the transaction...
    db.session.rollback()  # ...and are gone with it
    search.sync()
    assert names("quokka") == []
    assert names("clinic") == ["Clinic"]


def test_unpublished_and_defunct_listings_go_when_changed(app, make):
    hidden = make.service(name="Hidden clinic")
    closed = make.service(name="Closed clinic")
    make.service(name="Open clinic")
    assert len(names("clinic")) == 3
    edit(hidden, is_published=False)
    edit(closed, status="defunct")
    assert names("clinic") == ["Open clinic"]


def test_a_stale_index_never_shows_unpublished_or_defunct_listings(app, make):
    hidden = make.service(name="Hidden clinic")
    closed = make.service(name="Closed clinic")
    make.service(name="Open clinic")
    assert len(names("clinic")) == 3
    # Change the rows behind the index's back: no change-log entry, so the index still holds them.
    db.session.execute(update(Service).where(Service.id == hidden.id).values(is_published=False))
    db.session.execute(update(Service).where(Service.id == closed.id).values(status="defunct"))
    db.session.commit()
    assert names("clinic") == ["Open clinic"]


def test_deleting_the_index_directory_rebuilds_it_from_the_database(app, make):
    make.service(name="Clinic")
    assert names("clinic") == ["Clinic"]
    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])
    assert names("clinic") == ["Clinic"]
    make.service(name="Second clinic")
    assert sorted(names("clinic")) == ["Clinic", "Second clinic"]


def test_a_corrupt_or_empty_index_directory_is_rebuilt(app, make):
    make.service(name="Clinic")
    directory = Path(app.config["SEARCH_INDEX_DIR"])
    directory.mkdir(parents=True)
    (directory / "_MAIN_1.toc").write_bytes(b"\0not an index\0" * 10)
    assert names("clinic") == ["Clinic"]
    for path in directory.iterdir():
        if path.suffix in (".toc", ".seg") or path.name.endswith(".json"):
            path.write_bytes(b"garbage")
    make.service(name="Second clinic")
    search.sync()
    assert sorted(names("clinic")) == ["Clinic", "Second clinic"]


def test_reindex_command_rebuilds_from_the_database(app, make):
    make.service(name="Clinic")
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 1 listings" in result.output
    assert names("clinic") == ["Clinic"]
    status = app.test_cli_runner().invoke(args=["search", "status"])
    assert "Index ok" in status.output


def test_status_reports_lag_behind_the_change_log(app, make):
    service = make.service(name="Clinic")
    search.ensure_index()
    assert search.status()["lag"] == 0 and search.status()["ok"]
    # A change committed by another process (no after-commit hook here) is lag until synced.
    db.session.execute(insert(IndexChange).values(service_id=service.id))
    db.session.commit()
    assert search.status()["lag"] == 1
    search.sync()
    assert search.status()["lag"] == 0


def test_documents_built_from_rows_equal_documents_built_from_services(seeded_app):
    from sqlalchemy.orm import Session

    ids = db.session.scalars(select(Service.id)).all()
    with Session(db.engine) as session:
        from_rows = documents.listings_from_rows(session, ids)
    for service in db.session.scalars(select(Service)):
        assert documents.document(service) == documents.document(from_rows[service.id]), service.name


# -- several nodes: one database, an index each --------------------------------------------------


@pytest.fixture
def other_node(app, tmp_path):
    """A second app instance on the same database with its own index directory."""
    node = make_app(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "other-index", SEARCH_POLL_SECONDS=0.2)
    yield node
    search.stop_poller(node)
    with node.app_context():
        db.session.remove()
        db.engine.dispose()


def names_on(node, text_):
    with node.app_context():
        try:
            return names(text_)
        finally:
            db.session.remove()


def test_an_edit_through_one_node_is_searchable_on_another_after_sync(app, make, other_node):
    service = make.service(name="Clinic", description="Walk in.")
    assert names_on(other_node, "clinic") == ["Clinic"]
    edit(service, description="Walk in. Now with axolotl.")
    assert names("axolotl") == ["Clinic"]
    assert names_on(other_node, "axolotl") == []  # the other node has not polled yet
    with other_node.app_context():
        assert search.sync() == 1
    assert names_on(other_node, "axolotl") == ["Clinic"]


def test_the_poller_applies_other_nodes_edits_within_seconds(app, make, other_node):
    service = make.service(name="Clinic", description="Walk in.")
    assert names_on(other_node, "clinic") == ["Clinic"]
    search.start_poller(other_node)
    edit(service, description="Walk in. Now with pangolin.")
    deadline = time.monotonic() + 5
    while names_on(other_node, "pangolin") != ["Clinic"]:
        assert time.monotonic() < deadline, "not searchable on the other node within 5 seconds"
        time.sleep(0.1)


# -- the change log's gaps -----------------------------------------------------------------------


def test_a_sequence_number_committed_late_is_still_applied(app, make):
    """PostgreSQL can make entry 11 visible before entry 10: the node must not skip 10 for good."""
    early = make.service(name="Early")
    late = make.service(name="Late")
    search.ensure_index()
    top = db.session.scalar(select(IndexChange.seq).order_by(IndexChange.seq.desc()).limit(1))
    # Entry top+2 commits first, as if top+1's transaction were still running.
    db.session.execute(update(Service).where(Service.id == early.id).values(description="lemur"))
    db.session.execute(insert(IndexChange).values(seq=top + 2, service_id=early.id))
    db.session.commit()
    search.sync()
    assert names("lemur") == ["Early"]
    assert search.status()["open_gaps"] == 1
    # Now the slow transaction commits with its older number.
    db.session.execute(update(Service).where(Service.id == late.id).values(description="lemur"))
    db.session.execute(insert(IndexChange).values(seq=top + 1, service_id=late.id))
    db.session.commit()
    search.sync()
    assert sorted(names("lemur")) == ["Early", "Late"]
    assert search.status()["open_gaps"] == 0


def test_gaps_are_remembered_filled_and_eventually_forgotten():
    start = changelog.Position(max_seq=10)
    after = changelog.advance(start, [11, 14, 15], now=1000.0)
    assert after.max_seq == 15
    assert after.gaps == [[12, 13, 1000.0]]
    filled = changelog.advance(after, [13], now=1001.0)
    assert filled.gaps == [[12, 12, 1000.0]]
    forgotten = changelog.advance(filled, [], now=1000.0 + changelog.GAP_SECONDS + 1)
    assert forgotten.gaps == [] and forgotten.max_seq == 15


# -- one writer at a time ------------------------------------------------------------------------

HOLD_LOCK = """
import sys, time
from tests.conftest import make_app
app = make_app(sys.argv[1], sys.argv[2])
with app.app_context():
    with app.extensions["search"].index.writing(10):
        print("locked", flush=True)
        time.sleep(120)
"""


def _hold_lock(app):
    env = {**os.environ, "PYTHONPATH": str(BASE_DIR)}
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", HOLD_LOCK, app.config["SQLALCHEMY_DATABASE_URI"],
         app.config["SEARCH_INDEX_DIR"]],
        stdout=subprocess.PIPE, text=True, cwd=BASE_DIR, env=env,
    )
    assert process.stdout.readline().strip() == "locked"
    return process


def test_a_busy_writer_never_surfaces_to_users_and_a_dead_one_never_blocks(app, make):
    service = make.service(name="Clinic")
    assert names("clinic") == ["Clinic"]
    holder = _hold_lock(app)
    try:
        with pytest.raises(search.IndexBusy):
            search.sync(timeout=0.2)
        started = time.monotonic()
        edit(service, description="Now with ocelot.")  # the commit must not fail or hang
        assert time.monotonic() - started < 10
        assert names("clinic") == ["Clinic"]  # searching still works while another process writes
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
        holder.stdout.close()
    search.sync(timeout=5)
    assert names("ocelot") == ["Clinic"]


def test_readers_reuse_their_searcher_until_the_index_changes(app, make):
    service = make.service(name="Clinic")
    names("clinic")
    index = app.extensions["search"].index
    first = index._searcher
    names("clinic")
    assert index._searcher is first
    edit(service, description="changed")
    names("clinic")
    assert index._searcher is not first


def test_an_empty_directory_database_searches_without_error(app, find):
    assert find("chemsex") == []
    result = search.search(search.SearchRequest(borough="lambeth", open_now=True))
    assert result.total == 0 and result.facets["open_now"] == {"yes": 0}


# -- pruning the change log --------------------------------------------------------------------


def _age_entries(days: int, seqs=None):
    from datetime import timedelta

    from directory.models.base import utcnow

    statement = update(IndexChange).values(created_at=utcnow() - timedelta(days=days))
    if seqs is not None:
        statement = statement.where(IndexChange.seq.in_(seqs))
    db.session.execute(statement)
    db.session.commit()


def _log() -> list[int]:
    return list(db.session.scalars(select(IndexChange.seq).order_by(IndexChange.seq)))


def test_pruning_removes_old_entries_and_always_keeps_the_newest(app, make):
    for n in range(4):
        make.service(name=f"Clinic {n}")
    seqs = _log()
    _age_entries(40, seqs[:-2])
    result = app.test_cli_runner().invoke(args=["search", "prune", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert f"Removed {len(seqs) - 2} change-log entries older than 30 days." in result.output
    assert _log() == seqs[-2:]
    _age_entries(40)
    app.test_cli_runner().invoke(args=["search", "prune"])  # the configured 30 days
    assert _log() == seqs[-1:], "the newest entry stays, so nodes can tell how far the log has gone"


def test_a_node_behind_the_pruned_log_rebuilds_and_finds_every_edit(app, make, other_node):
    make.service(name="First clinic")
    with other_node.app_context():
        search.sync()
        assert names("clinic") == ["First clinic"]
        db.session.remove()
    # The other node is away while two services are added and the log is pruned past them.
    make.service(name="Second clinic")
    make.service(name="Third clinic")
    _age_entries(40)
    app.test_cli_runner().invoke(args=["search", "prune"])
    assert len(_log()) == 1  # only the newest entry, for the third clinic, is left
    with other_node.app_context():
        search.sync()
        assert sorted(names("clinic")) == ["First clinic", "Second clinic", "Third clinic"]
        db.session.remove()
