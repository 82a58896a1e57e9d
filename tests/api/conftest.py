"""Fixtures for the open-data API and the HSDS import/export."""

import json
from pathlib import Path

import pytest
from sqlalchemy import event

from directory.extensions import db
from directory.interchange import oruk

EXAMPLES = Path(oruk.DATA_DIR) / "examples"


@pytest.fixture
def valid():
    """Assert a document validates against an ORUK 3.0 schema, offline; return it."""

    def check(schema_name, document):
        errors = oruk.schema_errors(schema_name, document)
        assert errors == [], f"{schema_name}: {errors[:5]}"
        return document

    return check


@pytest.fixture
def example():
    """Return an ORUK example document by file stem."""

    def load(name):
        return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))

    return load


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, *args, **kwargs):
        self.count += 1


@pytest.fixture
def count_queries():
    """Return a context manager counting the SQL statements run inside it."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting
