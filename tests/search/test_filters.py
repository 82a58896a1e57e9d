"""Filters, facets, catchment, distance, opening hours, sorting and paging on a small fixture."""

import pytest

from directory import search
from directory.models import Catchment

LAMBETH_POSTCODE = "SE11 5HL"  # Lambeth
SOUTHWARK_POSTCODE = "SE15 5AA"  # Southwark (Peckham)
CAMDEN_POSTCODE = "NW1 2BU"  # Camden


@pytest.fixture
def catchments(make):
    """One service per catchment case, all offering drug treatment."""
    make.service(name="In Lambeth open access", postcode=LAMBETH_POSTCODE)
    make.service(name="Lambeth residents, sited in Southwark", postcode=SOUTHWARK_POSTCODE,
                 catchment=Catchment.BOROUGHS, catchment_boroughs=("lambeth",))
    make.service(name="Southwark residents only, sited in Lambeth", postcode=LAMBETH_POSTCODE,
                 catchment=Catchment.BOROUGHS, catchment_boroughs=("southwark",))
    make.service(name="London-wide in Camden", postcode=CAMDEN_POSTCODE, catchment=Catchment.LONDON)
    make.service(name="National helpline", types=("helpline",), delivery=("phone",), location_type="virtual",
                 catchment=Catchment.NATIONAL)
    make.service(name="Online only", delivery=("online",), location_type="virtual")
    make.service(name="Open access in Camden", postcode=CAMDEN_POSTCODE)
    make.service(name="Camden residents only", postcode=CAMDEN_POSTCODE,
                 catchment=Catchment.BOROUGHS, catchment_boroughs=("camden",))


def test_borough_means_usable_by_a_resident_with_the_reason(app, catchments):
    result = search.search(search.SearchRequest(borough="lambeth", per_page=None, sort="name"))
    why = {hit.listing.name: hit.why for hit in result.hits}
    assert why == {
        "In Lambeth open access": ["in Lambeth"],
        "Lambeth residents, sited in Southwark": ["for Lambeth residents"],
        "London-wide in Camden": ["London-wide"],
        "National helpline": ["national"],
        "Online only": ["phone/online"],
        # Anyone may walk in, wherever they live; the Camden-only and Southwark-only services are excluded.
        "Open access in Camden": ["open to anyone"],
    }
    assert result.total == 6


def test_borough_accepts_the_ons_code_and_rejects_unknown_boroughs(app, catchments, find):
    assert sorted(find(borough="E09000022")) == sorted(find(borough="lambeth"))
    with pytest.raises(search.SearchInputError) as error:
        find(borough="atlantis")
    assert error.value.field == "borough"


def test_types_are_any_of_within_a_dimension_and_all_of_across(app, make, find):
    make.service(name="Clinic", types=("sexual-health",), routes=("appointment-only",))
    make.service(name="Chemsex", types=("chemsex-support",), routes=("self-referral",))
    make.service(name="Treatment", types=("drug-alcohol-treatment",), routes=("self-referral",))
    assert sorted(find(service_types=["sexual-health", "chemsex-support"])) == ["Chemsex", "Clinic"]
    either = ["sexual-health", "chemsex-support"]
    assert find(service_types=either, referral_routes=["self-referral"]) == ["Chemsex"]


def test_audience_delivery_and_route_filters(app, make, find):
    make.service(name="LGBT phone line", audiences=("lgbtq",), delivery=("phone",), routes=("phone",),
                 location_type="virtual")
    make.service(name="Trans clinic", audiences=("trans-non-binary", "lgbtq"), routes=("gp-referral",))
    make.service(name="Youth service", audiences=("young-people",))
    assert sorted(find(audiences=["lgbtq"])) == ["LGBT phone line", "Trans clinic"]
    assert find(audiences=["trans-non-binary"]) == ["Trans clinic"]
    assert find(delivery=["phone"]) == ["LGBT phone line"]
    assert find(referral_routes=["gp-referral"]) == ["Trans clinic"]
    with pytest.raises(search.SearchInputError) as error:
        find(audiences=["martians"])
    assert error.value.field == "audiences"


def test_pathway_filter_selects_services_on_the_pathway(app, make, find, pathway):
    on = make.service(name="On the pathway")
    make.service(name="Not on it")
    pathway("chemsex-support", "Chemsex support", [on])
    search.sync()
    assert find(pathway="chemsex-support") == ["On the pathway"]


def test_facet_counts_reflect_the_other_filters_but_not_their_own(app, catchments, make):
    make.service(name="Southwark clinic", types=("sexual-health",), postcode=SOUTHWARK_POSTCODE,
                 catchment=Catchment.BOROUGHS, catchment_boroughs=("southwark",))
    everything = search.search(search.SearchRequest())
    assert everything.facets["service_type"]["drug-alcohol-treatment"] == 7
    assert everything.facets["service_type"]["sexual-health"] == 1
    lambeth = search.search(search.SearchRequest(borough="lambeth", service_types=["sexual-health"]))
    assert lambeth.total == 0
    # The type facet ignores the chosen type but respects the borough (in Lambeth, for Lambeth residents,
    # London-wide, online, open access in Camden)...
    assert lambeth.facets["service_type"]["drug-alcohol-treatment"] == 5
    assert lambeth.facets["service_type"]["sexual-health"] == 0
    # ...and dropping the borough would find the Southwark clinic.
    assert dict(lambeth.relaxations)["Lambeth residents"] == 1


def test_open_now_uses_london_time_and_overnight_sessions(app, make, find):
    make.service(name="Friday late", postcode=LAMBETH_POSTCODE, hours=[(4, "22:00", "02:00")])
    make.service(name="Weekdays", postcode=LAMBETH_POSTCODE, hours=[(d, "09:00", "17:00") for d in range(5)])
    make.service(name="No hours", postcode=LAMBETH_POSTCODE)
    app.config["DIRECTORY_NOW"] = "2025-03-15T01:30:00"  # Saturday 01:30, inside Friday's session
    assert find(open_now=True) == ["Friday late"]
    result = search.search(search.SearchRequest(sort="name"))
    assert {h.listing.name: h.open_now for h in result.hits} == {
        "Friday late": True, "No hours": None, "Weekdays": False}
    assert result.facets["open_now"] == {"yes": 1}
    app.config["DIRECTORY_NOW"] = "2025-03-15T02:30:00"
    assert find(open_now=True) == []
    app.config["DIRECTORY_NOW"] = "2025-03-12T10:00:00"  # Wednesday morning
    assert find(open_now=True) == ["Weekdays"]
    assert len(find()) == 3  # closed services are not hidden when the filter is off


def test_distance_sort_uses_the_nearest_location_and_says_how_far(app, make):
    make.service(name="Camden", postcode=CAMDEN_POSTCODE)
    make.service(name="Kennington", postcode=LAMBETH_POSTCODE)
    make.service(name="Peckham", postcode=SOUTHWARK_POSTCODE)
    make.service(name="Phone line", delivery=("phone",), location_type="virtual")
    result = search.search(search.SearchRequest(postcode="SE11 5HL", sort="distance", per_page=None))
    assert [h.listing.name for h in result.hits] == ["Kennington", "Peckham", "Camden", "Phone line"]
    labels = [h.distance_label for h in result.hits]
    assert labels[0] == "under 0.1 miles"
    assert labels[1].startswith("about ") and labels[1].endswith(" miles")
    assert result.hits[1].distance_miles < result.hits[2].distance_miles
    assert labels[3] is None
    limit = (result.hits[1].distance_miles + result.hits[2].distance_miles) / 2
    near = search.search(search.SearchRequest(postcode="SE11 5HL", max_miles=limit, sort="distance"))
    assert [h.listing.name for h in near.hits] == ["Kennington", "Peckham"]


def test_multi_site_services_are_as_near_as_their_nearest_site(app, make):
    from directory.extensions import db
    from directory.geo import lookup
    from directory.models import Location, ServiceAtLocation

    service = make.service(name="Two sites", postcode=CAMDEN_POSTCODE)
    place = lookup(LAMBETH_POSTCODE)
    service.service_at_locations.append(ServiceAtLocation(location=Location(
        address_1="2 Test Street", postcode=place.query, latitude=place.latitude, longitude=place.longitude,
        borough_code=place.borough_code), position=1))
    db.session.commit()
    make.service(name="Peckham", postcode=SOUTHWARK_POSTCODE)
    result = search.search(search.SearchRequest(postcode="SE11 5HL", sort="distance"))
    assert [h.listing.name for h in result.hits] == ["Two sites", "Peckham"]
    assert result.hits[0].distance_label == "under 0.1 miles"


@pytest.mark.parametrize("postcode", ["not a postcode", "SW1A 1AA1234", "CM13 1AA", "EH1 1YZ"])
def test_a_bad_postcode_is_a_clear_input_error(app, make, postcode):
    make.service(name="Anything", postcode=CAMDEN_POSTCODE)
    with pytest.raises(search.SearchInputError) as error:
        search.search(search.SearchRequest(postcode=postcode))
    assert error.value.field == "postcode"
    assert "postcode" in error.value.message.lower() or "London" in error.value.message


def test_sorting_by_distance_needs_a_postcode(app):
    with pytest.raises(search.SearchInputError) as error:
        search.search(search.SearchRequest(sort="distance"))
    assert error.value.field == "postcode"


def test_name_sort_and_pages(app, make):
    for name in ["Delta", "alpha", "Charlie", "Bravo", "Echo"]:
        make.service(name=name)
    first = search.search(search.SearchRequest(sort="name", per_page=2))
    assert [h.listing.name for h in first.hits] == ["alpha", "Bravo"]
    assert (first.total, first.pages, first.page) == (5, 3, 1)
    last = search.search(search.SearchRequest(sort="name", per_page=2, page=3))
    assert [h.listing.name for h in last.hits] == ["Echo"]
    beyond = search.search(search.SearchRequest(sort="name", per_page=2, page=9))
    assert beyond.hits == [] and beyond.total == 5
    with pytest.raises(search.SearchInputError):
        search.search(search.SearchRequest(page="two"))


def test_organisation_and_taxonomy_term_filters(app, make, find):
    from tests.factories import term

    org = make.organisation(name="Agency A")
    make.service(name="A1", organisation=org)
    make.service(name="B1", types=("counselling",))
    assert find(organisation_id=org.id) == ["A1"]
    assert find(taxonomy_term_ids=[term("service-type", "counselling").id]) == ["B1"]


def test_every_page_of_relevance_results_is_the_page_of_one_full_ordering(app, make):
    # Only the shown page is sorted: pages must still follow one order, ties broken by name.
    for n in range(30):
        make.service(name=f"Clinic {n:02d}", description="counselling " * (1 + n % 3))
    full = search.search(search.SearchRequest(text="counselling", per_page=None))
    assert len({h.score for h in full.hits}) < len(full.hits)  # there are ties
    pages = [search.search(search.SearchRequest(text="counselling", per_page=7, page=p)) for p in range(1, 6)]
    assert [h.listing.name for page in pages for h in page.hits] == [h.listing.name for h in full.hits]
