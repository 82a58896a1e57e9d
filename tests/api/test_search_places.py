"""A place in the API's search words applies as on the site: the borough filter, or the distance origin."""

from urllib.parse import urlencode

import pytest

from tests.public.test_place_tags import services  # noqa: F401  (fixture)

API = "/api/v1"


def names(client, **args):
    response = client.get(f"{API}/services?" + urlencode({"per_page": 100, **args}))
    assert response.status_code == 200, response.get_json()
    return [item["name"] for item in response.get_json()["contents"]]


@pytest.mark.usefixtures("services")
def test_a_borough_in_the_search_words_applies_the_borough(client):
    found = names(client, search="alcohol in hackney")
    assert sorted(found) == ["Finchley open alcohol clinic", "Hackney alcohol service",
                             "Hackney open alcohol drop-in"]
    assert sorted(found) == sorted(names(client, search="alcohol", borough="hackney"))


@pytest.mark.usefixtures("services")
def test_a_postcode_in_the_search_words_with_no_other_words_lists_nearest_first(client):
    found = names(client, search="near SE15 4AA", service_type="harm-reduction")
    assert found == ["C Peckham needle exchange", "B Camberwell needle exchange", "A Dulwich needle exchange"]


@pytest.mark.usefixtures("services")
def test_the_postcode_parameter_only_says_where_distances_are_from(client):
    # ORUK's postcode is an origin, not where someone lives: it implies no borough.
    near = names(client, search="needle exchange", postcode="SE15 4AA")
    assert "D Lewisham residents needle exchange" in near
