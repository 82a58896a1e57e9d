"""The results page: a plain GET form, facet counts, cards with the facts, zero-result help, paging."""

from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import page, text

CHEMSEX = "Chemsex support for gay and bi men who use crystal meth. No referral needed."
WEEKDAYS = [(d, "10:00", "18:00") for d in range(5)]


@pytest.fixture
def services(app, make, pinned):
    """Chemsex services near Lambeth (open, closed now, Southwark-only); open-access Hackney counselling."""
    return {
        "open": make.service(
            name="Brixton chemsex drop-in", description=CHEMSEX, types=("chemsex-support", "harm-reduction"),
            audiences=("lgbtq", "gay-bi-msm"), routes=("self-referral", "walk-in"), postcode="SW9 8BS",
            hours=WEEKDAYS,
        ),
        "closed": make.service(
            name="Thursday evening chemsex clinic", description=CHEMSEX, types=("chemsex-support",),
            audiences=("everyone",), routes=("self-referral",), postcode="SW9 8BS",
            hours=[(3, "18:00", "21:00")],
        ),
        "southwark": make.service(
            name="Southwark residents chemsex service", description=CHEMSEX, types=("chemsex-support",),
            routes=("professional-referral",), catchment="boroughs", catchment_boroughs=("southwark",),
            postcode="SE1 4YB", hours=WEEKDAYS,
        ),
        "hackney": make.service(
            name="Hackney counselling", description="Talking therapy.", types=("counselling",),
            routes=("professional-referral",), postcode="E8 1DY", hours=WEEKDAYS,
        ),
    }


def names(doc) -> list[str]:
    return [text(h) for h in doc.select(".cards .card-title")]


def card(doc, name):
    for article in doc.select("article.card"):
        if text(article.select_one(".card-title")) == name:
            return article
    raise AssertionError(f"no card for {name}")


def fact(article, label) -> str:
    for row in article.select(".facts div"):
        if text(row.dt) == label:
            return text(row.dd)
    raise AssertionError(f"no {label} on the card")


def test_the_filters_are_a_plain_get_form_that_round_trips_through_the_url(client, services):
    url = "/search?q=tina&borough=lambeth&referral_route=self-referral&open=1"
    doc = page(client.get(url))
    form = doc.select_one("form#filters")
    # Submitting lands on the results, past the form, on a phone too.
    assert form["method"] == "get" and form["action"] == "/search#results"
    assert doc.select_one("#q")["value"] == "tina"
    assert doc.select_one("#borough option[selected]")["value"] == "lambeth"
    assert doc.select_one("#referral_route-self-referral").has_attr("checked")
    assert doc.select_one("#open").has_attr("checked")
    # Submitting the form as it stands asks for exactly the same search.
    fields = {}
    for control in form.select("input, select"):
        if control.name == "select":
            chosen = control.select_one("option[selected]")
            if chosen and chosen["value"]:
                fields.setdefault(control["name"], []).append(chosen["value"])
        elif control.get("type") == "checkbox":
            if control.has_attr("checked"):
                fields.setdefault(control["name"], []).append(control["value"])
        elif control.get("value"):
            fields.setdefault(control["name"], []).append(control["value"])
    assert fields == parse_qs(urlsplit(url).query) | {"sort": ["relevance"]}


def test_a_resident_search_finds_what_they_can_use_and_says_why(client, services):
    doc = page(client.get("/search?q=tina&borough=lambeth"))
    assert sorted(names(doc)) == ["Brixton chemsex drop-in", "Thursday evening chemsex clinic"]
    status = doc.select_one("[role=status]#result-count")
    assert text(status) == "2 services found"
    assert "(in Lambeth)" in fact(card(doc, "Brixton chemsex drop-in"), "Where")


def test_self_referral_and_open_now_narrow_to_the_open_drop_in(client, services):
    doc = page(client.get("/search?q=tina&borough=lambeth&referral_route=self-referral&open=1"))
    assert names(doc) == ["Brixton chemsex drop-in"]
    assert text(doc.select_one("#result-count")) == "1 service found"
    wider = page(client.get("/search?q=tina&borough=lambeth&referral_route=self-referral"))
    assert text(wider.select_one("#result-count")) == "2 services found"


def test_facet_counts_sit_beside_each_option_and_reflect_the_other_filters(client, services):
    doc = page(client.get("/search?q=tina&borough=lambeth&open=1"))
    label = text(doc.select_one("label[for=referral_route-self-referral]"))
    assert label == "Self-referral (1)"  # the closed clinic is filtered out by "open now"
    assert text(doc.select_one("label[for=open]")) == "Open now (1)"
    assert text(doc.select_one("label[for=audience-lgbtq]")) == "LGBTQ+ people (1)"
    doc = page(client.get("/search?q=tina&borough=lambeth"))
    assert text(doc.select_one("label[for=referral_route-self-referral]")) == "Self-referral (2)"
    # The open-now count ignores the open-now filter itself: it says what ticking it would give.
    assert text(doc.select_one("label[for=open]")) == "Open now (1)"
    groups = {text(f.legend) for f in doc.select("fieldset.facet")}
    assert {"Opening", "Type of service", "Who it is for", "How to get in", "How it is delivered"} <= groups


def test_cards_carry_the_facts_a_worker_decides_on(client, services):
    doc = page(client.get("/search?q=tina&borough=lambeth&postcode=SW9+8BS"))
    drop_in = card(doc, "Brixton chemsex drop-in")
    assert fact(drop_in, "Type") == "Specialist chemsex support, Harm reduction and needle exchange"
    assert fact(drop_in, "Where").startswith("Lambeth · under 0.1 miles")
    assert fact(drop_in, "For") == "LGBTQ+ people, Gay, bi and other men who have sex with men"
    assert fact(drop_in, "How to get in") == "Self-referral, Walk-in or drop-in"
    assert fact(drop_in, "Opening") == "Open now, until 18:00"
    assert fact(drop_in, "Verified") == "Never verified"
    assert text(drop_in.select_one(".badge")) == "LGBTQ+-specific"
    evening = card(doc, "Thursday evening chemsex clinic")
    assert fact(evening, "Opening") == "Closed, opens tomorrow 18:00"
    assert evening.select_one(".badge") is None
    # The service page leads back to these results, filters and all.
    href = urlsplit(drop_in.select_one(".card-title a")["href"])
    assert href.path == f"/services/{services['open'].id}"
    assert parse_qs(href.query) == {"back": ["/search?q=tina&borough=lambeth&postcode=SW9+8BS"]}


def test_zero_results_offer_relaxations_that_work(client, services):
    doc = page(client.get("/search?q=tina&borough=lambeth&referral_route=professional-referral&open=1"))
    assert text(doc.select_one("#result-count")) == "0 services found"
    links = {text(a): a["href"] for a in doc.select(".no-results a")}
    # One filter dropped at a time: only the drop-in is open now, only Southwark's takes referrals, and
    # without the words the open-access Hackney counselling (open to anyone, so to Lambeth residents) matches.
    assert set(links) == {
        "1 service matches without “Professional referral”",
        "1 service matches without “Lambeth residents”",
        "1 service matches without “your search words”",
    }
    relaxed = links["1 service matches without “Professional referral”"]
    assert parse_qs(urlsplit(relaxed).query) == {"q": ["tina"], "borough": ["lambeth"], "open": ["1"]}
    assert names(page(client.get(relaxed))) == ["Brixton chemsex drop-in"]
    wider = links["1 service matches without “Lambeth residents”"]
    assert names(page(client.get(wider))) == ["Southwark residents chemsex service"]
    wordless = links["1 service matches without “your search words”"]
    assert parse_qs(urlsplit(wordless).query) == {
        "borough": ["lambeth"], "referral_route": ["professional-referral"], "open": ["1"]}
    doc = page(client.get(wordless))
    assert names(doc) == ["Hackney counselling"]
    assert "(open to anyone)" in fact(card(doc, "Hackney counselling"), "Where")


def test_a_misspelling_gets_a_suggestion_link(client, services):
    doc = page(client.get("/search?q=chemsx"))
    assert "Showing results for chemsex" in text(doc.select_one(".suggestion"))
    link = doc.select_one(".suggestion a")
    assert text(link) == "Search instead for chemsx"
    query = parse_qs(urlsplit(link["href"]).query)
    assert query["q"] == ["chemsx"] and query["exact"] == ["1"]


def test_a_bad_postcode_is_explained_beside_the_field(client, services):
    doc = page(client.get("/search?q=tina&postcode=12345"))
    message = text(doc.select_one("#postcode-error"))
    assert "is not a UK postcode" in message
    assert doc.select_one("#postcode")["aria-invalid"] == "true"
    assert doc.select_one("#postcode")["aria-describedby"] == "postcode-error"
    assert doc.select_one(".error-summary a")["href"] == "#postcode"
    assert doc.title.string.startswith("Error:")
    doc = page(client.get("/search?postcode=CM13+1AA"))
    assert "not a London postcode" in text(doc.select_one("#postcode-error"))


def test_nearest_first_without_a_postcode_says_how_it_sorted(client, services):
    doc = page(client.get("/search?q=chemsex&sort=distance"))
    assert names(doc), "the search still answers, by best match"
    notice = doc.select_one("#sort-notice")
    assert "enter a postcode" in text(notice) and notice.a["href"] == "#postcode"
    with_postcode = page(client.get("/search?q=chemsex&sort=distance&postcode=SW9+8BS"))
    assert with_postcode.select_one("#sort-notice") is None


def test_unknown_options_from_an_old_bookmark_are_dropped(client, services):
    doc = page(client.get("/search?q=tina&service_type=no-such-type&audience=lgbtq&page=abc&sort=bogus"))
    assert names(doc) == ["Brixton chemsex drop-in"]
    assert not doc.select_one(".error-summary")


def test_results_are_paged(client, make, pinned):
    for n in range(25):
        make.service(name=f"Counselling service {n:02d}", types=("counselling",), postcode="E8 1DY")
    doc = page(client.get("/search?service_type=counselling&sort=name"))
    assert len(names(doc)) == 20
    assert text(doc.select_one("#result-count")) == "25 services found, page 1 of 2"
    nav = doc.select_one("nav.pagination")
    assert nav["aria-label"] == "Pages of results"
    next_href = nav.select_one("a[rel=next]")["href"]
    doc = page(client.get(next_href))
    assert names(doc) == [f"Counselling service {n}" for n in range(20, 25)]
    assert text(doc.select_one("nav.pagination [aria-current=page]")) == "Page 2"


def test_add_to_list_links_accumulate_the_list_in_the_url(client, services):
    first, second = services["open"].id, services["closed"].id
    doc = page(client.get(f"/search?q=tina&borough=lambeth&s={first}"))
    link = card(doc, "Thursday evening chemsex clinic").select_one("a.add-to-list")
    query = parse_qs(urlsplit(link["href"]).query)
    assert urlsplit(link["href"]).path == "/list"
    assert query["s"] == [first, second]
    assert query["back"] == ["/search?q=tina&borough=lambeth"]
    # The list travels with the search: the form and the nav keep it.
    assert [i["value"] for i in doc.select("form#filters input[name=s]")] == [first]
    assert text(doc.select_one("#list-count")) == "(1)"


def test_results_page_weighs_under_100_kb_without_images(seeded_client, seeded_pinned):
    response = seeded_client.get("/search")
    doc = page(response)
    assert len(doc.select("article.card")) == 20  # a full page of cards
    total = len(response.data)
    assets = [node["href"] for node in doc.select("link[rel=stylesheet]")]
    assets += [node["src"] for node in doc.select("script[src]")]
    assert assets
    for asset in assets:
        fetched = seeded_client.get(asset)
        assert fetched.status_code == 200
        total += len(fetched.data)
        fetched.close()
    assert total < 100 * 1024, f"results page weighs {total} bytes"


def test_page_links_are_the_first_the_last_and_two_either_side_with_gaps_between():
    from directory.public.views import page_numbers

    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 500) == [1, 2, 3, None, 500]
    assert page_numbers(250, 500) == [1, None, 248, 249, 250, 251, 252, None, 500]
    assert page_numbers(5, 6) == [1, None, 3, 4, 5, 6]
    for pages in range(1, 12):  # the rule the template used to apply to every page number
        for current in range(1, pages + 1):
            expected = [n if n in (1, pages) or abs(n - current) <= 2 else None
                        for n in range(1, pages + 1) if n in (1, pages) or abs(n - current) <= 3]
            assert page_numbers(current, pages) == expected
