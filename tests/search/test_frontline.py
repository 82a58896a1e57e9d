"""Frontline shorthand (what GUM nurses, drug workers, IDVAs, crisis and housing teams type) and the
typing slips spelling help reads by class: sounds-alike spellings, two letters swapped, words run
together. Shorthand that is also an everyday word must never take over an ordinary sentence."""

import pytest

from directory import search
from directory.search import spelling, text
from tests.search.conftest import target_and_decoy

# (a formal phrase a listing uses, the shorthand a worker types): each must find the listing.
SHORTHAND = [
    ("sexual and reproductive health", "SRH"), ("partner notification", "PN"),
    ("post-exposure prophylaxis", "PEP starter pack"), ("emergency contraception", "ECP"),
    ("the contraceptive implant", "Nexplanon"), ("HIV testing", "HIVST"),
    ("hepatitis C", "HCV testing"), ("domestic abuse", "DASH RIC"), ("domestic abuse", "DVPO"),
    ("sexual violence", "ChISVA"), ("early intervention in psychosis", "EIS"),
    ("place of safety", "HBPoS"), ("crisis line", "111 option 2"), ("talking therapies", "PWP"),
    ("drug treatment", "CDAT"), ("drug treatment", "OCUs"), ("methadone", "supervised consumption"),
    ("alcohol", "ALN"), ("detox", "medically managed withdrawal"), ("homelessness", "section 21"),
    ("homelessness", "StreetLink"), ("homelessness", "Routes Off the Streets"),
    ("needle exchange", "sharps disposal"), ("naloxone", "THN training"), ("sex workers", "SW outreach"),
]


@pytest.mark.parametrize(("formal", "shorthand"), SHORTHAND)
def test_frontline_shorthand_finds_listings_in_formal_words(app, make, find, formal, shorthand):
    target_and_decoy(make, formal, "peer-support")
    assert find(shorthand) == ["Target"]


@pytest.mark.parametrize("sentence", [
    "need some cash for the bus",  # "CaSH" is a contraception service only as "CaSH clinic"
    "ta for the help yesterday",  # "TA" is temporary accommodation only as "in TA" or "TA placement"
    "pop in for a chat",  # "POP", the progestogen-only pill, is not read alone
    "a safe space to talk",  # not a crisis service
    "section of the form",  # "section 21" is an eviction; "section" alone is nothing
])
def test_shorthand_that_is_an_everyday_word_does_not_take_over_a_sentence(app, sentence):
    assert text.concept_tokens(sentence) == []


def test_a_word_the_vocabulary_knows_is_not_bent_into_another_phrase(app, make, find):
    # "DAA" (hepatitis C treatment) is a letter from the "DAT" of "DAT referral" (a drug team): a word the
    # vocabulary knows alone is meant as typed.
    make.service(name="Hep C treatment", types=("peer-support",), description="DAA tablets for hepatitis C.")
    make.service(name="Drug team", types=("peer-support",), description="Drug treatment for adults.")
    result = search.search(search.SearchRequest(text="DAA referral"))
    assert result.corrections == {}
    assert [h.listing.name for h in result.hits] == ["Hep C treatment"]


@pytest.mark.parametrize(("typed", "meant"), [
    ("sifilis", "syphilis"), ("farmacy", "pharmacy"), ("meffadrone", "mephedrone"), ("detocks", "detox"),
    ("gonorea", "gonorrhea"),
])
def test_a_word_spelt_as_it_sounds_is_the_vocabularys(typed, meant):
    assert spelling.sounds_like(typed, meant)


@pytest.mark.parametrize(("typed", "written"), [("sifilis", "stiffness"), ("farm", "pharmacy"),
                                                ("meth", "math"), ("metal", "mental")])
def test_words_that_only_look_alike_do_not_sound_alike(typed, written):
    assert not spelling.sounds_like(typed, written)


def test_a_sounds_alike_spelling_finds_and_is_suggested(app, make):
    make.service(name="Syphilis clinic", types=("peer-support",), description="Tests and treatment.")
    make.service(name="Housing advice", types=("peer-support",), description="Benefits help.")
    result = search.search(search.SearchRequest(text="sifilis"))
    assert [h.listing.name for h in result.hits] == ["Syphilis clinic"]
    assert result.suggestion == "syphilis"


def test_two_letters_swapped_is_the_likelier_slip(app, make, find):
    # "perp" is one slip from PEP (a letter dropped) and from PrEP (two swapped): swapped is likelier.
    assert spelling.swapped("perp", "prep") and not spelling.swapped("perp", "pep")
    make.service(name="PrEP clinic", types=("peer-support",), description="PrEP for everyone.")
    make.service(name="PEP clinic", types=("peer-support",), description="PEP after an exposure.")
    assert search.search(search.SearchRequest(text="perp")).corrections == {"perp": "prep"}


def test_a_slip_corrected_to_the_directorys_word_does_not_also_search_a_place_name(app, make, find):
    make.service(name="Trans health clinic", types=("peer-support",), description="Health care.")
    make.service(name="Hampstead Heath Walks", types=("peer-support",), description="Walks on the heath.")
    assert find("helth") == ["Trans health clinic"]


def test_words_typed_together_are_read_apart(app, make, find):
    make.service(name="Southside Sexual Health Clinic", types=("sexual-health",), description="STI tests.")
    make.service(name="Needle exchange", types=("harm-reduction",), description="Needle exchange.")
    make.service(name="Understanding Money", types=("peer-support",), description="Benefits help.")
    assert find("sexualhealth") == ["Southside Sexual Health Clinic"]
    assert find("needleexchange") == ["Needle exchange"]
    # An English word is never cut, whatever its halves ("under" + "standing").
    assert find("understanding") == ["Understanding Money"]


def test_a_listings_own_run_together_name_is_not_cut(app, make, find):
    make.service(name="Sexualhealth Hub", types=("peer-support",), description="Sexualhealth by post.")
    assert find("sexualhealth") == ["Sexualhealth Hub"]


def test_a_contraceptive_injection_is_not_injecting_drugs(app):
    assert text.concept_tokens("depo injection") == ["contraception"]
    assert text.concept_tokens("injection") == ["injecting"]


def test_how_a_referral_is_decided_never_makes_the_search_fail(app, make, find):
    # Few listings say how they decide ("funding panel", "criteria"): the service asked for is found.
    make.service(name="Residential rehab", types=("drug-alcohol-treatment",), description="Tier 4 rehab.")
    assert find("tier 4 funding panel") == ["Residential rehab"]
    assert find("rehab referral criteria") == ["Residential rehab"]
