"""A search that cannot get at the index while another process rebuilds it gets a clear 503, not a 500."""

from contextlib import contextmanager

import pytest

from directory import search
from directory.search import store


@pytest.fixture
def rebuilding(monkeypatch):
    # Where every reader meets the index (results pages, API pages, every-match lists): a reader
    # finding it missing waits for the rebuilding process's lock and gives up with IndexBusy.
    @contextmanager
    def busy(self):
        raise search.IndexBusy("another process is rebuilding the index")
        yield

    monkeypatch.setattr(store.SearchIndex, "reading", busy)


def test_results_page_says_search_is_being_rebuilt(seeded_client, rebuilding):
    response = seeded_client.get("/search?q=tina&borough=lambeth")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert "Search is being rebuilt" in response.get_data(as_text=True)


def test_api_search_answers_json_503(seeded_client, rebuilding):
    response = seeded_client.get("/api/v1/services?search=tina")
    assert response.status_code == 503
    assert response.get_json()["message"].startswith("Search is being rebuilt")


def test_a_request_waits_for_a_rebuild_well_inside_the_worker_timeout():
    import runpy
    from pathlib import Path

    gunicorn_conf = runpy.run_path(str(Path(__file__).parents[2] / "gunicorn.conf.py"))
    assert gunicorn_conf["timeout"] > store.READ_REBUILD_WAIT


@pytest.mark.parametrize("url", [
    "/api/v1/services?search=tina&per_page=5",
    "/api/v1/services?search=tina&format=ndjson",
    "/api/v1/service_at_locations?search=tina",
])
def test_every_api_search_door_answers_json_503(seeded_client, rebuilding, url):
    response = seeded_client.get(url)
    assert response.status_code == 503
    assert response.get_json()["message"].startswith("Search is being rebuilt")
