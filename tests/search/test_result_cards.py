"""Result cards come from the listing stored in the index, and say what the database says."""

import re
from datetime import datetime, time
from urllib.parse import parse_qs, urlsplit

from flask import url_for
from sqlalchemy import select

from directory import clock, hours, moderation, revisions, search
from directory.extensions import db
from directory.models import Service, TaxonomyTerm
from directory.public import cards
from directory.public.views import CARD_LOADING
from directory.search import documents
from tests.conftest import counting_queries


def test_cards_from_the_index_equal_cards_from_the_database(seeded_app):
    result = search.search(search.SearchRequest(per_page=None))
    assert result.total == 84
    services = {s.id: s for s in db.session.scalars(select(Service).options(*CARD_LOADING))}
    catalogue = search.catalogue()
    for hit in result.hits:
        assert cards.from_listing(hit.listing, catalogue) == cards.from_service(services[hit.listing.id])


def test_a_stored_listing_reads_back_unchanged(seeded_app):
    ids = list(db.session.scalars(select(Service.id)))
    for listing in documents.listings_from_rows(db.session, ids).values():
        assert documents.decode_listing(documents.encode_listing(listing)) == listing


def test_a_results_page_reads_no_listing_rows(app, make):
    org = make.organisation(name="Vauxhall Friends")
    for n in range(20):
        make.service(name=f"Zyxomba clinic {n}", organisation=org, description="A zyxomba service.",
                     postcode="SW9 8BS", hours=[(d, "09:00", "17:00") for d in range(7)])
    client = app.test_client()
    client.get("/search?q=zyxomba")  # warm: reference data is read once a minute
    with counting_queries() as statements:
        page = client.get("/search?q=zyxomba").get_data(as_text=True)
    assert page.count('class="card"') == 20
    assert "Vauxhall Friends" in page and "Lambeth" in page  # organisation and borough on each card
    # One statement re-checks that the page's services are still published; nothing loads them.
    assert len(statements) == 1, statements
    assert not any(re.search(r"\b(schedule|location|taxonomy_term|organisation)\b", s) for s in statements)


def test_verifying_a_listing_shows_on_its_card(app, make):
    service = make.service(name="Zyxomba clinic", seeded=True)
    admin = make.user(is_admin=True)
    client = app.test_client()
    assert "Not yet verified by the service" in client.get("/search?q=zyxomba").get_data(as_text=True)
    moderation.verify(db.session.get(Service, service.id), admin)
    db.session.commit()
    page = client.get("/search?q=zyxomba").get_data(as_text=True)
    assert "Last verified" in page and "Not yet verified" not in page


def test_card_links_carry_the_signposting_list(app, make):
    listed = make.service(name="Zyxomba clinic A")
    other = make.service(name="Zyxomba clinic B")
    page = app.test_client().get(f"/search?q=zyxomba&s={listed.id}").get_data(as_text=True)
    links = re.findall(r'href="([^"]+)"', page)
    with app.test_request_context(f"/search?q=zyxomba&s={listed.id}"):
        for service in (listed, other):
            back = "/search?q=zyxomba"
            expected = url_for("public.service", service_id=service.id, s=[listed.id], back=back)
            assert expected.replace("&", "&amp;") in links
    add_links = re.findall(r'class="[^"]*add-to-list[^"]*" href="([^"]+)"', page)
    adding = [link.replace("&amp;", "&") for link in add_links]
    lists = sorted(parse_qs(urlsplit(link).query)["s"] for link in adding)
    # Adding the one already listed leaves the list as it is; adding the other appends it.
    assert lists == sorted([[listed.id], [listed.id, other.id]])
    assert all(parse_qs(urlsplit(link).query)["back"] == ["/search?q=zyxomba"] for link in adding)


def test_a_changed_listing_shows_its_new_name_escaped_and_its_opening_status(app, make):
    service = make.service(name="Zyxomba clinic", postcode="SW9 8BS",
                           hours=[(d, "00:00", "00:00") for d in range(7)])
    client = app.test_client()
    assert "Zyxomba clinic" in client.get("/search?q=zyxomba").get_data(as_text=True)
    service.name = "Zyxomba <b>night</b> clinic"
    with revisions.recording(kind="system", author_label="test"):
        db.session.commit()
    page = client.get("/search?q=zyxomba").get_data(as_text=True)
    assert "Zyxomba &lt;b&gt;night&lt;/b&gt; clinic" in page and "<b>night" not in page
    assert re.findall(r'class="status [^"]+">([^<]+)<', page) == ["Open 24 hours"]


def test_a_card_says_when_it_closes_to_the_minute():
    card = cards.Card(id="x", name="Clinic", organisation="", lgbtq_specific=False, types=(), where="",
                      who_for="", routes=(), sessions=(hours.Session(0, time(9), time(17)),),
                      verified_at=None, seeded=False)
    monday = datetime(2026, 11, 23, tzinfo=clock.LONDON)
    assert card.status(monday.replace(hour=16, minute=59, second=59)) == "Open now, until 17:00"
    assert card.status(monday.replace(hour=17)) == "Closed, opens Monday 09:00"
    assert card.status(monday.replace(hour=8, minute=59, second=30)) == "Closed, opens today 09:00"


def test_the_results_recheck_agrees_with_the_index_on_what_is_listed(app, make):
    from directory.search import listed

    shown = make.service(name="Listed")
    hidden = make.service(name="Unpublished", is_published=False)
    closed = make.service(name="Closed", status="defunct")
    ids = [shown.id, hidden.id, closed.id, "00000000-0000-0000-0000-000000000000"]
    assert listed.still_listed(ids) == listed.listed(db.session, ids) == {shown.id}


def test_a_card_follows_its_listing_and_the_reference_data(app, make):
    service = make.service(name="Zyxomba clinic", types=("sexual-health",))
    client = app.test_client()
    card_type = re.compile(r"<dt>Type</dt><dd>([^<]*)</dd>")
    page = client.get("/search?q=zyxomba").get_data(as_text=True)
    assert card_type.findall(page) == ["Sexual health clinic (GUM)"]
    term = db.session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.code == "sexual-health")).one()
    term.name = "Sexual and reproductive health"
    db.session.commit()
    search.catalogue().fresh(max_age=0)  # reference data is re-read once a minute
    page = client.get("/search?q=zyxomba").get_data(as_text=True)
    assert card_type.findall(page) == ["Sexual and reproductive health"]
    service.name = "Zyxomba evening clinic"
    with revisions.recording(kind="system", author_label="test"):
        db.session.commit()
    assert "Zyxomba evening clinic" in client.get("/search?q=zyxomba").get_data(as_text=True)
