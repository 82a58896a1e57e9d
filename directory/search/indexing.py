"""Writing listings into an index directory: all of them (a build), or the ones that changed.

The caller holds the directory's writer lock (`disk.locked`) and owns the database session.
"""

import os
import threading

from sqlalchemy import select
from whoosh import index as whoosh_index

from ..models import Service
from . import bulk, changelog, disk, documents, listed

# A large build is shared between this many processes, each writing its own segment (Whoosh is pure
# Python: one core adds a few thousand documents a second). Set to 1 to build in this process only.
BUILD_PROCS = min(2, os.cpu_count() or 1)
# Below this many listings forking costs more than it saves (and tests' small builds stay in-process).
PARALLEL_BUILD_FROM = 3000
# Each build process sorts its postings in memory up to this size (Whoosh's estimate, about 180 bytes
# a posting, some 60 postings a listing) before it spills them to sorted runs on disk, which cost a
# fifth of a large build to write and merge again: 1 GB keeps 100,000 listings in two processes
# in memory (about 600 MB each). A build in a server's process (which never forks) keeps to less.
BUILD_LIMIT_MB = 1024
SERVER_BUILD_LIMIT_MB = 256
# Listings read from the database at a time.
READ_BATCH = 1000


def _build_procs(listings: int, engine) -> int:
    # Only a process with no other threads forks (a command, not a server's worker): a lock another
    # thread holds at the fork would stay held in the child for ever. A forked process opens its own
    # connection, which to an in-memory SQLite database would be another, empty database.
    in_memory = engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")
    if listings < PARALLEL_BUILD_FROM or threading.active_count() > 1 or in_memory:
        return 1
    return BUILD_PROCS


def _documents(connection, ids: list):
    for start in range(0, len(ids), READ_BATCH):
        for listing in documents.listings_from_rows(connection, ids[start : start + READ_BATCH]).values():
            yield documents.document(listing)


def _forked_documents(engine):
    def forked(ids: list):
        # A forked process must not use its parent's pooled connections: it opens its own.
        engine.dispose(close=False)
        with engine.connect() as connection:
            yield from _documents(connection, ids)

    return forked


def write_all(directory: str, session, wipe: bool) -> tuple[changelog.Position, int]:
    """Index every listed service, replacing what the index held (its files wiped first when `wipe`).

    Return the change-log position the build takes in, for the caller to save once it is done, and
    the number of listings indexed.
    """
    position = changelog.starting_point(session, documents.SCHEMA_VERSION)
    if wipe:
        disk.wipe(directory)
        ix = whoosh_index.create_in(directory, documents.schema())
    else:
        ix = disk.open_index(directory)
    ids = session.scalars(select(Service.id).where(Service.is_listed).order_by(Service.id)).all()
    engine = session.get_bind()
    procs = _build_procs(len(ids), engine)
    try:
        bulk.build(ix, ids, lambda share: _documents(session, share), _forked_documents(engine),
                   procs=procs, limitmb=BUILD_LIMIT_MB if procs > 1 else SERVER_BUILD_LIMIT_MB)
    finally:
        ix.close()
    return position, len(ids)


def write_changes(directory: str, session, service_ids: set[str]) -> int:
    """Re-index these services: updated when listed, deleted when not. Return how many there were."""
    listings = documents.listings_from_rows(session, list(listed.listed(session, service_ids)))
    ix = disk.open_index(directory)
    try:
        writer = ix.writer(timeout=5.0)
        try:
            for service_id in sorted(service_ids):
                listing = listings.get(service_id)
                if listing is not None:
                    writer.update_document(**documents.document(listing))
                else:  # unpublished, closed or deleted
                    writer.delete_by_term("id", service_id)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
    finally:
        ix.close()
    return len(service_ids)
