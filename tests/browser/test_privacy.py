"""Privacy and safety in real Chromium: no third-party requests, no cookies, a quick exit that works."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NEUTRAL = "https://www.bbc.co.uk/weather"


def browse(page, live_server):
    """Visit every kind of public page and use the list, as a service user or worker would."""
    drop_in = live_server.journey["drop-in"]
    page.goto("/")
    page.goto("/search?q=tina&borough=lambeth&open=1&postcode=SW9+8BS&sort=distance")
    page.get_by_role("button", name="Add to list: Brixton chemsex drop-in").click()
    page.goto(f"/services/{drop_in}")
    page.goto("/pathways/chemsex-support?borough=lambeth")
    page.goto("/about")
    page.goto("/privacy")
    page.goto(f"/list?s={drop_in}")
    page.goto(f"/list/print?s={drop_in}")


def test_pages_request_nothing_from_any_other_host(page, live_server, foreign_requests):
    seen = []
    page.on("request", lambda request: seen.append(request.url))
    browse(page, live_server)
    assert foreign_requests == []
    assert any(url.endswith("/static/js/site.js") for url in seen)  # the listener did see requests


def test_anonymous_browsing_leaves_no_cookies_and_keeps_the_list_only_in_the_browser(page, live_server):
    browse(page, live_server)
    assert page.context.cookies() == []
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('signposting-list'))")
    assert stored == [live_server.journey["drop-in"]]


@pytest.fixture
def neutral_site(page):
    page.route(re.compile(r"^https://www\.bbc\.co\.uk/"), lambda route: route.fulfill(
        status=200, content_type="text/html", body="<!doctype html><title>Weather</title><p>Weather</p>"))


def test_quick_exit_replaces_the_page_and_leaves_it_out_of_history(page, live_server, neutral_site):
    page.goto("/about")
    page.goto("/search?q=tina")
    page.get_by_role("link", name=re.compile("Exit this page")).click()
    expect(page).to_have_url(NEUTRAL)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/about$"))  # the search page is gone from history


def test_escape_three_times_leaves_too(page, live_server, neutral_site):
    page.goto("/about")
    page.goto(f"/services/{live_server.journey['drop-in']}")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    assert "/services/" in page.url  # two presses are not enough
    page.keyboard.press("Escape")
    expect(page).to_have_url(NEUTRAL)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/about$"))


def test_quick_exit_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.route(re.compile(r"^https://www\.bbc\.co\.uk/"), lambda route: route.fulfill(
        status=200, content_type="text/html", body="<title>Weather</title>"))
    page.goto("/")
    page.get_by_role("link", name=re.compile("Exit this page")).click()
    expect(page).to_have_url(NEUTRAL)
    context.close()


def test_the_report_form_is_the_only_page_that_sets_a_cookie(page, live_server):
    page.goto(f"/services/{live_server.journey['drop-in']}")
    assert page.context.cookies() == []
    page.get_by_role("link", name=re.compile("Report something wrong")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Report something wrong")
    [cookie] = page.context.cookies()  # the CSRF token's session cookie, for this form only
    assert cookie["name"] == "session" and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert cookie["expires"] == -1  # gone when the browser closes
    page.get_by_label("Opening times are wrong").check()
    page.get_by_label("What should it say instead?").fill("The opening times have changed to 11:00.")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator(".flashes")).to_contain_text("Thank you")


def stored_list_is(page, expected):
    """Wait (up to 5 s) until the browser's stored list is `expected`; the page script writes it on load."""
    page.wait_for_function(
        "(expected) => localStorage.getItem('signposting-list') === JSON.stringify(expected)",
        arg=expected,
        timeout=5000,
    )


def test_copy_as_text_and_share_link_buttons(page, live_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    drop_in, recovery = live_server.journey["drop-in"], live_server.journey["recovery"]
    page.goto(f"/list?s={drop_in}&s={recovery}")
    page.get_by_role("button", name="Copy as text").click()
    expect(page.get_by_text("Copied: paste it into an email or text message.")).to_be_visible()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith("Services to contact") and "2. Lambeth crystal meth recovery group" in copied
    # The list page's list becomes the stored list; removing one updates both.
    stored_list_is(page, [drop_in, recovery])
    page.get_by_role("link", name=re.compile("Remove Brixton chemsex drop-in from the list")).click()
    expect(page.locator(".list-item")).to_have_count(1)
    stored_list_is(page, [recovery])
    expect(page.locator("#list-count")).to_have_text("(1)")
