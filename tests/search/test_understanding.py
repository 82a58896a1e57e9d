"""Searches in people's own words: needs, emergencies first, filler words, English-aware spelling,
names that hold slang, and words the directory has never heard of."""

from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup

from directory import search
from directory.models import Catchment

ROUND_THE_CLOCK = [(day, "00:00", "23:59") for day in range(7)]
WEEKDAYS = [(day, "09:00", "17:00") for day in range(5)]


def found(text, **criteria):
    result = search.search(search.SearchRequest(text=text, per_page=None, **criteria))
    return [hit.listing.name for hit in result.hits]


@pytest.fixture
def directory(app, make):
    make.service(name="Riverside Hospital A&E", types=("emergency-care",), hours=ROUND_THE_CLOCK,
                 description="Emergency department open 24 hours. Can start PEP out of hours.",
                 postcode="SE1 7EH")
    make.service(name="Daytime urgent treatment centre", types=("emergency-care",), hours=WEEKDAYS,
                 description="Minor injuries and illness.", postcode="SE1 7EH")
    make.service(name="Friday Night Chill Group", types=("peer-support",), hours=[(4, "19:00", "22:00")],
                 description="A social evening on Friday night for men who had a heavy weekend.",
                 postcode="SW9 8BS")
    make.service(name="Southside Sexual Health Clinic", types=("sexual-health",), hours=WEEKDAYS,
                 description="Walk-in sexual health clinic: STI tests, PrEP, and PEP after an exposure.",
                 postcode="SW9 8BS")
    make.service(name="Lambeth Drug and Alcohol Service", types=("drug-alcohol-treatment",),
                 description="Treatment and recovery for adults who use drugs or alcohol.",
                 catchment=Catchment.BOROUGHS, catchment_boroughs=("lambeth",), postcode="SW9 8BS")
    make.service(name="Tina's Kitchen", types=("peer-support",), postcode="SW9 8BS",
                 description="Tina's community food bank: hot meals every Tuesday.")
    make.service(name="Crystal Palace Counselling", types=("counselling",), postcode="SE19 2AA",
                 description="Talking therapy at Crystal Palace Parade.")
    make.service(name="Chemsex Support Clinic", types=("chemsex-support",), postcode="W1D 6AQ",
                 description="Support for gay and bisexual men who use crystal meth, G or mephedrone.")
    make.service(name="Night Shelter", description="Beds for people sleeping rough.", types=("helpline",))


@pytest.mark.usefixtures("directory")
def test_someone_who_has_collapsed_gets_emergency_care_first_and_the_callout():
    result = search.search(search.SearchRequest(text="my mate took too much G and wont wake up"))
    names = [hit.listing.name for hit in result.hits]
    assert names[0] == "Riverside Hospital A&E"
    assert "Friday Night Chill Group" not in names
    assert result.urgent and result.callouts == ["999"]


@pytest.mark.usefixtures("directory")
def test_in_an_emergency_a_service_open_around_the_clock_comes_first():
    names = found("friend collapsed and is not breathing")
    assert names.index("Riverside Hospital A&E") < names.index("Daytime urgent treatment centre")


@pytest.mark.usefixtures("directory")
def test_an_exposure_finds_pep_and_says_it_is_urgent():
    result = search.search(search.SearchRequest(text="condom split last night"))
    names = [hit.listing.name for hit in result.hits]
    assert {"Riverside Hospital A&E", "Southside Sexual Health Clinic"} <= set(names[:2])
    assert "pep" in result.callouts and "Friday Night Chill Group" not in names


@pytest.mark.usefixtures("directory")
def test_words_about_the_night_or_weekend_do_not_pull_in_groups_that_mention_them():
    names = found("been up since friday cant stop")
    assert names and names[0] != "Friday Night Chill Group"
    assert "Chemsex Support Clinic" in names[:3]


@pytest.mark.usefixtures("directory")
def test_filler_words_never_make_a_search_fail():
    alone = found("alcohol", borough="lambeth")
    assert alone and found("alcohol help", borough="lambeth") == alone
    assert found("I need alcohol support services near me please", borough="lambeth") == alone


@pytest.mark.usefixtures("directory")
def test_a_real_english_word_is_not_corrected_into_a_domain_word():
    result = search.search(search.SearchRequest(text="wake"))
    assert result.corrections == {} and result.suggestion is None


@pytest.mark.usefixtures("directory")
def test_a_misspelt_word_is_corrected_and_the_search_as_typed_is_offered():
    result = search.search(search.SearchRequest(text="sexual helth clinic"))
    assert result.suggestion == "sexual health clinic"
    assert "Southside Sexual Health Clinic" in [h.listing.name for h in result.hits]
    as_typed = search.search(search.SearchRequest(text="sexual helth clinic", correct_spelling=False))
    assert as_typed.corrections == {}


@pytest.mark.usefixtures("directory")
def test_a_swap_of_two_letters_is_one_mistake():
    result = search.search(search.SearchRequest(text="mephedorne"))
    assert result.corrections and "Chemsex Support Clinic" in [h.listing.name for h in result.hits]


@pytest.mark.usefixtures("directory")
def test_a_name_that_holds_slang_is_not_the_drug():
    assert "Tina's Kitchen" not in found("tina")
    assert "Crystal Palace Counselling" not in found("crystal meth")
    assert found("tina")[0] == "Chemsex Support Clinic"
    assert found("tina's kitchen") == ["Tina's Kitchen"]  # searching for the name still finds it


@pytest.mark.usefixtures("directory")
def test_street_names_find_the_kinds_of_service_that_treat_them():
    # The treatment service never says "heroin", let alone "smack".
    assert "Lambeth Drug and Alcohol Service" in found("smack")


@pytest.mark.usefixtures("directory")
def test_a_word_nothing_in_the_directory_holds_finds_nothing():
    assert found("dentist in lambeth") == []
    assert found("car insurance") == []
    # street names that are everyday words too are read as the drug only where they say it
    assert found("nail bar") == found("glass repair windscreen") == []


@pytest.mark.usefixtures("directory")
def test_the_page_shows_the_callout_before_the_results_and_no_words_in_the_title(client):
    page = client.get("/search?" + urlencode({"q": "he's not breathing after G"}))
    assert page.status_code == 200
    soup = BeautifulSoup(page.data, "html.parser")
    callout = soup.select_one(".callout-urgent")
    assert callout is not None and "999" in callout.get_text()
    assert callout.find_next("ol", class_="cards") is not None  # above the results
    assert "breathing" not in soup.title.get_text().lower()


@pytest.mark.usefixtures("directory")
def test_the_page_says_what_it_corrected_and_links_to_the_words_as_typed(client):
    soup = BeautifulSoup(client.get("/search?q=sexual+helth+clinic").data, "html.parser")
    suggestion = soup.select_one(".suggestion")
    assert "Showing results for" in suggestion.get_text() and "sexual health clinic" in suggestion.get_text()
    link = suggestion.find("a")
    assert "exact=1" in link["href"] and "Search instead for sexual helth clinic" in link.get_text()
    exact = BeautifulSoup(client.get(link["href"]).data, "html.parser")
    assert exact.select_one(".suggestion") is None


@pytest.mark.usefixtures("directory")
def test_the_api_ranks_a_situation_as_the_site_does(client):
    words = "condom split last night"
    site = found(words)
    response = client.get("/api/v1/services?" + urlencode({"search": words, "per_page": 50}))
    assert response.status_code == 200
    assert [item["name"] for item in response.get_json()["contents"]] == site


@pytest.mark.parametrize("words", [
    "💊💊 took too much", '"not breathing" AND (G OR GBL)', "condom " * 200, "-- drop table; suicide",
    "ǝʇɐɯ ʎɯ", "\u200b\u200bpep",
])
@pytest.mark.usefixtures("directory")
def test_strange_input_still_answers(client, words):
    assert client.get("/search?" + urlencode({"q": words[:200]})).status_code == 200


def test_a_day_asked_for_ranks_services_open_then_first(app, make):
    make.service(name="Aardvark weekday clinic", types=("sexual-health",), hours=WEEKDAYS,
                 description="Sexual health clinic.", postcode="SW9 8BS")
    make.service(name="Zebra other clinic", types=("sexual-health",), hours=[(5, "10:00", "14:00")],
                 description="Sexual health clinic.", postcode="SW9 8BS")
    assert found("sexual health clinic open on saturday")[0] == "Zebra other clinic"
    assert found("sexual health clinic saturdays")[0] == "Zebra other clinic"
    # A day that says what happened is not a day asked for.
    assert found("sexual health clinic since last saturday")[0] == "Aardvark weekday clinic"


def test_with_two_needs_the_one_said_most_leads(app, make):
    make.service(name="Riverside Hospital A&E", types=("emergency-care",), hours=ROUND_THE_CLOCK,
                 description="Emergency department open 24 hours. Can start PEP out of hours.",
                 postcode="SE1 7EH")
    make.service(name="High Street Pharmacy", types=("harm-reduction",), postcode="SW9 8BS",
                 description="Free emergency contraception (the morning after pill) from the pharmacist.")
    words = "the condom broke, can she get the morning after pill today"
    result = search.search(search.SearchRequest(text=words))
    assert {n.key for n in result.needs} >= {"hiv-exposure", "pregnancy-risk"}
    assert [h.listing.name for h in result.hits][0] == "High Street Pharmacy"
    # Said once, the exposure is the emergency it is: the all-night A&E comes first.
    assert found("the condom broke")[0] == "Riverside Hospital A&E"


def test_a_service_that_is_only_that_kind_answers_a_need_first(app, make):
    make.service(name="Aardvark chemsex service",
                 types=("chemsex-support", "sexual-health", "harm-reduction"),
                 description="Support for men who use chems.", postcode="W1D 6AQ")
    make.service(name="Zebra clinic", types=("sexual-health",), description="Walk in for tests.",
                 postcode="W1D 6AQ")
    assert found("its burning when i pee")[:2] == ["Zebra clinic", "Aardvark chemsex service"]


def test_a_danger_to_life_leads_however_few_words_said_it(app, make):
    make.service(name="Crisis Line", types=("mental-health", "helpline"), hours=ROUND_THE_CLOCK,
                 description="Call any time if you are thinking of suicide.", postcode="SE1 7EH")
    make.service(name="Chemsex Support Clinic", types=("chemsex-support",), postcode="W1D 6AQ",
                 description="Support for men after a session: comedowns and mental health.")
    result = search.search(search.SearchRequest(text="every time i come down off mandy i feel suicidal"))
    assert {n.key for n in result.needs} >= {"suicidal", "comedown"}
    assert result.hits[0].listing.name == "Crisis Line"


@pytest.mark.usefixtures("directory")
def test_a_habit_is_not_an_emergency_now():
    words = "he gets blackout drunk every weekend, how do i help him"
    result = search.search(search.SearchRequest(text=words))
    names = [hit.listing.name for hit in result.hits]
    assert not result.urgent and "999" not in result.callouts
    assert names[0] == "Lambeth Drug and Alcohol Service"
    assert found("he blacked out and wont wake up")[0] == "Riverside Hospital A&E"


def test_beside_another_need_an_exposure_puts_what_answers_both_first(app, make):
    make.service(name="Riverside Hospital A&E", types=("emergency-care",), hours=ROUND_THE_CLOCK,
                 description="Emergency department open 24 hours. Can start PEP out of hours.",
                 postcode="SE1 7EH")
    make.service(name="Southside Sexual Health Clinic", types=("sexual-health",), hours=WEEKDAYS,
                 description="PEP after an exposure, and emergency contraception (the morning after pill).",
                 postcode="SW9 8BS")
    app.config["DIRECTORY_NOW"] = "2026-03-15T23:30:00"  # Sunday night: the clinic is shut
    words = "had sex without a condom on saturday, worried about hiv and need the morning after pill too"
    assert found(words)[0] == "Southside Sexual Health Clinic"
    # The same words saying both ("the condom broke") are the one emergency: the all-night A&E first...
    assert found("the condom broke")[0] == "Riverside Hospital A&E"
    # ...unless the clinic that answers both is open now.
    app.config["DIRECTORY_NOW"] = "2026-03-11T14:30:00"  # a Wednesday afternoon
    assert found("the condom broke")[0] == "Southside Sexual Health Clinic"


def test_an_everyday_word_beside_a_known_drug_never_makes_the_search_fail(app, make):
    make.service(name="Lewisham Drug Service", types=("drug-alcohol-treatment",), postcode="SE13 6LH",
                 description="Help for adults who use cocaine, crack or other drugs.")
    assert found("doing way too much snow") == ["Lewisham Drug Service"]
    assert found("coke every weekend") == ["Lewisham Drug Service"]
    # Unless the concept is said in everyday words too: this is about driving.
    assert found("speed awareness course") == []


def test_a_vocabulary_phrase_is_read_whole_not_as_a_situation_inside_it(app, make):
    make.service(name="Borough Needle Exchange", types=("harm-reduction",), postcode="SE1 7EH",
                 description="Needle and syringe programme: injecting equipment and sharps bins.")
    make.service(name="Orchard Detox Unit", types=("drug-alcohol-treatment",), postcode="SE1 7EH",
                 description="Inpatient detox for people getting clean from drugs or alcohol.")
    result = search.search(search.SearchRequest(text="where can i get clean works"))
    assert "withdrawal" not in {n.key for n in result.needs}
    assert result.hits[0].listing.name == "Borough Needle Exchange"


def test_with_danger_now_and_a_place_the_best_answers_come_before_what_is_nearer(app, make):
    make.service(name="Far Hospital A&E", types=("emergency-care",), hours=ROUND_THE_CLOCK,
                 description="Emergency department.", postcode="E1 1BB")
    make.service(name="Second Far Hospital A&E", types=("emergency-care",), hours=ROUND_THE_CLOCK,
                 description="Emergency department.", postcode="N1 9GU")
    make.service(name="Third Far Hospital A&E", types=("emergency-care",), hours=ROUND_THE_CLOCK,
                 description="Emergency department.", postcode="NW1 2BU")
    make.service(name="Fourth Far Hospital A&E", types=("emergency-care",), hours=ROUND_THE_CLOCK,
                 description="Emergency department.", postcode="E8 1DY")
    make.service(name="Vauxhall Drug Checking", types=("harm-reduction",), postcode="SE11 5HL",
                 description="Harm reduction: find out what is in your drugs, naloxone kits.")
    names = found("friend passed out in the club, were in vauxhall")
    assert names.index("Vauxhall Drug Checking") > names.index("Fourth Far Hospital A&E")


def test_what_a_need_rules_out_a_general_need_does_not_lift(app, make):
    make.service(name="Kent Road Sexual Health Clinic", types=("sexual-health",), postcode="SE15 1JT",
                 description="Sexual health clinic: STI testing and treatment.")
    make.service(name="Postal Test Kits", types=("sexual-health", "hiv-hepatitis-testing"),
                 description="Order a free postal testing kit online.", delivery=("online",))
    make.service(name="Peckham Express Testing", types=("sexual-health",), postcode="SE15 5DQ",
                 description="Express testing for people without symptoms.")
    make.service(name="Camberwell Sexual Health Clinic", types=("sexual-health",), postcode="SE5 9RS",
                 description="Walk-in sexual health clinic.")
    names = found("worried about an sti, it burns when i pee, im in peckham")
    assert names[0] == "Kent Road Sexual Health Clinic" and names[-1] == "Postal Test Kits"
    # Said without a place, both full clinics come before what is for tests without symptoms.
    assert set(found("it burns when i pee")[:2]) == {"Kent Road Sexual Health Clinic",
                                                     "Camberwell Sexual Health Clinic"}


def test_a_phrase_one_typing_mistake_away_is_corrected_whole(app, make):
    make.service(name="High Street Pharmacy", types=("harm-reduction",), postcode="SW9 8BS",
                 description="Free emergency contraception (the morning after pill) from the pharmacist.")
    make.service(name="Moor Lane Talking Therapy", types=("counselling",), postcode="SW9 8BS",
                 description="A mooring for the mind: talking therapy after work.")
    result = search.search(search.SearchRequest(text="moring after pil"))
    # "pil" is too short to correct alone, and "moring" is close to many words: together they are a phrase.
    assert [hit.listing.name for hit in result.hits] == ["High Street Pharmacy"]
    assert result.suggestion == "morning after pill"
    # English words are never bent into a phrase: "hep c treatment" is fixed, "the pill" is not "the pull".
    assert search.search(search.SearchRequest(text="hep c tretment")).suggestion == "hep c treatment"
    assert search.search(search.SearchRequest(text="pull after work")).suggestion is None


def test_a_drugs_information_line_answers_a_question_about_any_drug(app, make):
    make.service(name="Straight Answers Drugs Line", types=("helpline",), delivery=("phone",),
                 description="Honest information about drugs and their risks, 24 hours.")
    make.service(name="Riverside Domestic Abuse Line", types=("helpline", "abuse-support"),
                 delivery=("phone",),
                 description="Support if a partner hurts or controls you.")
    make.service(name="Lambeth Drug and Alcohol Service", types=("drug-alcohol-treatment",),
                 description="Treatment and recovery for adults.", postcode="SW9 8BS")
    names = found("weed")
    assert "Straight Answers Drugs Line" in names and "Riverside Domestic Abuse Line" not in names


def test_a_word_telling_a_drug_is_taken_says_a_name_like_slang_is_the_drug(app, make):
    # "ice", "speed" and "snow" are everyday words and names too; beside "smoking", "on" or "a bag of"
    # they are the drug, and the word telling how it is taken only ranks (no listing says "smoking ice").
    make.service(name="Lewisham Drug Service", types=("drug-alcohol-treatment",), postcode="SE13 6LH",
                 description="Help for adults who use crystal meth, amphetamines, cocaine or other drugs.")
    make.service(name="Ice House Arts", types=("mental-health",), postcode="SE13 6LH",
                 description="Painting and pottery for adults recovering from ill health.")
    for words in ("smoking ice most days", "been on speed all weekend", "buying a bag of snow every friday"):
        assert found(words) == ["Lewisham Drug Service"], words
    assert found("speed awareness course") == []


def test_a_question_about_mixing_is_a_drugs_lines_not_an_alcohol_services(app, make):
    make.service(name="Straight Answers Drugs Line", types=("helpline", "harm-reduction"),
                 delivery=("phone",),
                 description="Honest information about drugs and the risks of mixing them.")
    make.service(name="Borough Alcohol Service", types=("drug-alcohol-treatment",), postcode="SW9 8BS",
                 description="Treatment for adults worried about their drinking, alcohol or cocaine use.")
    for words in ("is coke with booze bad for you", "mixing ket and drink is that dangerous",
                  "gbl and a few beers together ok?"):
        assert found(words)[0] == "Straight Answers Drugs Line", words


def test_a_street_name_in_the_name_of_something_else_neither_finds_it_nor_leads(app, make, find):
    make.service(name="White Lines Tennis Club", types=("peer-support",), description="Tennis for all ages.")
    make.service(name="Bubble and Squeak Toddler Group", types=("peer-support",),
                 description="Songs and play for toddlers and their carers.")
    make.service(name="Lean on Me Befriending", types=("peer-support",),
                 description="Volunteers visit for a chat.")
    make.service(name="Drugs Advice Line", types=("helpline",),
                 description="Information about drugs: cocaine, mephedrone, codeine and more.")
    make.service(name="Bubble Chemsex Service", types=("chemsex-support",), description="Support for men.")
    assert find("doing white lines every weekend") == ["Drugs Advice Line"]
    # a comedown finds peer support too, but a toddler group named for a dish never leads it
    assert find("bubble got me para")[:2] == ["Bubble Chemsex Service", "Drugs Advice Line"]
    assert find("drinking lean every day")[0] == "Drugs Advice Line"


def test_what_is_drunk_said_in_the_needs_own_words_still_says_which_service_is_meant(app, make, find):
    make.service(name="Stop Smoking Service", types=("drug-alcohol-treatment",),
                 description="Support and medicines to stop smoking.")
    make.service(name="Community Alcohol Team", types=("drug-alcohol-treatment",),
                 description="Support with alcohol: cutting down safely, or stopping.")
    assert find("want to drink less but im not an alcoholic")[0] == "Community Alcohol Team"


def test_gambling_and_smoking_find_their_own_services(app, make, find):
    make.service(name="Bet Free Line", types=("helpline",),
                 description="24-hour support for problem gambling.")
    make.service(name="Quit Smoking Islington", types=("drug-alcohol-treatment",),
                 description="Free stop smoking support and nicotine replacement.")
    make.service(name="Drug and Alcohol Service", types=("drug-alcohol-treatment",),
                 description="Treatment for drug use, cannabis included.")
    assert find("lost my rent money on betting apps again") == ["Bet Free Line"]
    assert find("want to quit fags and vapes")[0] == "Quit Smoking Islington"
    assert "Drug and Alcohol Service" in find("want to quit smoking weed")  # the weed's, not tobacco's
