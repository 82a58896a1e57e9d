"""A search that cannot get at the index while another process rebuilds it gets a clear 503, not a 500."""

import pytest

from directory import search
from directory.search import store


@pytest.fixture
def rebuilding(monkeypatch):
    def busy(*args, **kwargs):
        raise search.IndexBusy("another process is rebuilding the index")

    monkeypatch.setattr(search.engine, "run", busy)


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
