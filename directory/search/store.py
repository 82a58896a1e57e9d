"""One node's index directory: building, following the change log, and a reusable searcher.

Writers (rebuild, applying change-log entries) take an exclusive `flock` on a file in the index
directory, with a timeout, so worker processes write one at a time and none ever sees Whoosh's
LockError. The kernel drops a `flock` when its process dies, so a killed writer never leaves a
lock behind. Readers never lock: each process keeps one searcher and refreshes it when the
index's generation changes.
"""

import errno
import fcntl
import gc
import logging
import os
import shutil
import threading
import time
import traceback
import warnings
import weakref
from contextlib import contextmanager, suppress

from sqlalchemy import select
from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh import writing
from whoosh.filedb.filestore import FileStorage

from ..models import Service
from . import changelog, documents
from .bitsets import View

log = logging.getLogger(__name__)

STATE_FILE = "directory-state.json"
LOCK_FILE = "directory-writer.lock"
KEEP = {STATE_FILE, LOCK_FILE}


def _quietly(check, default):
    """Run a check that opens index files; on any failure return `default`.

    A damaged index can fail in many ways, and Whoosh then leaves files open: they are closed here,
    inside the block, so their ResourceWarnings do not surface later somewhere unrelated.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return check()
        except Exception as exc:
            log.warning("search index unreadable: %s", repr(exc))  # a string: keep no traceback alive
            result = default
        gc.collect()
    return result


def _collect_quietly(failure: BaseException | None = None) -> None:
    """Close the files a failed Whoosh open left behind, without ResourceWarnings.

    Pass the exception while still handling it: its traceback's frames hold those files.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        if failure is not None:
            traceback.clear_frames(failure.__traceback__)
        gc.collect()


# A search that finds the index missing waits this long for another process's rebuild, then gives up
# with IndexBusy (a clear 503), well inside gunicorn's request timeout.
READ_REBUILD_WAIT = 20.0


class IndexBusy(Exception):
    """Another process held the writer lock for longer than we were willing to wait."""


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
        deadline = time.monotonic() + timeout
        if not self._write_lock.acquire(timeout=max(timeout, 0.001)):
            raise IndexBusy(self.directory)
        try:
            os.makedirs(self.directory, exist_ok=True)
            fd = os.open(self._path(LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o644)
            try:
                while True:
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except OSError as exc:
                        if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() >= deadline:
                            raise IndexBusy(self.directory) from exc
                        time.sleep(0.02)
                try:
                    yield
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
        finally:
            self._write_lock.release()

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
        return _quietly(self._open_problem, default="corrupt")

    def _open_problem(self) -> str | None:
        if not whoosh_index.exists_in(self.directory):
            return "missing"
        ix = self._open()
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

    def _open(self):
        # Plain reads, not mmap: a segment file truncated under a memory map kills the process with
        # SIGBUS, where a read fails with an exception the search can recover from by rebuilding.
        return FileStorage(self.directory, supports_mmap=False).open_index()

    def recover(self, failed_build: str | None, failure: BaseException) -> None:
        """Rebuild after reading the index failed, unless another process rebuilt it meanwhile.

        `failed_build` is the build the failed read used (see `build`): a damaged file can still
        pass `problem()`'s checks, so the failure itself is the evidence.
        """
        log.warning("reading the search index in %s failed (%s); rebuilding", self.directory, repr(failure))
        with self._read_lock:
            self._close()
            _collect_quietly(failure)
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
        return _quietly(lambda: whoosh_index.exists_in(self.directory), default=False)

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
            position = changelog.starting_point(session, documents.SCHEMA_VERSION)
            if wipe:
                self._wipe()
                ix = whoosh_index.create_in(self.directory, documents.schema())
            else:
                ix = self._open()
            ids = session.scalars(
                select(Service.id)
                .where(Service.is_published.is_(True), Service.status == "active")
                .order_by(Service.id)
            ).all()
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
        position.save(self._path(STATE_FILE))
        self._invalidate()
        log.info("search index rebuilt: %d listings in %.1fs", len(ids), time.monotonic() - started)
        return len(ids)

    def _wipe(self) -> None:
        os.makedirs(self.directory, exist_ok=True)
        for name in os.listdir(self.directory):
            if name in KEEP:
                continue
            path = self._path(name)
            if os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                with suppress(FileNotFoundError):
                    os.remove(path)
        with suppress(FileNotFoundError):
            os.remove(self._path(STATE_FILE))

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
                _collect_quietly()
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
                changed += self._apply(session, {service_id for _, service_id in rows})
                position = changelog.advance(position, [seq for seq, _ in rows])
                position.save(self._path(STATE_FILE))
                if len(rows) < changelog.BATCH:
                    break
        return changed

    def _apply(self, session, service_ids: set[str]) -> int:
        listings = documents.listings_from_rows(session, list(documents.listed(session, service_ids)))
        ix = self._open()
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
                _collect_quietly(exc)
                view = None
            if view is None:
                _collect_quietly()
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
            ix = self._open()
            self._searcher = ix.searcher()
            self._view = None
        elif self._build_token != self._current_build():
            # Rebuilt from scratch by someone: generation numbers restarted, so do not trust them.
            self._close()
            return self._refreshed_view()
        elif not self._searcher.up_to_date():
            # A new searcher, not Whoosh's refresh(): that shares readers with the old one, which is
            # then never closed, and without mmap its files would stay open. Segment caches carry over.
            old, self._searcher = self._searcher, self._open().searcher()
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
