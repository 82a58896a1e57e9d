""""Report something wrong": stored for the admins, validated, CSRF-protected, rate-limited."""

import re

import pytest
from sqlalchemy import select

from directory.extensions import db
from directory.models import ProblemReport
from tests.conftest import _app_for
from tests.factories import Factories

from .conftest import page, text


@pytest.fixture
def service(app, make):
    return make.service(name="Brixton chemsex clinic", postcode="SW9 8BS")


def reports():
    return db.session.scalars(select(ProblemReport)).all()


def test_a_report_is_stored_for_the_admins_queue(client, service):
    doc = page(client.get(f"/services/{service.id}/report"))
    assert "Brixton chemsex clinic" in text(doc.h1)
    radios = doc.select("fieldset.radios input[type=radio][name=category]")
    assert {r["value"] for r in radios} >= {"opening-times", "closed", "other"}
    assert not any(r.has_attr("checked") for r in radios)  # nothing chosen for the reporter
    response = client.post(f"/services/{service.id}/report", data={
        "category": "opening-times", "message": "  Closed on Mondays now.  ", "contact_email": "",
    })
    assert response.status_code == 302 and response.headers["Location"] == f"/services/{service.id}"
    [report] = reports()
    assert (report.service_id, report.category, report.message, report.contact_email, report.status) == (
        service.id, "opening-times", "Closed on Mondays now.", None, "open",
    )
    doc = page(client.get(response.headers["Location"]))
    assert "Thank you" in text(doc.select_one(".flashes"))


def test_an_optional_email_is_kept_when_given(client, service):
    client.post(f"/services/{service.id}/report", data={
        "category": "contact", "message": "The phone number is wrong.", "contact_email": "me@example.org",
    })
    assert reports()[0].contact_email == "me@example.org"


def test_invalid_input_is_explained_beside_each_field_and_kept(client, service):
    response = client.post(f"/services/{service.id}/report", data={
        "category": "contact", "message": "", "contact_email": "not an email",
    })
    doc = page(response, status=400)
    assert text(doc.select_one("#message-error")) == "Error: Tell us what is wrong, so an admin can check it."
    assert "Enter an email address" in text(doc.select_one("#contact_email-error"))
    assert doc.select_one("#contact_email")["value"] == "not an email"
    assert doc.select_one("#contact_email")["aria-invalid"] == "true"
    assert doc.select_one("input[name=category][checked]")["value"] == "contact"
    assert [a["href"] for a in doc.select(".error-summary a")] == ["#message", "#contact_email"]
    assert reports() == []


def test_unknown_or_hidden_services_cannot_be_reported(client, service):
    assert client.get("/services/nope/report").status_code == 404
    service.is_published = False
    db.session.commit()
    assert client.post(f"/services/{service.id}/report", data={"category": "other", "message": "Hello there"}
                       ).status_code == 404


def test_with_csrf_on_a_post_without_the_token_is_refused(app, client, service):
    app.config["WTF_CSRF_ENABLED"] = True
    # Reading a service sets no cookie; only the page with the form does.
    assert "Set-Cookie" not in client.get(f"/services/{service.id}").headers
    data = {"category": "other", "message": "Wrong address"}
    response = client.post(f"/services/{service.id}/report", data=data)
    assert response.status_code == 400
    assert reports() == []
    form_page = client.get(f"/services/{service.id}/report")
    assert "session=" in form_page.headers["Set-Cookie"]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form_page.get_data(as_text=True))[1]
    response = client.post(f"/services/{service.id}/report",
                           data={"category": "other", "message": "Wrong address", "csrf_token": token})
    assert response.status_code == 302
    assert len(reports()) == 1


def test_reports_are_rate_limited_per_address(request, tmp_path):
    app = _app_for(request, tmp_path, seeded=False, RATELIMIT_ENABLED=True)
    with app.app_context():
        service = Factories().service(name="Rate-limited clinic", postcode="SW9 8BS")
        client = app.test_client()
        url = f"/services/{service.id}/report"
        for _ in range(5):
            response = client.post(url, data={"category": "other", "message": "Something is wrong"})
            assert response.status_code == 302
        refused = client.post(url, data={"category": "other", "message": "Something is wrong"})
        assert refused.status_code == 429
        assert "several reports in a short time" in refused.get_data(as_text=True)
        assert len(reports()) == 5
        # Reading is never limited.
        assert client.get(url).status_code == 200
        db.session.remove()
        db.engine.dispose()
