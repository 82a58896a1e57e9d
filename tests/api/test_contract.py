"""The API keeps the promises its OpenAPI document makes: limits, codes, single values, error headers."""

import pytest

from directory.extensions import db
from directory.models import Taxonomy, TaxonomyTerm

API = "/api/v1"
ITEM_PATHS = ["services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"]


def api_document(client):
    return client.get(f"{API}/openapi.json").get_json()


def query_parameters(document, path):
    """Return the query parameters of `GET path`, references resolved."""
    found = []
    for param in document["paths"][path]["get"].get("parameters", []):
        if "$ref" in param:
            param = document["components"]["parameters"][param["$ref"].rsplit("/", 1)[-1]]
        if param["in"] == "query":
            found.append(param)
    return found


def a_valid_value(param):
    """Return a value of the parameter that the API accepts alone."""
    schema = param["schema"]
    if schema.get("type") == "array":
        return schema["items"]["enum"][0] if "enum" in schema["items"] else "some-id"
    if "enum" in schema:
        return schema["enum"][0]
    return {"integer": "1", "number": "500", "boolean": "true"}.get(schema.get("type")) or {
        "modified_after": "2020-01-01T00:00:00Z",
        "postcode": "SW9 8BS",
    }.get(param["name"], "word")


def every_query_parameter(client):
    document = api_document(client)
    return [
        (path, param)
        for path in document["paths"]
        for param in query_parameters(document, path)
    ]


# --- item 16: errors keep their headers -------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_sending_the_api_a_method_it_does_not_take_says_which_ones_it_does(client, method):
    response = getattr(client, method)(f"{API}/services")
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    body = response.get_json()
    assert body["error"] == "Method Not Allowed" and body["message"]


def test_posting_to_a_page_that_only_shows_says_which_methods_it_takes(client):
    response = client.post("/")
    assert response.status_code == 405 and response.mimetype == "text/html"
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}


# --- item 2 (API): control characters and oversized values ----------------------------------------


@pytest.mark.parametrize("path", ITEM_PATHS)
def test_a_null_byte_in_an_api_address_is_a_json_400(client, path):
    response = client.get(f"{API}/{path}/a%00b")
    assert response.status_code == 400
    assert response.get_json()["error"] == "Bad Request"


def test_a_control_character_in_any_api_parameter_is_a_json_400_naming_it(seeded_client):
    for path, param in every_query_parameter(seeded_client):
        for bad in ("a\x00b", "a\x1fb", "a\x85b"):
            response = seeded_client.get(f"{API}{path}", query_string={param["name"]: bad})
            assert response.status_code == 400, (path, param["name"], bad)
            assert response.get_json()["parameter"] == param["name"]


def test_every_text_parameter_documents_its_length_and_refuses_longer_naming_it(seeded_client):
    checked = 0
    for path, param in every_query_parameter(seeded_client):
        schema = param["schema"]
        schema = schema["items"] if schema.get("type") == "array" else schema
        if schema.get("type") != "string" or {"enum", "format", "anyOf"} & set(schema):
            continue
        limit = schema["maxLength"]
        response = seeded_client.get(f"{API}{path}", query_string={param["name"]: "x" * (limit + 1)})
        assert response.status_code == 400, (path, param["name"])
        body = response.get_json()
        assert body["parameter"] == param["name"] and str(limit) in body["message"]
        checked += 1
    assert checked >= 10


def test_an_oversized_search_is_refused_with_its_limit(client):
    body = client.get(f"{API}/services", query_string={"search": "x" * 201}).get_json()
    assert body["parameter"] == "search" and "200" in body["message"]
    assert client.get(f"{API}/services", query_string={"search": "x" * 200}).status_code == 200


# --- item 16: the document says what the API does ---------------------------------------------------


def test_a_parameter_given_twice_is_a_400_naming_it(seeded_client):
    checked = 0
    for path, param in every_query_parameter(seeded_client):
        value = a_valid_value(param)
        query = [(param["name"], value), (param["name"], value)]
        if param["name"] == "proximity":
            query.append(("postcode", "SW9 8BS"))
        response = seeded_client.get(f"{API}{path}", query_string=query)
        assert response.status_code == 400, (path, param["name"], response.get_data()[:200])
        body = response.get_json()
        assert body["parameter"] == param["name"] and "once" in body["message"]
        checked += 1
    assert checked >= 40


def test_each_parameter_alone_with_a_documented_value_is_accepted(seeded_client):
    for path, param in every_query_parameter(seeded_client):
        query = {param["name"]: a_valid_value(param)}
        if param["name"] == "proximity":
            query["postcode"] = "SW9 8BS"
        response = seeded_client.get(f"{API}{path}", query_string=query)
        expected = 404 if "{id}" in path else 200  # the id in the path is "{id}"
        assert response.status_code == expected, (path, query, response.get_data()[:200])


def test_per_page_given_twice_is_refused(seeded_client):
    response = seeded_client.get(f"{API}/services?per_page=5&per_page=10")
    assert response.status_code == 400
    assert response.get_json()["parameter"] == "per_page"


@pytest.mark.parametrize("endpoint", ["services", "service_at_locations"])
def test_proximity_without_a_postcode_is_a_400_that_names_both(seeded_client, endpoint):
    for query in ("proximity=500", "proximity=500&postcode="):
        body = seeded_client.get(f"{API}/{endpoint}?{query}").get_json()
        assert body["parameter"] in ("proximity", "postcode")
        assert "postcode" in body["message"] and ("proximity" in body["message"] or "postcode=" in query)
    document = api_document(seeded_client)
    assert "postcode" in document["components"]["parameters"]["proximity"]["description"]
    assert document["components"]["parameters"]["postcode"]["schema"]["format"] == "london-postcode"


@pytest.mark.parametrize("query", ["format=", "page=", "open_now=", "modified_after=", "borough="])
def test_an_empty_value_for_a_typed_parameter_is_refused_naming_it(seeded_client, query):
    body = seeded_client.get(f"{API}/services?{query}").get_json()
    assert body["parameter"] == query.rstrip("=")


@pytest.mark.parametrize("endpoint", ["services", "service_at_locations"])
def test_a_blank_postcode_is_refused_on_both_lists(seeded_client, endpoint):
    body = seeded_client.get(f"{API}/{endpoint}?postcode=%20&proximity=500").get_json()
    assert body["parameter"] == "postcode"


def test_an_empty_search_means_no_search(seeded_client):
    assert seeded_client.get(f"{API}/services?search=").status_code == 200


def test_every_operation_documents_its_400_and_parameters_that_must_not_repeat(seeded_client):
    document = api_document(seeded_client)
    for path, item in document["paths"].items():
        responses = item["get"]["responses"]
        assert responses["400"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/error"
        }, path
        assert "Retry-After" in responses["429"]["headers"]
        for param in query_parameters(document, path):
            if param["schema"].get("type") == "array":
                assert param["style"] == "form" and param["explode"] is False, (path, param["name"])


def test_the_document_lists_the_codes_the_api_knows_from_the_data(seeded_client):
    document = api_document(seeded_client)
    parameters = document["components"]["parameters"]
    assert {"lambeth", "E09000022"} <= set(parameters["borough"]["schema"]["enum"])
    assert "chemsex-support" in parameters["pathway"]["schema"]["enum"]
    assert "lgbtq" in parameters["audience"]["schema"]["items"]["enum"]
    taxonomy = db.session.query(Taxonomy).filter_by(code="audience").one()
    db.session.add(TaxonomyTerm(taxonomy=taxonomy, code="new-audience", name="New", position=99))
    db.session.commit()
    parameters = api_document(seeded_client)["components"]["parameters"]
    assert "new-audience" in parameters["audience"]["schema"]["items"]["enum"]
    assert seeded_client.get(f"{API}/services?audience=new-audience").status_code == 200


def test_codes_are_taken_exactly_as_documented(seeded_client):
    lenient = ("borough=Lambeth", "audience=LGBTQ", "pathway=Chemsex-Support", "open_now=1", "format=JSON")
    for query in lenient:
        response = seeded_client.get(f"{API}/services?{query}")
        assert response.status_code == 400, query
        assert response.get_json()["parameter"] == query.split("=")[0]


def test_a_bad_full_service_is_refused_even_beside_full(seeded_client):
    body = seeded_client.get(f"{API}/organizations?full=true&full_service=8403").get_json()
    assert body["parameter"] == "full_service"


def test_an_id_list_is_taken_as_given_so_a_blank_id_matches_nothing(seeded_client):
    body = seeded_client.get(f"{API}/services?taxonomy_term_id=%20").get_json()
    assert body["total_items"] == 0
    empty_between_commas = seeded_client.get(f"{API}/services?taxonomy_term_id=a,,b").get_json()
    assert empty_between_commas["parameter"] == "taxonomy_term_id"
