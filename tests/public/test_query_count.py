"""Pages cost a fixed number of queries, not one (or several) per service shown."""

from directory.extensions import db
from tests.conftest import counting_queries

from .conftest import page


def queries_for(client, url) -> tuple[int, int]:
    db.session.expunge_all()
    with counting_queries() as statements:
        doc = page(client.get(url))
    return len(statements), len(doc.select("article.card"))


def test_results_page_queries_do_not_grow_with_the_number_of_cards(client, make):
    for n in range(20):
        make.service(name=f"Counselling {n:02d}", types=("counselling",), postcode="E8 1DY",
                     organisation=make.organisation(), hours=[(0, "09:00", "17:00")])
    client.get("/search")  # build the index and warm caches first
    few, shown_few = queries_for(client, "/search?service_type=counselling&sort=name&q=counselling+00")
    many, shown_many = queries_for(client, "/search?service_type=counselling&sort=name")
    assert (shown_few, shown_many) == (1, 20)
    assert many <= few + 2, f"{few} queries for 1 card, {many} for 20"
