from directory import catchment
from directory.models import Catchment


def test_a_resident_can_use_services_located_in_or_named_for_their_borough(app, make):
    clinic = make.service(postcode="SE1 7EH", catchment=Catchment.OPEN_ACCESS)  # Lambeth
    borough_only = make.service(borough_slug="hackney", catchment=Catchment.BOROUGHS,
                                catchment_boroughs=("hackney", "city-of-london"))
    lambeth = "E09000022"
    assert catchment.usable_by(clinic, lambeth, "Lambeth").label == "in Lambeth"
    assert catchment.usable_by(borough_only, lambeth) is None
    city = catchment.usable_by(borough_only, "E09000001", "City of London")
    assert city.label == "for City of London residents"
    assert catchment.resident_tokens(borough_only) == {"E09000012", "E09000001"}
    # Open access: located in Lambeth, and usable by anyone, so it carries both tokens.
    assert catchment.resident_tokens(clinic) == {lambeth, catchment.EVERYWHERE}


def test_an_open_access_clinic_elsewhere_is_usable_but_a_restricted_one_is_not(app, make):
    # Both in Lambeth; a Westminster resident may walk into the open clinic, not the Lambeth-only one.
    clinic = make.service(postcode="SE1 7EH", catchment=Catchment.OPEN_ACCESS)
    lambeth_only = make.service(postcode="SE1 7EH", catchment=Catchment.BOROUGHS,
                                catchment_boroughs=("lambeth",))
    westminster = "E09000033"
    usable = catchment.usable_by(clinic, westminster, "Westminster")
    assert (usable.reason, usable.label) == (catchment.OPEN_ACCESS, "open to anyone")
    assert catchment.usable_by(lambeth_only, westminster, "Westminster") is None
    assert catchment.usable_by(lambeth_only, "E09000022", "Lambeth").label == "for Lambeth residents"
    assert catchment.resident_tokens(lambeth_only) == {"E09000022"}


def test_restriction_wins_over_location(app, make):
    # Located in Lambeth, but only for Southwark residents: a Lambeth resident cannot use it.
    service = make.service(postcode="SW9 8BS", catchment=Catchment.BOROUGHS,
                           catchment_boroughs=("southwark",))
    assert catchment.usable_by(service, "E09000022") is None
    assert catchment.usable_by(service, "E09000028", "Southwark").reason == catchment.NAMED


def test_london_wide_national_and_remote_services_are_usable_everywhere(app, make):
    london = make.service(catchment=Catchment.LONDON, postcode="E1 4AQ")
    national = make.service(catchment=Catchment.NATIONAL, location_type="virtual")
    remote = make.service(catchment=Catchment.OPEN_ACCESS, location_type="virtual",
                          delivery=("phone", "online"))
    elsewhere = make.service(catchment=Catchment.OPEN_ACCESS, postcode="W1D 6AQ")  # Westminster
    restricted_elsewhere = make.service(catchment=Catchment.BOROUGHS, catchment_boroughs=("westminster",),
                                        postcode="W1D 6AQ")
    lambeth = "E09000022"
    assert catchment.usable_by(london, lambeth).label == "London-wide"
    assert catchment.usable_by(national, lambeth).label == "national"
    assert catchment.usable_by(remote, lambeth).label == "phone/online"
    assert catchment.usable_by(elsewhere, lambeth).label == "open to anyone"
    assert catchment.usable_by(restricted_elsewhere, lambeth) is None
    for service in (london, national, remote, elsewhere):
        assert catchment.EVERYWHERE in catchment.resident_tokens(service)
    assert catchment.EVERYWHERE not in catchment.resident_tokens(restricted_elsewhere)
    assert "live in City of London or Hackney" in catchment.describe(
        make.service(borough_slug="hackney", catchment=Catchment.BOROUGHS,
                     catchment_boroughs=("hackney", "city-of-london"))
    )
