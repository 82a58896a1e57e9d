"""Chosen filters as removable tags above the results, and the folded panel's "(n selected)"."""

from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import page, text
from .test_results import services  # noqa: F401  (fixture)

URL = ("/search?q=chemsex&borough=lambeth&postcode=SW9+8BS&miles=2&open=1"
       "&service_type=chemsex-support&service_type=harm-reduction&referral_route=self-referral")


def tags(doc) -> dict[str, dict]:
    """Return each tag's words (without "Remove this filter:" and the cross) and its link's query."""
    found = {}
    for link in doc.select(".selected-filters a.filter-tag"):
        hidden = text(link.select_one(".visually-hidden"))
        label = text(link).removeprefix(hidden).removesuffix("×").strip()
        href = urlsplit(link["href"])
        assert href.path == "/search" and href.fragment == "results"
        found[label] = parse_qs(href.query)
    return found


@pytest.mark.usefixtures("services")
def test_every_chosen_filter_is_a_tag_whose_link_drops_only_it(client):
    doc = page(client.get(URL))
    found = tags(doc)
    everything = parse_qs(urlsplit(URL).query)
    assert list(found) == [
        "Lives in Lambeth", "Near SW9 8BS, within 2 miles", "Open now",
        "Specialist chemsex support", "Harm reduction and needle exchange", "Self-referral",
    ]
    # With the postcode still there, "any borough": else the postcode would imply its own again.
    assert found["Lives in Lambeth"] == {k: v for k, v in everything.items() if k != "borough"} | {
        "borough": ["any"]}
    # The distance is measured from the postcode: dropping one drops both.
    assert "postcode" not in found["Near SW9 8BS, within 2 miles"]
    assert "miles" not in found["Near SW9 8BS, within 2 miles"]
    assert found["Specialist chemsex support"]["service_type"] == ["harm-reduction"]
    assert found["Harm reduction and needle exchange"]["service_type"] == ["chemsex-support"]
    assert all(query["q"] == ["chemsex"] for query in found.values())
    assert text(doc.select_one("#filter-panel > summary")) == "Filter results (6 selected)"


@pytest.mark.usefixtures("services")
def test_the_panel_is_folded_with_nothing_chosen_and_open_beside_a_problem_in_it(client):
    doc = page(client.get("/search?q=chemsex"))
    assert doc.select(".selected-filters") == []
    assert text(doc.select_one("#filter-panel > summary")) == "Filter results"
    assert not doc.select_one("#filter-panel").has_attr("open")  # results first on a phone
    doc = page(client.get("/search?q=chemsex&postcode=not+a+postcode"), status=200)
    assert doc.select_one("#filter-panel").has_attr("open")  # the postcode's error must be seen
    assert doc.select_one("#filter-panel #postcode-error")


@pytest.mark.usefixtures("services")
def test_a_tag_keeps_the_signposting_list(client, services):  # noqa: F811
    listed = services["hackney"].id
    doc = page(client.get(f"/search?q=chemsex&borough=lambeth&s={listed}"))
    [query] = tags(doc).values()
    assert query == {"q": ["chemsex"], "s": [listed]}
