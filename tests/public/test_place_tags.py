"""Places typed into a search, and postcodes, become filters shown as removable tags; what the borough
filter leaves out is said and linked."""

from urllib.parse import urlencode

import pytest

from .conftest import page, text
from .test_filter_tags import tags
from .test_results import card, fact, names

NEEDLES = "Needle exchange: clean injecting equipment, sharps bins and naloxone."


@pytest.fixture
def services(app, make):
    """Alcohol services around Barnet and Hackney; needle exchanges around Peckham (SE15)."""
    alcohol = "Alcohol advice, detox and treatment."
    made = [
        make.service(name="Barnet alcohol team", description=alcohol, catchment="boroughs",
                     catchment_boroughs=("barnet",), postcode="N3 2AA"),
        make.service(name="Finchley open alcohol clinic", description=alcohol, postcode="N3 1AA"),
        make.service(name="Enfield alcohol service", description=alcohol, catchment="boroughs",
                     catchment_boroughs=("enfield",), postcode="EN1 1AA"),
        make.service(name="Hackney alcohol service", description=alcohol, catchment="boroughs",
                     catchment_boroughs=("hackney",), postcode="E8 1DY"),
        make.service(name="Hackney open alcohol drop-in", description=alcohol, postcode="E8 2AA"),
        # Named so that name order is the reverse of distance from SE15 4.
        make.service(name="A Dulwich needle exchange", description=NEEDLES, types=("harm-reduction",),
                     postcode="SE22 8AA"),
        make.service(name="B Camberwell needle exchange", description=NEEDLES, types=("harm-reduction",),
                     postcode="SE5 8AA"),
        make.service(name="C Peckham needle exchange", description=NEEDLES, types=("harm-reduction",),
                     postcode="SE15 4AA"),
        make.service(name="D Lewisham residents needle exchange", description=NEEDLES,
                     types=("harm-reduction",), audiences=("women",), catchment="boroughs",
                     catchment_boroughs=("lewisham",), postcode="SE14 6AA"),
    ]
    return {s.name: s for s in made}


def search(client, **args):
    return page(client.get("/search?" + urlencode(args, doseq=True)))


def follow(client, query: dict):
    return page(client.get("/search?" + urlencode(query, doseq=True)))


BARNET_USABLE = ["Barnet alcohol team", "Finchley open alcohol clinic", "Hackney open alcohol drop-in"]
EVERY_ALCOHOL = ["Barnet alcohol team", "Enfield alcohol service", "Finchley open alcohol clinic",
                 "Hackney alcohol service", "Hackney open alcohol drop-in"]


@pytest.mark.usefixtures("services")
def test_a_borough_in_the_words_is_the_borough_filter_and_a_removable_tag(client):
    doc = search(client, q="alcohol in Barnet")
    assert sorted(names(doc)) == BARNET_USABLE
    found = tags(doc)
    assert list(found) == ["Lives in Barnet (from your search words)"]
    # The words are echoed as typed; removing the tag keeps the rest of them.
    assert doc.select_one("input#q")["value"] == "alcohol in Barnet"
    without = found["Lives in Barnet (from your search words)"]
    assert without == {"q": ["alcohol"]}
    again = follow(client, without)
    assert sorted(names(again)) == EVERY_ALCOHOL
    assert tags(again) == {}


@pytest.mark.usefixtures("services")
def test_the_page_says_how_many_the_borough_left_out_and_links_to_them(client):
    doc = search(client, q="alcohol in Barnet")
    notice = doc.select_one("#left-out")
    assert text(notice) == "2 services that match are only for residents of other boroughs. Show them"
    # The link lists just those, with a tag that drops that filter.
    just_those = _query(notice.a["href"])
    assert just_those == {"q": ["alcohol"], "borough": ["any"], "elsewhere": ["barnet"]}
    shown = follow(client, just_those)
    assert sorted(names(shown)) == ["Enfield alcohol service", "Hackney alcohol service"]
    assert shown.select_one("#left-out") is None
    found = tags(shown)
    tag = "Only for other boroughs' residents, not Barnet's"
    assert list(found) == [tag]
    assert sorted(names(follow(client, found[tag]))) == EVERY_ALCOHOL
    # Applying the form again keeps to them.
    assert shown.select_one("form#filters input[name=elsewhere]")["value"] == "barnet"
    # Nothing left out, nothing said.
    assert search(client, q="alcohol", borough="hackney").select_one("#left-out") is not None
    assert search(client, q="alcohol").select_one("#left-out") is None


@pytest.mark.usefixtures("services")
def test_a_postcode_in_the_words_is_the_origin_and_implies_its_borough(client):
    doc = search(client, q="needle exchange near SE15")
    found = tags(doc)
    assert list(found) == ["Lives in Southwark (from SE15)", "Near SE15 (from your search words)"]
    shown = names(doc)
    assert sorted(shown) == ["A Dulwich needle exchange", "B Camberwell needle exchange",
                             "C Peckham needle exchange"]
    for name in shown:
        assert "miles" in fact(card(doc, name), "Where")
    assert text(doc.select_one("#left-out")).startswith("1 service that matches is only for residents")
    # Removing the implied borough keeps it off (the postcode would imply it again).
    any_borough = found["Lives in Southwark (from SE15)"]
    assert any_borough == {"q": ["needle exchange near SE15"], "borough": ["any"]}
    left_out = _query(doc.select_one("#left-out a")["href"])
    assert names(follow(client, left_out)) == ["D Lewisham residents needle exchange"]
    wider = follow(client, any_borough)
    assert "D Lewisham residents needle exchange" in names(wider)
    assert list(tags(wider)) == ["Near SE15 (from your search words)"]
    assert wider.select_one("select#borough option[selected]") is None
    assert wider.select_one("select#borough option")["value"] == "any"  # kept when the form is sent again
    # Removing the place keeps the words and drops the borough it implied.
    assert found["Near SE15 (from your search words)"] == {"q": ["needle exchange"]}


@pytest.mark.usefixtures("services")
def test_a_place_and_no_words_sorts_nearest_first(client):
    doc = search(client, q="near SE15 4AA")
    assert names(doc)[:3] == ["C Peckham needle exchange", "B Camberwell needle exchange",
                              "A Dulwich needle exchange"]
    assert doc.select_one("select#sort option[selected]")["value"] == "distance"
    assert doc.select_one("#sort-notice") is None


@pytest.mark.usefixtures("services")
def test_a_place_with_words_sorts_nearest_first_among_equal_matches(client):
    doc = search(client, q="needle exchange near SE15 4AA")
    assert names(doc) == ["C Peckham needle exchange", "B Camberwell needle exchange",
                          "A Dulwich needle exchange"]


@pytest.mark.usefixtures("services")
def test_an_area_is_the_origin_and_its_borough(client):
    doc = search(client, q="alcohol in Finchley")
    found = tags(doc)
    assert list(found) == ["Lives in Barnet (from Finchley)", "Near Finchley (from your search words)"]
    assert sorted(names(doc)) == BARNET_USABLE
    assert names(doc)[0] == "Barnet alcohol team" or names(doc)[0] == "Finchley open alcohol clinic"
    assert found["Near Finchley (from your search words)"] == {"q": ["alcohol"]}
    clear = next(a for a in doc.select("#filter-panel a") if text(a) == "Clear filters")
    assert _query(clear["href"]) == {"q": ["alcohol"]}
    assert found["Lives in Barnet (from Finchley)"] == {"q": ["alcohol in Finchley"], "borough": ["any"]}
    for name in names(doc):
        assert "miles" in fact(card(doc, name), "Where")


@pytest.mark.usefixtures("services")
def test_the_postcode_box_sets_the_borough_with_a_removable_tag(client):
    doc = search(client, q="alcohol", postcode="N3 2AA")
    found = tags(doc)
    assert list(found) == ["Lives in Barnet (from N3 2AA)", "Near N3 2AA"]
    assert sorted(names(doc)) == BARNET_USABLE
    assert names(doc)[0] in ("Barnet alcohol team", "Finchley open alcohol clinic")
    wider = follow(client, found["Lives in Barnet (from N3 2AA)"])
    assert sorted(names(wider)) == EVERY_ALCOHOL
    assert list(tags(wider)) == ["Near N3 2AA"]
    # Dropping the postcode drops the borough it implied.
    assert sorted(names(follow(client, found["Near N3 2AA"]))) == EVERY_ALCOHOL


@pytest.mark.usefixtures("services")
def test_a_chosen_borough_wins_and_removing_it_with_a_postcode_keeps_it_off(client):
    doc = search(client, q="alcohol", borough="hackney", postcode="N3 2AA")
    found = tags(doc)
    assert list(found) == ["Lives in Hackney", "Near N3 2AA"]
    assert "Hackney alcohol service" in names(doc) and "Barnet alcohol team" not in names(doc)
    assert found["Lives in Hackney"]["borough"] == ["any"]
    # A borough in the words that differs from the chosen one stays words.
    assert "Lives in Barnet (from your search words)" not in tags(search(client, q="alcohol barnet",
                                                                         borough="hackney"))


@pytest.mark.usefixtures("services")
def test_the_same_borough_chosen_and_typed_is_one_tag_that_drops_both(client):
    doc = search(client, q="alcohol in Barnet", borough="barnet")
    found = tags(doc)
    assert list(found) == ["Lives in Barnet"]
    assert found["Lives in Barnet"] == {"q": ["alcohol"]}


@pytest.mark.usefixtures("services")
def test_no_results_relaxation_for_an_implied_borough_keeps_it_off(client):
    doc = search(client, q="near SE15 4AA", audience="women")
    assert names(doc) == []
    links = [a["href"] for a in doc.select(".no-results a")]
    assert any("borough=any" in href for href in links)


@pytest.mark.parametrize("typed", ["💊 in Barnet 💊", '"in" "Barnet"', "near " * 39, "x" * 200, "in " * 60])
@pytest.mark.usefixtures("services")
def test_hostile_words_with_places_answer(client, typed):
    page(client.get("/search?" + urlencode({"q": typed})))


def _query(href):
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(href).query)
