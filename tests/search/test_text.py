"""Free text: the domain's own words both ways, typos, stemming, weights, snippets, hostile input."""

import pytest
from markupsafe import Markup

from directory import search
from directory.models import Catchment
from directory.search import text
from tests.search.conftest import target_and_decoy

# (a formal word, what people also say): each must find listings written with the other.
SYNONYMS = [
    ("GHB", "G"), ("GBL", "G"), ("crystal meth", "tina"), ("methamphetamine", "crystal"),
    ("mephedrone", "meow meow"), ("mephedrone", "M-Cat"), ("ketamine", "K"), ("chemsex", "party and play"),
    ("chemsex", "PnP"), ("chemsex", "chems"), ("injecting", "slamming"), ("sexual health clinic", "GUM"),
    ("STI clinic", "GUM"), ("post-exposure prophylaxis", "PEP"), ("pre-exposure prophylaxis", "PrEP"),
    ("hepatitis", "BBV"), ("blood-borne virus", "hep"), ("needle exchange", "NSP"),
    ("needle and syringe programme", "NSP"), ("naloxone", "naloxone"), ("transgender", "trans"),
    ("non-binary", "trans"), ("men who have sex with men", "MSM"), ("GBMSM", "gay"), ("bisexual", "bi"),
    ("counselling", "therapy"), ("counselling", "talking therapy"), ("emergency department", "A&E"),
    ("emergency", "A&E"),
    # frontline and street words beyond the obvious
    ("cocaine", "doing lines"), ("hepatitis B vaccination", "hep B vax"),
    ("buprenorphine", "long-acting buprenorphine"),
    ("codeine", "purple drank"), ("drug use", "PWUD"), ("chemsex", "chill party"),
    ("sexually transmitted infections", "crabs"), ("antiretroviral", "ARVs"),
    # street, brand and route-of-use names (helper "slang", issue 15)
    ("cannabis", "smoking draw"), ("cannabis", "zooted"), ("GHB", "georgia home boy"), ("mephedrone", "3mmc"),
    ("ketamine", "bumps of ket"), ("ketamine", "MXE"), ("heroin", "physeptone"), ("heroin", "DF118"),
    ("pregabalin", "pregabs"), ("diazepam", "moggies"), ("anabolic steroids", "test e"),
    ("anabolic steroids", "gym gear"), ("nitrous oxide", "nos canisters"),
    ("amphetamine", "billy whizz"), ("amphetamine", "khat"), ("alcohol", "white cider"), ("alcohol", "bevvy"),
    ("chemsex", "booty bumping"), ("injecting", "skin popping"), ("needle exchange", "citric"),
    ("condoms", "johnnies"),
]


@pytest.mark.parametrize(("formal", "slang"), SYNONYMS)
def test_what_people_say_finds_listings_in_formal_words(app, make, find, formal, slang):
    target_and_decoy(make, formal, "abuse-support")
    assert find(slang) == ["Target"]


@pytest.mark.parametrize(("formal", "slang"), SYNONYMS)
def test_formal_words_find_listings_in_what_people_say(app, make, find, formal, slang):
    target_and_decoy(make, slang, "abuse-support")
    assert find(formal) == ["Target"]


@pytest.mark.parametrize(("typed", "meant", "listing"), [
    ("councelling", "counselling", "Counselling for LGBT people"),
    ("sexual helth", "sexual health", "Sexual health clinic"),
    ("hepatits", "hepatitis", "Hepatitis testing clinic"),
])
def test_typos_still_find_and_suggest(app, make, typed, meant, listing):
    make.service(name=listing, types=("abuse-support",), description="Free and confidential.")
    make.service(name="Housing advice", types=("abuse-support",), description="Benefits help.")
    result = search.search(search.SearchRequest(text=typed))
    assert [h.listing.name for h in result.hits] == [listing]
    assert result.suggestion == meant


def test_a_typing_mistake_whose_stem_a_listing_holds_is_still_corrected(app, make):
    # "councilling" stems to "council", which a listing holds; it is no English word, and one of the
    # directory's own words is a mistake or two away: counselling.
    make.service(name="Counselling for LGBT people", types=("abuse-support",), description="Free.")
    make.service(name="Housing advice", types=("abuse-support",), description="Help from the council.")
    result = search.search(search.SearchRequest(text="councilling"))
    assert [h.listing.name for h in result.hits] == ["Counselling for LGBT people"]
    assert result.suggestion == "counselling"


def test_exact_words_get_no_suggestion(app, make):
    make.service(name="Counselling service")
    assert search.search(search.SearchRequest(text="counselling")).suggestion is None


def test_stemming_matches_other_forms_of_a_word(app, make, find):
    make.service(name="Clinic", description="Vaccinations and treatments for injuries.")
    assert find("vaccination treatment injury") == ["Clinic"]


def test_a_word_in_the_name_ranks_above_the_same_word_in_passing(app, make, find):
    make.service(name="Wellbeing centre", description="We also run a small peer support group on Fridays.")
    make.service(name="Peer support group", description="Weekly meetings.")
    assert find("peer support") == ["Peer support group", "Wellbeing centre"]


def test_words_match_category_names_too(app, make, find):
    make.service(name="Clinic A", types=("sexual-health",), description="Walk in.")
    make.service(name="Treatment B", types=("drug-alcohol-treatment",), description="Walk in.")
    assert find("GUM") == ["Clinic A"]
    assert find("sexual health") == ["Clinic A"]


def test_borough_names_in_the_text_find_services_there_first(app, make, find):
    # The borough becomes the filter (usable by its residents): open-access services elsewhere
    # qualify, after the borough's own.
    make.service(name="Kennington clinic", postcode="SE11 5HL")
    make.service(name="Camden clinic", postcode="NW1 2BU")
    make.service(name="Barnet residents only", postcode="EN5 5TP", catchment=Catchment.BOROUGHS,
                 catchment_boroughs=("barnet",))
    assert find("lambeth") == ["Kennington clinic", "Camden clinic"]


def test_when_no_listing_has_every_word_some_words_still_find(app, make):
    make.service(name="Chemsex support", description="Support for gay men.")
    make.service(name="Housing advice", description="Tenancy rights.")
    make.service(name="Walk-in clinic", description="Vaccinations.")
    result = search.search(search.SearchRequest(text="chemsex tenancy"))
    # What the directory knows about (chemsex) anchors a partial match; a stray word alone does not.
    assert result.partial
    assert [h.listing.name for h in result.hits] == ["Chemsex support"]
    assert search.search(search.SearchRequest(text="vaccinations tenancy")).total == 0


def test_a_word_no_listing_holds_finds_nothing_rather_than_the_rest(app, make):
    # "dentist in Camden" must not answer with everything else in Camden.
    make.service(name="Chemsex support", description="Support for gay men.")
    assert search.search(search.SearchRequest(text="chemsex zanzibar holidays")).total == 0
    # One word nobody uses beside what the directory is about does not hide it.
    assert search.search(search.SearchRequest(text="chemsex initiation")).total == 1


def test_snippets_highlight_matches_and_escape_listing_text(app, make):
    make.service(name="Clinic",
                 description="<b>Bold</b> claims & PEP within 72 hours <script>alert(1)</script>")
    hit = search.search(search.SearchRequest(text="post-exposure prophylaxis")).hits[0]
    assert isinstance(hit.snippet, Markup)
    assert "<mark>PEP</mark>" in hit.snippet
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert "&amp;" in hit.snippet



def test_a_snippet_marks_every_word_and_phrase_searched_for_around_the_first_match():
    source = ("Our   team has worked in south London for many years, with clinics, outreach and groups "
              "across three boroughs, and welcomes everyone. Support for <people> who use crystal meth "
              "& G: crystal meth testing, peer support.")
    stems = {text.stem("support")}
    shown = text.snippet(source, stems, {"crystal-meth"}, width=120)
    assert isinstance(shown, Markup)
    assert shown == Markup(
        "…boroughs, and welcomes everyone. <mark>Support</mark> for &lt;people&gt; who use "
        "<mark>crystal meth</mark> &amp; G: <mark>crystal meth</mark> testing, peer <mark>support</mark>.")
    assert text.snippet(source, stems, {"crystal-meth"}, width=120) == shown  # read again from its cache
    assert text.snippet(source, set(), set(), width=30) == Markup("Our team has worked in south…")

NASTY = [
    '"', "'", '"unclosed quote', "(((", ")", "[a-z]", "{}", "AND", "OR", "NOT", "AND OR NOT", "a AND NOT b",
    "A&E", "&", "&&&", "*", "?", "~", "^2", "name:chemsex", "title:", "\\", "/", "%", "_", "--",
    "'; DROP TABLE service; --", "1' OR '1'='1", "SELECT * FROM user", "<script>alert(1)</script>",
    "\x00", "\n\t", "🙂 chemsex 🏳️‍🌈", "ℌ𝔢𝔩𝔭", "İstanbul", "x" * 1000, "chemsex " * 200,
    "a b c d e f g h i j " * 40,
    "   ", "", "-", "+chemsex -clinic", "chem*", "chemsex~2", '"party and play"',
]


@pytest.mark.parametrize("text", NASTY)
def test_any_input_is_safe(app, make, text):
    make.service(name="Chemsex support", description="For people who use G. Walk in.")
    result = search.search(search.SearchRequest(text=text))
    assert result.total >= 0
    for hit in result.hits:
        assert isinstance(hit.snippet, Markup)


def test_operators_are_words_not_syntax(app, make, find):
    make.service(name="Kestrel", description="Open to anyone")
    make.service(name="Other", description="Vaccinations")
    assert find("NOT Kestrel") == ["Kestrel"]
    assert find("kestrel AND vaccinations") == []  # both words, and no listing has both
    assert find("kestrel OR vaccinations") == []  # "OR" is a word too, not an operator


def test_an_everyday_word_reads_as_slang_only_as_the_vocabulary_writes_it():
    # "chang" (cocaine), "paste" (speed) and "blues" (diazepam) share their stems with "change", "past" and
    # "blue": neither a query nor a listing ("Change Grow Live") saying those means the drug.
    vocabulary = text.vocabulary()

    def concepts(words):
        return {c for c, _, _ in vocabulary.concepts_in(text.tokens(words), text.cased_tokens(words))}

    assert "cocaine" not in concepts("I want to change my drinking") | concepts("Change Grow Live")
    assert "stimulants" not in concepts("abused in the past")
    assert "benzodiazepines" not in concepts("his lips are going blue")
    assert "cocaine" in concepts("a bag of chang") and "benzodiazepines" in concepts("on the blues")
    # A bare number is never slang: "1 to 1 support" is not GHB ("1,4-butanediol" is).
    assert concepts("1 to 1 support") == set() and "ghb" in concepts("1,4-butanediol")


def test_a_name_word_of_a_capitalised_word_is_a_name():
    vocabulary = text.vocabulary()
    for name in ("Spice of Life Community Kitchen", "Crystal of Hope Trust"):
        assert vocabulary.concepts_in(text.tokens(name), text.cased_tokens(name)) == [], name
    assert [c for c, _, _ in vocabulary.concepts_in(text.tokens("bag of spice"))] == ["cannabis"]
