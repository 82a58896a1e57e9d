"""Search finds harm-reduction resources too: a short box beside the service results, in the same words."""

import pytest
from bs4 import BeautifulSoup

from directory.extensions import db
from directory.models import ContentStatus
from directory.moderation import content
from directory.resources import finding
from tests.conftest import counting_queries
from tests.resources.helpers import join_network, propose_resource, published_resource


def box(client, words) -> list[str]:
    response = client.get("/search", query_string={"q": words})
    doc = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [" ".join(a.get_text().split()) for a in doc.select(".resources-box li a")]


@pytest.fixture
def resources(app, world):
    join_network(world.org_a)
    published_resource(world)  # "Safer partying card": on G, crystal meth and mephedrone
    published_resource(
        world, name="Naloxone leaflet", format="booklet",
        description="How to give naloxone to someone who has overdosed on opioids.",
        audience="Anyone who uses opioids, and their friends.",
    )
    return world


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("tina", ["Safer partying card"]),  # the card says "crystal meth": the vocabulary joins them
        ("meow meow", ["Safer partying card"]),
        ("GHB", ["Safer partying card"]),
        ("overdose reversal", ["Naloxone leaflet"]),  # a phrase of the naloxone concept
        ("card", ["Safer partying card"]),  # its format
        ("leaflet opioids", ["Naloxone leaflet"]),
        ("opioids tina", []),  # every word must be found, as in the service search
        ("PEP", []),
        ("", []),
    ],
)
def test_the_box_shows_the_resources_the_words_are_about(resources, words, found):
    assert box(_client(), words) == found


def _client():
    from flask import current_app

    return current_app.test_client()


def test_the_box_links_to_each_resource_and_the_title_keeps_no_search_words(resources):
    client = _client()
    html = client.get("/search?q=tina").get_data(as_text=True)
    doc = BeautifulSoup(html, "html.parser")
    link = doc.select_one(".resources-box li a")["href"]
    assert client.get(link).status_code == 200
    assert "tina" not in doc.title.get_text().lower()
    assert doc.select_one(".resources-box a[href='/resources']") is not None


def test_no_box_when_nothing_matches_or_the_words_are_refused(resources):
    client = _client()
    assert box(client, "sexual health clinic") == []
    refused = client.get("/search", query_string={"q": "tina\x00"})
    assert refused.status_code == 400 and "resources-box" not in refused.get_data(as_text=True)


def test_a_resource_waiting_for_review_is_not_found_and_an_approved_one_is_at_once(app, world):
    join_network(world.org_a)
    client = app.test_client()
    assert box(client, "tina") == []  # read (and kept) while there is nothing
    revision = propose_resource(world)
    assert box(client, "tina") == []
    content.approve(revision, admin=world.admin)
    db.session.commit()
    assert box(client, "tina") == ["Safer partying card"]  # the commit cleared the kept copy
    resource = content.item_of(revision)
    resource.status = ContentStatus.WITHDRAWN
    db.session.commit()
    assert box(client, "tina") == []


def test_kept_or_read_every_time_the_box_is_the_same(resources):
    client = _client()
    kept = [box(client, w) for w in ("tina", "naloxone", "card", "PEP")]
    client.application.config["RESOURCE_SEARCH_SECONDS"] = 0
    assert [box(client, w) for w in ("tina", "naloxone", "card", "PEP")] == kept
    assert kept == [["Safer partying card"], ["Naloxone leaflet"], ["Safer partying card"], []]


def test_a_warm_results_page_still_reads_no_rows_for_the_box(resources, make):
    make.service("Tina clinic", organisation=resources.org_a, description="A service for tina users.")
    client = _client()
    client.get("/search?q=tina")  # warm: reference data and resources are read once a minute
    with counting_queries() as statements:
        assert box(client, "tina") == ["Safer partying card"]
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1 and "resource" not in reads[0], statements  # only the visibility re-check


def test_matching_reads_concepts_from_the_resource_too(resources):
    found = finding.published()
    assert {f.name for f in finding.matching("crystal", found)} == {"Safer partying card"}


def test_an_everyday_word_sharing_a_stem_with_slang_is_not_the_drug(resources):
    published_resource(resources, name="Cocaine and your heart", audience="Anyone who uses cocaine.",
                       description="What cocaine does to the heart.")
    client = _client()
    assert box(client, "chang") == ["Cocaine and your heart"]  # a street name for cocaine
    assert box(client, "change") == []  # "I want to change" is not about cocaine
