"""A results page stays light enough for a phone on a poor connection."""

from .conftest import page

LIMIT = 100_000  # bytes of HTML for a full page of twenty cards


def test_a_results_page_with_twenty_cards_stays_under_100_kb(seeded_client):
    response = seeded_client.get("/search?borough=lambeth")
    doc = page(response)
    assert len(doc.select(".cards > li")) == 20
    assert len(response.data) < LIMIT


def test_twenty_cards_with_every_part_shown_stay_under_100_kb(seeded_client):
    # Words give snippets and a postcode gives distances: the heaviest cards a search makes.
    response = seeded_client.get("/search?q=health&postcode=SW9+8BS&borough=lambeth&open=1&unlisted=1")
    doc = page(response)
    cards = doc.select(".cards > li")
    assert len(cards) >= 10
    assert len(response.data) < LIMIT
