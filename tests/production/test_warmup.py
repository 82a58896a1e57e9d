"""A server warms its app once, then forks workers that start with that work done."""

import json
import os

import pytest

from directory import search
from directory.extensions import db
from directory.warmup import warm


def _in_forked_child(work):
    """Run `work()` in a forked child process (as gunicorn forks a worker); return what it returned."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe and leave without running anything else
        try:
            os.close(read)
            with os.fdopen(write, "wb") as out:
                out.write(json.dumps(work()).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as answer:
        result = json.loads(answer.read())
    os.waitpid(pid, 0)
    return result


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (as gunicorn does)")
def test_a_worker_forked_after_warming_searches_with_the_shared_segment_data(seeded_app):
    warm(seeded_app)
    index = seeded_app.extensions["search"].index
    segments = dict(index._segments)
    assert segments, "warming read every segment"
    assert index._searcher is None, "the master closed its index files"
    assert all(engine.pool.checkedin() == 0 for engine in db.engines.values()), "and its connections"

    def search_in_worker():
        with seeded_app.app_context():
            result = search.search(search.SearchRequest(text="tina", borough="lambeth"))
            with index.reading() as view:
                reused = all(data is segments.get(reader.segment().segment_id())
                             for reader, _, data in view.leaves)
            db.session.remove()
            return [h.listing.name for h in result.hits], reused, os.getpid()

    names, reused, child = _in_forked_child(search_in_worker)
    assert child != os.getpid()
    assert reused, "the worker used the segment data it inherited instead of reading it again"
    expected = search.search(search.SearchRequest(text="tina", borough="lambeth"))
    assert names == [h.listing.name for h in expected.hits] and names


def _pages_in_forked_worker(app, paths, marker, cache):
    """In a worker forked from `app`, get `paths`; return how often `marker` shows and how many
    times the lru `cache` had to make something."""

    def work():
        before = cache.cache_info().misses
        client = app.test_client()
        shown = sum(client.get(path).get_data(as_text=True).count(marker) for path in paths)
        db.session.remove()
        return shown, cache.cache_info().misses - before

    return _in_forked_child(work)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (as gunicorn does)")
def test_a_worker_forked_after_warming_has_every_listing_s_card_made(seeded_app):
    from directory.public import frames

    warm(seeded_app)
    shown, made = _pages_in_forked_worker(
        seeded_app, [f"/search?page={n}" for n in range(1, 6)], 'class="card"', frames.frame)
    assert shown == 84
    assert made <= 1, "only the snippet's own part was made; every card came ready"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (as gunicorn does)")
def test_a_worker_forked_after_warming_has_every_listing_s_text_read_for_snippets(seeded_app):
    from directory.search import text

    text._analyse.cache_clear()
    warm(seeded_app)
    marked, read = _pages_in_forked_worker(
        seeded_app, [f"/search?q=support&page={n}" for n in range(1, 4)], "<mark>", text._analyse)
    assert marked > 0
    assert read == 0, "every description was read for highlighting before the fork"
