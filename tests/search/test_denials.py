"""What people deny ("not looking for rehab", "I'm not suicidal but ...") and the long sentences they
type: a denied kind of help is not asked for and ranks lower, a denied need does not fire, and the
negations that are part of a situation ("not breathing", "can't stop") still read as it. And who a
service is for ranks it among the answers to what was asked, never above them."""

import pytest

from directory import search

ROUND_THE_CLOCK = [(day, "00:00", "23:59") for day in range(7)]


def read(text):
    return search.search(search.SearchRequest(text=text, per_page=None))


def names(text):
    return [hit.listing.name for hit in read(text).hits]


@pytest.fixture
def directory(app, make):
    make.service(name="City Hospital A&E", types=("emergency-care",), hours=ROUND_THE_CLOCK,
                 description="Emergency department open 24 hours.", postcode="SE1 7EH")
    make.service(name="Borough Alcohol Service", types=("drug-alcohol-treatment",), postcode="SW9 8BS",
                 description="Help for adults who want to change their drinking, and a methadone clinic.")
    make.service(name="Riverbank Residential Rehab", types=("drug-alcohol-treatment",), postcode="SW9 8BS",
                 description="Residential rehab for adults after detox from alcohol or drugs.")
    make.service(name="Night Talk Listening Line", types=("helpline", "mental-health"), hours=ROUND_THE_CLOCK,
                 description="Someone to talk to, day or night, whatever you are going through.")
    make.service(name="Southside Sexual Health Clinic", types=("sexual-health",), postcode="SW9 8BS",
                 description="Walk-in clinic: STI and HIV tests, PrEP to prevent HIV, and PEP.")
    make.service(name="Balloon Safety Project", types=("harm-reduction",), postcode="SW9 8BS",
                 description="Advice about nitrous oxide and laughing gas.")
    make.service(name="Chemsex Support Clinic", types=("chemsex-support",), postcode="W1D 6AQ",
                 description="Support for men who use crystal meth or G during sex.")


@pytest.mark.usefixtures("directory")
def test_a_denied_kind_of_help_ranks_below_what_was_asked():
    found = names("not looking for rehab, just want to drink a bit less")
    assert found[0] == "Borough Alcohol Service"
    assert found.index("Riverbank Residential Rehab") > found.index("Borough Alcohol Service")
    # Without the denial, rehab is what was asked for.
    assert names("looking for rehab for my drinking")[0] == "Riverbank Residential Rehab"


@pytest.mark.usefixtures("directory")
def test_a_denied_need_does_not_fire_but_the_rest_of_the_sentence_does():
    result = read("im not suicidal but i really need someone to talk to")
    assert "suicidal" not in {n.key for n in result.needs} and "crisis" not in result.callouts
    assert result.hits[0].listing.name == "Night Talk Listening Line"
    assert "suicidal" in {n.key for n in read("i feel suicidal and need someone to talk to").needs}


@pytest.mark.usefixtures("directory")
def test_negations_that_are_part_of_a_situation_still_read_as_it():
    assert "999" in read("my friend is not breathing").callouts
    assert "pep" in read("had sex with no condom").callouts
    assert "withdrawal" in {n.key for n in read("cant stop using tina").needs}


@pytest.mark.usefixtures("directory")
def test_not_wanting_to_catch_something_still_asks_about_it():
    assert names("dont want to catch hiv, is there a pill")[0] == "Southside Sexual Health Clinic"


@pytest.mark.usefixtures("directory")
def test_no_is_a_denial_never_a_drug():
    assert "Balloon Safety Project" not in names("no i dont have hiv, i just want a test")
    assert "Balloon Safety Project" in names("laughing gas")


@pytest.mark.usefixtures("directory")
def test_a_long_sentence_naming_what_the_directory_knows_is_about_that():
    # "script" and "north" are in no listing; the sentence is about methadone.
    assert "Borough Alcohol Service" in names("just moved to london, was on a methadone script up north")


@pytest.mark.usefixtures("directory")
def test_a_sentence_about_nothing_the_directory_knows_still_finds_nothing():
    assert names("my cat needs a vet appointment on saturday") == []
    assert names("i need a plumber for my boiler in the flat") == []


def test_who_a_service_is_for_ranks_it_among_answers_not_above_them(app, make):
    make.service(name="Youth Drop-in", types=("peer-support",), audiences=("young-people",),
                 postcode="SW9 8BS",
                 description="A weekly drop-in for young people: games, trips and a youth worker.")
    make.service(name="Positive Peers", types=("peer-support", "hiv-hepatitis-testing"), postcode="SW9 8BS",
                 description="Peer support for people living with HIV and the newly diagnosed.")
    found = names("im 17 and just found out im hiv positive")
    assert found[0] == "Positive Peers"


def test_a_wish_for_any_help_does_not_lead_a_particular_need(app, make):
    make.service(name="Listening Line", types=("helpline", "mental-health"),
                 description="Someone to talk to, whatever you are going through.")
    make.service(name="Positive Peers", types=("peer-support", "hiv-hepatitis-testing"), postcode="SW9 8BS",
                 description="Peer support for people living with HIV and the newly diagnosed.")
    assert names("just been told im hiv positive and i dont know who to talk to")[0] == "Positive Peers"
    assert names("i just need someone to talk to")[0] == "Listening Line"


def test_in_a_phrase_a_denial_is_part_of_what_is_asked(app, make):
    make.service(name="Booked Clinic", types=("sexual-health",), postcode="SW9 8BS",
                 description="Sexual health clinic for STI tests and treatment, and contraception advice.")
    make.service(name="Open Clinic", types=("sexual-health",), postcode="SW9 8BS",
                 description="Sexual health clinic. Walk in for STI tests.")
    assert names("sti tests with no appointment needed")[0] == "Open Clinic"
