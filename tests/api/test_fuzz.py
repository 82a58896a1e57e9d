"""Fuzzing the API: schemathesis from our OpenAPI document, and Hypothesis over parameter values.

No input may produce a 500; every answer must be a schema-valid ORUK document or a JSON 4xx; and
the document must say what the API does, which schemathesis checks with all its checks, on
schema-valid and schema-violating requests, through every phase its command line runs.
"""

import collections
import json
import string
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS
from schemathesis.engine import Status, events, from_schema
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER

from directory import geo, search
from directory.api import parameter_schemas
from directory.interchange import oruk

API = "/api/v1"
SETTINGS = settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
LIST_SCHEMAS = {"services": "service_list", "service_at_locations": "service_at_location_list"}
ITEM_SCHEMAS = {"services": "service", "service_at_locations": "service_at_location"}
FUZZ_EXAMPLES = 25  # per operation and phase; the coverage phase adds its own boundary cases
ENOUGH_CASES = 1200  # a run of these settings makes about 1,600


def london_postcodes():
    """What the document's `london-postcode` format means: bundled sectors mostly in London, any case."""
    sectors = sorted(
        s for s, row in geo._sectors().items() if float(row["london_share"]) >= geo.LONDON_SHARE_THRESHOLD
    )
    units = st.text(alphabet=string.ascii_uppercase, min_size=2, max_size=2)
    return st.builds(
        lambda sector, unit, lower: (sector + unit).lower() if lower else sector + unit,
        st.sampled_from(sectors),
        st.just("") | units,
        st.booleans(),
    )


def with_a_postcode_for_proximity(ctx, case, kwargs):
    # "proximity needs a postcode" ties two parameters together, which OpenAPI cannot express
    # (the document says it in words; test_contract.py proves the 400). Without this, schemathesis
    # would send proximity alone as valid data, and positive_data_acceptance would fail on our
    # documented 400. Adding a postcode leaves every other value, valid or not, as generated.
    if case.query and "proximity" in case.query and "postcode" not in case.query:
        case.query["postcode"] = "SW9 8BS"


def test_schemathesis_with_every_check_finds_nothing_on_valid_and_invalid_requests(seeded_app):
    search.ensure_index()
    schemathesis.openapi.format(parameter_schemas.POSTCODE_FORMAT, london_postcodes())
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", seeded_app)
    schema.config.generation.update(modes=list(GenerationMode), max_examples=FUZZ_EXAMPLES)
    assert len(list(schema.get_all_operations())) == 11
    failures, checks_run, modes, statuses, cases = {}, set(), set(), collections.Counter(), 0
    schemathesis.hook("before_call")(with_a_postcode_for_proximity)
    try:
        for event in from_schema(schema).execute():
            assert not isinstance(event, (events.NonFatalError, events.FatalError)), event
            if not isinstance(event, events.ScenarioFinished):
                continue
            recorder = event.recorder
            cases += len(recorder.cases)
            modes |= {node.value.meta.generation.mode for node in recorder.cases.values() if node.value.meta}
            statuses.update(i.response.status_code for i in recorder.interactions.values() if i.response)
            for node in (n for nodes in recorder.checks.values() for n in nodes):
                checks_run.add(node.name)
                if node.status == Status.FAILURE and node.failure_info:
                    failure = node.failure_info.failure
                    failures.setdefault(
                        (recorder.label, node.name, failure.title),
                        f"{node.failure_info.code_sample}\n{failure.message}",
                    )
    finally:
        GLOBAL_HOOK_DISPATCHER.unregister(with_a_postcode_for_proximity)
    assert not failures, "\n\n".join(f"{' / '.join(key)}\n{text}" for key, text in failures.items())
    assert checks_run == set(CHECKS.get_all_names()), set(CHECKS.get_all_names()) - checks_run
    assert modes == set(GenerationMode)
    assert cases >= ENOUGH_CASES, cases
    # Valid data answered, invalid data refused, undeclared methods refused with Allow, unknown ids.
    assert {200, 400, 404, 405} <= set(statuses) and 500 not in statuses, statuses


words = st.sampled_from(
    ["tina", "G", "chems", "PEP", "needle exchange", "gum", "trans", "xq", "", "caf\u00e9", "%"]
)
junk = st.text(max_size=12)  # any characters, control characters included
# What the audit sent: control characters (NUL gave PostgreSQL 500s) and values far past any limit.
hostile = st.sampled_from(["\x00", "\x1f", "\x7f", "\x85", "\n", "\r\n"]).map("a{}b".format) | st.integers(
    201, 20_000
).map("x".__mul__)


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
    "full_service": st.sampled_from(["true", "false", "x"]),
    "top_only": st.sampled_from(["true", "false", "x"]),
    "parent_id": junk,
    "unknown_parameter": junk,
}
PARAMETERS = {name: values | hostile for name, values in PARAMETERS.items()}
# The list endpoints and the parameters each reads (unknown ones are ignored).
LISTS = {
    "services": sorted(set(PARAMETERS) - {"full_service", "top_only", "parent_id"}),
    "service_at_locations": sorted(set(PARAMETERS) - {"full_service", "top_only", "parent_id", "minimal"}),
    "organizations": ["search", "full", "full_service", "page", "per_page", "format", "unknown_parameter"],
    "taxonomies": ["search", "page", "per_page", "format", "unknown_parameter"],
    "taxonomy_terms": ["search", "page", "per_page", "format", "taxonomy_id", "parent_id", "top_only"],
}
ITEMS = ["services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"]


def test_hypothesis_over_parameter_values_never_500s_and_always_validates(seeded_app, valid):
    search.ensure_index()
    client = seeded_app.test_client()
    outcomes = []

    @SETTINGS
    @given(
        query=st.sampled_from(sorted(LISTS)).flatmap(
            lambda endpoint: st.tuples(
                st.just(endpoint),
                st.dictionaries(st.sampled_from(LISTS[endpoint]), st.none(), max_size=5).flatmap(
                    lambda keys: st.fixed_dictionaries({k: PARAMETERS[k] for k in keys})
                ),
            )
        ),
    )
    def run(query):
        endpoint, query = query
        response = client.get(f"{API}/{endpoint}", query_string=query)
        outcomes.append(response.status_code)
        assert response.status_code in (200, 400), (query, response.status_code, response.get_data()[:300])
        if response.status_code == 400:
            body = response.get_json()
            assert body["error"] == "Bad Request" and body["message"]
            assert body["parameter"] in query, (query, body)
        elif endpoint not in LIST_SCHEMAS:
            assert response.is_json or response.mimetype == "application/x-ndjson"
        elif response.mimetype == "application/x-ndjson":
            for line in response.get_data(as_text=True).splitlines():
                valid(ITEM_SCHEMAS[endpoint], json.loads(line))
        else:
            valid(LIST_SCHEMAS[endpoint], response.get_json())

    run()
    assert 200 in outcomes and 400 in outcomes


def test_hypothesis_over_path_ids_never_500s(seeded_app):
    client = seeded_app.test_client()
    outcomes = []

    # Derandomised so CI is repeatable. The one failure seen (an id starting with "/") has its own test below.
    @settings(SETTINGS, derandomize=True)
    @given(item=st.sampled_from(ITEMS), item_id=junk.filter(bool) | hostile)
    def run(item, item_id):
        response = client.get(f"{API}/{item}/{quote(item_id, safe='')}", query_string={"full": "true"})
        outcomes.append(response.status_code)
        assert response.status_code in (400, 404), (item, item_id[:50], response.status_code)
        assert response.get_json()["error"]

    run()
    assert 400 in outcomes and 404 in outcomes


@pytest.mark.parametrize("item", ITEMS)
def test_an_id_holding_a_slash_is_an_unknown_id_not_a_redirect(seeded_app, item):
    # "%2F0" reaches the app as "/0"; merging the slashes would send the client to the id "0".
    response = seeded_app.test_client().get(f"{API}/{item}/%2F0")
    assert response.status_code == 404 and response.get_json()["error"]


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
