"""Ages: a listing's eligibility states the ages it admits, and someone may say their own age; what
leaves that age out ranks after every other answer (issue 15)."""

import pytest

from directory.search import ages


@pytest.mark.parametrize(("eligibility", "bounds"), [
    ("Adults aged 18 and over living in Hounslow.", (18, ages.OLDEST)),
    ("Anyone aged 16 or over.", (16, ages.OLDEST)),
    ("Young people aged 13 to 24.", (13, 24)),
    ("Young people under 25, and people worried about them.", (ages.YOUNGEST, 24)),
    ("Young people aged up to 21 living in Redbridge.", (ages.YOUNGEST, 21)),
    ("Trans and non-binary people of any age over 16.", (16, ages.OLDEST)),
    ("Adults living in Westminster.", (18, ages.OLDEST)),
    ("People aged 65 and over.", (65, ages.OLDEST)),
    ("18+ only.", (18, ages.OLDEST)),
])
def test_the_ages_an_eligibility_admits_are_read(eligibility, bounds):
    assert ages.admitted(eligibility) == bounds


@pytest.mark.parametrize("eligibility", [
    "Anyone; free emergency contraception for people aged 13 to 24.",  # the age is a part's, not the whole's
    "Adults and young people who use drugs.", "Open to everyone.", "", "LGBTQ+ adults in London.",
])
def test_an_eligibility_that_admits_every_age_states_no_bounds(eligibility):
    assert ages.admitted(eligibility) is None


@pytest.mark.parametrize(("words", "age"), [
    ("smoking skunk every day im 17", 17), ("i'm 16 and pregnant", 16),
    ("17 year old here, drinking a lot", 17),
    ("im only 15", 15), ("aged 19, nowhere to stay", 19), ("im a 22 year old guy", 22), ("I am 30", 30),
])
def test_an_age_given_as_ones_own_is_read(words, age):
    assert ages.stated(words) == age


@pytest.mark.parametrize("words", [
    "my 15 year old is smoking weed", "her son is 16", "had 3 drinks", "i am 2 hours away",
    "been up 30 hours", "im 5 days clean", "tier 3 treatment", "im 20 mins from camden",
])
def test_an_age_that_is_not_the_askers_own_is_not_read(words):
    assert ages.stated(words) is None


@pytest.fixture
def drug_services(app, make):
    make.service(name="Adult Drug Service", types=("drug-alcohol-treatment",),
                 description="Treatment for drug and alcohol use: keywork, groups and detox.",
                 eligibility_description="Adults aged 18 and over.")
    make.service(name="Young People's Drug Service", types=("drug-alcohol-treatment",),
                 description="Support for young people about drugs and alcohol.",
                 eligibility_description="Young people aged 11 to 18.")
    make.service(name="Drugs Information Line", types=("helpline",),
                 description="Confidential information about drugs, for anyone.")


def test_a_service_for_adults_ranks_after_every_other_answer_for_someone_who_says_they_are_17(
        find, drug_services):
    names = find("smoking weed every day, im 17")
    assert names[-1] == "Adult Drug Service"
    assert set(names[:2]) == {"Young People's Drug Service", "Drugs Information Line"}


def test_a_service_for_young_people_ranks_last_for_someone_who_says_they_are_30(find, drug_services):
    names = find("im 30 and smoking weed every day")
    assert names[-1] == "Young People's Drug Service"
    assert "Adult Drug Service" in names[:2]


def test_without_an_age_given_both_are_found_as_before(find, drug_services):
    names = find("my 15 year old is smoking weed every day")
    assert {"Adult Drug Service", "Young People's Drug Service"} <= set(names)
    assert names.index("Young People's Drug Service") < names.index("Adult Drug Service")


def test_the_ages_an_editor_gave_are_the_bounds_whatever_the_eligibility_says(find, make):
    make.service(name="Youth Counselling", types=("counselling",), description="Counselling.",
                 eligibility_description="Anyone.", minimum_age=11, maximum_age=25)
    make.service(name="Counselling for Everyone", types=("counselling",), description="Counselling.")
    assert find("counselling, im 40") == ["Counselling for Everyone", "Youth Counselling"]
    assert ages.terms("Anyone.", 11, 25) == ["from-11", "to-25"]
    assert ages.terms("Adults aged 18 and over.", None, 30) == ["to-30"]
