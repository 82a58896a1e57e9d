"""The signposting list: lives in the URL, renders server-side, prints on one sheet, copies as text."""

import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from directory import hours_wording, signposting
from directory.extensions import db
from directory.models import Phone

from .conftest import page, text

STATIC = Path(__file__).resolve().parents[2] / "static"


@pytest.fixture
def two(app, make, pinned):
    first = make.service(
        name="Brixton chemsex drop-in", routes=("self-referral", "walk-in"), postcode="SW9 8BS",
        hours=[(d, "10:00", "18:00") for d in range(5)], application_process="Just turn up.",
        url="https://example.org/brixton",
    )
    first.phones = [Phone(number="020 7946 0001")]
    db.session.commit()
    second = make.service(name="Lambeth counselling", routes=("professional-referral",), postcode="SE11 5HL",
                          email="hello@example.org")
    return first, second


def test_parse_ids_keeps_well_formed_unique_ids_in_order_up_to_the_limit():
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    assert signposting.parse_ids([a, "nonsense", b.upper(), a, "", None]) == [a, b]
    many = [str(uuid.uuid4()) for _ in range(signposting.MAX_ITEMS + 5)]
    assert signposting.parse_ids(many) == many[: signposting.MAX_ITEMS]
    assert signposting.with_added([a], b) == [a, b] and signposting.with_added([a, b], a) == [a, b]
    assert signposting.without([a, b], a) == [b]


def test_compact_hours_joins_runs_of_days_with_the_same_times(app, make):
    service = make.service(postcode="SW9 8BS", hours=[
        (0, "10:00", "18:00"), (1, "10:00", "18:00"), (2, "10:00", "18:00"), (3, "12:00", "20:00"),
        (4, "10:00", "18:00"), (6, "00:00", "00:00"),
    ])
    assert hours_wording.compact_hours(service.service_at_locations[0].schedules) == (
        "Mon–Wed 10:00–18:00; Thu 12:00–20:00; Fri 10:00–18:00; Sun 24 hours"
    )


def test_the_list_page_renders_the_services_named_in_the_url(client, two):
    first, second = two
    doc = page(client.get(f"/list?s={second.id}&s={first.id}&s=junk"))
    shown = [text(h) for h in doc.select(".list-item h2")]
    assert shown == ["Lambeth counselling", "Brixton chemsex drop-in"]
    assert text(doc.select_one("#list-summary")) == "2 services on your list."
    share = urlsplit(doc.select_one("#share-link")["value"])
    assert (share.scheme, share.netloc) == ("http", "localhost") and share.path.startswith("/l/")
    opened = client.get(share.path)
    assert parse_qs(urlsplit(opened.headers["Location"]).query)["s"] == [second.id, first.id]
    assert text(doc.select_one("#list-count")) == "(2)"


def test_hidden_services_drop_out_of_a_list(client, two):
    first, second = two
    second.is_published = False
    db.session.commit()
    doc = page(client.get(f"/list?s={first.id}&s={second.id}"))
    assert [text(h) for h in doc.select(".list-item h2")] == ["Brixton chemsex drop-in"]


def test_remove_links_drop_one_service_and_keep_the_way_back(client, two):
    first, second = two
    doc = page(client.get(f"/list?s={first.id}&s={second.id}&back=/search%3Fq%3Dtina"))
    remove = doc.select_one(f"a.remove-from-list[data-service-id='{first.id}']")
    query = parse_qs(urlsplit(remove["href"]).query)
    assert query == {"s": [second.id], "back": ["/search?q=tina"]}
    back = doc.find("a", string="Back to where you were")["href"]
    assert back == f"/search?q=tina&s={first.id}&s={second.id}"


@pytest.mark.parametrize("evil", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
def test_the_back_link_never_leaves_the_site(client, two, evil):
    doc = page(client.get(f"/list?s={two[0].id}&back={evil}"))
    assert doc.find("a", string="Back to where you were") is None


def test_copy_as_text_is_there_without_javascript(client, two):
    first, second = two
    doc = page(client.get(f"/list?s={first.id}&s={second.id}"))
    copy = doc.select_one("textarea#list-text").string
    assert "1. Brixton chemsex drop-in" in copy
    assert "How to get in: Self-referral, Walk-in or drop-in. Just turn up." in copy
    assert "Address: 1 Test Street, London, SW9 8BS" in copy
    assert "Opening times: Mon–Fri 10:00–18:00" in copy
    assert "Phone: 020 7946 0001" in copy and "Web: https://example.org/brixton" in copy
    assert "2. Lambeth counselling" in copy and "Email: hello@example.org" in copy
    assert "4 March 2026" in copy
    assert "call 999" in copy


def test_the_print_view_is_one_clean_sheet_with_what_a_client_needs(client, two):
    first, second = two
    doc = page(client.get(f"/list/print?s={first.id}&s={second.id}"))
    items = doc.select(".sheet-item")
    assert [text(i.h2) for i in items] == ["Brixton chemsex drop-in", "Lambeth counselling"]
    brixton = text(items[0])
    assert "How to get in: Self-referral, Walk-in or drop-in. Just turn up." in brixton
    assert "Address: 1 Test Street, London, SW9 8BS" in brixton
    assert "Opening times: Mon–Fri 10:00–18:00" in brixton
    assert "Opening times: not listed: check with the service" in text(items[1])
    assert "Phone: 020 7946 0001" in brixton and "Web: https://example.org/brixton" in brixton
    assert "Email: hello@example.org" in text(items[1])
    assert "Printed 4 March 2026" in text(doc.select_one(".printed"))
    assert "page-print" in doc.body["class"]


def test_printing_hides_navigation_and_uses_an_a4_page():
    css = (STATIC / "css" / "print.css").read_text()
    assert "@page { size: A4" in css
    hidden = css.split("{ display: none !important; }")[0]
    for selector in (".site-header", ".site-nav", ".quick-exit", ".print-controls", "form", ".add-to-list"):
        assert selector in hidden


def test_an_empty_list_says_how_to_fill_it(client):
    doc = page(client.get("/list"))
    assert text(doc.select_one("#list-summary")) == "Your list is empty."
    assert not doc.select_one("#list-text")
