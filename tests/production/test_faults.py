"""Faults: the database goes away; the answer is a clear 503, never a stack trace."""

import pytest

from tests.conftest import make_app

UNREACHABLE = {
    "sqlite-missing-directory": "sqlite:////nonexistent-directory/for/sure/directory.db",
    # Port 1 on loopback: nothing listens, so the connection is refused at once.
    "postgresql-refused": "postgresql+psycopg://postgres@127.0.0.1:1/directory?connect_timeout=2",
}


@pytest.fixture(params=sorted(UNREACHABLE))
def cut_off(request, tmp_path):
    """An app whose database cannot be reached."""
    app = make_app(UNREACHABLE[request.param], tmp_path / "index")
    with app.app_context():
        yield app


def test_pages_say_the_database_is_unavailable_with_a_503_page(cut_off):
    response = cut_off.test_client().get("/")
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "cannot reach its database" in page
    for leak in ("Traceback", "OperationalError", "psycopg", "sqlite", "nonexistent-directory", "127.0.0.1"):
        assert leak not in page


def test_health_check_reports_the_database_down_with_503(cut_off):
    response = cut_off.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable", "database": "error", "index": "unknown", "index_lag": None,
    }


def test_the_api_answers_json_when_the_database_is_down(cut_off):
    response = cut_off.test_client().get("/api/v1/services")
    assert response.status_code == 503
    body = response.get_json()
    assert body["error"] == "Service Unavailable" and "database" in body["message"]
    assert "Traceback" not in response.get_data(as_text=True)
