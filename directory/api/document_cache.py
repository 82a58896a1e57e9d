"""Each listing's ORUK documents, built once per listing version and reused by every page that shows them.

Building a page of 20 documents costs a dozen ORM queries and the nesting of each service; reading
them from here costs one read of the change log. Every listing change (the service, its locations,
hours, phones, organisation or pathway stages) writes an `IndexChange` row naming the service, and
this node follows that log as its search index does (`search.changelog`, gaps included, so an entry
whose transaction commits after a later one's is still seen): each entry drops that listing's
documents, and only those, so a listing's documents are built again only when it changed. What the
log does not track (a pathway's or taxonomy term's name, which change only with a deploy's `flask
prepare`, after which every process starts empty) shows within `MAX_AGE_SECONDS`: each document is
built again that long after it was built, so old documents are rebuilt a few at a time, never all
at once in every worker.

The log is read at most every `FOLLOW_SECONDS` (other nodes' changes show within that, sooner than
in search results, which poll every `SEARCH_POLL_SECONDS`), and on the next request after a change
committed in this process. A few whole-directory answers (the newest change of all, for pages'
`Last-Modified`; every listed service-at-location with its place, for the service-at-location
lists) are kept with the documents (`remembered`) and read again whenever the log moves.

A listing's documents are its service in each variant ("summary", "full", "minimal") and each of
its service-at-locations ("sal-<variant>:<id>"), so one change drops them together. A service's JSON text, for
pages joined from it (`responses.cached_page`), is kept beside its document and dropped with it.

One speed trick, with its owner, limit and off switch: `API_DOCUMENT_CACHE` documents per process
(0 builds every document on each request, to the same bytes; tests/api/test_api_pages.py).
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app

from .. import commits
from ..extensions import db
from ..models import IndexChange
from ..search import changelog

DEFAULT_ENTRIES = 5000  # about 20 MB of full documents; a page of 20 needs 20
MAX_AGE_SECONDS = 600.0
FOLLOW_SECONDS = 1.0
_KEY = "api_document_cache"


class DocumentCache:
    """Documents by (service id, variant), least recently used dropped first, a listing's on its change."""

    def __init__(self, entries: int, max_age: float = MAX_AGE_SECONDS, follow_every: float = FOLLOW_SECONDS):
        self.entries = entries
        self.max_age = max_age
        self.follow_every = follow_every
        self._followed_at = float("-inf")
        self._remembered: dict[str, object] = {}
        self._documents: OrderedDict[tuple[str, str], tuple[dict, float]] = OrderedDict()  # (document, built)
        self._variants: dict[str, set[str]] = {}  # service id -> its variants held
        self._texts: dict[tuple[str, str], tuple[dict, str]] = {}  # (document, its JSON) of documents held
        self._position: changelog.Position | None = None
        self._generation = 0  # moves whenever documents are dropped
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._documents)

    def clear(self) -> None:
        """Drop every document, and follow the change log afresh."""
        with self._lock:
            self._clear()
            self._position = None

    def documents(self, keys: list[tuple[str, str]], build: Callable[[list[tuple[str, str]]], dict]) -> dict:
        """Return {key: document} for `keys` [(service id, variant)], building the missing ones.

        `build(missing keys)` returns {key: document} for the keys still listed; the others are left out.
        """
        self.follow()
        now = time.monotonic()
        with self._lock:
            generation = self._generation
            found = {}
            for key in keys:
                kept = self._documents.get(key)
                if kept is not None and now - kept[1] <= self.max_age:
                    self._documents.move_to_end(key)
                    found[key] = kept[0]
        missing = [k for k in keys if k not in found]
        if missing:
            built = build(missing)
            found.update(built)
            with self._lock:
                # Built from rows read after the log was followed: kept only if nothing was dropped since.
                if self._generation == generation:
                    for key, document in built.items():
                        self._documents[key] = (document, now)
                        self._documents.move_to_end(key)
                        self._variants.setdefault(key[0], set()).add(key[1])
                    while len(self._documents) > self.entries:
                        (service_id, variant), _ = self._documents.popitem(last=False)
                        self._forget(service_id, variant)
        return found

    def texts(self, keys: list[tuple[str, str]], build: Callable[[list[tuple[str, str]]], dict],
              encode: Callable[[dict], str]) -> dict:
        """Return {key: `encode(document)`} for `keys`, as `documents` does: each document is encoded
        once while it is held."""
        found = self.documents(keys, build)
        out = {}
        with self._lock:
            for key, document in found.items():
                text = self._texts.get(key)
                if text is None or text[0] is not document:  # new, or built again since
                    text = (document, encode(document))
                    held = self._documents.get(key)
                    if held is not None and held[0] is document:
                        self._texts[key] = text
                out[key] = text[1]
        return out

    def remembered(self, name: str, read: Callable[[], object]):
        """Return `read()`, a whole-directory answer, read again only when the change log has moved."""
        self.follow()
        with self._lock:
            generation = self._generation
            if name in self._remembered:
                return self._remembered[name]
        value = read()
        with self._lock:
            if self._generation == generation:
                self._remembered[name] = value
        return value

    def follow_soon(self) -> None:
        """Read the change log on the next request (a change was committed in this process)."""
        self._followed_at = float("-inf")

    def follow(self) -> None:
        """Apply the change-log entries this process has not seen: drop the documents of those listings."""
        now = time.monotonic()
        if now - self._followed_at < self.follow_every:
            return
        self._followed_at = now
        with self._lock:
            position = self._position
        if position is None:
            position = changelog.starting_point(db.session, schema=0)
            with self._lock:
                self._clear()
                self._position = position
            return
        entries = changelog.pending(db.session, position)
        if not entries and not position.gaps:
            return
        with self._lock:
            if self._position is not position:
                return  # another thread followed the log meanwhile
            if len(entries) >= changelog.BATCH:
                self._clear()  # too far behind to drop one by one
                self._position = changelog.starting_point(db.session, schema=0)
                return
            for _, service_id in entries:
                for variant in self._variants.pop(service_id, ()):
                    self._documents.pop((service_id, variant), None)
                    self._texts.pop((service_id, variant), None)
            if entries:
                self._generation += 1
                self._remembered: dict[str, object] = {}
            self._position = changelog.advance(position, [seq for seq, _ in entries])

    def _clear(self) -> None:
        self._documents.clear()
        self._texts.clear()
        self._variants.clear()
        self._generation += 1
        self._remembered: dict[str, object] = {}

    def _forget(self, service_id: str, variant: str) -> None:
        self._texts.pop((service_id, variant), None)
        variants = self._variants.get(service_id)
        if variants is not None:
            variants.discard(variant)
            if not variants:
                del self._variants[service_id]


def cache() -> DocumentCache | None:
    """Return this app's document cache, or None when `API_DOCUMENT_CACHE` is 0."""
    app = current_app._get_current_object()
    if _KEY not in app.extensions:
        entries = int(app.config.get("API_DOCUMENT_CACHE", DEFAULT_ENTRIES) or 0)
        app.extensions[_KEY] = DocumentCache(entries) if entries > 0 else None
    return app.extensions[_KEY]


def _follow_local_change():
    store = current_app.extensions.get(_KEY)
    if store is not None:
        store.follow_soon()


commits.after_commit("api documents", commits.added(IndexChange), _follow_local_change)
