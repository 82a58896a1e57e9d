"""Keyboard only: Tab to move, Enter to act (Space ticks a checkbox, as every keyboard user does)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement; return {tag: e.tagName, id: e.id,
                   text: (e.getAttribute('aria-label') || e.innerText || '').trim(),
                   label: e.labels && e.labels[0] ? e.labels[0].innerText.trim() : ''}; }"""
    )


def tab_to(page, matches, limit=150) -> dict:
    """Press Tab until the focused element matches; fail if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if matches(now):
            return now
    raise AssertionError("never reached the element by Tab")


def test_skip_link_then_quick_exit_are_the_first_tab_stops(page, live_server):
    page.goto("/")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to main content"
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "quick-exit"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))


def test_search_filter_open_add_and_print_by_keyboard_alone(page, live_server):
    page.goto("/")
    tab_to(page, lambda f: f["id"] == "q")
    page.keyboard.type("tina")
    tab_to(page, lambda f: f["id"] == "borough")
    page.keyboard.type("Lambeth")  # a closed select picks the option typed
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Search")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=tina&borough=lambeth"))

    tab_to(page, lambda f: f["label"].startswith("Self-referral"))
    page.keyboard.press("Space")
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Apply filters")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"referral_route=self-referral"))
    expect(page.locator("#result-count")).to_have_text(re.compile(r"^\d+ services? found"))

    tab_to(page, lambda f: f["tag"] == "A" and f["text"] == "Brixton chemsex drop-in")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Brixton chemsex drop-in")

    tab_to(page, lambda f: f["text"] == "Add to list: Brixton chemsex drop-in")
    page.keyboard.press("Enter")
    expect(page.locator("#list-count")).to_have_text("(1)")
    assert focused(page)["text"] == "Remove from list: Brixton chemsex drop-in"  # focus stays put

    tab_to(page, lambda f: f["id"] == "list-link")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your signposting list")
    tab_to(page, lambda f: f["text"] == "Print view")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Services to contact")
    expect(page.locator(".sheet-item h2")).to_have_text(["Brixton chemsex drop-in"])
