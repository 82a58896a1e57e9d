"""`GET /healthz`: database and index state, and index lag, with nothing internal in it."""

from sqlalchemy import insert, select

from directory import search
from directory.extensions import db
from directory.models import IndexChange, Service

KEYS = {"status", "database", "index", "index_lag"}


def health(client):
    response = client.get("/healthz")
    return response.status_code, response.get_json()


def test_healthy_node_reports_ok(seeded_app):
    search.ensure_index()
    status, body = health(seeded_app.test_client())
    assert status == 200
    assert body == {"status": "ok", "database": "ok", "index": "ok", "index_lag": 0}


def test_health_holds_no_internals(seeded_app):
    response = seeded_app.test_client().get("/healthz")
    text = response.get_data(as_text=True)
    assert set(response.get_json()) == KEYS
    for internal in (seeded_app.config["SEARCH_INDEX_DIR"], "sqlite", "postgres", "whoosh", "version", "/"):
        assert internal not in text
    assert response.headers["Cache-Control"] == "no-store"


def test_a_node_without_an_index_is_degraded_but_serving(seeded_app):
    status, body = health(seeded_app.test_client())
    assert status == 200
    assert body["status"] == "degraded" and body["index"] == "missing"


def test_lag_counts_change_log_entries_this_node_has_not_applied(seeded_app):
    seeded_app.config["HEALTH_MAX_INDEX_LAG"] = 2
    search.ensure_index()
    client = seeded_app.test_client()
    ids = db.session.scalars(select(Service.id).limit(3)).all()
    # Another node's commits: straight to the database, so this node only learns of them by polling.
    with db.engine.begin() as conn:
        conn.execute(insert(IndexChange), [{"service_id": i} for i in ids])
    status, body = health(client)
    assert (status, body["index_lag"], body["status"]) == (200, 3, "degraded")
    search.sync()
    assert health(client) == (200, {"status": "ok", "database": "ok", "index": "ok", "index_lag": 0})
