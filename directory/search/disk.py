"""One index directory on disk: its own files, the writer lock, opening, wiping, and failed opens.

Writers take an exclusive `flock` on a file in the index directory, with a timeout, so worker
processes write one at a time and none ever sees Whoosh's LockError. The kernel drops a `flock`
when its process dies, so a killed writer never leaves a lock behind.
"""

import errno
import fcntl
import gc
import logging
import os
import shutil
import time
import traceback
import warnings
from contextlib import contextmanager, suppress

from whoosh.filedb.filestore import FileStorage

log = logging.getLogger("directory.search.store")  # the index store's one logger, wherever it logs from

STATE_FILE = "directory-state.json"
LOCK_FILE = "directory-writer.lock"
KEEP = {STATE_FILE, LOCK_FILE}


class IndexBusy(Exception):
    """Another process held the writer lock for longer than we were willing to wait."""


@contextmanager
def locked(directory: str, thread_lock, timeout: float):
    """Hold `thread_lock`, then the directory's writer lock, waiting at most `timeout` seconds in all."""
    deadline = time.monotonic() + timeout
    if not thread_lock.acquire(timeout=max(timeout, 0.001)):
        raise IndexBusy(directory)
    try:
        os.makedirs(directory, exist_ok=True)
        fd = os.open(os.path.join(directory, LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() >= deadline:
                        raise IndexBusy(directory) from exc
                    time.sleep(0.02)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    finally:
        thread_lock.release()


def open_index(directory: str):
    """Open the Whoosh index in `directory`."""
    # Plain reads, not mmap: a segment file truncated under a memory map kills the process with
    # SIGBUS, where a read fails with an exception the search can recover from by rebuilding.
    return FileStorage(directory, supports_mmap=False).open_index()


def wipe(directory: str) -> None:
    """Delete the index files and the state file, keeping the writer lock (which may be held)."""
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        if name in KEEP:
            continue
        path = os.path.join(directory, name)
        if os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            with suppress(FileNotFoundError):
                os.remove(path)
    with suppress(FileNotFoundError):
        os.remove(os.path.join(directory, STATE_FILE))


def quietly(check, default):
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


def collect_quietly(failure: BaseException | None = None) -> None:
    """Close the files a failed Whoosh open left behind, without ResourceWarnings.

    Pass the exception while still handling it: its traceback's frames hold those files.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        if failure is not None:
            traceback.clear_frames(failure.__traceback__)
        gc.collect()
