"""The relevance benchmark's fixture and queries are well-formed (benchmarks/relevance/).

Only their shape: whether the search ranks them well is what `benchmarks/relevance_bench.py` measures.
"""

import csv
import dataclasses
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from directory import geo
from directory.models import Catchment
from directory.search import SearchRequest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks" / "relevance"
DATA = ROOT / "directory" / "data"
KINDS = {"slang", "situations", "frontline", "typos", "filters", "nothing"}
VOCABULARIES = {"types": "service-type", "audiences": "audience", "routes": "referral-route",
                "delivery": "delivery"}
FILTER_VOCABULARIES = {"service_types": "service-type", "audiences": "audience",
                       "referral_routes": "referral-route", "delivery": "delivery"}


def _load(name):
    with open(BENCH / name, encoding="utf-8") as f:
        return json.load(f)


SERVICES = _load("fixture.json")["services"]
QUERIES = _load("queries.json")["queries"]
# The held-out set: written apart from the search's vocabulary, so it is never tuned against.
HELDOUT = _load("queries-heldout.json")["queries"]
# A third set, of situations only: long, messy sentences with denials, written before measuring.
SITUATIONS_3 = _load("queries-situations-3.json")["queries"]
# A fourth, of the weak kinds: several needs at once, habit against now, frontline jargon, slang.
MIXED_4 = _load("queries-mixed-4.json")["queries"]
# A second fixture of other services, and a fifth set over it, both written blind to the search.
SERVICES_2 = _load("fixture-2.json")["services"]
BLIND_5 = _load("queries-blind-5.json")["queries"]
# A seventh set over the second fixture, also written blind, later and by another hand.
BLIND_7 = _load("queries-blind-7.json")["queries"]
BLIND_8 = _load("queries-blind-8.json")["queries"]
# A ninth, also blind, weighted to street names, situations without their key noun and jargon.
BLIND_9 = _load("queries-blind-9.json")["queries"]
# A third fixture of yet other services, and a tenth set over it, both written blind by another hand.
SERVICES_3 = _load("fixture-3.json")["services"]
BLIND_10 = _load("queries-blind-10.json")["queries"]
# An eleventh over the third fixture, also blind, by yet another hand.
BLIND_11 = _load("queries-blind-11.json")["queries"]
FIXTURES = {"fixture.json": SERVICES, "fixture-2.json": SERVICES_2, "fixture-3.json": SERVICES_3}
# Each query set with the fixture its grades name.
SETS = [(QUERIES + HELDOUT + SITUATIONS_3 + MIXED_4, SERVICES),
        (BLIND_5 + BLIND_7 + BLIND_8 + BLIND_9, SERVICES_2), (BLIND_10 + BLIND_11, SERVICES_3)]
each_fixture = pytest.mark.parametrize("services", FIXTURES.values(), ids=FIXTURES.keys())


@pytest.fixture(scope="module")
def codes():
    taxonomies = json.loads((DATA / "taxonomies.json").read_text(encoding="utf-8"))["taxonomies"]
    return {t["code"]: {term["code"] for term in t["terms"]} for t in taxonomies}


@pytest.fixture(scope="module")
def borough_slugs():
    with open(DATA / "geo" / "london-boroughs.csv", encoding="utf-8") as f:
        return {row["ons_code"]: row["slug"] for row in csv.DictReader(f)}


@each_fixture
def test_service_names_are_unique_and_fictional_text_has_no_phone_numbers(services):
    names = Counter(s["name"] for s in services)
    assert [n for n, c in names.items() if c > 1] == []
    assert 110 <= len(services) <= 180
    # Data honesty: a fictional listing must not carry anything a reader could dial.
    phone_like = re.compile(r"\d[\d ]{6,}\d")
    for s in services:
        assert not phone_like.search(s["description"] + " " + s["eligibility"]), s["name"]


def test_the_fixtures_share_no_service():
    # The later fixtures check generalisation: a service copied from an earlier one would not.
    assert {s["name"] for s in SERVICES}.isdisjoint(s["name"] for s in SERVICES_2)
    assert {s["name"] for s in SERVICES + SERVICES_2}.isdisjoint(s["name"] for s in SERVICES_3)


@each_fixture
def test_every_code_is_a_known_term(services, codes, borough_slugs):
    for s in services:
        for field, vocabulary in VOCABULARIES.items():
            unknown = set(s[field]) - codes[vocabulary]
            assert not unknown, f"{s['name']}: unknown {vocabulary} {unknown}"
        assert s["audiences"] and s["routes"] and s["delivery"], s["name"]
        assert s["catchment"] in Catchment.ALL, s["name"]
        assert set(s["catchment_boroughs"]) <= set(borough_slugs.values()), s["name"]
        # Only a borough-restricted service names boroughs, and it must name at least one.
        assert bool(s["catchment_boroughs"]) == (s["catchment"] == Catchment.BOROUGHS), s["name"]


@each_fixture
def test_every_postcode_sector_is_in_the_bundled_data_and_in_its_borough(services, borough_slugs):
    for s in services:
        if not s["postcode"]:
            assert s["borough"] is None, s["name"]
            continue
        place = geo.lookup(s["postcode"])
        assert place.precision == "sector", f"{s['name']}: {s['postcode']} not in london-sectors.csv"
        assert borough_slugs[place.borough_code] == s["borough"], s["name"]


@each_fixture
def test_hours_are_well_formed_and_have_somewhere_to_live(services):
    clock = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
    for s in services:
        for weekday, opens, closes in s["hours"]:
            assert 0 <= weekday <= 6 and clock.match(opens) and clock.match(closes), s["name"]
        if s["hours"]:
            # Hours hang off a location: a physical service without a postcode would lose them.
            assert s["postcode"] or s["location_type"] == "virtual", s["name"]


def test_each_kind_has_enough_queries_with_unique_ids():
    kinds = Counter(q["kind"] for q in QUERIES)
    assert set(kinds) == KINDS
    assert all(count >= 25 for count in kinds.values()), kinds
    assert len(QUERIES) >= 170
    ids = Counter(q["id"] for q in QUERIES)
    assert [i for i, c in ids.items() if c > 1] == []


def test_the_held_out_set_has_every_kind_and_its_own_ids_and_texts():
    kinds = Counter(q["kind"] for q in HELDOUT)
    assert set(kinds) == KINDS
    assert all(count >= 18 for count in kinds.values()), kinds
    assert len(HELDOUT) >= 120
    ids = Counter(q["id"] for q in HELDOUT)
    assert [i for i, c in ids.items() if c > 1] == []
    assert all(q["id"].startswith(f"ho-{q['kind']}-") for q in HELDOUT)
    # A query shared with the tuned set would not be held out.
    assert {q["text"].lower() for q in HELDOUT}.isdisjoint(q["text"].lower() for q in QUERIES)


def test_the_third_set_is_situations_of_its_own():
    assert len(SITUATIONS_3) >= 40 and {q["kind"] for q in SITUATIONS_3} == {"situations"}
    assert len({q["id"] for q in SITUATIONS_3}) == len(SITUATIONS_3)
    assert all(q["id"].startswith("s3-situations-") for q in SITUATIONS_3)
    earlier = {q["text"].lower() for q in QUERIES + HELDOUT}
    assert earlier.isdisjoint(q["text"].lower() for q in SITUATIONS_3)


def test_the_fourth_set_is_its_own_and_of_the_weak_kinds():
    assert len(MIXED_4) >= 40 and {q["kind"] for q in MIXED_4} <= KINDS
    assert len({q["id"] for q in MIXED_4}) == len(MIXED_4)
    assert all(q["id"].startswith(f"m4-{q['kind']}-") for q in MIXED_4)
    earlier = {q["text"].lower() for q in QUERIES + HELDOUT + SITUATIONS_3}
    assert earlier.isdisjoint(q["text"].lower() for q in MIXED_4)


def _words(text):
    return frozenset(re.findall(r"[a-z0-9&=+]+", text.lower().replace("'", "")))


# The blind sets over the later fixtures, each with its id prefix, least size and least count per kind,
# and how it must differ from every set before it: not the same text, or (from the ninth) not the same
# words in another order either.
BLIND_SETS = [("b5", BLIND_5, 110, 10, str.lower), ("b7", BLIND_7, 120, 10, str.lower),
              ("b8", BLIND_8, 120, 8, str.lower), ("b9", BLIND_9, 120, 8, _words),
              ("b10", BLIND_10, 120, 8, _words), ("b11", BLIND_11, 120, 8, _words)]


@pytest.mark.parametrize("number", range(len(BLIND_SETS)), ids=[b[0] for b in BLIND_SETS])
def test_each_blind_set_has_every_kind_and_its_own_ids_and_texts(number):
    prefix, queries, size, per_kind, same = BLIND_SETS[number]
    kinds = Counter(q["kind"] for q in queries)
    assert set(kinds) == KINDS and len(queries) >= size
    assert all(count >= per_kind for count in kinds.values()), kinds
    assert len({q["id"] for q in queries}) == len(queries)
    assert all(q["id"].startswith(f"{prefix}-{q['kind']}-") for q in queries)
    earlier = QUERIES + HELDOUT + SITUATIONS_3 + MIXED_4 + [q for b in BLIND_SETS[:number] for q in b[1]]
    seen = {same(q["text"]) for q in earlier}
    assert [q["id"] for q in queries if same(q["text"]) in seen] == []


@pytest.mark.parametrize("queries, services", SETS,
                         ids=["fixture.json sets", "fixture-2.json set", "fixture-3.json set"])
def test_every_graded_name_exists_in_its_fixture_and_grades_are_on_the_scale(queries, services):
    names = {s["name"] for s in services}
    for q in queries:
        assert set(q["grades"]) <= names, (q["id"], set(q["grades"]) - names)
        assert set(q["grades"].values()) <= {2, 1, -1}, q["id"]
        if q["kind"] == "nothing":
            assert q["grades"] == {}, q["id"]
        else:
            assert any(g > 0 for g in q["grades"].values()), f"{q['id']} has nothing to find"


def test_query_filters_are_search_request_fields_with_known_values(codes, borough_slugs):
    fields = {f.name for f in dataclasses.fields(SearchRequest)} - {"text", "page", "per_page"}
    for q in QUERIES + HELDOUT + SITUATIONS_3 + MIXED_4 + [query for b in BLIND_SETS for query in b[1]]:
        filters = q.get("filters", {})
        assert set(filters) <= fields, q["id"]
        for key, vocabulary in FILTER_VOCABULARIES.items():
            assert set(filters.get(key, [])) <= codes[vocabulary], q["id"]
        if "borough" in filters:
            assert filters["borough"] in borough_slugs.values(), q["id"]
        if "postcode" in filters:
            geo.lookup(filters["postcode"])
        SearchRequest(text=q["text"], **filters)  # raises on anything the request cannot hold
        assert q["text"].strip(), q["id"]
