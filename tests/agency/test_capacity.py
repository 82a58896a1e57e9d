"""Agencies say whether a service takes new referrals: published at once, dated, kept as history."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from directory import capacity
from directory.extensions import db
from directory.models import AuditEvent, CapacityStatement, Service
from tests.accounts_helpers import error_for, form_values, page, signed_in
from tests.agency.test_browser import agency_server  # noqa: F401
from tests.browser.conftest import browser_context_args, browser_type_launch_args  # noqa: F401

NOV_3 = "2026-11-03T10:00:00+00:00"


def _service_page(client, service):
    response = client.get(f"/agency/services/{service.id}")
    assert response.status_code == 200
    return page(response)


def _statements(service):
    return db.session.scalars(
        select(CapacityStatement)
        .where(CapacityStatement.service_id == service.id)
        .order_by(CapacityStatement.id)
    ).all()


def test_an_editor_says_there_is_a_waiting_list_and_it_is_public_at_once(app, client, world):
    app.config["DIRECTORY_NOW"] = NOV_3
    signed_in(client, world.editor_a)
    soup = _service_page(client, world.service_a)
    assert soup.select_one("#capacity-title").get_text() == "Taking new referrals?"
    values = form_values(soup, "#referrals form[action$=capacity]")
    values["capacity"], values["wait_weeks"] = "waiting_list", "6"

    response = client.post(f"/agency/services/{world.service_a.id}/capacity", data=values)

    assert response.status_code == 302
    service = db.session.get(Service, world.service_a.id)
    assert (service.capacity, service.capacity_wait_weeks) == ("waiting_list", 6)
    assert service.capacity_stated_at.replace(tzinfo=UTC) == datetime(2026, 11, 3, 10, tzinfo=UTC)
    assert [(s.capacity, s.wait_weeks, s.how, s.stated_by_id) for s in _statements(service)] == [
        ("waiting_list", 6, "stated", world.editor_a.id)]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "capacity-stated")) is not None
    public = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert "Waiting list: about 6 weeks (said on 3 November 2026)" in public
    # The page shows what was said, who said it and when.
    soup = _service_page(client, service)
    assert "Waiting list: about 6 weeks" in soup.select_one("#referrals").get_text()
    assert "editor-a@example.org" in soup.select_one(".capacity-history").get_text()


@pytest.mark.parametrize(("choice", "weeks", "field", "message"), [
    ("accepting", "4", "wait_weeks", "only when there is a waiting list"),
    ("waiting_list", "six", "wait_weeks", "whole number of weeks"),
    ("waiting_list", "2.5", "wait_weeks", "whole number of weeks"),
    ("waiting_list", "-1", "wait_weeks", "whole number of weeks"),
    ("waiting_list", "105", "wait_weeks", "104 weeks or less"),
    ("", "", "capacity", "Choose whether"),
])
def test_a_refused_statement_says_why_beside_the_field_and_changes_nothing(
        client, world, choice, weeks, field, message):
    signed_in(client, world.editor_a)
    response = client.post(f"/agency/services/{world.service_a.id}/capacity",
                           data={"capacity": choice, "wait_weeks": weeks})

    assert response.status_code == 200
    assert message in error_for(page(response), field)
    assert db.session.get(Service, world.service_a.id).capacity is None
    assert _statements(world.service_a) == []


def test_a_waiting_list_may_leave_the_wait_unsaid_and_zero_weeks_reads_as_under_a_week(client, world):
    signed_in(client, world.editor_a)
    client.post(f"/agency/services/{world.service_a.id}/capacity", data={"capacity": "waiting_list"})
    text = _service_page(client, world.service_a).select_one("#referrals").get_text()
    assert "did not say how long" in text
    client.post(f"/agency/services/{world.service_a.id}/capacity",
                data={"capacity": "waiting_list", "wait_weeks": "0"})
    assert "less than a week" in _service_page(client, world.service_a).select_one("#referrals").get_text()


def test_still_the_same_re_dates_the_statement_and_keeps_both_in_the_history(app, client, world):
    app.config["DIRECTORY_NOW"] = "2026-10-01T09:00:00+00:00"
    signed_in(client, world.editor_a)
    client.post(f"/agency/services/{world.service_a.id}/capacity", data={"capacity": "not_accepting"})
    app.config["DIRECTORY_NOW"] = NOV_3
    soup = _service_page(client, world.service_a)
    assert "May be out of date" in soup.select_one("#referrals").get_text()

    client.post(f"/agency/services/{world.service_a.id}/capacity/confirm")

    service = db.session.get(Service, world.service_a.id)
    assert service.capacity == "not_accepting"
    assert service.capacity_stated_at.replace(tzinfo=UTC) == datetime(2026, 11, 3, 10, tzinfo=UTC)
    assert [s.how for s in _statements(service)] == ["stated", "confirmed"]
    text = _service_page(client, service).select_one("#referrals").get_text()
    assert "May be out of date" not in text
    assert "Not taking new referrals at the moment (confirmed still the same)" in text


def test_stop_saying_clears_the_public_statement(client, world):
    signed_in(client, world.editor_a)
    client.post(f"/agency/services/{world.service_a.id}/capacity", data={"capacity": "accepting"})
    assert "Accepting new referrals" in client.get(f"/services/{world.service_a.id}").get_data(as_text=True)

    client.post(f"/agency/services/{world.service_a.id}/capacity/clear")

    service = db.session.get(Service, world.service_a.id)
    assert (service.capacity, service.capacity_stated_at) == (None, None)
    assert [s.how for s in _statements(service)] == ["stated", "cleared"]
    public = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert "Accepting new referrals" not in public


def test_nothing_to_confirm_is_said_not_a_crash(client, world):
    signed_in(client, world.editor_a)
    response = client.post(f"/agency/services/{world.service_a.id}/capacity/confirm", follow_redirects=True)
    assert response.status_code == 200
    assert "nothing to confirm" in response.get_data(as_text=True)
    assert _statements(world.service_a) == []


def test_only_the_organisations_editors_and_admins_may_say_it(client, world):
    signed_in(client, world.editor_b)
    for action in ("capacity", "capacity/confirm", "capacity/clear"):
        assert client.post(f"/agency/services/{world.service_a.id}/{action}",
                           data={"capacity": "accepting"}).status_code == 403
    assert db.session.get(Service, world.service_a.id).capacity is None
    signed_in(client, world.admin)
    assert client.post(f"/agency/services/{world.service_a.id}/capacity",
                       data={"capacity": "accepting"}).status_code == 302
    assert db.session.get(Service, world.service_a.id).capacity == "accepting"


def test_signed_out_people_are_sent_to_sign_in(client, world):
    response = client.post(f"/agency/services/{world.service_a.id}/capacity", data={"capacity": "accepting"})
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert db.session.get(Service, world.service_a.id).capacity is None


def test_the_form_needs_its_csrf_token(app, client, world):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        signed_in(client, world.editor_a)
        response = client.post(f"/agency/services/{world.service_a.id}/capacity",
                               data={"capacity": "accepting"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code in (400, 302)
    assert db.session.get(Service, world.service_a.id).capacity is None


# --- how it was verified (service B: A's has a change waiting for review, so it cannot be confirmed) ---


def test_an_editor_verifying_records_that_the_service_itself_confirmed(client, world):
    signed_in(client, world.editor_b)
    soup = _service_page(client, world.service_b)
    assert soup.select_one("#method") is None  # an editor is not asked how
    client.post(f"/agency/services/{world.service_b.id}/verify")
    service = db.session.get(Service, world.service_b.id)
    assert service.verification_method == "agency"
    assert "confirmed by the service itself" in _service_page(client, service).get_text()
    assert "confirmed by the service itself" in client.get(f"/services/{service.id}").get_data(as_text=True)


def test_an_admin_verifying_says_how_they_checked(client, world):
    signed_in(client, world.admin)
    soup = _service_page(client, world.service_b)
    assert [o["value"] for o in soup.select("#method option")] == ["", "phone", "email", "visit"]

    refused = client.post(f"/agency/services/{world.service_b.id}/verify", data={"method": "agency"})
    assert refused.status_code == 400
    assert "Choose how you checked" in error_for(page(refused), "method")
    assert db.session.get(Service, world.service_b.id).verified_at is None

    client.post(f"/agency/services/{world.service_b.id}/verify", data={"method": "phone"})
    service = db.session.get(Service, world.service_b.id)
    assert service.verification_method == "phone"
    assert "by phone with the service" in client.get(f"/services/{service.id}").get_data(as_text=True)

    # Not saying how records the check, and claims no method.
    client.post(f"/agency/services/{world.service_b.id}/verify", data={"method": ""})
    assert db.session.get(Service, world.service_b.id).verification_method is None


def test_verify_keeps_working_for_callers_that_do_not_say_how(app, world):
    from directory import moderation

    moderation.verify(world.service_b, world.admin)
    db.session.commit()
    assert world.service_b.verified_at is not None and world.service_b.verification_method is None
    with pytest.raises(moderation.ModerationError):
        moderation.verify(world.service_b, world.admin, method="carrier pigeon")


# --- the wording, on its own ---------------------------------------------------------------------


def test_the_wording_of_each_state_and_when_it_goes_out_of_date(app):
    said = datetime(2026, 11, 3, 23, 30, tzinfo=UTC)  # already 3 November in London (GMT)
    fresh = Service(capacity="accepting", capacity_stated_at=said)
    assert capacity.state(fresh, datetime(2026, 12, 3, 23, 0, tzinfo=UTC), 30).wording == (
        "Accepting new referrals (said on 3 November 2026)")
    old = capacity.state(fresh, datetime(2026, 12, 4, 0, 0, tzinfo=UTC), 30)
    assert old.out_of_date
    assert old.wording == ("Accepting new referrals. Said on 3 November 2026; may be out of date — "
                           "check with the service")
    assert capacity.label("waiting_list", 1) == "Waiting list: about 1 week"
    assert capacity.label("not_accepting", None) == "Not taking new referrals at the moment"
    assert capacity.state(Service(), datetime(2026, 12, 1, tzinfo=UTC), 30) is None


# --- in a real browser: no serious accessibility problems, errors reachable from the summary ------


@pytest.mark.browser
def test_the_capacity_form_in_a_browser(browser, request):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    from tests.accounts_helpers import PASSWORD

    def serious(tab):
        found = Axe().run(tab).response["violations"]
        return [f"{v['id']}: {v['help']}" for v in found if v["impact"] in ("serious", "critical")]

    url, ids = request.getfixturevalue("agency_server")
    tab = browser.new_context(locale="en-GB").new_page()
    tab.set_default_timeout(5000)
    tab.goto(url + "/account/sign-in")
    tab.get_by_label("Email address").fill("admin@example.org")
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.goto(f"{url}/agency/services/{ids['service']}")
    assert serious(tab) == []

    tab.get_by_label("Yes, with a waiting list").check()
    tab.get_by_label("How long is the wait, in weeks?").fill("six")
    tab.get_by_role("button", name="Save").click()
    expect(tab.locator("#wait_weeks-error")).to_contain_text("whole number of weeks")
    assert serious(tab) == []
    tab.locator(".error-summary a").first.click()
    expect(tab.locator("#wait_weeks")).to_be_focused()
    tab.locator("#wait_weeks").fill("6")
    tab.get_by_role("button", name="Save").click()
    expect(tab.locator(".flash-success")).to_contain_text("Waiting list: about 6 weeks")
    assert serious(tab) == []

    tab.goto(f"{url}/services/{ids['service']}")
    expect(tab.locator(".referrals")).to_contain_text("Waiting list: about 6 weeks (said on")
    assert serious(tab) == []
