"""Shared fixtures.

Each test gets its own app, database and search index directory. SQLite by default (a copy of a
template database built once per run, so a test starts in milliseconds); PostgreSQL when
TEST_DATABASE_URL is set (schema built once, tables emptied between tests).
"""

import os
import shutil
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, event, text

from config import TestConfig
from directory import create_app
from directory.extensions import db
from directory.search import listed
from tests.mail_server import real_mail, smtp_server  # noqa: F401  (fixtures for every test that sends mail)

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
if TEST_DATABASE_URL.startswith("postgresql://"):
    TEST_DATABASE_URL = "postgresql+psycopg://" + TEST_DATABASE_URL[len("postgresql://") :]
USING_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
# CI sets this: a test that needs PostgreSQL, Redis or Chromium fails instead of skipping.
REQUIRE_SERVICES = os.environ.get("DIRECTORY_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str):
    """Skip with a clear reason on a newcomer's laptop; fail in CI, where everything must run."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (DIRECTORY_REQUIRE_SERVICES=1, so this must run here)")
    pytest.skip(reason)


@pytest.fixture
def redis_url():
    """The Redis URL from TEST_REDIS_URL, if a server answers there."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        skip_or_fail("needs Redis: set TEST_REDIS_URL, e.g. redis://127.0.0.1:6379/15")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        skip_or_fail(f"needs Redis at {url}: {exc}")
    return url


def make_app(database_url, index_dir, **overrides):
    """Create an app on the given database and index directory."""

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        SEARCH_INDEX_DIR = str(index_dir)

    for key, value in overrides.items():
        setattr(Config, key, value)
    return create_app(Config)


def _build(app, seeded):
    from directory.reference import load_reference_data

    with app.app_context():
        db.create_all()
        load_reference_data()
        db.session.commit()
        if seeded:
            from directory.seed import seed_services

            seed_services()
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _empty_postgres(app, seeded):
    with app.app_context():
        tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.session.commit()
        from directory.reference import load_reference_data

        load_reference_data()
        db.session.commit()
        if seeded:
            from directory.seed import seed_services

            seed_services()
            db.session.commit()
        db.session.remove()


@pytest.fixture(scope="session")
def _postgres_schema():
    engine = create_engine(TEST_DATABASE_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return True


@pytest.fixture(scope="session")
def _reference_template(tmp_path_factory):
    """A SQLite database with the schema and reference data, built once per run."""
    path = tmp_path_factory.mktemp("templates") / "reference.db"
    _build(make_app(f"sqlite:///{path}", path.parent / "unused-index"), seeded=False)
    return path


@pytest.fixture(scope="session")
def _seeded_template(_reference_template):
    """The reference template plus the seeded London services, built once per run."""
    path = _reference_template.parent / "seeded.db"
    shutil.copy(_reference_template, path)
    app = make_app(f"sqlite:///{path}", path.parent / "unused-index")
    with app.app_context():
        from directory.seed import seed_services

        seed_services()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return path


def _app_for(request, tmp_path, seeded, **overrides):
    if USING_POSTGRES:
        request.getfixturevalue("_postgres_schema")
        app = make_app(TEST_DATABASE_URL, tmp_path / "search-index", **overrides)
        with app.app_context():
            db.create_all()
        _empty_postgres(app, seeded)
        return app
    template = request.getfixturevalue("_seeded_template" if seeded else "_reference_template")
    path = tmp_path / "directory.db"
    shutil.copy(template, path)
    return make_app(f"sqlite:///{path}", tmp_path / "search-index", **overrides)


@pytest.fixture(autouse=True)
def _close_search_indexes():
    """Close the apps' search indexes after each test: their searchers hold index files open."""
    yield
    from directory.search import store

    store.close_all()


@pytest.fixture
def app(request, tmp_path):
    """An app with reference data (boroughs, taxonomies) and no services; its context is pushed."""
    app = _app_for(request, tmp_path, seeded=False)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def seeded_app(request, tmp_path):
    """An app holding the seeded London services; its context is pushed."""
    app = _app_for(request, tmp_path, seeded=True)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def seeded_client(seeded_app):
    return seeded_app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app):
    """Factories for test data: `make.service(...)`, `make.organisation(...)`, `make.user(...)`."""
    from tests.factories import Factories

    return Factories()


@contextmanager
def counting_queries():
    """Collect the SQL statements sent to the database inside the block."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    # On SQLite the results re-check goes straight through the driver (search/listed.py), past
    # SQLAlchemy's events: the driver's own trace sees what it sends.
    through_driver = listed.listed_in_sqlite

    def traced(driver_connection, ids):
        driver_connection.set_trace_callback(statements.append)
        try:
            return through_driver(driver_connection, ids)
        finally:
            driver_connection.set_trace_callback(None)

    event.listen(db.engine, "before_cursor_execute", count)
    listed.listed_in_sqlite = traced
    try:
        yield statements
    finally:
        listed.listed_in_sqlite = through_driver
        event.remove(db.engine, "before_cursor_execute", count)
