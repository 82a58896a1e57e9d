"""The Open Referral UK API: every endpoint validates against the ORUK 3.0 schemas, offline."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from directory.api import document_cache
from directory.extensions import db
from directory.interchange import oruk
from directory.models import Pathway, Service, Taxonomy
from tests.conftest import make_app

API = "/api/v1"


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_json()


def first_service(client):
    return get_json(client, f"{API}/services?per_page=1")["contents"][0]


# --- shape: every endpoint against its schema -----------------------------------------------------


def test_api_details_name_version_profile_and_openapi(seeded_client, valid):
    body = valid("api_details", get_json(seeded_client, f"{API}/"))
    assert body["version"] == oruk.VERSION
    assert body["openapi_url"].endswith("/api/v1/openapi.json")


@pytest.mark.parametrize(
    ("path", "schema"),
    [
        ("services", "service_list"),
        ("services?full=true", "service_list"),
        ("services?minimal=true", "service_list"),
        ("service_at_locations", "service_at_location_list"),
        ("service_at_locations?full=true", "service_at_location_list"),
        ("organizations", "organization_list"),
        ("organizations?full=true", "organization_list"),
        ("taxonomies", "taxonomy_list"),
        ("taxonomy_terms", "taxonomy_term_list"),
    ],
)
def test_list_pages_validate_and_carry_oruk_paging(seeded_client, valid, path, schema):
    sep = "&" if "?" in path else "?"
    body = valid(schema, get_json(seeded_client, f"{API}/{path}{sep}per_page=7"))
    assert body["total_items"] > 0
    assert body["page_number"] == 1 and body["first_page"] is True
    assert body["size"] == len(body["contents"]) == min(7, body["total_items"])
    assert body["total_pages"] == -(-body["total_items"] // 7)
    assert body["empty"] is False
    assert body["last_page"] is (body["total_pages"] == 1)


def test_every_item_endpoint_validates(seeded_client, valid):
    service = valid(
        "service", get_json(seeded_client, f"{API}/services/{first_service(seeded_client)['id']}")
    )
    sal_id = get_json(seeded_client, f"{API}/service_at_locations?per_page=1")["contents"][0]["id"]
    valid("service_at_location", get_json(seeded_client, f"{API}/service_at_locations/{sal_id}"))
    valid("organization", get_json(seeded_client, f"{API}/organizations/{service['organization']['id']}"))
    valid(
        "organization",
        get_json(seeded_client, f"{API}/organizations/{service['organization']['id']}?full_service=true"),
    )
    for taxonomy in get_json(seeded_client, f"{API}/taxonomies")["contents"]:
        body = valid("taxonomy", get_json(seeded_client, f"{API}/taxonomies/{taxonomy['id']}"))
        assert body["taxonomy_terms"], taxonomy["name"]
        valid(
            "taxonomy_term",
            get_json(seeded_client, f"{API}/taxonomy_terms/{body['taxonomy_terms'][0]['id']}"),
        )


def test_full_service_is_fully_nested(seeded_client, valid):
    """Every listed service, fully nested, validates; the nested parts are there."""
    body = get_json(seeded_client, f"{API}/services?full=true&per_page=1000")
    for service in body["contents"]:
        valid("service", service)
    with_hours = [s for s in body["contents"] if any(x.get("byday") for x in s["schedules"])]
    assert with_hours and all(s["service_areas"] and s["attributes"] for s in body["contents"])


def test_last_page_and_beyond(seeded_client, valid):
    total = get_json(seeded_client, f"{API}/services")["total_items"]
    last = valid(
        "service_list", get_json(seeded_client, f"{API}/services?per_page=10&page={-(-total // 10)}")
    )
    assert last["last_page"] is True and last["size"] == total - 10 * (last["page_number"] - 1)
    beyond = valid("service_list", get_json(seeded_client, f"{API}/services?per_page=10&page=999"))
    assert beyond["empty"] is True and beyond["contents"] == [] and beyond["last_page"] is True


def test_ndjson_streams_every_service_one_valid_document_per_line(seeded_client, valid):
    total = get_json(seeded_client, f"{API}/services")["total_items"]
    response = seeded_client.get(f"{API}/services?format=ndjson&per_page=1")
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    assert response.is_streamed
    lines = response.get_data(as_text=True).splitlines()
    assert len(lines) == total
    ids = set()
    for line in lines:
        ids.add(valid("service", json.loads(line))["id"])
    assert len(ids) == total


def test_ndjson_service_at_locations(seeded_client, valid):
    total = get_json(seeded_client, f"{API}/service_at_locations")["total_items"]
    lines = seeded_client.get(f"{API}/service_at_locations?format=ndjson").get_data(as_text=True).splitlines()
    assert len(lines) == total
    valid("service_at_location", json.loads(lines[0]))


# --- what is published ------------------------------------------------------------------------------


def test_only_published_active_services_appear(client, make):
    shown = make.service(name="Shown clinic")
    hidden = make.service(name="Awaiting review", is_published=False)
    closed = make.service(name="Closed clinic", status="inactive")
    listed = {s["id"] for s in get_json(client, f"{API}/services")["contents"]}
    assert listed == {shown.id}
    for service in (hidden, closed):
        body = get_json(client, f"{API}/services/{service.id}", status=404)
        assert body["error"] == "Not Found"
    orgs = {o["id"] for o in get_json(client, f"{API}/organizations")["contents"]}
    assert orgs == {shown.organisation_id}
    get_json(client, f"{API}/organizations/{hidden.organisation_id}", status=404)


def test_unknown_ids_are_json_404s(client):
    for path in ("services", "service_at_locations", "organizations", "taxonomies", "taxonomy_terms"):
        body = get_json(client, f"{API}/{path}/no-such-id", status=404)
        assert "no-such-id" in body["message"]


# --- ORUK filters ---------------------------------------------------------------------------------


def test_organization_taxonomy_and_modified_after_filters(client, make):
    org = make.organisation(name="Clinic trust")
    chemsex = make.service(name="Chemsex clinic", organisation=org, types=("chemsex-support",))
    drugs = make.service(name="Drug service", types=("drug-alcohol-treatment",))
    by_org = get_json(client, f"{API}/services?organization_id={org.id}")
    assert [s["id"] for s in by_org["contents"]] == [chemsex.id]

    term_id = next(t.id for t in chemsex.terms if t.code == "chemsex-support")
    by_term = get_json(client, f"{API}/services?taxonomy_term_id={term_id}")
    assert [s["id"] for s in by_term["contents"]] == [chemsex.id]

    audience = db.session.scalar(select(Taxonomy).where(Taxonomy.code == "audience"))
    assert get_json(client, f"{API}/services?taxonomy_id={audience.id}")["total_items"] == 2

    drugs.last_modified = datetime.now(UTC) - timedelta(days=30)
    chemsex.last_modified = datetime.now(UTC) - timedelta(days=1)
    db.session.commit()
    since = (datetime.now(UTC) - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    recent = get_json(client, f"{API}/services?modified_after={since}")
    assert [s["id"] for s in recent["contents"]] == [chemsex.id]
    sals = get_json(client, f"{API}/service_at_locations?organization_id={org.id}")
    assert sals["total_items"] == 0  # the factory gave no location without a postcode


def test_pathways_are_a_taxonomy_and_filter_services(seeded_client, valid):
    pathway = db.session.scalar(select(Pathway).where(Pathway.slug == "chemsex-support"))
    terms = get_json(seeded_client, f"{API}/taxonomy_terms?taxonomy_id={oruk.PATHWAY_TAXONOMY_ID}")
    assert pathway.id in {t["id"] for t in terms["contents"]}
    on_pathway = get_json(
        seeded_client, f"{API}/services?taxonomy_term_id={pathway.id}&full=true&per_page=1000"
    )
    expected = {
        s.id for stage in pathway.stages for s in stage.services if s.is_published and s.status == "active"
    }
    assert {s["id"] for s in on_pathway["contents"]} == expected
    for service in on_pathway["contents"]:
        assert pathway.id in {a["taxonomy_term_id"] for a in service["attributes"]}


def test_unknown_parameters_are_ignored(seeded_client):
    plain = get_json(seeded_client, f"{API}/services?per_page=5")
    noisy = get_json(seeded_client, f"{API}/services?per_page=5&colour=blue&utm_source=x&sort_by=whatever")
    assert noisy == plain


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=two", "page"),
        ("per_page=0", "per_page"),
        ("per_page=100000", "per_page"),
        ("per_page=1.5", "per_page"),
        ("format=xml", "format"),
        ("full=maybe", "full"),
        ("minimal=2", "minimal"),
        ("modified_after=yesterday", "modified_after"),
        ("postcode=SW9+8BS&proximity=near", "proximity"),
        ("postcode=SW9+8BS&proximity=-5", "proximity"),
        ("postcode=SW9+8BS&proximity=nan", "proximity"),
        ("proximity=500", "proximity"),
        ("borough=atlantis", "borough"),
        ("service_type=astrology", "service_type"),
        ("audience=martians", "audience"),
        ("referral_route=pigeon", "referral_route"),
        ("pathway=nowhere", "pathway"),
        ("open_now=sometimes", "open_now"),
        ("search=" + "x" * 300, "search"),
    ],
)
@pytest.mark.parametrize("endpoint", ["services", "service_at_locations"])
def test_bad_values_are_400s_naming_the_parameter(client, endpoint, query, parameter):
    body = get_json(client, f"{API}/{endpoint}?{query}", status=400)
    assert body["parameter"] == parameter
    assert body["error"] == "Bad Request" and body["message"]


@pytest.mark.parametrize(
    "path", ["organizations?page=0", "taxonomies?per_page=x", "taxonomy_terms?top_only=perhaps"]
)
def test_bad_values_on_other_lists(client, path):
    body = get_json(client, f"{API}/{path}", status=400)
    assert body["parameter"] in path


# --- catchment and vocabularies in ORUK terms -------------------------------------------------------


def full_service(client, service_id):
    return get_json(client, f"{API}/services/{service_id}")


def test_borough_catchment_is_published_as_ons_uris(client, make, valid):
    service = make.service(catchment="boroughs", catchment_boroughs=("lambeth", "southwark"))
    areas = valid("service", full_service(client, service.id))["service_areas"]
    assert sorted(a["uri"] for a in areas) == [
        "http://statistics.data.gov.uk/id/statistical-geography/E09000022",
        "http://statistics.data.gov.uk/id/statistical-geography/E09000028",
    ]
    assert {a["name"] for a in areas} == {"Lambeth", "Southwark"}


@pytest.mark.parametrize(
    ("catchment", "uri", "text"),
    [
        ("london", "http://statistics.data.gov.uk/id/statistical-geography/E12000007", "London"),
        ("national", "http://statistics.data.gov.uk/id/statistical-geography/K02000001", "United Kingdom"),
        ("open_access", None, "Open access"),
    ],
)
def test_wider_catchments(client, make, catchment, uri, text):
    service = make.service(catchment=catchment)
    (area,) = full_service(client, service.id)["service_areas"]
    assert area.get("uri") == uri
    assert area["name"] == text
    if catchment == "open_access":
        assert "anyone" in area["extent"].lower()


def test_vocabularies_are_taxonomy_terms_linked_through_attributes(client, make):
    service = make.service(types=("chemsex-support",), audiences=("gay-bi-msm",), routes=("walk-in",))
    attributes = full_service(client, service.id)["attributes"]
    linked = {(a["taxonomy_term"]["taxonomy"], a["taxonomy_term"]["term"]) for a in attributes}
    assert {
        ("service-type", "chemsex-support"),
        ("audience", "gay-bi-msm"),
        ("referral-route", "walk-in"),
        ("delivery", "in-person"),
    } <= linked
    for attribute in attributes:
        assert attribute["link_id"] == service.id and attribute["link_type"] == "service"
        term = get_json(client, f"{API}/taxonomy_terms/{attribute['taxonomy_term_id']}")
        assert term["name"] == attribute["taxonomy_term"]["name"]


def test_schedules_in_oruk_weekly_form(client, make, valid):
    service = make.service(
        postcode="SW9 8BS", hours=[(0, "09:00", "17:00"), (2, "09:00", "17:00"), (5, "10:00", "13:00")]
    )
    service.service_at_locations[0].schedules[2].note = "walk-in only"
    db.session.commit()
    body = valid("service", full_service(client, service.id))
    sal_id = body["service_at_locations"][0]["id"]
    weekly = sorted(
        (s["byday"], s["opens_at"], s["closes_at"], s.get("description")) for s in body["schedules"]
    )
    assert weekly == [("MO,WE", "09:00:00", "17:00:00", None), ("SA", "10:00:00", "13:00:00", "walk-in only")]
    assert all(s["freq"] == "WEEKLY" and s["service_at_location_id"] == sal_id for s in body["schedules"])
    location = body["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] == "SW9 8BS"
    assert location["addresses"][0]["state_province"] == "Lambeth"


# --- HTTP: CORS, caching, rate limit ------------------------------------------------------------------


def test_cors_on_every_api_response(seeded_client):
    for url in (
        f"{API}/",
        f"{API}/services",
        f"{API}/services/nope",
        f"{API}/services?page=0",
        f"{API}/nowhere",
    ):
        assert seeded_client.get(url).headers.get("Access-Control-Allow-Origin") == "*", url
    assert "Access-Control-Allow-Origin" not in seeded_client.get("/").headers


@pytest.mark.parametrize(
    "path", ["services?per_page=5", "service_at_locations", "organizations", "taxonomies"]
)
def test_conditional_get_with_etag(seeded_client, path):
    first = seeded_client.get(f"{API}/{path}")
    etag = first.headers["ETag"]
    again = seeded_client.get(f"{API}/{path}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    other = seeded_client.get(f"{API}/{path}", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_last_modified_and_if_modified_since(client, make):
    service = make.service()
    url = f"{API}/services/{service.id}"
    first = client.get(url)
    assert first.headers["Last-Modified"]
    assert client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    assert (
        client.get(
            f"{API}/services", headers={"If-Modified-Since": first.headers["Last-Modified"]}
        ).status_code
        == 304
    )
    service.name = "Renamed clinic"
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.get_json()["name"] == "Renamed clinic"


def test_rate_limit_answers_429_json(request, tmp_path):
    from tests.conftest import _app_for

    app = _app_for(request, tmp_path, seeded=False, RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute")
    with app.app_context():
        client = app.test_client()
        statuses = [client.get(f"{API}/taxonomies").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = client.get(f"{API}/taxonomies")
        assert limited.status_code == 429
        assert limited.get_json()["error"] == "Too Many Requests"
        assert limited.headers["Retry-After"]
        assert limited.headers["Access-Control-Allow-Origin"] == "*"
        db.session.remove()
        db.engine.dispose()


def test_default_rate_limit_is_generous():
    from directory.api import DEFAULT_RATE_LIMIT

    assert DEFAULT_RATE_LIMIT == "600 per minute"


# --- cost ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["services?full=true", "services", "service_at_locations", "organizations?full=true"]
)
def test_list_query_count_does_not_grow_with_page_size(seeded_client, count_queries, path, monkeypatch):
    counts = []
    def url(**args):
        return f"{API}/{path}{'&' if '?' in path else '?'}" + "&".join(f"{k}={v}" for k, v in args.items())

    # A page beyond the last: this process starts following the change log, and builds no document.
    get_json(seeded_client, url(page=999))
    # And reads it again only when told: on a slow machine a second may pass between the two pages, and the
    # one that looks at the log would count a query more for it.
    with seeded_client.application.app_context():
        monkeypatch.setattr(document_cache.cache(), "follow_every", float("inf"))
    for per_page in (2, 80):
        db.session.expire_all()
        with count_queries() as counter:
            body = get_json(seeded_client, url(per_page=per_page))
        assert body["size"] == min(per_page, body["total_items"])
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    assert counts[1] <= 16


def test_ndjson_loads_in_batches(seeded_client, count_queries):
    total = get_json(seeded_client, f"{API}/services")["total_items"]
    db.session.expire_all()
    with count_queries() as counter:
        lines = seeded_client.get(f"{API}/services?format=ndjson").get_data(as_text=True).splitlines()
    assert len(lines) == total
    assert counter.count <= 20  # a fixed number per batch of 100, never one per service


def test_api_makes_no_session_and_sets_no_cookie(seeded_client):
    response = seeded_client.get(f"{API}/services")
    assert "Set-Cookie" not in response.headers


def test_make_app_accepts_api_rate_limit_override(tmp_path):
    # The override used above must be a real setting, not a typo that silently does nothing.
    app = make_app("sqlite://", tmp_path, API_RATE_LIMIT="5 per minute")
    assert app.config["API_RATE_LIMIT"] == "5 per minute"
    assert Service.__tablename__ == "service"
