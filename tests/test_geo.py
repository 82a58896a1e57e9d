import pytest

from directory import geo


@pytest.mark.parametrize("text", ["SW9 8BS", "sw98bs", " sw9  8bs ", "Sw9 8Bs"])
def test_full_postcode_in_any_form_resolves_to_its_sector(text):
    place = geo.lookup(text)
    assert place.query == "SW9 8BS"
    assert place.precision == "sector"
    assert place.matched == "SW9 8"
    assert place.borough_code == "E09000022"  # Lambeth
    assert 51.4 < place.latitude < 51.5 and -0.2 < place.longitude < 0.0


def test_outcode_only_resolves_to_the_outcode_centroid():
    place = geo.lookup("sw9")
    assert place.precision == "outcode"
    assert place.matched == "SW9"
    assert place.borough_code == "E09000022"


def test_two_digit_outcode_is_not_mistaken_for_a_sector():
    assert geo.lookup("SW11").matched == "SW11"
    assert geo.lookup("SW11").borough_code == "E09000032"  # Wandsworth


def test_postcode_spanning_boroughs_lists_each_largest_first():
    place = geo.lookup("SW1A 1AA")
    assert place.borough_codes[0] == "E09000033"  # Westminster
    assert len(place.borough_codes) >= 2


@pytest.mark.parametrize(
    "text", ["", "hello", "12345", "SW9 8BSX", "A&E", "'; DROP TABLE service;--", "x" * 500]
)
def test_malformed_postcode_says_so(text):
    with pytest.raises(geo.MalformedPostcode) as err:
        geo.lookup(text)
    assert "postcode" in str(err.value).lower()


@pytest.mark.parametrize("text", ["M1 1AE", "EH1 1YZ", "CM13 1AA"])
def test_valid_postcode_outside_london_is_refused_clearly(text):
    with pytest.raises(geo.NotInLondon) as err:
        geo.lookup(text)
    assert "not a London postcode" in str(err.value)


def test_distances_are_geodesic_and_described_for_people():
    dean_street = geo.lookup("W1D 6AQ").point
    brixton = geo.lookup("SW9 8BS").point
    miles = geo.distance_miles(dean_street, brixton)
    assert 3.0 < miles < 4.0
    assert abs(geo.approx_distance_m(*dean_street, *brixton) / 1609.344 - miles) < 0.01
    assert geo.describe_miles(miles).startswith("about 3.")
    assert geo.describe_miles(0.05) == "under 0.1 miles"


def test_every_borough_is_some_outcodes_primary_borough():
    codes = {row["ons_code"] for row in geo.boroughs()}
    primaries = {row["primary_borough_code"] for row in geo._outcodes().values()}
    assert codes <= primaries
