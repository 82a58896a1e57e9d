"""Fuzzing the API: schemathesis from our OpenAPI document, and Hypothesis over parameter values.

No input may produce a 500, and every answer must be a schema-valid ORUK document or a JSON 4xx.
"""

import json

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from directory import search
from directory.interchange import oruk

API = "/api/v1"
SETTINGS = settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
LIST_SCHEMAS = {"services": "service_list", "service_at_locations": "service_at_location_list"}
ITEM_SCHEMAS = {"services": "service", "service_at_locations": "service_at_location"}


def test_schemathesis_finds_no_server_error_and_no_invalid_response(seeded_app):
    search.ensure_index()
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", seeded_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 11
    statuses = []

    # Our extension parameters mean something (a London borough, a known code), so a schema-valid
    # value can still be refused with a 400: positive-data acceptance is not one of the checks.
    @SETTINGS
    @given(case=st.one_of([op.as_strategy() for op in operations]))
    def run(case):
        response = case.call()
        statuses.append(response.status_code)
        case.validate_response(
            response,
            checks=[
                checks.not_a_server_error,
                checks.status_code_conformance,
                checks.content_type_conformance,
                checks.response_schema_conformance,
            ],
        )
        if response.status_code == 200 and response.headers.get("Content-Type", "").startswith(
            "application/x-"
        ):
            for line in response.text.splitlines():
                json.loads(line)

    run()
    assert 200 in statuses and 500 not in statuses


words = st.sampled_from(
    ["tina", "G", "chems", "PEP", "needle exchange", "gum", "trans", "xq", "", "caf\u00e9", "%"]
)
junk = st.text(max_size=12)


def codes(vocabulary_codes):
    return st.lists(st.sampled_from(vocabulary_codes) | junk, max_size=3).map(",".join)


PARAMETERS = {
    "search": words | junk,
    "borough": st.sampled_from(["lambeth", "E09000022", "city-of-london", "hackney", "atlantis"]) | junk,
    "service_type": codes(["chemsex-support", "sexual-health", "drug-alcohol-treatment", "helpline"]),
    "audience": codes(["lgbtq", "gay-bi-msm", "everyone", "women"]),
    "referral_route": codes(["self-referral", "walk-in", "gp-referral"]),
    "delivery": codes(["in-person", "phone", "online"]),
    "pathway": st.sampled_from(["chemsex-support", "nowhere"]) | junk,
    "open_now": st.sampled_from(["true", "false", "1", "yes", "maybe"]),
    "postcode": st.sampled_from(
        ["SW9 8BS", "sw98bs", "E1", "W1D 6AQ", "ZZ1 1ZZ", "not a postcode", "CM13 1AA"]
    ),
    "proximity": st.sampled_from(["500", "2000.5", "1e9", "-1", "0", "near", "nan"])
    | st.floats(allow_nan=True).map(str),
    "page": st.integers(-2, 5).map(str) | junk,
    "per_page": st.integers(-1, 1200).map(str) | junk,
    "minimal": st.sampled_from(["true", "false", "x"]),
    "full": st.sampled_from(["true", "false", "x"]),
    "modified_after": st.sampled_from(["2020-01-01", "2020-01-01T00:00:00Z", "2999-01-01", "soon"]) | junk,
    "taxonomy_term_id": junk,
    "taxonomy_id": junk,
    "organization_id": junk,
    "format": st.sampled_from(["json", "ndjson", "xml"]),
    "unknown_parameter": junk,
}


def test_hypothesis_over_parameter_values_never_500s_and_always_validates(seeded_app, valid):
    search.ensure_index()
    client = seeded_app.test_client()
    outcomes = []

    @SETTINGS
    @given(
        endpoint=st.sampled_from(["services", "service_at_locations"]),
        query=st.dictionaries(st.sampled_from(sorted(PARAMETERS)), st.none(), max_size=5).flatmap(
            lambda keys: st.fixed_dictionaries({k: PARAMETERS[k] for k in keys})
        ),
    )
    def run(endpoint, query):
        response = client.get(f"{API}/{endpoint}", query_string=query)
        outcomes.append(response.status_code)
        assert response.status_code in (200, 400), (query, response.status_code, response.get_data()[:300])
        if response.status_code == 400:
            body = response.get_json()
            assert body["error"] == "Bad Request" and body["message"]
            assert body["parameter"] in query, (query, body)
        elif response.mimetype == "application/x-ndjson":
            for line in response.get_data(as_text=True).splitlines():
                valid(ITEM_SCHEMAS[endpoint], json.loads(line))
        else:
            valid(LIST_SCHEMAS[endpoint], response.get_json())

    run()
    assert 200 in outcomes and 400 in outcomes


def test_openapi_document_describes_the_api_as_built(seeded_app):
    document = seeded_app.test_client().get(f"{API}/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    built = {
        rule.rule.removeprefix(API)
        .replace("<service_id>", "{id}")
        .replace("<sal_id>", "{id}")
        .replace("<org_id>", "{id}")
        .replace("<taxonomy_id>", "{id}")
        .replace("<term_id>", "{id}")
        or "/"
        for rule in seeded_app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi_document"
    }
    assert built == set(document["paths"])
    services = document["paths"]["/services"]["get"]
    names = {p["$ref"].rsplit("/", 1)[-1] for p in services["parameters"]}
    assert {
        "search",
        "page",
        "per_page",
        "format",
        "taxonomy_term_id",
        "taxonomy_id",
        "organization_id",
        "modified_after",
        "minimal",
        "full",
        "postcode",
        "proximity",
        "borough",
        "service_type",
        "pathway",
        "referral_route",
        "audience",
        "delivery",
        "open_now",
    } <= names
    # Standalone: every reference resolves inside the document, none reaches the network.
    text = json.dumps(document)
    assert oruk.SCHEMA_BASE not in text and "raw.githubusercontent" not in text
    assert document["servers"][0]["url"].endswith(API)
