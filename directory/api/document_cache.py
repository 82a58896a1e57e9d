"""Each service's ORUK document, built once per listing version and reused by every page that shows it.

Building a page of 20 documents costs a dozen ORM queries and the nesting of each service; reading
them from here costs one primary-key read of the change log. Every listing change (the service, its
locations, hours, phones, organisation or pathway stages) writes an `IndexChange` row, so while the
newest `IndexChange.seq` stays put, a document built earlier is still true; when it moves, every
entry goes, on every node, because each reads the same log. What the log does not track (a
pathway's or taxonomy term's name, an imported remainder on its own, or on PostgreSQL an entry
whose transaction commits after a later one's) shows within `MAX_AGE_SECONDS`, the minute the
API's `Cache-Control: max-age` already allows and search's catalogue takes.

One speed trick, with its owner, limit and off switch: `API_DOCUMENT_CACHE` entries per process
(0 builds every document on each request, to the same bytes; tests/api/test_document_cache.py).
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import IndexChange

DEFAULT_ENTRIES = 5000  # about 20 MB of full documents; a page of 20 needs 20
MAX_AGE_SECONDS = 60.0
_KEY = "api_document_cache"


class DocumentCache:
    """Documents by (service id, variant), least recently used dropped first, all dropped on a change."""

    def __init__(self, entries: int, max_age: float = MAX_AGE_SECONDS):
        self.entries = entries
        self.max_age = max_age
        self._documents: OrderedDict[tuple[str, str], dict] = OrderedDict()
        self._stamp: int | None = None
        self._since = time.monotonic()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._documents)

    def clear(self) -> None:
        """Drop every document."""
        with self._lock:
            self._documents.clear()
            self._stamp = None

    def documents(self, ids: list[str], variant: str, build: Callable[[list[str]], list[dict]]) -> list[dict]:
        """Return the documents of `ids` in order, building the missing ones with `build(missing_ids)`.

        `build` returns documents (each with its service's "id") for the ids still listed, in any order.
        """
        stamp = _log_stamp()
        with self._lock:
            if stamp != self._stamp or time.monotonic() - self._since > self.max_age:
                self._documents.clear()
                self._stamp, self._since = stamp, time.monotonic()
            found = {}
            for service_id in ids:
                document = self._documents.get((service_id, variant))
                if document is not None:
                    self._documents.move_to_end((service_id, variant))
                    found[service_id] = document
        missing = [i for i in ids if i not in found]
        if missing:
            built = {d["id"]: d for d in build(missing)}
            found.update(built)
            with self._lock:
                # Built from rows read after `stamp`: kept only if no change arrived meanwhile.
                if self._stamp == stamp:
                    for service_id, document in built.items():
                        self._documents[(service_id, variant)] = document
                    while len(self._documents) > self.entries:
                        self._documents.popitem(last=False)
        return [found[i] for i in ids if i in found]


def _log_stamp() -> int:
    return db.session.scalar(select(func.max(IndexChange.seq))) or 0


def cache() -> DocumentCache | None:
    """Return this app's document cache, or None when `API_DOCUMENT_CACHE` is 0."""
    app = current_app._get_current_object()
    if _KEY not in app.extensions:
        entries = int(app.config.get("API_DOCUMENT_CACHE", DEFAULT_ENTRIES) or 0)
        app.extensions[_KEY] = DocumentCache(entries) if entries > 0 else None
    return app.extensions[_KEY]
