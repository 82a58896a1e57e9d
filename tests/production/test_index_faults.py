"""Index faults while serving: deleted or damaged index directories, and a writer killed mid-write."""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup
from sqlalchemy import select

from config import BASE_DIR
from directory import revisions, search
from directory.extensions import db
from directory.models import Service


def result_links(client, query: str) -> list[str]:
    response = client.get(f"/search?q={query}")
    assert response.status_code == 200, response.status_code
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [a["href"].split("?")[0] for a in soup.select("a[href^='/services/']")]


def index_state(client) -> str:
    return client.get("/healthz").get_json()["index"]


def test_deleting_the_index_while_serving_rebuilds_it(seeded_app):
    client = seeded_app.test_client()
    assert result_links(client, "sexual health")
    assert index_state(client) == "ok"
    shutil.rmtree(seeded_app.config["SEARCH_INDEX_DIR"])
    assert index_state(client) == "missing"
    assert client.get("/healthz").get_json()["status"] == "degraded"
    assert result_links(client, "sexual health"), "search must keep answering, rebuilding the index"
    assert index_state(client) == "ok"


def test_a_damaged_index_is_reported_and_served_from(seeded_app):
    client = seeded_app.test_client()
    before = result_links(client, "PEP")
    assert before
    directory = Path(seeded_app.config["SEARCH_INDEX_DIR"])
    # Replaced, not truncated in place: the serving process has the old files memory-mapped.
    for path in [*directory.glob("*.seg"), *directory.glob("*.toc")]:
        damaged = path.with_name(path.name + ".damaged")
        damaged.write_bytes(b"\0garbage\0" * 64)
        os.replace(damaged, path)
    assert index_state(client) == "damaged"
    assert client.get("/healthz").get_json()["status"] == "degraded"
    assert sorted(result_links(client, "PEP")) == sorted(before)


def test_edits_after_the_index_is_damaged_under_a_running_process_become_searchable(seeded_app):
    client = seeded_app.test_client()
    assert result_links(client, "PEP")
    directory = Path(seeded_app.config["SEARCH_INDEX_DIR"])
    for path in [*directory.glob("*.seg"), *directory.glob("*.toc")]:
        damaged = path.with_name(path.name + ".damaged")
        damaged.write_bytes(b"\0garbage\0" * 64)
        os.replace(damaged, path)
    service = db.session.scalars(select(Service).order_by(Service.name)).first()
    with revisions.recording(kind="edit", author_label="test"):
        service.description += " Now also offers xqdmgdz clinics."
        db.session.commit()
    search.sync(timeout=5)
    assert f"/services/{service.id}" in result_links(client, "xqdmgdz")
    assert index_state(client) == "ok"


# Holds this node's index writer lock with a Whoosh writer open, then waits to be killed.
WRITER = """
import sys, time
from tests.conftest import make_app
from directory.extensions import db
from directory.models import Service
from directory.search import documents
from sqlalchemy import select
from whoosh import index
app = make_app(sys.argv[1], sys.argv[2])
with app.app_context():
    state = app.extensions["search"]
    with state.index.writing(10):
        ix = index.open_dir(sys.argv[2])
        writer = ix.writer()
        service = db.session.scalars(select(Service).limit(1)).first()
        writer.update_document(**documents.document(service))
        print("writing", flush=True)
        time.sleep(120)
"""


def test_a_writer_killed_mid_write_leaves_no_lock_behind(seeded_app):
    client = seeded_app.test_client()
    search.ensure_index()
    index_dir = seeded_app.config["SEARCH_INDEX_DIR"]
    env = {**os.environ, "PYTHONPATH": str(BASE_DIR)}
    writer = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", WRITER, seeded_app.config["SQLALCHEMY_DATABASE_URI"], index_dir],
        stdout=subprocess.PIPE, text=True, cwd=BASE_DIR, env=env,
    )
    try:
        assert writer.stdout.readline().strip() == "writing"
        # While it lives, the lock is real: this process cannot write.
        try:
            search.sync(timeout=0.5)
            held = False
        except search.IndexBusy:
            held = True
        assert held, "the other process should be holding the writer lock"
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=30)
        writer.stdout.close()

    service = db.session.scalars(select(Service).order_by(Service.name)).first()
    with revisions.recording(kind="edit", author_label="test"):
        service.description += " Now also offers xqvbnmz clinics."
        db.session.commit()
    search.sync(timeout=5)
    assert f"/services/{service.id}" in result_links(client, "xqvbnmz")
    assert client.get("/healthz").get_json() == {
        "status": "ok", "database": "ok", "index": "ok", "index_lag": 0}


def test_an_index_truncated_in_place_while_serving_is_rebuilt(seeded_app):
    client = seeded_app.test_client()
    before = result_links(client, "PEP")
    assert before
    directory = Path(seeded_app.config["SEARCH_INDEX_DIR"])
    # In place, under the open reader: memory-mapped files would kill the process with SIGBUS here.
    for path in directory.glob("*.seg"):
        os.truncate(path, path.stat().st_size // 3)
    assert sorted(result_links(client, "PEP")) == sorted(before)
    assert sorted(result_links(client, "chemsex")), "every later search works too"
    assert index_state(client) == "ok"
