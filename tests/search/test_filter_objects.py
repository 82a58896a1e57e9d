"""Filters as objects: every dimension reaches the index, the forms and the API; links drop filters by key."""

from urllib.parse import parse_qs, urlsplit

import pytest

from directory import dimensions, search
from directory.api import openapi
from directory.search import documents, filters
from tests.public.conftest import page, pinned, text  # noqa: F401  (pinned: a fixture)
from tests.public.test_results import services  # noqa: F401  (the fixture)


def test_every_dimension_is_an_index_field_a_filter_and_a_facet(app):
    schema = documents.schema()
    for dimension in dimensions.ALL:
        assert dimension.key in schema.names()
        assert filters.BY_KEY[dimension.key].has_facet
        assert dimension.field in search.SearchRequest.__dataclass_fields__


def test_every_taxonomy_dimension_has_its_taxonomy_and_checks_codes_against_it(app):
    catalogue = search.catalogue()
    for dimension in dimensions.TAXONOMIES:
        assert catalogue.term_choices(dimension.vocabulary), dimension.vocabulary
        request = search.SearchRequest(**{dimension.field: ["no-such-code"]})
        with pytest.raises(search.SearchInputError) as raised:
            search.search(request)
        assert raised.value.field == dimension.field
        assert raised.value.message == f"Unknown {dimension.vocabulary_words}: no-such-code."


def test_the_public_form_shows_each_taxonomy_dimension_under_its_label(client, services):  # noqa: F811
    doc = page(client.get("/search?q=chemsex"))
    legends = [text(legend) for legend in doc.select("fieldset.facet legend")]
    for dimension in dimensions.TAXONOMIES:
        assert dimension.public_label in legends
        assert doc.select(f"input[name={dimension.param}]"), dimension.param


def test_the_api_documents_and_takes_each_dimension_by_its_parameter(client, services):  # noqa: F811
    documented = {p["name"]: p["description"] for p in openapi.EXTENSIONS}
    for dimension in dimensions.ALL:
        assert documented[dimension.param].startswith(dimension.api_description)
    response = client.get("/api/v1/services", query_string={dimensions.SERVICE_TYPE.param: "counselling"})
    assert [s["name"] for s in response.get_json()["contents"]] == ["Hackney counselling"]
    bad = client.get("/api/v1/services", query_string={dimensions.AUDIENCE.param: "nobody"})
    assert bad.status_code == 400
    assert bad.get_json()["parameter"] == dimensions.AUDIENCE.param


def test_unmet_need_records_every_dimension(app):
    from directory import unmet_need

    recorded = {field for field, _ in unmet_need.FILTER_FIELDS}
    assert {d.field for d in dimensions.ALL} <= recorded


def test_first_these_keeps_a_published_order_and_adds_new_dimensions_at_the_end():
    order = dimensions.first_these(dimensions.DELIVERY, dimensions.AUDIENCE)
    assert order[:2] == (dimensions.DELIVERY, dimensions.AUDIENCE)
    assert sorted(d.key for d in order) == sorted(d.key for d in dimensions.ALL)


def test_relaxations_name_the_filter_they_drop(app, services):  # noqa: F811
    result = search.search(search.SearchRequest(text="tina", borough="lambeth", open_now=True,
                                                referral_routes=["professional-referral"]))
    assert result.total == 0
    assert {(r.key, r.label, r.count) for r in result.relaxations} == {
        ("referral_route", "Professional referral", 1), ("borough", "Lambeth residents", 1),
        ("text", "your search words", 1)}


def test_a_reworded_filter_label_still_gives_a_working_link(client, services, monkeypatch):  # noqa: F811
    # Links used to find the parameter to drop by matching label text: rewording one broke them.
    monkeypatch.setattr(filters.ResidentOf, "label", lambda self, value, catalogue: f"people in {value.name}")
    doc = page(client.get("/search?q=tina&borough=lambeth&referral_route=professional-referral&open=1"))
    links = {text(a): a["href"] for a in doc.select(".no-results a")}
    wider = links["1 service matches without “people in Lambeth”"]
    assert parse_qs(urlsplit(wider).query) == {
        "q": ["tina"], "referral_route": ["professional-referral"], "open": ["1"]}
