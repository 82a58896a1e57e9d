"""The public journey on a phone (375 x 667 px): results first, an exit that stays, no search words kept."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 667}
NEUTRAL = "https://www.bbc.co.uk/weather"
# Everything a finger can press: what the 44 px rule is about.
TARGETS = "a, button, input, select, summary, textarea"


@pytest.fixture
def phone(page):
    page.set_viewport_size(PHONE)
    return page


@pytest.fixture
def neutral_site(page):
    page.route(re.compile(r"^https://www\.bbc\.co\.uk/"), lambda route: route.fulfill(
        status=200, content_type="text/html", body="<!doctype html><title>Weather</title><p>Weather</p>"))


def first_result_top(page) -> float:
    """Return how far down the screen the first result card starts, in CSS pixels."""
    return page.locator(".cards > li").first.evaluate("e => e.getBoundingClientRect().top")


def in_view(page, selector) -> bool:
    return page.locator(selector).first.evaluate(
        """e => { const r = e.getBoundingClientRect();
                  return r.top >= 0 && r.bottom <= window.innerHeight
                         && r.left >= 0 && r.right <= window.innerWidth; }""")


def test_the_first_result_is_on_the_first_screen_before_and_after_applying_a_filter(phone, live_server):
    phone.goto("/search?q=tina")
    assert 0 < first_result_top(phone) < PHONE["height"]
    assert in_view(phone, "#result-count")

    # The filters are folded away; open them, choose a borough and "self-referral", apply.
    filters = phone.locator("#filter-panel")
    assert filters.evaluate("e => !e.open")
    phone.locator("#filter-panel > summary").click()
    phone.get_by_label("Where the person lives").select_option("lambeth")
    phone.locator("label[for='referral_route-self-referral']").click()
    phone.get_by_role("button", name="Apply filters").click()

    expect(phone).to_have_url(re.compile(r"referral_route=self-referral.*#results$"))
    expect(phone.locator("#result-count")).to_contain_text("found")
    assert 0 <= first_result_top(phone) < PHONE["height"]
    assert in_view(phone, "#result-count")
    # What was chosen shows as tags above the results, and the folded panel says how many.
    tags = phone.locator(".filter-tag")
    expect(tags).to_have_count(2)
    expect(tags.first).to_contain_text("Lives in Lambeth")
    expect(phone.locator("#filter-panel > summary")).to_have_text("Filter results (2 selected)")


def test_a_tag_removes_its_filter_only(phone, live_server):
    phone.goto("/search?q=tina&borough=lambeth&referral_route=self-referral")
    expect(phone.locator(".filter-tag")).to_have_count(2)
    phone.get_by_role("link", name="Remove this filter: Lives in Lambeth").click()
    expect(phone.locator(".filter-tag")).to_have_count(1)
    assert "borough=" not in phone.url and "referral_route=self-referral" in phone.url
    assert phone.locator("#q").input_value() == "tina"


@pytest.mark.parametrize(
    "path", ["/", "/search?q=chemsex", "/services/{drop-in}", "/about", "/list?s={drop-in}"])
def test_the_exit_is_in_view_after_scrolling_to_the_bottom(phone, live_server, path):
    phone.goto(path.replace("{drop-in}", live_server.journey["drop-in"]))
    phone.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert phone.evaluate("window.scrollY") > 0  # the page did scroll
    assert in_view(phone, "#quick-exit")
    box = phone.locator("#quick-exit").bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44


def test_the_exit_stays_in_view_on_a_wide_screen_too(page, live_server):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto("/search?q=chemsex")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert in_view(page, "#quick-exit")


def test_shift_pressed_three_times_leaves_the_page(phone, live_server, neutral_site):
    phone.goto("/about")
    phone.goto("/search?q=tina")
    phone.keyboard.press("Shift")
    phone.keyboard.press("Shift")
    assert "/search" in phone.url  # two presses are not enough
    countdown = phone.locator("#exit-this-page [role=status]")
    expect(countdown).to_have_text("Shift: press 1 more time to exit this page.")
    phone.keyboard.press("Shift")
    expect(phone).to_have_url(NEUTRAL)
    phone.go_back()
    expect(phone).to_have_url(re.compile(r"/about$"))  # the search is not the page to go back to


def test_typing_capital_letters_does_not_leave_the_page(phone, live_server, neutral_site):
    phone.goto("/search")
    phone.locator("#q").click()
    phone.keyboard.type("Tina In Lambeth Or Southwark")  # Shift held for four capitals
    phone.keyboard.press("Shift")
    phone.keyboard.press("Shift")
    assert "/search" in phone.url
    assert phone.locator("#q").input_value() == "Tina In Lambeth Or Southwark"


def test_the_title_and_history_never_hold_the_search_words(phone, live_server):
    phone.goto("/search?q=tina+overdose&borough=lambeth")
    title = phone.title()
    assert "tina" not in title.lower() and "overdose" not in title.lower()
    assert title.startswith("Search results")


@pytest.mark.parametrize("path", [
    "/", "/search?q=tina", "/services/{drop-in}", "/list?s={drop-in}", "/list/print?s={drop-in}",
    "/staying-safe-online",
])
def test_public_pages_ask_not_to_be_stored(page, live_server, path):
    response = page.goto(path.replace("{drop-in}", live_server.journey["drop-in"]))
    assert response.status == 200
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/search?q=tina&borough=lambeth&open=1", "/", "/services/{drop-in}",
                                  "/list?s={drop-in}&s={recovery}", "/pathways/chemsex-support"])
def test_every_touch_target_is_at_least_44_px(phone, live_server, path):
    journey = live_server.journey
    phone.goto(path.replace("{drop-in}", journey["drop-in"]).replace("{recovery}", journey["recovery"]))
    if "/search" in path:
        phone.locator("#filter-panel > summary").click()  # the controls inside count too
    small = phone.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].filter(e => {
             const r = e.getBoundingClientRect();
             if (!r.width || !r.height || getComputedStyle(e).visibility === 'hidden') return false;
             if (e.closest('.visually-hidden')) return false;
             if (e.matches('.skip-link, input[type=checkbox], input[type=radio]')) return false;
             return r.width < 44 || r.height < 44;
           }).map(e => `${e.tagName} "${(e.textContent || e.name || '').trim().slice(0, 30)}" ${r(e)}`)
           function r(e) {
             const b = e.getBoundingClientRect();
             return Math.round(b.width) + 'x' + Math.round(b.height);
           }""",
        TARGETS,
    )
    assert small == []
    # Checkboxes and radios are drawn by their labels: the real control is the 44 px square under it.
    boxes = phone.evaluate("""() => [...document.querySelectorAll('input[type=checkbox], input[type=radio]')]
        .filter(e => e.getBoundingClientRect().width).map(e => e.getBoundingClientRect().height)""")
    assert all(h >= 44 for h in boxes)


def test_the_filters_work_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    page.goto("/search?q=tina")
    page.locator("#filter-panel > summary").click()  # <details> opens without any script
    page.locator("label[for='open']").click()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"open=1.*#results$"))
    expect(page.locator(".filter-tag")).to_have_count(1)
    expect(page.locator(".filter-tag")).to_contain_text("Open now")
    assert 0 <= first_result_top(page) < PHONE["height"]
    context.close()


def test_back_to_results_keeps_the_search_and_its_filters(phone, live_server):
    phone.goto("/search?q=tina&borough=lambeth")
    phone.locator(".card-title a").first.click()
    expect(phone.get_by_role("heading", level=1)).not_to_have_text("Find services")
    phone.get_by_role("link", name="Back to results").click()
    expect(phone).to_have_url(re.compile(r"/search\?q=tina&borough=lambeth.*#svc-"))
    assert phone.locator("#q").input_value() == "tina"
    assert phone.locator("#borough").input_value() == "lambeth"


def test_the_staying_safe_page_is_linked_from_every_footer(phone, live_server):
    phone.goto("/search?q=tina")
    phone.locator(".site-footer").get_by_role("link", name=re.compile("Staying safe online")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Staying safe online")
    expect(phone.locator("main")).to_contain_text("private window")
