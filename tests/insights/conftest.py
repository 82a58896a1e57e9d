"""Fixtures for the insight tests: a hand-counted set of services, and signing in."""

from dataclasses import dataclass, field

import pytest

from directory.models import Catchment

LAMBETH, SOUTHWARK, HACKNEY, CITY, WESTMINSTER = (
    "E09000022", "E09000028", "E09000012", "E09000001", "E09000033",
)


@dataclass
class FakeSearchRequest:
    """The fields of `search.SearchRequest` that unmet need reads (the contract in TEAM.md)."""

    text: str = ""
    borough: str | None = None
    service_types: list = field(default_factory=list)
    pathway: str | None = None
    referral_routes: list = field(default_factory=list)
    audiences: list = field(default_factory=list)
    delivery: list = field(default_factory=list)
    open_now: bool = False
    postcode: str | None = None
    max_miles: float | None = None
    page: int = 1


@pytest.fixture
def search_request():
    """Build a search request like the public search and the API make."""
    try:
        from directory.search import SearchRequest
    except ImportError:
        return FakeSearchRequest
    return SearchRequest


@pytest.fixture
def catchment_cases(make):
    """Services covering each catchment case; the expected counts are worked out by hand in the tests."""
    return {
        # Located in Lambeth and kept for Lambeth residents: Lambeth only.
        "located": make.service(name="Lambeth drug service", borough_slug="lambeth",
                                catchment=Catchment.BOROUGHS, catchment_boroughs=("lambeth",),
                                types=("drug-alcohol-treatment",)),
        # Located in Lambeth but kept for Southwark residents: Southwark only.
        "restricted": make.service(name="Southwark-only service in Lambeth", borough_slug="lambeth",
                                   catchment=Catchment.BOROUGHS, catchment_boroughs=("southwark",),
                                   types=("drug-alcohol-treatment",)),
        # Named boroughs: Hackney and the City.
        "named": make.service(name="Hackney and City chemsex", borough_slug="hackney",
                              catchment=Catchment.BOROUGHS, catchment_boroughs=("hackney", "city-of-london"),
                              types=("chemsex-support",)),
        # London-wide and LGBTQ+-specific: every borough.
        "london": make.service(name="London chemsex clinic", borough_slug="tower-hamlets",
                               catchment=Catchment.LONDON, types=("chemsex-support",),
                               audiences=("gay-bi-msm",)),
        # National helpline, LGBTQ+-specific: every borough.
        "national": make.service(name="National LGBT+ helpline", catchment=Catchment.NATIONAL,
                                 location_type="virtual", delivery=("phone",), types=("helpline",),
                                 audiences=("lgbtq",)),
        # Remote (online/phone only), open access: every borough.
        "remote": make.service(name="Online counselling", location_type="virtual",
                               delivery=("online", "phone"), types=("counselling",)),
        # Two types, in Southwark and kept for its residents: counts once in each type, Southwark only.
        "two_types": make.service(name="Southwark sexual health clinic", borough_slug="southwark",
                                  catchment=Catchment.BOROUGHS, catchment_boroughs=("southwark",),
                                  types=("sexual-health", "hiv-hepatitis-testing")),
        # Open access, located in Westminster: anyone may walk in, so every borough.
        "open_access": make.service(name="Westminster A&E", borough_slug="westminster",
                                    types=("emergency-care",)),
        # Not counted anywhere (though open access): unpublished, temporarily closed.
        "unpublished": make.service(name="Unpublished Lambeth service", borough_slug="lambeth",
                                    types=("drug-alcohol-treatment",), is_published=False),
        "closed": make.service(name="Closed Lambeth service", borough_slug="lambeth",
                               types=("drug-alcohol-treatment",), status="temporarily closed"),
    }


@pytest.fixture
def login(client):
    """Sign a user in on the test client (the session the auth blueprint's loader reads)."""

    def sign_in(user):
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return client

    return sign_in
