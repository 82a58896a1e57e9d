"""The database: its schema, made by the migrations, and pooled connections checked after idle.

The schema is created and upgraded only through the Alembic migrations in `migrations/`
(`migrate_database`), by `init-db`, `prepare` and a restore into an empty database.

Pooled connections: check one is alive only after it has sat unused for a while.

A connection can die while it sits in the pool (the database restarted, a proxy or firewall
dropped it). SQLAlchemy's `pool_pre_ping` finds out by pinging on every checkout, which costs a
round trip on every request. Under steady traffic a connection is back in use within
milliseconds, so here it is pinged only after `idle_seconds` unused. A connection that dies
while busy is still handled: the failing statement raises a disconnect error, SQLAlchemy throws
away every connection of the pool made before it, and the request gets the 503 page (reads that
matter, such as the results re-check, try once more on a fresh connection).
"""

import time

from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import event, exc


def migrate_database():
    """Create or upgrade the schema through the Alembic migrations."""
    upgrade(directory=current_app.extensions["migrate"].directory)


def ping_after_idle(engine, idle_seconds: float) -> None:
    """Make `engine`'s pool ping a connection on checkout when it was idle for over `idle_seconds`."""

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, record):
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, proxy):
        since = record.info.get("checked_in")
        if since is None or time.monotonic() - since <= idle_seconds:
            return  # just connected, or in use moments ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            alive = False
            if not engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise
        if not alive:
            # As pre-ping does: one dead connection means the database went away, so the pool
            # discards every connection made before now and checks out a new one.
            raise exc.InvalidatePoolError("connection found dead after sitting idle")
