"""Text the directory cannot store or search for is refused with a clear message, never a 500."""

import io

import pytest
from sqlalchemy import func, select

from directory.extensions import db
from directory.models import ProblemReport

from .conftest import page, text


@pytest.fixture
def clinic(app, make):
    return make.service(name="Brixton chemsex clinic", description="Chemsex support.", postcode="SW9 8BS")


def report_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ProblemReport))


def test_a_report_holding_a_null_byte_is_refused_beside_the_message(client, clinic):
    response = client.post(f"/services/{clinic.id}/report", data={
        "category": "other", "message": "hello\x00world", "contact_email": "",
    })
    doc = page(response, status=400)
    assert "control character" in text(doc.select_one("#message-error"))
    assert doc.select_one("#message")["aria-describedby"] == "message-error"
    assert report_count() == 0


def test_a_report_whose_email_holds_a_null_byte_is_refused_beside_the_email(client, clinic):
    response = client.post(f"/services/{clinic.id}/report", data={
        "category": "other", "message": "The phone number is wrong.", "contact_email": "me\x00@example.org",
    })
    doc = page(response, status=400)
    assert "control character" in text(doc.select_one("#contact_email-error"))
    assert report_count() == 0


def test_a_report_message_sent_as_a_file_is_refused_beside_the_message(client, clinic):
    response = client.post(
        f"/services/{clinic.id}/report",
        data={"category": "other", "message": (io.BytesIO(b"hello there"), "message.txt")},
        content_type="multipart/form-data",
    )
    doc = page(response, status=400)
    assert "a file cannot be sent here" in text(doc.select_one("#message-error"))
    assert report_count() == 0


@pytest.mark.parametrize("path", ["/services/x%00y", "/services/x%00y/report", "/pathways/a%00b"])
def test_an_address_holding_a_null_byte_is_a_bad_request_not_an_error(client, clinic, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "control character" in response.get_data(as_text=True)


def test_a_report_posted_to_an_address_holding_a_null_byte_is_refused(client, clinic):
    response = client.post("/services/x%00y/report", data={"category": "other", "message": "Hello there"})
    assert response.status_code == 400
    assert report_count() == 0


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f", "\x85", "\n"])
def test_a_search_holding_a_control_character_says_so_beside_the_search_box(client, clinic, character):
    response = client.get("/search", query_string={"q": f"chemsex{character}support"})
    doc = page(response, status=400)
    expected = "on one line" if character == "\n" else "control character"
    assert expected in text(doc.select_one("#q-error"))
    box = doc.select_one("#q")
    assert box["aria-invalid"] == "true"
    assert box["aria-describedby"].split() == ["q-error"]  # the results page shows no example hint
    assert box["value"] == "chemsex support"  # shown without the character, ready to search again
    assert [a["href"] for a in doc.select(".error-summary a")] == ["#q"]
    assert doc.select(".cards .card") == []  # no search was run
    assert doc.title.get_text().startswith("Error:")


def test_a_search_longer_than_the_box_takes_is_refused_not_cut_short(client, clinic):
    words = "chemsex " * 30  # 240 characters; the box takes 200
    response = client.get("/search", query_string={"q": words})
    doc = page(response, status=400)
    assert text(doc.select_one("#q-error")) == "Error: Use at most 200 characters (this has 240)."
    assert doc.select(".cards .card") == []


def test_a_search_of_200_characters_is_run(client, clinic):
    response = client.get("/search", query_string={"q": ("chemsex " * 25)[:200]})
    assert page(response).select_one("#q-error") is None


def test_a_postcode_holding_a_control_character_is_refused_beside_the_postcode(client, clinic):
    doc = page(client.get("/search", query_string={"q": "chemsex", "postcode": "SW9\x008BS"}), status=400)
    assert "control character" in text(doc.select_one("#postcode-error"))
    assert doc.select(".cards .card") == []


def test_a_control_character_in_another_search_parameter_is_still_a_bad_request(client, clinic):
    for params in ({"borough": "lambeth\x00"}, {"sort": "name\x00"}, {"s": "a\x00b"}, {"q\x00": "x"}):
        response = client.get("/search", query_string={"q": "chemsex", **params})
        assert response.status_code == 400, params
        assert "contains a control character" in response.get_data(as_text=True)
