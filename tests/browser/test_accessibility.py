"""Accessibility in real Chromium: axe-core finds nothing serious, and pages work at 320 px wide."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from directory.seed import seed_id

pytestmark = pytest.mark.browser

AXE = Axe()


def pages(live_server):
    drop_in, recovery = live_server.journey["drop-in"], live_server.journey["recovery"]
    ids = f"s={drop_in}&s={recovery}"
    return {
        "home": "/",
        "results with filters": (
            "/search?q=tina&borough=lambeth&referral_route=self-referral&open=1&postcode=SW9+8BS"
        ),
        "results with an error": "/search?q=tina&postcode=12345",
        "zero results": "/search?q=tina&borough=lambeth&referral_route=gp-referral&open=1",
        "service": f"/services/{drop_in}",
        "report form": f"/services/{drop_in}/report",
        "pathways": "/pathways",
        "pathway": "/pathways/chemsex-support?borough=lambeth",
        "list": f"/list?{ids}",
        "print view": f"/list/print?{ids}",
        "about": "/about",
        "privacy": "/privacy",
        "staying safe online": "/staying-safe-online",
        "pathway with no borough": "/pathways/chemsex-support",
        "empty list": "/list",
        "coverage": "/insights/coverage",
        "pathway coverage": "/insights/pathways",
        "resources": "/resources",
        "resources of one format": "/resources?format=pack",
        "resource": "/resources/london-ambulance-service-chemsex",
        "results with resources": "/search?q=chemsex+pack",
        "results with an emergency callout": "/search?q=my+mate+collapsed+after+G+and+is+not+breathing",
        "results with two callouts, a place and a correction": "/search?q=condom+splitt+near+SW9",
        "network": "/network/",
        "network events": "/network/events",
        "network event": f"/network/events/{seed_id('event', 'london-chemsex-conference-2024-06-07')}",
    }


def serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [320, 375, 1280])
def test_axe_finds_no_serious_or_critical_violations(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 800})
    found = {}
    for name, path in pages(live_server).items():
        page.goto(path)
        problems = serious(AXE.run(page))
        if "/search" in path and page.locator("#filter-panel > summary").is_visible():
            page.locator("#filter-panel > summary").click()  # the folded filters are checked too
            problems += serious(AXE.run(page))
        if problems:
            found[name] = problems
    assert found == {}


def test_print_media_and_a_full_list_also_pass_axe(page, live_server):
    page.goto(f"/list/print?s={live_server.journey['drop-in']}")
    page.emulate_media(media="print")
    assert serious(AXE.run(page)) == []


@pytest.mark.parametrize(
    "name", ["home", "results with filters", "service", "pathway", "list", "print view", "network event",
             "resources", "resource"]
)
def test_works_at_320_px_without_sideways_scrolling(page, live_server, name):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(pages(live_server)[name])
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{name} scrolls sideways: {widths}"
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 321)
                 .map(e => e.tagName + '.' + e.className).slice(0, 5)"""
    )
    assert overflowing == []


@pytest.mark.parametrize("width", [320, 375, 1280])
@pytest.mark.parametrize("name", ["coverage", "pathway coverage"])
def test_wide_tables_scroll_in_their_own_box_not_the_page(page, live_server, name, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(pages(live_server)[name])
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{name} scrolls sideways at {width} px: {widths}"
    # The table is wider than the screen at 320 px, so it is its box that scrolls.
    if width == 320:
        box = page.locator(".table-scroll").first
        assert box.evaluate("e => e.scrollWidth > e.clientWidth")
        assert box.get_attribute("tabindex") == "0"  # reachable by keyboard, to scroll it


def test_focus_is_visible_on_links_buttons_and_fields(page, live_server):
    page.goto("/search?q=tina&borough=lambeth")
    for selector in ("#q", "#borough", "button.add-to-list", ".card-title a", "#quick-exit"):
        element = page.locator(selector).first
        element.focus()
        outline = element.evaluate(
            "e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth"
        )
        assert outline.startswith("solid") and not outline.endswith(" 0px"), f"{selector}: {outline}"


def test_the_axe_check_can_fail(page, live_server):
    """Guard against a silent no-op: axe must flag an unlabelled field."""
    page.goto("/about")
    page.evaluate("""() => { document.querySelector('main').insertAdjacentHTML('beforeend',
        '<input type="text">'); }""")
    assert any(p.startswith("label ") for p in serious(AXE.run(page)))
