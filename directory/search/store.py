"""One node's index: keeping it healthy, following the change log, and a reusable searcher.

Writers (rebuild, applying change-log entries) hold the index directory's writer lock (see
`disk.py`; the writing itself is in `indexing.py`). Readers never lock: each process keeps one
searcher and refreshes it when the index's generation changes.
"""

import logging
import os
import threading
import time
import weakref
from contextlib import contextmanager, suppress

from sqlalchemy.orm import Session
from whoosh import index as whoosh_index

from . import changelog, disk, documents, indexing
from .bitsets import View
from .disk import STATE_FILE, IndexBusy, collect_quietly, quietly

__all__ = ["READ_REBUILD_WAIT", "IndexBusy", "SearchIndex", "close_all"]

log = logging.getLogger(__name__)

# A search that finds the index missing waits this long for another process's rebuild, then gives up
# with IndexBusy (a clear 503), well inside gunicorn's request timeout.
READ_REBUILD_WAIT = 20.0

_INDEXES: "weakref.WeakSet[SearchIndex]" = weakref.WeakSet()


def close_all() -> None:
    """Close every index this process has open (their searchers hold files open until closed)."""
    for index in list(_INDEXES):
        index.close()


class SearchIndex:
    """The search index of one node (one directory), shared by this process's threads."""

    def __init__(self, directory: str, engine_source):
        _INDEXES.add(self)
        self.directory = str(directory)
        self._engine_source = engine_source  # returns the SQLAlchemy engine (the app's)
        self._read_lock = threading.RLock()
        self._write_lock = threading.Lock()
        self._searcher = None
        self._build_token = None
        self._view: View | None = None
        self._view_stamp = None  # the state file's identity when the view was last checked
        self._segments: dict = {}
        self._checked = False  # the directory was found healthy (or rebuilt) by this process
        self._pid = os.getpid()
        # Catch up with the change log on first use: other processes may have moved it on.
        self.pending = True
        self.last_sync_at: float | None = None

    # -- paths and locks -------------------------------------------------------------------------

    def _path(self, name: str) -> str:
        return os.path.join(self.directory, name)

    def _forked(self) -> None:
        # A searcher opened before a fork shares file offsets with the parent: open new files. The
        # per-segment data is plain data read from segments, which never change: keep it, so that
        # workers forked from a warmed server (directory/warmup.py) start with it.
        if os.getpid() != self._pid:
            self._pid = os.getpid()
            self._searcher, self._view = None, None
            self._read_lock, self._write_lock = threading.RLock(), threading.Lock()
            self.pending = True

    @contextmanager
    def writing(self, timeout: float):
        """Hold this node's writer lock (threads and processes), waiting at most `timeout` seconds."""
        with disk.locked(self.directory, self._write_lock, timeout):
            yield

    # -- health and building ---------------------------------------------------------------------

    def position(self) -> changelog.Position | None:
        """Return how far this index has followed the change log (None if it has no state)."""
        return changelog.Position.load(self._path(STATE_FILE))

    def problem(self) -> str | None:
        """Say what is wrong with the index directory, or None when it is usable."""
        position = self.position()
        if position is None:
            return "missing"
        if position.schema != documents.SCHEMA_VERSION:
            return "old schema"
        return quietly(self._open_problem, default="corrupt")

    def _open_problem(self) -> str | None:
        if not whoosh_index.exists_in(self.directory):
            return "missing"
        ix = disk.open_index(self.directory)
        try:
            if set(ix.schema.names()) != set(documents.schema().names()):
                return "old schema"
            with ix.searcher() as searcher:
                searcher.doc_count()
        finally:
            ix.close()
        return None

    def is_open(self) -> bool:
        """Whether this process has checked (or built) the index and keeps it current."""
        return self._checked and os.getpid() == self._pid

    def recover(self, failed_build: str | None, failure: BaseException) -> None:
        """Rebuild after reading the index failed, unless another process rebuilt it meanwhile.

        `failed_build` is the build the failed read used (see `build`): a damaged file can still
        pass `problem()`'s checks, so the failure itself is the evidence.
        """
        log.warning("reading the search index in %s failed (%s); rebuilding", self.directory, repr(failure))
        with self._read_lock:
            self._close()
            collect_quietly(failure)
            with self.writing(READ_REBUILD_WAIT):
                if self._current_build() == failed_build:
                    self._build(wipe=True)
            self._checked = True

    @property
    def build(self) -> str | None:
        """The identity of the build this process reads (changes when anyone rebuilds the index)."""
        return self._build_token

    def _looks_present(self) -> bool:
        if not os.path.exists(self._path(STATE_FILE)):
            return False
        return quietly(lambda: whoosh_index.exists_in(self.directory), default=False)

    def ensure(self, timeout: float = 120.0) -> bool:
        """Rebuild the index when missing, corrupt or of an old schema. Return whether it rebuilt."""
        self._forked()
        if self._checked and self._looks_present():
            return False
        if self.problem() is None:
            self._checked = True
            return False
        with self.writing(timeout):
            if self.problem() is None:  # another process rebuilt it while we waited
                self._checked = True
                return False
            self._build(wipe=True)
        self._checked = True
        return True

    def rebuild(self, timeout: float = 600.0) -> int:
        """Rebuild the whole index from the database. Return the number of listings indexed."""
        self._forked()
        with self.writing(timeout):
            count = self._build(wipe=self.problem() is not None)
        self._checked = True
        return count

    def _build(self, wipe: bool) -> int:
        started = time.monotonic()
        with Session(self._engine_source()) as session:
            position, count = indexing.write_all(self.directory, session, wipe)
        position.save(self._path(STATE_FILE))
        self._invalidate()
        log.info("search index rebuilt: %d listings in %.1fs", count, time.monotonic() - started)
        return count

    # -- following the change log ----------------------------------------------------------------

    def sync(self, timeout: float = 10.0) -> int:
        """Apply change-log entries this node has not applied. Return how many services changed."""
        self._forked()
        if self.ensure(timeout=max(timeout, 120.0)):
            self.pending = False
        changed = 0
        with self.writing(timeout):
            position = self.position()
            damaged = False
            try:
                if position is None or position.schema != documents.SCHEMA_VERSION:
                    raise FileNotFoundError(self._path(STATE_FILE))
                changed = self._follow(position)
            except Exception as exc:
                if self.problem() is None:
                    raise
                # Damaged under us (files deleted or overwritten): rebuild, which takes in every change.
                log.warning("search index in %s was damaged (%s); rebuilding", self.directory, repr(exc))
                damaged = True
            if damaged:
                collect_quietly()
                changed = self._build(wipe=True)
        self.pending = False
        self.last_sync_at = time.time()
        if changed:
            self._invalidate()
        return changed

    def _follow(self, position: changelog.Position) -> int:
        changed = 0
        with Session(self._engine_source()) as session:
            if changelog.missed(session, position):
                log.warning("search index in %s is behind the pruned change log; rebuilding", self.directory)
                return self._build(wipe=True)
            while True:
                rows = changelog.pending(session, position)
                if not rows:
                    break
                service_ids = {service_id for _, service_id in rows}
                changed += indexing.write_changes(self.directory, session, service_ids)
                position = changelog.advance(position, [seq for seq, _ in rows])
                position.save(self._path(STATE_FILE))
                if len(rows) < changelog.BATCH:
                    break
        return changed

    # -- reading ---------------------------------------------------------------------------------

    def _invalidate(self) -> None:
        # No lock: a writer holding the write lock must never wait for a reader (who may be waiting
        # for the write lock to rebuild). Readers keep the view they hold; the next one rebuilds it.
        self._view = None

    @contextmanager
    def reading(self):
        """Yield the current `View` (searcher plus cached sets), refreshed if the index changed."""
        self._forked()
        with self._read_lock:
            try:
                view = self._current_view()
            except Exception as exc:  # the directory vanished or broke while we were serving
                log.warning("search index in %s needs a rebuild: %s", self.directory, repr(exc))
                collect_quietly(exc)
                view = None
            if view is None:
                collect_quietly()
                self._close()
                self._checked = False
                self.ensure(timeout=READ_REBUILD_WAIT)
                view = self._current_view()
            yield view

    def _current_view(self) -> View:
        # Every writer (a change applied, a rebuild) replaces the state file after it commits, so
        # while that file is the one this view was opened after, nothing has changed: one stat()
        # instead of reading the state and listing the index directory on every search.
        stamp = self._state_stamp()
        if stamp is not None and stamp == self._view_stamp and self._view is not None:
            return self._view
        view = self._refreshed_view()
        self._view_stamp = stamp
        return view

    def _state_stamp(self) -> tuple | None:
        try:
            state = os.stat(self._path(STATE_FILE))
        except OSError:
            return None
        return state.st_ino, state.st_mtime_ns, state.st_size

    def _refreshed_view(self) -> View:
        if self._searcher is None:
            if not self._checked:
                self.ensure(timeout=READ_REBUILD_WAIT)
            self._build_token = self._current_build()
            ix = disk.open_index(self.directory)
            self._searcher = ix.searcher()
            self._view = None
        elif self._build_token != self._current_build():
            # Rebuilt from scratch by someone: generation numbers restarted, so do not trust them.
            self._close()
            return self._refreshed_view()
        elif not self._searcher.up_to_date():
            # A new searcher, not Whoosh's refresh(): that shares readers with the old one, which is
            # then never closed, and without mmap its files would stay open. Segment caches carry over.
            old, self._searcher = self._searcher, disk.open_index(self.directory).searcher()
            self._view = None
            with suppress(Exception):
                old.close()
        if self._view is None or self._view.searcher is not self._searcher:
            self._view = View(self._searcher, self._segments)
            live = {reader.segment().segment_id() for reader, _, _ in self._view.leaves}
            for segid in list(self._segments):
                if segid not in live:
                    del self._segments[segid]
        return self._view

    def _current_build(self) -> str | None:
        position = self.position()
        return position.build if position else None

    def _close(self) -> None:
        self._close_searcher()
        self._segments = {}

    def _close_searcher(self) -> None:
        searcher, self._searcher, self._view = self._searcher, None, None
        if searcher is not None:
            with suppress(Exception):  # closing a broken searcher may fail; we drop it anyway
                searcher.close()

    def close(self) -> None:
        with self._read_lock:
            self._close()

    def close_files(self) -> None:
        """Close the searcher's files but keep the per-segment data (a server about to fork)."""
        with self._read_lock:
            self._close_searcher()
