"""A card says how to reach a service: its phone numbers, else what to do instead, never a made-up number."""

import pytest
from flask import current_app
from sqlalchemy import select

from directory import revisions, search
from directory.extensions import db
from directory.models import Phone, Service
from directory.public import card_rendering, cards, facts
from directory.public.views import CARD_LOADING

from .conftest import PINNED_NOW, page, text

NHS_111 = "ask NHS 111 or check with whoever referred you"


def card_of(client, name):
    doc = page(client.get("/search", query_string={"q": name}))
    [found] = [c for c in doc.select("article.card") if text(c.select_one(".card-title")) == name]
    return found


def fact(card, term):
    [dd] = [dt.find_next_sibling("dd") for dt in card.select("dt") if text(dt) == term]
    return dd


def test_listed_phones_are_tel_links(client, make):
    make.service(name="Zyxomba clinic", postcode="SW9 8BS", url="https://zyxomba.example.org",
                 phones=[Phone(number="020 7123 4567", description="appointments", position=0),
                         Phone(number="+44 (0)300 123 1234", position=1)])
    contact = fact(card_of(client, "Zyxomba clinic"), "Contact")
    links = [(a["href"], text(a)) for a in contact.select("a")]
    assert links == [("tel:02071234567", "020 7123 4567"), ("tel:+4403001231234", "+44 (0)300 123 1234")]
    assert text(contact) == "020 7123 4567 (appointments), +44 (0)300 123 1234"
    assert "website" not in text(contact)


def test_with_no_phone_the_card_points_to_the_website(client, make):
    make.service(name="Zyxomba clinic", postcode="SW9 8BS", url="https://zyxomba.example.org/times")
    card = card_of(client, "Zyxomba clinic")
    contact = fact(card, "Contact")
    assert text(contact) == "No phone listed: see their website"
    assert contact.a["href"] == "https://zyxomba.example.org/times"
    # Described by the card's title, so a screen reader says whose site it is.
    assert text(card.select_one(f'#{contact.a["aria-describedby"]}')) == "Zyxomba clinic"
    # No hours either: the Opening line says so, and where to check.
    assert text(fact(card, "Opening")) == "Opening times not listed Check their website before you go."


@pytest.mark.parametrize(("routes", "step"), [
    (("gp-referral",), "No phone listed: ask your GP to refer you"),
    (("professional-referral",),
     "No phone listed: ask a professional (a GP, clinic or support worker) to refer you"),
    (("gp-referral", "professional-referral"),
     "No phone listed: ask your GP or another professional to refer you"),
    (("self-referral",), f"No phone or opening times listed: {NHS_111}"),
])
def test_with_no_phone_or_website_the_card_names_the_referral_route_or_who_to_ask(client, make, routes, step):
    make.service(name="Zyxomba service", postcode="SW9 8BS", routes=routes)
    contact = fact(card_of(client, "Zyxomba service"), "Contact")
    assert text(contact) == step and contact.a is None


def test_a_service_with_hours_but_no_contact_says_only_the_phone_is_missing(app, client, make):
    app.config["DIRECTORY_NOW"] = PINNED_NOW
    make.service(name="Zyxomba drop-in", postcode="SW9 8BS", routes=("self-referral",),
                 hours=[(2, "09:00", "17:00")])
    make.service(name="Zyxomba walk-in", postcode="SW9 8BS", routes=("walk-in",),
                 hours=[(2, "09:00", "17:00")])
    drop_in = card_of(client, "Zyxomba drop-in")
    assert text(fact(drop_in, "Contact")) == f"No phone listed: {NHS_111}"
    assert text(fact(drop_in, "Opening")) == "Open now, until 17:00"
    walk_in = card_of(client, "Zyxomba walk-in")
    assert text(fact(walk_in, "Contact")) == "No phone listed: walk in during its opening times"


def test_the_opening_line_gives_the_listings_own_note_or_how_to_check(client, make):
    service = make.service(name="Zyxomba clinic", postcode="SW9 8BS", commit=False,
                           phones=[Phone(number="020 7123 4567")])
    service.service_at_locations[0].hours_note = "By appointment only"
    with revisions.recording(kind="system", author_label="test"):
        db.session.commit()
    make.service(name="Zyxomba helpline", location_type="virtual", phones=[Phone(number="0800 123 456")])
    clinic, helpline = card_of(client, "Zyxomba clinic"), card_of(client, "Zyxomba helpline")
    assert text(fact(clinic, "Opening")) == "Opening times not listed By appointment only"
    assert text(fact(helpline, "Opening")) == "Opening times not listed Call before you go."


def test_a_changed_phone_shows_on_the_card_after_the_edit(client, make):
    service = make.service(name="Zyxomba clinic", postcode="SW9 8BS")
    assert "No phone" in text(fact(card_of(client, "Zyxomba clinic"), "Contact"))
    service = db.session.get(Service, service.id)
    service.phones = [Phone(number="020 7000 0000")]
    with revisions.recording(kind="system", author_label="test"):
        db.session.commit()
    assert text(fact(card_of(client, "Zyxomba clinic"), "Contact")) == "020 7000 0000"


def test_cards_from_the_index_and_from_the_database_agree_and_render_the_same_both_ways(app, make):
    service = make.service(name="Zyxomba clinic", postcode="SW9 8BS", url="https://zyxomba.example.org",
                           routes=("gp-referral",), commit=False, phones=[Phone(number="020 7123 4567")])
    service.service_at_locations[0].hours_note = "Walk-in times on the website"
    make.service(name="Zyxomba outreach", postcode="SW9 8BS", routes=("professional-referral",))
    with revisions.recording(kind="system", author_label="test"):
        db.session.commit()
    result = search.search(search.SearchRequest(text="zyxomba", per_page=None))
    assert result.total == 2
    services = {s.id: s for s in db.session.scalars(select(Service).options(*CARD_LOADING))}
    with app.test_request_context("/search?q=zyxomba"):
        macros = current_app.jinja_env.get_template("public/_macros.html").module
        for hit in result.hits:
            card = cards.from_listing(hit.listing, search.catalogue())
            assert card == cards.from_service(services[hit.listing.id])
            parts = dict(service_href="/s", add_href="/a", status=card_rendering.status_badge(""))
            framed = card_rendering.render(macros, card, **parts)
            assert framed == card_rendering.render_whole(macros, card, **parts)
            # The print view's wording for a Service is the card's.
            assert facts.service_no_phone_step(services[hit.listing.id]) == card.contact


def test_only_usable_web_addresses_become_links():
    assert facts.website("https://example.org/a") == "https://example.org/a"
    assert facts.website("javascript:alert(1)") == facts.website("example.org") == facts.website(None) == ""
    step = facts.no_phone_step("", ("walk-in",), has_hours=False)
    assert str(step) == f"No phone or opening times listed: {NHS_111}"
    assert str(facts.no_phone_step("https://example.org", (), True)) == (
        "No phone listed: see their website (https://example.org)")


def test_a_long_hours_note_is_shortened_and_repeats_are_dropped():
    assert facts.hours_note_text(["By appointment", " By appointment ", "", "Walk-in Fridays"]) == (
        "By appointment; Walk-in Fridays")
    long = facts.hours_note_text(["word " * 100])
    assert len(long) <= facts.MAX_HOURS_NOTE + 1 and long.endswith("…")


def test_a_page_of_twenty_seeded_cards_stays_light(client, seeded_app):
    response = client.get("/search?q=support")
    doc = page(response)
    assert len(doc.select("article.card")) == 20
    assert all(fact(card, "Contact") for card in doc.select("article.card"))
    assert len(response.get_data()) < 100_000
