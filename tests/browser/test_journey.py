"""The "done when" journey in real Chromium: a worker finds open, self-referral help for a Lambeth
resident who uses tina, opens a service, builds a list of two and prints it."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def card_names(page) -> list[str]:
    return [n.strip() for n in page.locator(".cards .card-title").all_inner_texts()]


def test_tina_for_a_lambeth_resident_to_a_printed_list(page, live_server, foreign_requests):
    page.goto("/")
    page.get_by_label("What are you looking for?").fill("tina")
    page.get_by_label("Where the person lives").select_option(label="Lambeth")
    page.get_by_role("button", name="Search").click()

    # Step 1: results for a Lambeth resident, with the count announced.
    expect(page).to_have_url(re.compile(r"/search\?q=tina&borough=lambeth"))
    names = card_names(page)
    assert "Brixton chemsex drop-in" in names and "Thursday evening chemsex clinic" in names
    assert "Southwark residents' chemsex service" not in names  # not for Lambeth residents
    expect(page.get_by_role("status").filter(has_text="found")).to_have_text(f"{len(names)} services found")

    # Step 2: self-referral and open now.
    page.get_by_label(re.compile(r"^Self-referral \(\d+\)")).check()
    page.get_by_label(re.compile(r"^Open now \(\d+\)")).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"referral_route=self-referral"))
    expect(page).to_have_url(re.compile(r"open=1"))
    assert sorted(card_names(page)) == ["Brixton chemsex drop-in", "Lambeth crystal meth recovery group"]
    expect(page.locator("#result-count")).to_have_text("2 services found")
    expect(page.locator(".card").first.locator(".status-open")).to_contain_text("Open now")

    # Step 3: open a service.
    page.get_by_role("link", name="Brixton chemsex drop-in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Brixton chemsex drop-in")
    expect(page.locator("section.location")).to_contain_text("Open now, until 18:00")

    # Step 4: add it and a second service to the list.
    page.get_by_role("button", name="Add to list: Brixton chemsex drop-in").click()
    expect(page.locator("#list-count")).to_have_text("(1)")
    expect(page.locator("#list-announcer")).to_contain_text("added to your list")
    page.go_back()
    page.get_by_role("button", name="Add to list: Lambeth crystal meth recovery group").click()
    expect(page.locator("#list-count")).to_have_text("(2)")
    # The first one remembers it is on the list.
    expect(page.get_by_role("button", name="Remove from list: Brixton chemsex drop-in")).to_be_visible()

    page.get_by_role("link", name=re.compile(r"Your list")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your signposting list")
    items = [t.strip() for t in page.locator(".list-item h2").all_inner_texts()]
    assert items == ["Brixton chemsex drop-in", "Lambeth crystal meth recovery group"]
    share = page.locator("#share-link").input_value()
    assert re.fullmatch(r"http://localhost/l/[0-9a-z.]+", share)  # short, on the configured address

    # Step 5: the print view, one sheet with everything a client needs.
    page.get_by_role("link", name="Print view").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Services to contact")
    sheet = page.locator(".sheet")
    for wanted in ("Brixton chemsex drop-in", "Lambeth crystal meth recovery group", "How to get in:",
                   "Self-referral", "SW9 8BS", "Mon–Fri 10:00–18:00", "https://example.org/brixton",
                   "Printed 4 March 2026"):
        expect(sheet).to_contain_text(wanted)
    expect(page.get_by_role("button", name="Print this sheet")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("header.site-header")).to_be_hidden()
    expect(page.locator(".print-controls")).to_be_hidden()
    expect(sheet).to_be_visible()
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1  # one sheet of A4

    assert foreign_requests == []


def test_the_list_survives_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.goto("/search?q=tina&borough=lambeth")
    page.get_by_role("link", name="Add to list: Brixton chemsex drop-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your signposting list")
    page.get_by_role("link", name="Back to where you were").click()
    expect(page.locator("#list-count")).to_have_text("(1)")
    page.get_by_role("link", name="Add to list: Lambeth crystal meth recovery group").click()
    items = [t.strip() for t in page.locator(".list-item h2").all_inner_texts()]
    assert items == ["Brixton chemsex drop-in", "Lambeth crystal meth recovery group"]
    expect(page.locator("#list-text")).to_contain_text("1. Brixton chemsex drop-in")
    page.get_by_role("link", name="Print view").click()
    expect(page.locator(".sheet-item")).to_have_count(2)
    context.close()


def test_a_list_of_eight_services_prints_on_one_a4_sheet(page, live_server):
    from sqlalchemy import select

    from directory.extensions import db
    from directory.models import Service

    with live_server.app.app_context():
        ids = db.session.scalars(select(Service.id).where(Service.seeded.is_(True)).order_by(Service.name)
                                 .limit(6)).all()
    ids += [live_server.journey["drop-in"], live_server.journey["recovery"]]
    page.goto("/list/print?" + "&".join(f"s={i}" for i in ids))
    expect(page.locator(".sheet-item")).to_have_count(8)
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
