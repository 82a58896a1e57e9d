"""Places typed into a search: postcodes, borough and area names, and what is left of the words."""

import pytest

from directory import geo, search
from directory.search import criteria, places
from directory.search.catalogue import BoroughRef


class Boroughs:
    """The part of search's catalogue that places read, from the bundled boroughs file (no database)."""

    def __init__(self):
        refs = [BoroughRef(row["ons_code"], row["slug"], row["name"]) for row in geo.boroughs()]
        self.borough_choices = sorted(refs, key=lambda b: b.name)
        self.boroughs = {b.slug: b for b in refs} | {b.ons_code: b for b in refs}


CATALOGUE = Boroughs()


def find(text):
    return places.find_in(text, CATALOGUE, criteria.known_word)


@pytest.mark.parametrize(("typed", "slug", "rest"), [
    ("alcohol in Barnet", "barnet", "alcohol"),
    ("alcohol help in barnet", "barnet", "alcohol help"),
    ("Tower Hamlets needle exchange", "tower-hamlets", "needle exchange"),
    ("counselling near hackney", "hackney", "counselling"),
    ("sexual health Kensington", "kensington-and-chelsea", "sexual health"),
    ("drug service for Richmond", "richmond-upon-thames", "drug service for"),
    ("pep in kingston", "kingston-upon-thames", "pep"),
    ("hammersmith chemsex", "hammersmith-and-fulham", "chemsex"),
    ("Barking and Dagenham alcohol", "barking-and-dagenham", "alcohol"),
    ("City of London GUM clinic", "city-of-london", "GUM clinic"),
    ("LAMBETH", "lambeth", ""),
])
def test_borough_names_and_short_forms(typed, slug, rest):
    found = find(typed)
    assert found.borough.slug == slug
    assert found.area is None and found.postcode is None
    assert found.text == rest


@pytest.mark.parametrize(("typed", "area", "slug", "outcode", "rest"), [
    ("needle exchange Brixton", "Brixton", "lambeth", "SW9", "needle exchange"),
    ("chemsex support around Vauxhall", "Vauxhall", "lambeth", "SE11", "chemsex support"),
    ("pep near elephant and castle", "Elephant and Castle", "southwark", "SE1", "pep"),
    ("sti test close to Kings Cross", "King's Cross", "camden", "N1C", "sti test"),
    ("sti test close to king’s cross", "King's Cross", "camden", "N1C", "sti test"),
    ("earls court counselling", "Earl's Court", "kensington-and-chelsea", "SW5", "counselling"),
    ("St Johns Wood GP", "St John's Wood", "westminster", "NW8", "GP"),
    ("Crystal Palace peer support", "Crystal Palace", "bromley", "SE19", "peer support"),
    ("bromley-by-bow drop in", "Bromley-by-Bow", "tower-hamlets", "E3", "drop in"),
    ("Croydon town centre alcohol", "Croydon town centre", "croydon", "CR0", "alcohol"),
    ("the Elephant", "Elephant and Castle", "southwark", "SE1", ""),
])
def test_area_names_carry_their_borough_and_outcode(typed, area, slug, outcode, rest):
    found = find(typed)
    assert (found.area, found.borough.slug, found.area_outcode, found.text) == (area, slug, outcode, rest)


def test_the_longest_name_wins():
    # Not the borough of Bromley, nor "Bow", nor "Castle"; not Hackney the borough.
    assert find("in Bromley by Bow").area == "Bromley-by-Bow"
    assert find("Hackney Wick").area == "Hackney Wick"
    assert find("Bromley").borough.slug == "bromley" and find("Bromley").area is None


@pytest.mark.parametrize(("typed", "postcode", "rest"), [
    ("tina near SW9", "SW9", "tina"),
    ("se15 5ab needle exchange", "SE15 5AB", "needle exchange"),
    ("pep in E8", "E8", "pep"),
    ("pep in e8 4", "E8 4", "pep"),
    ("SE155AB", "SE15 5AB", ""),
    ("sexual health, near nw1", "NW1", "sexual health"),
])
def test_postcodes_sectors_and_outcodes(typed, postcode, rest):
    found = find(typed)
    assert found.postcode == postcode
    assert found.text == rest


@pytest.mark.parametrize("typed", [
    "n2o", "nitrous n2o", "K2 spice", "vitamin b12", "M25", "G1 2AB", "covid19", "HIV1", "24 7 helpline",
    "CM13",  # mostly in Essex
    "E45 cream", "n95 mask", "UB40",  # an outcode run into a digit is not a sector
])
def test_words_that_look_like_postcodes_but_are_not_londons_stay_words(typed):
    assert find(typed) is None


@pytest.mark.parametrize(("typed", "slug", "outcode"), [
    ("clinic near W1", "westminster", "W1D"), ("sw1 counselling", "westminster", "SW1P"),
    ("in EC1", "islington", "EC1V"), ("WC2", "westminster", "WC2E"),
])
def test_central_districts_typed_without_their_letter_are_places(typed, slug, outcode):
    found = find(typed)
    assert (found.borough.slug, found.area_outcode, found.postcode) == (slug, outcode, None)
    assert find("W1D 6AQ").postcode == "W1D 6AQ"


@pytest.mark.parametrize(("typed", "slug", "rest"), [
    ("drug service in hounslw", "hounslow", "drug service"), ("sti testing hackny", "hackney", "sti testing"),
    ("needle exchange lambith", "lambeth", "needle exchange"),
    ("alcohol help croyden", "croydon", "alcohol help"),
    ("counselling in islinton", "islington", "counselling"), ("clinic near brixon", "lambeth", "clinic"),
    ("rehab in wandswoth", "wandsworth", "rehab"),
])
def test_a_misspelt_borough_or_area_is_still_the_place(typed, slug, rest):
    found = find(typed)
    assert (found.borough.slug, found.text) == (slug, rest)


@pytest.mark.parametrize("typed", [
    "councelling", "methadne clinic", "brixtonian poetry", "hacking cough", "camping trip",
])
def test_words_a_letter_or_two_from_a_place_that_are_not_misspellings_of_it_stay_words(typed):
    assert find(typed) is None


def test_a_postcode_and_a_name_are_both_taken():
    found = find("Brixton SW2 alcohol")
    assert (found.area, found.postcode, found.text) == ("Brixton", "SW2", "alcohol")
    assert found.phrase == "Brixton SW2"


@pytest.mark.parametrize("typed", [
    "bank holiday opening", "angel dust", "bow tie", "oval pill", "temple", "borough residents",
    "Victoria's support worker", "the city is scary", "lee helped me", "poplar",
])
def test_words_that_are_also_places_need_a_preposition(typed):
    assert find(typed) is None


@pytest.mark.parametrize(("typed", "area", "rest"), [
    ("clinic near Angel", "Angel", "clinic"),
    ("in Bow", "Bow", ""),
    ("needle exchange by the Oval", "Oval", "needle exchange"),
    ("sexual health at Bank", "Bank", "sexual health"),
    ("drop in in the City", "the City", "drop in"),
    ("pep around Borough", "Borough", "pep"),
])
def test_with_a_preposition_they_are_places(typed, area, rest):
    found = find(typed)
    assert (found.area, found.text) == (area, rest)


def test_chelsea_is_a_name_as_well_as_a_place():
    assert find("chelsea helped me") is None
    assert find("counselling in Chelsea").borough.slug == "kensington-and-chelsea"


def test_proper_names_that_hold_a_place_stay_words():
    assert find("Chelsea and Westminster sexual health") is None
    assert find("richmond fellowship") is None
    # A place after the proper name is still a place.
    assert find("Chelsea and Westminster clinic near SW10").postcode == "SW10"


def test_only_the_first_name_is_taken():
    found = find("Camden or Islington")
    assert found.borough.slug == "camden" and found.text == "or Islington"


def test_phrase_keeps_the_words_as_typed():
    found = find("alcohol  Close To   Stockwell please")
    assert found.phrase == "Close To Stockwell"
    assert found.text == "alcohol please"
    assert found.named == "Stockwell"


@pytest.mark.parametrize("typed", [
    "", "   ", None, "alcohol", "help me please", "in", "near me", "🏳️‍🌈", "\"'", "((near))", "near near near",
    "in in", "'; DROP TABLE services; --",
])
def test_nothing_found(typed):
    assert find(typed) is None


def test_hostile_input_is_only_words():
    assert find("💊 near 💊 Brixton 💊").area == "Brixton"
    quoted = find('"alcohol" in "Barnet"')
    assert quoted.borough.slug == "barnet" and "alcohol" in quoted.text and "Barnet" not in quoted.text
    found = find("x" * 299 + " in Barnet")
    assert found is None  # past the 300 characters the words are read to
    long = find("in Barnet " + "help " * 100)
    assert long.borough.slug == "barnet" and len(long.text) < 300


def test_area_names_lists_areas_and_boroughs_in_lower_case():
    names = places.area_names()
    assert {"crystal palace", "elephant and castle", "kings cross", "hackney", "kensington", "richmond",
            "bromley by bow"} <= set(names)
    assert all(n == n.lower() for n in names)
    assert "chelsea and westminster" not in names  # a hospital, not a place
    assert places.area_names(CATALOGUE) == names


def test_every_area_is_in_its_borough_and_in_london():
    boroughs = {row["slug"]: row["ons_code"] for row in geo.boroughs()}
    for area in places.areas():
        assert area.borough_slug in boroughs, area
        place = geo.lookup(area.outcode)  # raises outside London
        assert boroughs[area.borough_slug] in place.borough_codes, area
    assert len(places.areas()) >= 150


# -- through the search: what the words and the postcode imply --------------------------------------


@pytest.fixture
def alcohol(app, make):
    words = "Alcohol advice and treatment."
    make.service(name="Barnet team", description=words, catchment="boroughs", catchment_boroughs=("barnet",),
                 postcode="N3 2AA")
    make.service(name="Open clinic", description=words, postcode="E8 2AA")
    make.service(name="Enfield team", description=words, catchment="boroughs",
                 catchment_boroughs=("enfield",), postcode="EN1 1AA")


def run(**fields):
    return search.search(search.SearchRequest(per_page=None, **fields))


@pytest.mark.usefixtures("alcohol")
def test_a_borough_in_the_words_filters_and_says_what_it_left_out():
    result = run(text="alcohol in Barnet")
    assert sorted(h.listing.name for h in result.hits) == ["Barnet team", "Open clinic"]
    assert result.borough.slug == "barnet"
    assert result.understood.borough_from == criteria.FROM_WORDS
    assert result.understood.words.text == "alcohol"
    assert result.left_out_other_boroughs == 1
    hidden = run(text="alcohol", borough="any", residents_elsewhere="barnet")
    assert [h.listing.name for h in hidden.hits] == ["Enfield team"]
    assert run(text="alcohol").left_out_other_boroughs == 0


@pytest.mark.usefixtures("alcohol")
def test_a_misspelt_borough_in_the_words_filters_as_the_borough_does():
    result = run(text="alcohol help in barnit")
    assert sorted(h.listing.name for h in result.hits) == ["Barnet team", "Open clinic"]
    assert (result.borough.slug, result.understood.words.text) == ("barnet", "alcohol help")


@pytest.mark.usefixtures("alcohol")
def test_a_postcode_implies_its_borough_unless_declined_or_the_caller_says_not():
    assert run(text="alcohol", postcode="EN1 1AA").borough.slug == "enfield"
    assert run(text="alcohol", postcode="EN1 1AA").understood.borough_from == "EN1 1AA"
    assert run(text="alcohol", postcode="EN1 1AA", borough="any").borough is None
    assert run(text="alcohol", postcode="EN1 1AA", postcode_sets_borough=False).borough is None
    # A postcode in the words implies its borough even so: the words are the person's.
    assert run(text="alcohol near EN1", postcode_sets_borough=False).borough.slug == "enfield"
    # A chosen borough wins over the postcode's and the words'.
    assert run(text="alcohol in Barnet", postcode="EN1 1AA", borough="hackney").borough.slug == "hackney"


@pytest.mark.usefixtures("alcohol")
def test_the_default_order_is_nearest_first_for_a_place_without_words():
    assert run(text="near E8").sort == "distance"
    assert [h.listing.name for h in run(text="near E8", borough="any").hits][0] == "Open clinic"
    assert run(text="alcohol near E8").sort == "relevance"
    assert run(text="alcohol", postcode="E8 2AA").sort == "relevance"
    assert run(text="near E8", sort="name").sort == "name"
    assert all(h.distance_label for h in run(text="alcohol near E8", borough="any").hits)


def test_an_unknown_borough_for_elsewhere_is_an_error(app):
    with pytest.raises(search.SearchInputError) as error:
        run(residents_elsewhere="atlantis")
    assert error.value.field == "residents_elsewhere"
