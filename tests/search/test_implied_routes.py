"""A walk-in (or online-booking, or phone) service takes self-referrals: the filter finds it."""

from directory import search
from directory.reference import with_implied


def test_walk_in_online_booking_and_phone_imply_self_referral():
    assert with_implied("referral-route", {"walk-in"}) == {"walk-in", "self-referral"}
    implied = with_implied("referral-route", {"online-booking", "phone"})
    assert implied == {"online-booking", "phone", "self-referral"}
    assert with_implied("referral-route", {"professional-referral"}) == {"professional-referral"}
    assert with_implied("audience", {"lgbtq"}) == {"lgbtq"}


def test_self_referral_filter_and_facet_count_walk_in_services(app, make):
    walk_in = make.service(name="Walk-in chemsex clinic", types=("chemsex-support",), routes=("walk-in",))
    referred = make.service(name="Referred chemsex clinic", types=("chemsex-support",),
                            routes=("professional-referral",))
    result = search.search(search.SearchRequest(text="chemsex", referral_routes=["self-referral"]))
    names = {hit.listing.name for hit in result.hits}
    assert walk_in.name in names
    assert referred.name not in names
    unfiltered = search.search(search.SearchRequest(text="chemsex"))
    assert unfiltered.facets["referral_route"]["self-referral"] == 1
    assert unfiltered.facets["referral_route"]["walk-in"] == 1
