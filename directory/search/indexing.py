"""Writing listings into an index directory: all of them (a build), or the ones that changed.

The caller holds the directory's writer lock (`disk.locked`) and owns the database session.
"""

import os
import threading

from sqlalchemy import select
from whoosh import index as whoosh_index
from whoosh import writing

from ..models import Service
from . import changelog, disk, documents

# A large build is shared between this many processes, each writing its own segment (Whoosh is pure
# Python: one core adds about 1,500 documents a second). Set to 1 to build in this process only.
BUILD_PROCS = min(2, os.cpu_count() or 1)
# Below this many listings forking costs more than it saves (and tests' small builds stay in-process).
PARALLEL_BUILD_FROM = 3000


def _build_procs(listings: int) -> int:
    # Only a process with no other threads forks (a command, not a server's worker): a lock another
    # thread holds at the fork would stay held in the child for ever.
    if listings < PARALLEL_BUILD_FROM or threading.active_count() > 1:
        return 1
    return BUILD_PROCS


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
    procs = _build_procs(len(ids))
    if procs > 1:
        # Each process's segment is kept as it is: merging them would cost as much as was saved.
        writer = ix.writer(procs=procs, multisegment=True, batchsize=250, limitmb=128)
    else:
        writer = ix.writer(limitmb=256)
    try:
        for start in range(0, len(ids), 1000):
            for listing in documents.listings_from_rows(session, ids[start : start + 1000]).values():
                writer.add_document(**documents.document(listing))
        writer.commit(mergetype=writing.CLEAR)
    except BaseException:
        writer.cancel()
        raise
    finally:
        ix.close()
    return position, len(ids)


def write_changes(directory: str, session, service_ids: set[str]) -> int:
    """Re-index these services: updated when listed, deleted when not. Return how many there were."""
    listings = documents.listings_from_rows(session, list(documents.listed(session, service_ids)))
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
