"""Distances from a place to each listing, as search sorts by them: the nearest of a listing's places,
none for a listing with no place, and the same whichever shortcut the index's shape allows."""

import math

import numpy as np
import pytest

from directory.search import bitsets
from directory.search.bitsets import View

BRIXTON = (51.4613, -0.1156)
HACKNEY = (51.5450, -0.0553)
CROYDON = (51.3762, -0.0982)


def _view(places_per_listing):
    """A view over listings with these places (lists of (lat, lon)), as the index projects them."""
    view = View.__new__(View)
    view.size = len(places_per_listing)
    view._points = [tuple(bitsets.project(lat, lon) for lat, lon in places) for places in places_per_listing]
    view._point_arrays = None
    return view


def _great_circle_m(a, b):
    (lat1, lon1), (lat2, lon2) = (map(math.radians, p) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * bitsets.EARTH_RADIUS_M * math.asin(math.sqrt(h))


@pytest.mark.parametrize("listings", [
    [[BRIXTON], [HACKNEY], [CROYDON]],  # one place each
    [[BRIXTON], [], [CROYDON], []],  # helplines with none
    [[HACKNEY, BRIXTON], [], [CROYDON, HACKNEY], [HACKNEY]],  # several places
    [[], []],
])
def test_each_listing_is_as_far_as_its_nearest_place(listings):
    origin = (51.4700, -0.1100)  # near Brixton
    metres = _view(listings).metres_from(*origin)
    assert metres.shape == (len(listings),)
    for places, got in zip(listings, metres, strict=True):
        if not places:
            assert got == np.inf
        else:
            expected = min(_great_circle_m(origin, p) for p in places)
            # Within London the flat projection is good to a few metres in ten kilometres.
            assert got == pytest.approx(expected, rel=0.005)


def test_a_second_search_from_elsewhere_gets_its_own_distances():
    view = _view([[BRIXTON], [HACKNEY]])
    near_brixton = view.metres_from(*BRIXTON)
    near_hackney = view.metres_from(*HACKNEY)
    assert near_brixton[0] < 1 and near_hackney[1] < 1
    assert near_brixton[1] == pytest.approx(near_hackney[0], rel=0.005)
