"""Search: full text in the domain's own words, filters with counts, catchment and distance.

The one module views, the API and the CLI use; nothing outside this package imports Whoosh.

    result = search.search(search.SearchRequest(text="tina", borough="lambeth", open_now=True))

The database is the source of truth. Every listing change writes an `IndexChange` row in the
same transaction (see `revisions.py`); after a commit this node applies the new entries to its
own index, and a background poller applies entries written through other nodes. An index
directory that is missing, damaged or of an older schema is rebuilt from the database.
"""

import logging
import threading

from flask import current_app
from sqlalchemy import func, select

from .. import commits
from ..extensions import db
from ..models import IndexChange
from . import engine, listed
from .catalogue import Catalogue, Choice
from .criteria import SearchRequest
from .engine import Hit, SearchResult
from .filters import SearchInputError
from .store import IndexBusy, SearchIndex

__all__ = [
    "Catalogue",
    "Choice",
    "Hit",
    "IndexBusy",
    "SearchInputError",
    "SearchRequest",
    "SearchResult",
    "catalogue",
    "ensure_index",
    "init_app",
    "page_ids",
    "prepare_snippets",
    "ranked_ids",
    "reindex",
    "search",
    "start_poller",
    "status",
    "still_listed",
    "stop_poller",
    "sync",
]

log = logging.getLogger(__name__)

# How long a commit waits for another process's index write before leaving the change to the poller.
COMMIT_SYNC_TIMEOUT = 2.0


class _State:
    """Per-app search state: the node's index, cached reference data, the poller."""

    def __init__(self, app):
        self.app = app
        self.index = SearchIndex(app.config["SEARCH_INDEX_DIR"], lambda: db.engine)
        self.catalogue = Catalogue()
        self.interval = float(app.config.get("SEARCH_POLL_SECONDS") or 0)
        self.poller: _Poller | None = None
        self._poller_lock = threading.Lock()


def init_app(app):
    """Attach search to the app: its index state, and the change-log poller started on first request."""
    state = _State(app)
    app.extensions["search"] = state

    @app.before_request
    def _start_polling():
        if state.interval > 0 and (state.poller is None or not state.poller.is_alive()):
            start_poller(app)


def _state(app=None) -> _State:
    return (app or current_app).extensions["search"]


def _caught_up() -> _State:
    # Changes wait to be applied (this process's own commits, or the change log on first use):
    # a search made just after a commit sees it.
    state = _state()
    if state.index.pending:
        _sync_quietly(state, timeout=COMMIT_SYNC_TIMEOUT)
    return state


def search(request: SearchRequest) -> SearchResult:
    """Answer a search request; raises SearchInputError (with .field, .message) for unusable input."""
    state = _caught_up()
    return engine.run(state.index, request, state.catalogue)


def ranked_ids(request: SearchRequest) -> list[str]:
    """Return the ids of every service matching `request`, best first (see `engine.ranked_ids`)."""
    state = _caught_up()
    return engine.ranked_ids(state.index, request, state.catalogue)


def page_ids(request: SearchRequest) -> tuple[list[str], int]:
    """Return one page of matching service ids, in order, and the total (see `engine.page_ids`)."""
    state = _caught_up()
    return engine.page_ids(state.index, request, state.catalogue)


def still_listed(ids: list[str]) -> set[str]:
    """Return which of these services are published and active now (one primary-key query)."""
    return listed.still_listed(ids)


def prepare_snippets(listings) -> None:
    """Read each listing's text for highlighting now (a server, before it forks its workers)."""
    engine.prepare_snippets(listings)


def catalogue() -> Catalogue:
    """Return the boroughs, taxonomy terms and pathways search knows (re-read at most once a minute)."""
    return _state().catalogue.fresh()


def close_index_files() -> None:
    """Close this process's index files, keeping what it derived from them (before a fork)."""
    _state().index.close_files()


def ensure_index() -> bool:
    """Build the index if it is missing or damaged, then catch up with the change log."""
    state = _state()
    rebuilt = state.index.ensure()
    state.index.sync()
    return rebuilt


def reindex() -> int:
    """Rebuild this node's index from the database. Return the number of listings indexed."""
    state = _state()
    count = state.index.rebuild()
    state.index.sync()
    return count


def sync(timeout: float = 10.0) -> int:
    """Apply change-log entries this node has not applied yet. Return how many services changed."""
    return _state().index.sync(timeout=timeout)


def status() -> dict:
    """Report the index's health and lag behind the change log (for health checks)."""
    state = _state()
    problem = state.index.problem()
    position = state.index.position()
    latest = db.session.scalar(select(func.max(IndexChange.seq))) or 0
    applied = position.max_seq if position else 0
    return {
        "ok": problem is None,
        "problem": problem,
        "applied_seq": applied,
        "latest_seq": latest,
        "lag": max(0, latest - applied),
        "open_gaps": position.gap_count() if position else 0,
    }


def _sync_quietly(state: _State, timeout: float) -> None:
    try:
        state.index.sync(timeout=timeout)
    except IndexBusy:
        state.index.pending = True  # another process is writing; the poller or next search catches up
    except Exception as exc:
        state.index.pending = True
        log.error("search index update failed; it will be retried: %s", repr(exc))


# -- following commits in this process ---------------------------------------------------------


def _apply_committed_changes():
    state = current_app.extensions.get("search")
    if state is None:
        return
    if state.index.is_open():
        # The session cannot run SQL here; the index reads the change log on its own connection.
        _sync_quietly(state, timeout=COMMIT_SYNC_TIMEOUT)
    else:
        # This process has not opened the index yet: it catches up when it first does.
        state.index.pending = True


commits.after_commit("search index", commits.added(IndexChange), _apply_committed_changes)


# -- following commits made through other nodes ------------------------------------------------


class _Poller(threading.Thread):
    def __init__(self, state: _State, interval: float):
        super().__init__(name="search-change-log", daemon=True)
        self.state = state
        self.interval = interval
        self.stopping = threading.Event()

    def run(self):
        while not self.stopping.wait(self.interval):
            with self.state.app.app_context():
                _sync_quietly(self.state, timeout=max(self.interval, 1.0))


def start_poller(app=None, interval: float | None = None) -> None:
    """Start applying other nodes' changes every `interval` seconds (SEARCH_POLL_SECONDS)."""
    state = _state(app)
    with state._poller_lock:
        if state.poller is not None and state.poller.is_alive():
            return
        state.poller = _Poller(state, interval or state.interval or 2.0)
        state.poller.start()


def stop_poller(app=None) -> None:
    """Stop the poller and wait for it to finish."""
    state = _state(app)
    poller, state.poller = state.poller, None
    if poller is not None:
        poller.stopping.set()
        poller.join(timeout=30)
