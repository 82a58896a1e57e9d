"""The pages of issue 19 in real Chromium: axe finds nothing serious, and nothing scrolls sideways on a phone.

Sign-in and forgotten passwords, the emailed "still accurate" link's pages, bulk invitations, the
admin's organisations with completeness, the agency's dashboard and service page (taking new
referrals, what the listing lacks) and the restore confirmation. Its own live server, with CSRF on.
"""


import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.accounts_helpers import PASSWORD, password_hash
from tests.browser.conftest import (  # noqa: F401
    app_on_a_copy,
    browser_context_args,
    browser_type_launch_args,
    serving,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def accounts_server(_reference_template, tmp_path_factory):
    from directory import capacity, confirmation_links, revisions
    from directory.extensions import db
    from tests.factories import Factories

    app = app_on_a_copy(_reference_template, tmp_path_factory.mktemp("accounts-live"))
    with app.app_context():
        make = Factories()
        org = make.organisation("Brixton Wellbeing Trust")
        make.organisation("Peckham Peer Project")  # no editor yet
        service = make.service("Brixton chemsex clinic", organisation=org, types=("chemsex-support",),
                               postcode="SW9 8BS")
        admin = make.user("admin@example.org", password=None, is_admin=True)
        editor = make.user("editor@example.org", password=None, organisations=[org])
        admin.password_hash = editor.password_hash = password_hash()
        db.session.commit()
        with revisions.recording(kind="edit", author=admin, reason="Opening times checked"):
            service.alert = "Closed on bank holidays"
            db.session.flush()
        capacity.state_capacity(service, capacity.WAITING_LIST, 6, editor)
        tokens = [confirmation_links.issue(service, editor) for _ in range(2)]
        db.session.commit()
        ids = {"service": service.id, "org": org.id, "tokens": tokens}
        db.session.remove()
    with serving(app) as url:
        yield url, ids


def _problems(page) -> list[str]:
    found = [f"{v['id']}: {v['help']}" for v in Axe().run(page).response["violations"]
             if v["impact"] in ("serious", "critical")]
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > page.viewport_size["width"]:
        found.append(f"the page scrolls sideways ({width} px)")
    return found


def _sign_in(page, url, email):
    page.goto(url + "/account/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("width", [375, 1280])
def test_the_account_and_agency_pages_pass_axe_and_fit_a_phone(browser, accounts_server, width):
    url, ids = accounts_server
    found = {}

    def check(name, page):
        problems = _problems(page)
        if problems:
            found[name] = problems

    anonymous = browser.new_context(viewport={"width": width, "height": 800})
    page = anonymous.new_page()
    for name, path in {"sign in": "/account/sign-in", "forgot password": "/account/forgot-password"}.items():
        page.goto(url + path)
        check(name, page)
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_role("button", name="Send me a link").click()
    check("forgot password answer", page)
    token = ids["tokens"][0 if width == 375 else 1]
    page.goto(f"{url}/agency/confirm/{token}")
    check("still accurate link", page)
    page.get_by_role("button", name="Yes, this is still accurate").click()
    check("confirmed", page)
    page.goto(f"{url}/agency/confirm/{token}")
    check("a used link", page)
    anonymous.close()

    for email, paths in {
        "editor@example.org": {"agency dashboard": "/agency/",
                               "agency service page": f"/agency/services/{ids['service']}"},
        "admin@example.org": {"admin dashboard": "/admin/", "organisations": "/admin/organisations",
                              "organisations without an editor": "/admin/organisations?editors=none",
                              "organisation": f"/admin/organisations/{ids['org']}",
                              "invite many": "/admin/invite-many",
                              "history": f"/agency/services/{ids['service']}/history"},
    }.items():
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        _sign_in(page, url, email)
        for name, path in paths.items():
            page.goto(url + path)
            check(name, page)
        if email.startswith("admin"):
            page.goto(url + "/admin/invite-many")
            page.get_by_label("Or paste the rows").fill("not-an-address,Nowhere")
            page.get_by_role("button", name="Check and invite").click()
            check("invite many with errors", page)
            page.goto(f"{url}/agency/services/{ids['service']}/history")
            page.locator("form.restore-form button, form.restore-form input[type=submit]").first.click()
            check("restore confirmation", page)
        context.close()
    assert found == {}
