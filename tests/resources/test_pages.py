"""The public resource pages: /resources by format, one resource, the seeded tools, links both ways."""

from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from directory.extensions import db
from directory.models import Resource, Service
from directory.seed import load_sources, seed_id
from tests.resources.helpers import join_network, propose_resource, published_resource

SHOWCASED = [
    "London Ambulance Service chemsex support card", "PIP PAC safer chemsex pack", "SAFER pack (print)"
]


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(element) -> str:
    return " ".join(element.get_text(" ").split())


def resource_named(name: str) -> Resource:
    return db.session.query(Resource).filter_by(name=name).one()


def test_the_three_showcased_tools_are_on_resources_grouped_by_format(seeded_client):
    response = seeded_client.get("/resources")
    assert response.status_code == 200
    doc = page(response)
    titles = [text(h) for h in doc.select(".resource-title")]
    assert sorted(titles) == sorted(SHOWCASED)
    groups = {text(s.h2): [text(h) for h in s.select(".resource-title")] for s in doc.select("section")}
    assert groups == {
        "Card": ["London Ambulance Service chemsex support card"],
        "Pack": ["PIP PAC safer chemsex pack"],
        "Booklet or leaflet": ["SAFER pack (print)"],
    }
    assert doc.select_one("#quick-exit") is not None
    assert response.headers["Cache-Control"] == "no-store"


def test_one_format_is_a_plain_link_and_an_unknown_one_says_so(seeded_client):
    doc = page(seeded_client.get("/resources"))
    card_link = next(a for a in doc.select(".filter-tags a") if text(a).startswith("Card"))
    assert text(card_link) == "Card (1)"
    only_cards = page(seeded_client.get(card_link["href"]))
    assert [text(h) for h in only_cards.select(".resource-title")] == [SHOWCASED[0]]
    assert only_cards.select_one('.filter-tags a[aria-current="page"]')["href"] == card_link["href"]
    unknown = seeded_client.get("/resources?format=poster")
    assert unknown.status_code == 400
    assert "There is no format by that name" in text(page(unknown))
    assert len(page(unknown).select(".resource-title")) == 3


def test_the_seeded_tools_keep_their_sources_and_confidence(seeded_client):
    row = load_sources()["London Ambulance Service chemsex harm-reduction card"]
    card = resource_named(SHOWCASED[0])
    doc = page(seeded_client.get(f"/resources/{card.id}"))
    links = [a["href"] for a in doc.select(".sources a")]
    assert links == [u.strip() for u in row["source_url"].split("|")]
    words = text(doc.select_one("main"))
    assert f"Confidence: {row['confidence']}" in words and f"Sources dated {row['source_date']}" in words
    assert "Made by London Ambulance Service NHS Trust" in words
    assert "Paramedics give it out at chemsex-related callouts" in words
    # The sources name no listed service that hands it out, and nobody has checked it yet: it says so.
    assert "Not known which listed services hand it out." in words
    assert "not yet checked by the people who make it" in words
    assert card.confidence == row["confidence"]


def test_the_three_tools_are_no_longer_listed_as_services(seeded_client):
    for row in ("London Ambulance Service chemsex harm-reduction card", "PIP PAC / 'Safer' chemsex pack"):
        assert db.session.get(Service, seed_id("service", row)) is None
        assert seeded_client.get(f"/services/{seed_id('service', row)}").status_code == 404
    results = page(seeded_client.get("/search?q=PIP+PAC"))
    # The service that makes it is still found; the pack itself is offered as a resource instead.
    assert [text(h) for h in results.select(".card-title")] == ["MEN R US (Gay Men's Health Collective)"]
    assert [text(a) for a in results.select(".resources-box li a")] == [SHOWCASED[1], SHOWCASED[2]]


def test_the_chemsex_pathways_harm_reduction_stage_shows_the_resources(seeded_client):
    doc = page(seeded_client.get("/pathways/chemsex-support"))
    stages = doc.select("li.stage")
    first = [text(h) for h in stages[0].select(".resource-title")]
    assert sorted(first) == sorted(SHOWCASED)
    assert all(not stage.select(".resource-title") for stage in stages[1:])
    link = stages[0].select_one(".resource-title a")["href"]
    assert seeded_client.get(link).status_code == 200


def test_a_resource_page_links_back_to_its_pathway_stages(seeded_client):
    pack = resource_named(SHOWCASED[1])
    doc = page(seeded_client.get(f"/resources/{pack.id}"))
    stages = [text(a) for a in doc.select(".details a")]
    assert stages == [
        "Chemsex support: Harm-reduction information",
        "Entering drug and alcohol treatment: Information and helplines",
    ]
    assert doc.select_one('a[href="https://menrus.co.uk"]') is not None


def test_services_that_hand_it_out_are_linked_both_ways(app, world, make):
    join_network(world.org_a)
    closed = make.service("Closed clinic", organisation=world.org_a)
    closed.status = "defunct"
    db.session.commit()
    resource = published_resource(world, service_ids=sorted([world.service_a.id, closed.id]))
    client = app.test_client()
    doc = page(client.get(f"/resources/{resource.id}"))
    handed_out = [text(a) for a in doc.select("main ul a") if "/services/" in a["href"]]
    assert handed_out == ["A's clinic"]  # a closed service is not offered to the public
    service_page = page(client.get(f"/services/{world.service_a.id}"))
    back = [a for a in service_page.select("main a") if a["href"].startswith("/resources/")]
    assert [text(a) for a in back] == ["Safer partying card"]
    assert text(page(client.get(f"/services/{world.service_b.id}"))).count("Safer partying card") == 0


def test_a_resource_waiting_for_review_is_not_public(app, world):
    join_network(world.org_a)
    revision = propose_resource(world)
    client = app.test_client()
    assert client.get(f"/resources/{revision.item_id}").status_code == 404
    assert "Safer partying card" not in client.get("/resources").get_data(as_text=True)
    assert "No harm-reduction resources are listed yet." in text(page(client.get("/resources")))


def test_resource_pages_ask_nothing_of_other_sites(seeded_client):
    pack = resource_named(SHOWCASED[1])
    for path in ("/resources", f"/resources/{pack.id}"):
        doc = page(seeded_client.get(path))
        loaded = [e.get("src") for e in doc.select("[src]")] + [
            e.get("href") for e in doc.select("link[href]")
        ]
        assert all(not urlsplit(u).netloc for u in loaded), loaded
        # Links to other sites send no referrer.
        for a in doc.select("main a[href^='http']"):
            assert "noreferrer" in a.get("rel", []), a
