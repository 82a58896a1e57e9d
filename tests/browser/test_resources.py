"""The resource pages in real Chromium: nothing from other hosts, 44 px targets, no JavaScript needed."""

import pytest

pytestmark = pytest.mark.browser

PAGES = ["/resources", "/resources?format=card", "/resources/pip-pac-safer-chemsex-pack",
         "/search?q=chemsex+pack", "/pathways/chemsex-support"]
TARGETS = "main a, main button, main input, main select, main summary"


def test_resource_pages_request_nothing_from_any_other_host(page, live_server, foreign_requests):
    for path in PAGES:
        assert page.goto(path).headers["cache-control"] == "no-store"
    assert foreign_requests == []


@pytest.mark.parametrize("path", PAGES[:3])
def test_every_target_on_a_phone_is_at_least_44_px(page, live_server, path):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(path)
    small = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].filter(e => {
             const r = e.getBoundingClientRect();
             return r.width && r.height && !e.closest('.visually-hidden') && (r.width < 44 || r.height < 44);
           }).map(e => e.textContent.trim().slice(0, 30))""",
        TARGETS,
    )
    assert small == []


def test_choosing_a_format_and_opening_a_resource_work_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.goto("/resources")
    page.get_by_role("link", name="Booklet or leaflet (1)").click()
    assert page.locator(".resource-title").all_inner_texts() == ["SAFER pack (print)"]
    page.get_by_role("link", name="SAFER pack (print)").click()
    assert page.locator("h1").inner_text() == "SAFER pack (print)"
    assert page.get_by_text("Not known which listed services hand it out.").is_visible()
    context.close()
