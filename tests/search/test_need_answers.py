"""How the answers to a need are ordered (need_ranking.py, issue 15): what is open leads an urgent need,
a clinic that says it gives PEP leads the exposure, every need said gets room on the first page, a
service only for some people ranks after one for everyone, and the words telling when or what was
taken rank only where they should."""

import numpy as np
import pytest

from directory import search
from directory.search import matching, need_ranking

ROUND_THE_CLOCK = [(day, "00:00", "23:59") for day in range(7)]
WEEKDAYS = [(day, "09:00", "18:00") for day in range(5)]
WEDNESDAY_AFTERNOON = "2026-03-11T14:30:00"
SUNDAY_NIGHT = "2026-03-15T22:00:00"
HERE = "SW9 8BS"


def read(text):
    return search.search(search.SearchRequest(text=text, per_page=None))


def names(text):
    return [hit.listing.name for hit in read(text).hits]


@pytest.fixture
def exposure(app, make):
    app.config["DIRECTORY_NOW"] = WEDNESDAY_AFTERNOON
    # Opening hours are a location's: every service here has a place.
    make.service(name="Anytown Hospital A&E", types=("emergency-care",), hours=ROUND_THE_CLOCK, postcode=HERE,
                 description="Emergency department. Out of hours, staff can assess you for PEP.")
    make.service(name="Bridge Sexual Health Clinic", types=("sexual-health", "hiv-hepatitis-testing"),
                 hours=WEEKDAYS, postcode=HERE,
                 description="STI and HIV tests, contraception, and PEP after a risk.")
    make.service(name="Avenue Sexual Health Clinic", types=("sexual-health",), hours=WEEKDAYS, postcode=HERE,
                 description="STI tests and treatment, contraception and coil fitting.")
    make.service(name="Late Night Pharmacy", types=("sexual-health", "harm-reduction"), postcode=HERE,
                 hours=[(d, "08:00", "23:59") for d in range(7)],
                 description="Condoms and a needle exchange.")
    return app


def test_an_exposure_goes_first_to_the_clinic_giving_pep_while_it_is_open(exposure):
    found = names("the condom split last night")
    assert found[0] == "Bridge Sexual Health Clinic"
    # A clinic that says once that it gives PEP answers better than one that does not.
    assert found.index("Bridge Sexual Health Clinic") < found.index("Avenue Sexual Health Clinic")


def test_out_of_hours_an_exposure_goes_first_to_the_a_and_e_never_to_a_late_pharmacy(exposure):
    assert names("PEP out of hours")[0] == "Anytown Hospital A&E"
    exposure.config["DIRECTORY_NOW"] = SUNDAY_NIGHT
    found = names("the condom split")
    assert found[0] == "Anytown Hospital A&E"
    assert found.index("Late Night Pharmacy") > found.index("Bridge Sexual Health Clinic")


def test_a_needle_injury_goes_to_a_and_e_first(exposure):
    assert names("stuck myself with a used needle")[0] == "Anytown Hospital A&E"


def test_every_need_said_gets_room_on_the_first_page(app, make):
    for n in range(12):
        make.service(name=f"Borough {n} Drug Service", types=("drug-alcohol-treatment",),
                     description="Treatment for adults whose drug use is causing problems.")
    make.service(name="Zed Housing Advice Line", types=("helpline",),
                 description="Advice if you are homeless or have been told to leave your home.")
    found = names("kicked out and using every day")
    assert "Zed Housing Advice Line" in found[:10]


def test_a_service_only_for_some_people_ranks_after_one_for_everyone_unless_they_said(app, make):
    make.service(name="A Youth Drug Service", types=("drug-alcohol-treatment",), audiences=("young-people",),
                 description="Drug and alcohol support for young people.")
    make.service(name="Z Drug Service", types=("drug-alcohol-treatment",),
                 description="Drug and alcohol support for adults.")
    assert names("addicted to ket")[0] == "Z Drug Service"
    assert names("im 16 and addicted to ket")[0] == "A Youth Drug Service"


def test_words_telling_when_it_happened_rank_nothing_beside_a_need(app, make):
    make.service(name="Weekend Walkers Group", types=("mental-health",), description="Walks for wellbeing.")
    make.service(name="Zephyr Wellbeing Drop-in", types=("mental-health",),
                 description="Walks for wellbeing.")
    def score(text):
        return {hit.listing.name: hit.score for hit in read(text).hits}["Weekend Walkers Group"]

    assert score("awful comedown after the weekend") == pytest.approx(score("awful comedown"))


def test_a_denied_emergency_is_urgent_advice_not_999(app, make):
    make.service(name="City Hospital A&E", types=("emergency-care",), hours=ROUND_THE_CLOCK, postcode=HERE,
                 description="Emergency department for serious or life-threatening illness, open 24 hours.")
    make.service(name="Urgent Care Advice Line", types=("helpline", "emergency-care"), hours=ROUND_THE_CLOCK,
                 postcode=HERE, description="Urgent medical advice when it is not a 999 emergency.")
    result = read("not an emergency but my heart is racing after too much coke")
    assert "999" not in result.callouts
    assert result.hits[0].listing.name == "Urgent Care Advice Line"
    assert "999" in read("my heart is racing after too much coke").callouts


def test_what_someone_takes_beside_a_need_chooses_among_its_answers(app, make):
    make.service(name="Families and Drugs Service", types=("drug-alcohol-treatment",),
                 description="For parents whose children use drugs.")
    make.service(name="Families and Drink Service", types=("drug-alcohol-treatment",),
                 description="For parents whose children drink alcohol.")
    assert names("my son is drinking every day")[0] == "Families and Drink Service"
    assert names("my son is using drugs every day")[0] == "Families and Drugs Service"


def test_beside_an_urgent_need_what_was_taken_ranks_nothing(app, make):
    make.service(name="Haven Sexual Assault Referral Centre", postcode=HERE,
                 types=("sexual-assault-referral", "abuse-support"), hours=ROUND_THE_CLOCK,
                 description="Care after rape or sexual assault, day or night.")
    make.service(name="Alcohol Helpline", types=("helpline", "drug-alcohol-treatment"),
                 description="Advice about drinking and alcohol.")
    found = names("raped last night after drinking")
    assert found[0] == "Haven Sexual Assault Referral Centre"
    assert "Alcohol Helpline" not in found[:1]


def test_symptoms_go_to_a_clinic_before_a_home_testing_kit(app, make):
    make.service(name="A Sexual Health by Post", types=("sexual-health",),
                 description="Order a free home testing kit for chlamydia and gonorrhoea.")
    make.service(name="Z Sexual Health Clinic", types=("sexual-health",),
                 description="Tests and treatment for infections.")
    assert names("burning when i pee")[0] == "Z Sexual Health Clinic"


def test_text_speak_is_read_outside_the_vocabularys_phrases(app, make):
    make.service(name="Riverside Residential Rehab", types=("drug-alcohol-treatment",),
                 description="Residential rehab after detox.")
    make.service(name="Clinic for Party Drugs", types=("drug-alcohol-treatment",),
                 description="Help with mephedrone and ketamine.")
    make.service(name="Testing Point", types=("hiv-hepatitis-testing",), description="Free HIV tests.")
    assert names("tier 4")[0] == "Riverside Residential Rehab"  # "4" is not "for" in "tier 4"
    assert names("4-MMC")[0] == "Clinic for Party Drugs"
    assert "Testing Point" in names("where can i get tested 4 hiv")  # elsewhere it still is



def test_what_a_need_rules_out_does_not_come_back_for_saying_its_words():
    # A need's way of answering holds only where its concept part holds: what the need rules out ("not:")
    # is taken from the part's documents, and a ruled-out listing that says the concept (a chemsex clinic
    # speaking of safer use, for a comedown said without chemsex) must not score for saying it.
    class View:
        size = 3

    said = np.array([2.0, 2.0, 0.0])  # documents 0 and 1 say the concept; 1 was ruled out
    finding = matching.Finding([matching.Part("harm-reduction", concept_bits=0b001, other_bits=0)])
    answer = need_ranking._how_well(View(), finding, lambda concept: said)
    assert answer[0] > 0 and answer[1] == 0 and answer[2] == 0
