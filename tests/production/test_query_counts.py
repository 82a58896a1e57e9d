"""No page issues a query per result: the results page and the API lists cost the same for 5 or 20 hits."""

import pytest

from directory import search
from tests.conftest import counting_queries


def listings(make, how_many: int, word: str):
    """Create `how_many` full listings (location, hours, phone-free) that all match `word`."""
    org = make.organisation()
    for n in range(how_many):
        make.service(
            name=f"{word.title()} clinic {n}", organisation=org, description=f"A {word} service.",
            types=("sexual-health", "chemsex-support"), audiences=("lgbtq", "gay-bi-msm"),
            routes=("self-referral", "walk-in"), postcode="SW9 8BS",
            hours=[(d, "09:00", "17:00") for d in range(5)],
        )


def queries_for(client, path: str) -> int:
    client.get(path)  # warm: the index catches up with the new listings, caches fill
    with counting_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


PAGES = [
    "/search?q={word}",
    "/search?q={word}&borough=lambeth&referral_route=self-referral",
    "/search?q={word}&postcode=SW9+8BS&sort=distance",
    "/api/v1/services?text={word}&per_page=50",
    "/api/v1/services?per_page=50",
    "/api/v1/service_at_locations?per_page=50",
]


@pytest.mark.parametrize("template", PAGES)
def test_query_count_does_not_grow_with_the_number_of_results(app, make, template):
    client = app.test_client()
    # Five, not fewer: a search with three or fewer results is also counted for the unmet-need insight.
    listings(make, 5, "zyxomba")
    search.ensure_index()
    few = queries_for(client, template.format(word="zyxomba"))
    listings(make, 15, "zyxomba")
    many = queries_for(client, template.format(word="zyxomba"))
    assert many == few, f"{template}: {few} queries for 5 results, {many} for 20"
    assert many <= 25
