"""The network in real Chromium, with CSRF on: an editor proposes an event with a mistake, an admin approves.

Each page on the way is checked with axe-core at phone and desktop widths, and none scrolls sideways.
Uses its own live server (as tests/agency/test_browser.py does); Chromium is launched the same way.
"""

from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.accounts_helpers import PASSWORD, password_hash
from tests.browser.conftest import (  # noqa: F401
    app_on_a_copy,
    browser_context_args,
    browser_type_launch_args,
    serving,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def network_server(_reference_template, tmp_path_factory):
    """Serve an app with one network member (with an editor and a listing) and an admin."""
    from directory.extensions import db
    from tests.factories import Factories

    app = app_on_a_copy(_reference_template, tmp_path_factory.mktemp("network-live"))
    with app.app_context():
        make = Factories()
        org = make.organisation("Brixton Wellbeing Trust", network_member_since=date(2017, 6, 23))
        make.service("Brixton chemsex clinic", organisation=org, postcode="SW9 8BS")
        for email, admin in (("admin@example.org", True), ("editor@example.org", False)):
            user = make.user(email, password=None, is_admin=admin, organisations=() if admin else [org])
            user.password_hash = password_hash()
        db.session.commit()
        db.session.remove()
    with serving(app) as url:
        yield url


def _sign_in(page, url, email):
    page.goto(url + "/account/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _problems(page) -> list[str]:
    """Serious axe findings at 375 and 1280 px, and any sideways scrolling at 375 px."""
    found = []
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        found += [
            f"{width}px {v['id']}: {v['help']}"
            for v in Axe().run(page).response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        scroll, client = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if scroll > client:
            found.append(f"{width}px: the page scrolls sideways ({scroll} > {client})")
    return found


def test_propose_with_a_mistake_then_approve_in_a_browser(browser, network_server):
    url = network_server
    editor = browser.new_context(locale="en-GB").new_page()
    editor.set_default_timeout(5000)
    _sign_in(editor, url, "editor@example.org")
    editor.get_by_role("link", name="Network events and proposals").click()
    assert _problems(editor) == []
    editor.get_by_role("link", name="Propose a network event").click()
    editor.get_by_label("Title").fill("Chemsex care pathway meeting")
    editor.get_by_label("Date it starts").fill("2099-10-31")
    editor.get_by_label("Start time (optional)").fill("18:00")
    editor.get_by_label("End time (optional)").fill("17:00")
    editor.get_by_label("Where it is (optional if it is online)").fill("Brixton Wellbeing Trust, SW9")
    editor.get_by_role("button", name="Send for review").click()

    expect(editor.locator("#end_time-error")).to_contain_text("must end after it starts")
    expect(editor.get_by_label("Title")).to_have_value("Chemsex care pathway meeting")
    assert _problems(editor) == []
    editor.get_by_label("End time (optional)").fill("20:00")
    editor.get_by_role("button", name="Send for review").click()
    expect(editor.locator(".flash-success")).to_contain_text("Sent for review")
    expect(editor.locator("table")).to_contain_text("Waiting for review")

    admin = browser.new_context(locale="en-GB").new_page()
    admin.set_default_timeout(5000)
    _sign_in(admin, url, "admin@example.org")
    admin.goto(f"{url}/admin/queue")
    admin.get_by_role("link", name="Event: Chemsex care pathway meeting").click()
    expect(admin.locator("table.diff")).to_contain_text("Saturday 31 October 2099, 18:00 (London)")
    assert _problems(admin) == []
    admin.get_by_role("button", name="Approve and publish").click()
    expect(admin.locator(".flash-success")).to_contain_text("Published")
    admin.goto(f"{url}/admin/network")
    assert _problems(admin) == []

    # Without JavaScript the public pages work as they are (axe needs it, so it runs in another page).
    without_js = browser.new_context(locale="en-GB", java_script_enabled=False).new_page()
    without_js.goto(f"{url}/network/events")
    without_js.get_by_role("link", name="Chemsex care pathway meeting").click()
    expect(without_js.locator("main")).to_contain_text("Saturday 31 October 2099, 18:00 to 20:00")
    public = browser.new_context(locale="en-GB").new_page()
    for path in ("/network/", "/network/events", without_js.url.removeprefix(url)):
        public.goto(url + path)
        assert _problems(public) == [], path
    expect(public.locator("main")).to_contain_text("Add this event to your calendar")
    public.goto(f"{url}/network/")
    expect(public.locator(".member-list")).to_contain_text("Brixton chemsex clinic")
