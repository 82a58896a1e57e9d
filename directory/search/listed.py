"""Which services are listed now: published and active, read from the database by primary key.

The index can lag the database by a poll, so every page of results is checked with this before it
is shown, and the index is built and updated only from what it returns.
"""

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from ..extensions import db
from ..models import Service
from ..models.listings import LISTED_INDEX, is_listed


def still_listed(ids: list[str]) -> set[str]:
    """Return which of these services are still published and active (one primary-key query)."""
    if not ids:
        return set()
    try:
        return _listed(ids)
    except DBAPIError as error:
        # A pooled connection that died under us (the database restarted): SQLAlchemy has
        # discarded the pool, so a second try gets a fresh connection. A read is safe to repeat.
        if not error.connection_invalidated:
            raise
        return _listed(ids)


def _listed(ids: list[str]) -> set[str]:
    engine = db.engine
    if engine.dialect.name == "sqlite":
        # The driver's own cursor: SQLAlchemy's connection and result layers cost more CPU than
        # this one primary-key query, on every results page. (The driver opens no transaction for
        # a SELECT, so handing the connection back to the pool costs nothing either.)
        raw = engine.raw_connection()
        try:
            return listed_in_sqlite(raw.driver_connection, ids)
        finally:
            raw.close()
    # On its own connection in autocommit: one statement needs no transaction, and opening and
    # rolling one back would cost two more round trips to the database on every results page.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return listed(connection, ids)

# `listed`'s query as text (in PostgreSQL, the ids as one array): every results page runs it, and the
# expression layer expanding twenty ids into twenty parameters cost more CPU than the query itself.
_LISTED_POSTGRESQL = "SELECT id, is_published, status FROM service WHERE id = ANY(%s)"
_LISTED_QMARK = "SELECT id, is_published, status FROM service WHERE id IN (%s)"
# SQLite's planner takes the primary key's own index (and then each service's row) unless told
# otherwise, or until ANALYZE has run; the index of just those columns answers from a few pages.
_LISTED_SQLITE = (f"SELECT id, is_published, status FROM service INDEXED BY {LISTED_INDEX} "  # noqa: S608
                  "WHERE id IN (%s)")  # (constants: the ids are parameters)


def listed(connection, ids) -> set[str]:
    """Return which of these services belong in the index: published and active (one query).

    `connection` is a Session or a Connection.
    """
    ids = list(ids)
    if not hasattr(connection, "exec_driver_sql"):  # a Session: its connection, in its transaction
        connection = connection.connection()
    if connection.dialect.name == "postgresql":
        rows = connection.exec_driver_sql(_LISTED_POSTGRESQL, (ids,))
    elif connection.dialect.paramstyle == "qmark":
        rows = connection.exec_driver_sql(_LISTED_QMARK % ",".join("?" * len(ids)), tuple(ids)) if ids else []
    else:
        rows = connection.execute(
            select(Service.id, Service.is_published, Service.status).where(Service.id.in_(ids))
        )
    return _listed_of(rows)


def listed_in_sqlite(driver_connection, ids: list[str]) -> set[str]:
    """Return what `listed` returns, through the sqlite3 driver's own connection."""
    if not ids:
        return set()
    return _listed_of(driver_connection.execute(_LISTED_SQLITE % ",".join("?" * len(ids)), ids).fetchall())


def _listed_of(rows) -> set[str]:
    # Checked here, not in SQL: with those conditions in the WHERE clause SQLite's planner picks the
    # (is_published, status) index and scans every published listing instead of the primary key.
    return {service_id for service_id, published, status in rows if is_listed(published, status)}
