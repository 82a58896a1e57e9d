"""The index build after a large import: shared between processes, it must answer exactly as one process's."""

import sys
import threading
from pathlib import Path

from sqlalchemy import create_engine

from directory import search
from directory.commands.hsds import import_records
from directory.search import indexing

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from import_bench import oruk_records  # noqa: E402

REQUESTS = [
    search.SearchRequest(per_page=None),
    search.SearchRequest(text="chemsex support", per_page=None),
    search.SearchRequest(text="sexual health clinic", borough="lambeth", per_page=None),
    search.SearchRequest(text="tina", sort="name", per_page=None),
    search.SearchRequest(postcode="SW9 8BS", max_miles=3, sort="distance", per_page=None),
    search.SearchRequest(open_now=True, include_unlisted_hours=True, per_page=25, page=2),
]


def _answers():
    results = [search.search(request) for request in REQUESTS]
    return [
        ([(h.listing.id, round(h.score or 0, 6), h.distance_miles, str(h.snippet)) for h in r.hits],
         r.total, r.facets)
        for r in results
    ]


def test_a_build_shared_between_processes_answers_as_one_process_does(app, monkeypatch):
    report = import_records(oruk_records(400))
    assert report.committed and report.created == 400
    monkeypatch.setattr(indexing, "BUILD_PROCS", 1)
    search.reindex()
    single = _answers()
    assert single[0][1] == 400 and all(total for _, total, _ in single[:3])

    monkeypatch.setattr(indexing, "_build_procs", lambda listings, engine: 2)
    search.reindex()
    assert len(list(Path(app.config["SEARCH_INDEX_DIR"]).glob("*.seg"))) == 2  # one per process
    assert _answers() == single


def test_only_a_large_build_in_a_process_without_other_threads_forks(monkeypatch):
    file_database = create_engine("sqlite:////tmp/directory.db")
    monkeypatch.setattr(indexing, "BUILD_PROCS", 2)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert indexing._build_procs(indexing.PARALLEL_BUILD_FROM, file_database) == 2
    assert indexing._build_procs(indexing.PARALLEL_BUILD_FROM - 1, file_database) == 1
    # A forked process's own connection to an in-memory database would find another, empty one.
    assert indexing._build_procs(100_000, create_engine("sqlite://")) == 1
    monkeypatch.setattr(threading, "active_count", lambda: 3)  # a server's worker, say
    assert indexing._build_procs(100_000, file_database) == 1
