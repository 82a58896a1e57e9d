"""The "open now" gap on the public search: how many services list no hours, and a way to include them."""

import pytest
from bs4 import BeautifulSoup
from flask import render_template, request, url_for

from directory import search
from directory.public.forms import SearchQuery

from .conftest import PINNED_NOW, page, text


@pytest.fixture
def services(app, make):
    app.config["DIRECTORY_NOW"] = PINNED_NOW  # a Wednesday, 14:30
    make.service(name="Zyxomba A&E", postcode="SW9 8BS", hours=[(d, "00:00", "00:00") for d in range(7)])
    for n in range(12):
        make.service(name=f"Zyxomba clinic {n}", postcode="SW9 8BS")


def gap(app, query_string: str) -> BeautifulSoup:
    """Render the notice as the results page does, for the search in `query_string`."""
    with app.test_request_context(f"/search?{query_string}"):
        query = SearchQuery.from_args(request.args)
        result = search.search(search.SearchRequest(per_page=20, **query.request_fields()))
        html = render_template("public/_open_now_gap.html", result=result, query=query, list_ids=[],
                               url_for=url_for)
    return BeautifulSoup(html, "html.parser")


def test_the_query_string_round_trips_including_services_with_no_hours(app):
    with app.test_request_context("/search?q=chemsex&borough=lambeth&open=1&unlisted=1"):
        query = SearchQuery.from_args(request.args)
    assert (query.open_now, query.include_unlisted) == (True, True)
    assert query.args() == {"q": "chemsex", "borough": "lambeth", "open": "1", "unlisted": "1"}
    assert query.request_fields()["include_unlisted_hours"] is True
    # Dropping "open now" drops what only widens it; "unlisted" alone means nothing.
    assert "unlisted" not in query.args(open=None)
    with app.test_request_context("/search?q=chemsex&unlisted=1"):
        alone = SearchQuery.from_args(request.args)
    assert not alone.include_unlisted and alone.args() == {"q": "chemsex"}
    assert alone.request_fields()["include_unlisted_hours"] is False


def test_open_now_says_how_many_list_no_hours_and_links_to_include_them(app, services):
    doc = gap(app, "q=zyxomba&open=1")
    notice = doc.select_one("#open-now-gap")
    assert text(notice).startswith(
        "12 more services match but list no opening hours, so we can’t tell if they are open now.")
    link = notice.select_one("a.open-now-gap-link")
    assert text(link) == "Include the 12 services with no listed hours"
    assert link["href"] == "/search?q=zyxomba&open=1&unlisted=1#results"


def test_including_them_says_so_and_links_back_to_only_open_services(app, services, client):
    doc = gap(app, "q=zyxomba&open=1&unlisted=1&page=2")
    notice = doc.select_one("#open-now-gap")
    assert text(notice).startswith(
        "Including 12 services that list no opening hours: check with them before going.")
    link = notice.select_one("a.open-now-gap-link")
    assert text(link) == "Show only services open now" and link["href"] == "/search?q=zyxomba&open=1#results"
    # The results page shows all thirteen, the twelve with their unknown hours on their cards.
    cards = page(client.get("/search?q=zyxomba&open=1&unlisted=1")).select("article.card")
    assert len(cards) == 13
    assert sum("Opening times not listed" in text(c) for c in cards) == 12
    assert len(page(client.get("/search?q=zyxomba&open=1")).select("article.card")) == 1


def test_one_service_is_worded_in_the_singular(app, make):
    app.config["DIRECTORY_NOW"] = PINNED_NOW
    make.service(name="Qwertz clinic", postcode="SW9 8BS")
    notice = gap(app, "q=qwertz&open=1").select_one("#open-now-gap")
    # Nothing open, so not "more": the one service there is has no hours.
    assert text(notice).startswith("1 service matches but lists no opening hours, so we can’t tell if it is")
    assert text(notice.a) == "Include the 1 service with no listed hours"


def test_no_notice_without_open_now_or_when_every_match_lists_hours(app, services):
    assert gap(app, "q=zyxomba").select_one("#open-now-gap") is None
    assert gap(app, "q=zyxomba+a%26e&open=1").select_one("#open-now-gap") is None


def test_on_the_seeded_directory_chemsex_in_lambeth_open_now_counts_the_rest(app, seeded_app):
    seeded_app.config["DIRECTORY_NOW"] = PINNED_NOW
    open_only = gap(seeded_app, "q=chemsex&borough=lambeth&open=1")
    everything = search.search(search.SearchRequest(text="chemsex", borough="lambeth", per_page=None))
    shown = search.search(search.SearchRequest(text="chemsex", borough="lambeth", open_now=True))
    assert shown.hours_unlisted == everything.total - shown.total - sum(
        1 for h in everything.hits if h.listing.schedules and not h.open_now)
    assert shown.hours_unlisted > 10
    notice = text(open_only.select_one("#open-now-gap"))
    assert notice.startswith(f"{shown.hours_unlisted} more services match")


def test_the_results_page_shows_the_notice_and_its_link_works_without_javascript(client, services):
    doc = page(client.get("/search?q=zyxomba&open=1"))
    link = doc.select_one("#open-now-gap a")
    assert text(link) == "Include the 12 services with no listed hours"
    included = page(client.get(link["href"]))
    assert len(included.select("article.card")) == 13
    assert text(included.select_one("#open-now-gap")).startswith("Including 12 services")
