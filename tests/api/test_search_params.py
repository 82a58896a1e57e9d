"""The API's search and extension parameters mean what they mean on the site (the search module answers)."""

import pytest
from sqlalchemy import select

from directory import catchment, geo, search
from directory.extensions import db
from directory.models import Borough, Service

API = "/api/v1"


@pytest.fixture
def api(seeded_app):
    search.ensure_index()
    return seeded_app.test_client()


def ids(client, query, endpoint="services"):
    response = client.get(f"{API}/{endpoint}?per_page=1000&{query}")
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["contents"]]


def visible_services():
    return db.session.scalars(
        select(Service).where(Service.is_published.is_(True), Service.status == "active")
    )


@pytest.mark.parametrize("borough", ["lambeth", "E09000022", "hackney"])
def test_borough_means_usable_by_a_resident(api, borough):
    found = db.session.scalar(
        select(Borough).where((Borough.slug == borough) | (Borough.ons_code == borough))
    )
    expected = {s.id for s in visible_services() if catchment.usable_by(s, found.ons_code, found.name)}
    assert expected
    assert set(ids(api, f"borough={borough}")) == expected


def test_search_matches_the_site_search_including_slang(api):
    via_api = ids(api, "search=tina")
    via_site = [h.listing.id for h in search.search(search.SearchRequest(text="tina", per_page=None)).hits]
    assert via_api == via_site and via_api


def test_vocabulary_filters_or_within_and_across(api):
    got = ids(api, "service_type=chemsex-support,counselling&audience=lgbtq,gay-bi-msm")
    expected = {
        s.id
        for s in visible_services()
        if s.term_codes("service-type") & {"chemsex-support", "counselling"}
        and s.term_codes("audience") & {"lgbtq", "gay-bi-msm"}
    }
    assert expected and set(got) == expected


def test_pathway_filter_and_standard_filters_together(api):
    on_pathway = ids(api, "pathway=chemsex-support")
    assert on_pathway
    service = db.session.get(Service, on_pathway[0])
    both = ids(api, f"pathway=chemsex-support&organization_id={service.organisation_id}")
    assert service.id in both and set(both) <= set(on_pathway)


def test_postcode_and_proximity_limit_and_sort_locations(api):
    everything = api.get(f"{API}/service_at_locations?postcode=SW9+8BS&per_page=1000").get_json()
    assert everything["total_items"] == api.get(f"{API}/service_at_locations").get_json()["total_items"]
    body = api.get(f"{API}/service_at_locations?postcode=SW9+8BS&proximity=6000&per_page=1000").get_json()
    distances = [item["distance"] for item in body["contents"]]
    assert distances and distances == sorted(distances) and max(distances) <= 6000
    assert len(distances) < everything["total_items"]
    origin = geo.lookup("SW9 8BS")
    for item in body["contents"]:
        location = item["location"]
        metres = geo.approx_distance_m(
            origin.latitude, origin.longitude, location["latitude"], location["longitude"]
        )
        assert metres == pytest.approx(item["distance"], abs=1)


def test_bad_postcode_is_a_400_naming_postcode(api):
    for value in ("not a postcode", "ZZ1 1ZZ"):
        response = api.get(f"{API}/services", query_string={"postcode": value})
        assert response.status_code == 400
        assert response.get_json()["parameter"] == "postcode"


def test_an_api_search_that_finds_nothing_is_counted_anonymously(app, client):
    from sqlalchemy import select

    from directory.extensions import db
    from directory.models.insights import UnmetSearch

    response = client.get("/api/v1/services?search=zzqxv+kplmw&borough=lambeth")
    assert response.status_code == 200 and response.get_json()["total_items"] == 0
    rows = db.session.scalars(select(UnmetSearch)).all()
    assert [(r.borough, r.bucket, r.count) for r in rows] == [("lambeth", "zero", 1)]
