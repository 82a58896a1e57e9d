"""The agency loop in real Chromium, with CSRF on: invite, set a password, edit with a mistake, approve.

Uses its own live server (not tests/browser's), so renaming a listing here cannot upset the public
journey tests; Chromium is launched the same way (see tests/browser/conftest.py).
"""


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
def agency_server(_reference_template, tmp_path_factory):
    """Serve an app with one agency, one listing and an admin, on a random local port."""
    from directory.extensions import db
    from tests.factories import Factories

    app = app_on_a_copy(_reference_template, tmp_path_factory.mktemp("agency-live"))
    with app.app_context():
        make = Factories()
        org = make.organisation("Brixton Wellbeing Trust")
        service = make.service(
            "Brixton chemsex clinic",
            organisation=org,
            types=("chemsex-support",),
            postcode="SW9 8BS",
            hours=[(1, "18:00", "21:00")],
        )
        admin = make.user("admin@example.org", password=None, is_admin=True)
        admin.password_hash = password_hash()
        db.session.commit()
        ids = {"org": org.id, "service": service.id}
        db.session.remove()
    with serving(app) as url:
        yield url, ids


def _sign_in(page, url, email, password):
    page.goto(url + "/account/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _serious(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_invite_edit_with_a_mistake_and_approve_in_a_browser(browser, agency_server):
    url, ids = agency_server
    admin = browser.new_context(locale="en-GB").new_page()
    admin.set_default_timeout(5000)
    _sign_in(admin, url, "admin@example.org", PASSWORD)
    expect(admin.get_by_role("heading", name="Admin dashboard")).to_be_visible()
    assert _serious(admin) == []

    admin.goto(f"{url}/admin/organisations/{ids['org']}")
    admin.get_by_label("Editor's email address").fill("sam@example.org")
    admin.get_by_role("button", name="Invite and email a link").click()
    link = admin.locator("#invite-link").input_value()
    assert "/account/set-password/" in link

    editor = browser.new_context(locale="en-GB").new_page()
    editor.set_default_timeout(5000)
    editor.goto(link)
    editor.get_by_label("New password", exact=True).fill("ward round biscuit tin")
    editor.get_by_label("Type the new password again").fill("ward round biscuit tin")
    editor.get_by_role("button", name="Set password").click()
    expect(editor.get_by_role("heading", name="Your listings")).to_be_visible()
    assert _serious(editor) == []

    editor.get_by_role("link", name="Brixton chemsex clinic", exact=True).click()
    editor.get_by_role("link", name="Propose changes").click()
    assert _serious(editor) == []
    editor.get_by_label("Name of the service").fill("Brixton chemsex and wellbeing clinic")
    editor.locator("#locations-0-postcode").fill("M1 1AE")
    editor.get_by_role("button", name="Send for review").last.click()

    # The mistake is beside the field and in the summary; what was typed is still there.
    expect(editor.locator("#locations-0-postcode-error")).to_contain_text("not a London postcode")
    expect(editor.locator(".error-summary")).to_contain_text("Postcode")
    expect(editor.get_by_label("Name of the service")).to_have_value("Brixton chemsex and wellbeing clinic")
    assert _serious(editor) == []
    editor.locator(".error-summary a").first.click()
    expect(editor.locator("#locations-0-postcode")).to_be_focused()
    editor.locator("#locations-0-postcode").fill("SW9 8BS")
    editor.get_by_role("button", name="Send for review").last.click()
    expect(editor.locator(".flash-success")).to_contain_text("waiting for an admin")

    admin.goto(f"{url}/admin/queue")
    admin.get_by_role("link", name="Changes by sam@example.org").click()
    diff = admin.locator("table.diff")
    expect(diff).to_contain_text("Brixton chemsex and wellbeing clinic")
    assert _serious(admin) == []
    admin.get_by_role("button", name="Approve and publish").click()
    expect(admin.locator(".flash-success")).to_contain_text("Published")

    public = browser.new_context(locale="en-GB").new_page()
    public.goto(f"{url}/services/{ids['service']}")
    expect(public.get_by_role("heading", level=1)).to_have_text("Brixton chemsex and wellbeing clinic")
