"""Pooled connections that die while idle are replaced before use, without a ping on every request."""

import time

import pytest
from sqlalchemy import create_engine, event, exc, text

from directory.database import ping_after_idle
from directory.extensions import db
from tests.conftest import TEST_DATABASE_URL, USING_POSTGRES

pytestmark = pytest.mark.skipif(
    not USING_POSTGRES, reason="needs PostgreSQL (set TEST_DATABASE_URL): a server that can cut connections")


def _cut(pid):
    """End a server process as a database restart would, from another connection."""
    admin = create_engine(TEST_DATABASE_URL)
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


def _pooled_backend(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_a_connection_cut_while_idle_is_replaced_before_use():
    engine = create_engine(TEST_DATABASE_URL, pool_size=1)
    ping_after_idle(engine, idle_seconds=0.05)
    pid = _pooled_backend(engine)
    _cut(pid)
    time.sleep(0.1)
    with engine.connect() as connection:  # pinged, found dead, replaced: no error
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged_and_a_cut_one_fails_once():
    engine = create_engine(TEST_DATABASE_URL, pool_size=1)
    ping_after_idle(engine, idle_seconds=60)
    statements = []
    pid = _pooled_backend(engine)
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    for _ in range(3):
        _pooled_backend(engine)
    assert statements == ["SELECT pg_backend_pid()"] * 3  # no ping between them
    _cut(pid)
    with pytest.raises(exc.OperationalError) as failure:
        _pooled_backend(engine)
    assert failure.value.connection_invalidated
    assert _pooled_backend(engine) != pid  # the pool threw the dead connection away
    engine.dispose()


def test_results_survive_a_database_restart_between_searches(app, make):
    make.service(name="Zyxomba clinic")
    client = app.test_client()
    assert "Zyxomba clinic" in client.get("/search?q=zyxomba").get_data(as_text=True)
    db.session.remove()
    admin = create_engine(TEST_DATABASE_URL)
    with admin.connect() as connection:  # every other connection to this database, as a restart would
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    admin.dispose()
    response = client.get("/search?q=zyxomba")  # the results re-check tries again on a new connection
    assert response.status_code == 200
    assert "Zyxomba clinic" in response.get_data(as_text=True)
