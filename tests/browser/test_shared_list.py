"""Lists that travel, in real Chromium: short links, replace-or-add, and the phone's share sheet."""

import json
import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

pytestmark = pytest.mark.browser

KEY = "signposting-list"


@pytest.fixture(scope="module")
def seeded_ids(live_server):
    """Twenty-two visible seeded services, in name order, with their names."""
    from directory.extensions import db
    from directory.models import Service

    with live_server.app.app_context():
        rows = db.session.execute(
            select(Service.id, Service.name).where(Service.is_visible).order_by(Service.name).limit(22)
        ).all()
        db.session.remove()
    assert len(rows) == 22
    return [tuple(r) for r in rows]


def store(page, ids):
    """Give this browser a stored list, as if it had been built on another visit."""
    page.goto("/about")
    page.evaluate("([key, ids]) => localStorage.setItem(key, JSON.stringify(ids))", [KEY, ids])


def stored(page) -> list[str]:
    return json.loads(page.evaluate(f"localStorage.getItem('{KEY}')") or "[]")


def names(page) -> list[str]:
    return [t.strip() for t in page.locator(".list-item h2").all_inner_texts()]


def short_link_for(page, ids) -> str:
    """Open a list by its long address in a fresh tab of no one's and read its short share link."""
    here = urlsplit(page.url)
    other = page.context.browser.new_context(base_url=f"{here.scheme}://{here.netloc}")
    tab = other.new_page()
    tab.goto("/list?" + "&".join(f"s={i}" for i in ids))
    link = tab.locator("#share-link").input_value()
    other.close()
    return urlsplit(link).path


def test_a_colleagues_link_asks_before_touching_your_list_and_keep_leaves_it(page, seeded_ids):
    mine = [i for i, _ in seeded_ids[:3]]
    store(page, mine)
    theirs = seeded_ids[3][0]
    page.goto(short_link_for(page, [theirs]))
    expect(page).to_have_url(re.compile(r"/list\?s="))
    assert names(page) == [seeded_ids[3][1]]
    choice = page.locator("#list-choice")
    expect(choice).to_be_focused()
    expect(choice).to_contain_text("You already have a list of 3 services.")
    assert stored(page) == mine  # not overwritten while the question is open
    expect(page.locator("#list-count")).to_have_text("(3)")
    page.get_by_role("button", name="Keep your list").click()
    expect(page.locator("#list-choice-result")).to_be_focused()
    expect(page.locator("#list-choice-result")).to_contain_text("You kept your list of 3 services.")
    assert stored(page) == mine
    page.get_by_role("link", name="Open your list").click()
    expect(page.locator(".list-item h2")).to_have_text([n for _, n in seeded_ids[:3]])
    expect(page.locator("#list-choice")).to_have_count(0)


def test_replace_takes_the_shared_list_by_keyboard(page, seeded_ids):
    store(page, [i for i, _ in seeded_ids[:3]])
    theirs = [i for i, _ in seeded_ids[5:7]]
    page.goto("/list?" + "&".join(f"s={i}" for i in theirs))
    expect(page.locator("#list-choice")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Replace your list with this one")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#list-choice-result")).to_have_text("Your list is now this list of 2 services.")
    assert stored(page) == theirs
    expect(page.locator("#list-count")).to_have_text("(2)")
    expect(page.locator("#list-announcer")).to_have_text("Your list is now this list of 2 services.")


def test_add_merges_up_to_twenty_and_says_what_did_not_fit(page, seeded_ids):
    mine = [i for i, _ in seeded_ids[:19]]
    store(page, mine)
    shared = seeded_ids[18:22]  # one already on the list, three new: only one fits
    page.goto("/list?" + "&".join(f"s={i}" for i, _ in shared))
    page.get_by_role("button", name="Add these to your list").click()
    notice = page.locator("#list-notice")
    expect(notice).to_have_text(
        f"Added 1 service to your list. 2 did not fit, as a list holds at most 20 services: "
        f"{seeded_ids[20][1]}, {seeded_ids[21][1]}. Your list now has 20 services."
    )
    assert stored(page) == [*mine, seeded_ids[19][0]]
    assert len(names(page)) == 20
    expect(page.locator("#list-choice")).to_have_count(0)  # the merged list is yours: no question
    expect(page.locator("#list-count")).to_have_text("(20)")


def test_your_own_list_and_removing_from_it_never_ask(page, seeded_ids):
    mine = [i for i, _ in seeded_ids[:3]]
    store(page, mine)
    page.get_by_role("link", name=re.compile(r"Your list")).click()
    expect(page.locator(".list-item h2")).to_have_text([n for _, n in seeded_ids[:3]])
    expect(page.locator("#list-choice")).to_have_count(0)
    page.get_by_role("link", name=f"Remove {seeded_ids[1][1]} from the list").click()
    expect(page.locator(".list-item h2")).to_have_text([seeded_ids[0][1], seeded_ids[2][1]])
    expect(page.locator("#list-choice")).to_have_count(0)
    assert stored(page) == [mine[0], mine[2]]
    expect(page.locator("#list-count")).to_have_text("(2)")


def test_an_empty_browser_takes_a_shared_list_without_asking(page, seeded_ids):
    page.goto("/about")
    ids = [i for i, _ in seeded_ids[:2]]
    page.goto(short_link_for(page, ids))
    assert names(page) == [n for _, n in seeded_ids[:2]]
    expect(page.locator("#list-choice")).to_have_count(0)
    assert stored(page) == ids


def test_a_short_link_works_without_javascript(browser, live_server, seeded_ids):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    ids = [i for i, _ in seeded_ids[:2]]
    page.goto("/list?" + "&".join(f"s={i}" for i in ids))
    path = urlsplit(page.locator("#share-link").input_value()).path
    assert re.fullmatch(r"/l/[0-9a-z]+\.[0-9a-z]+", path)
    page.goto(path)
    assert names(page) == [n for _, n in seeded_ids[:2]]
    page.get_by_role("link", name=seeded_ids[0][1], exact=True).click()
    expect(page.locator("#list-count")).to_have_text("(2)")  # the list travels on in the links
    response = page.goto("/l/not-a-code")
    assert response.status == 404
    expect(page.get_by_role("heading", name="This list link does not work")).to_be_visible()
    context.close()


def test_share_uses_the_phones_share_sheet_with_no_names_in_it(page, seeded_ids):
    page.add_init_script("""
        window.__shared = [];
        navigator.share = (data) => { window.__shared.push(data); return Promise.resolve(); };
    """)
    page.goto("/list?" + "&".join(f"s={i}" for i, _ in seeded_ids[:2]))
    share = page.get_by_role("button", name="Share…")
    box = share.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    share.click()
    sent = page.evaluate("window.__shared")
    assert sent == [{"title": "Services to contact", "url": page.locator("#share-link").input_value()}]
    assert urlsplit(sent[0]["url"]).path.startswith("/l/")


def test_without_a_share_sheet_nothing_changes(page, seeded_ids):
    page.add_init_script("delete Navigator.prototype.share;")
    page.goto("/list?" + "&".join(f"s={i}" for i, _ in seeded_ids[:2]))
    expect(page.get_by_role("button", name="Copy share link")).to_be_visible()
    expect(page.locator("#web-share")).to_have_count(0)


def test_the_question_passes_axe_and_its_buttons_are_big_enough(page, seeded_ids):
    store(page, [seeded_ids[0][0]])
    page.goto(f"/list?s={seeded_ids[1][0]}")
    expect(page.locator("#list-choice")).to_be_visible()
    for button in page.locator("#list-choice button").all():
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
    found = Axe().run(page).response["violations"]
    assert [v["id"] for v in found if v["impact"] in ("serious", "critical")] == []


def test_the_printed_list_shows_its_qr_code_and_fits_one_a4_sheet(page, seeded_ids):
    page.goto("/list/print?" + "&".join(f"s={i}" for i, _ in seeded_ids[:8]))
    qr = page.get_by_role("img", name="QR code: scan to open this list")
    expect(qr).to_be_visible()
    page.emulate_media(media="print")
    expect(qr).to_be_visible()
    expect(page.locator(".sheet-share")).to_contain_text("/l/")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1


def test_clearing_a_shared_list_you_have_not_taken_keeps_yours(page, seeded_ids):
    mine = [i for i, _ in seeded_ids[:3]]
    store(page, mine)
    page.goto(f"/list?s={seeded_ids[4][0]}")
    expect(page.locator("#list-choice")).to_be_visible()
    page.get_by_role("link", name="Clear the list").click()
    expect(page.locator(".list-item h2")).to_have_text([n for _, n in seeded_ids[:3]])
    assert stored(page) == mine
