"""What a service says about new referrals shows on result cards and its page, dated, and goes out of date."""

from datetime import UTC, datetime

from sqlalchemy import select

from directory import capacity, search
from directory.extensions import db
from directory.models import Service
from directory.public import cards
from directory.public.views import CARD_LOADING
from directory.search import documents
from tests.public.test_card_rendering import _both_ways

SAID = "2026-11-03T10:00:00+00:00"
A_WEEK_LATER = "2026-11-10T10:00:00+00:00"
TWO_MONTHS_LATER = "2027-01-03T10:00:00+00:00"


def _state(service_id, choice, weeks=None, by=None):
    capacity.state_capacity(db.session.get(Service, service_id), choice, weeks, by)
    db.session.commit()


def _cards(client, query="zyxomba"):
    return client.get(f"/search?q={query}").get_data(as_text=True)


def test_a_statement_reaches_the_result_cards_and_is_dated(app, make):
    waiting = make.service(name="Zyxomba clinic", description="A zyxomba service.")
    make.service(name="Zyxomba drop-in", description="Another zyxomba service.")
    client = app.test_client()
    assert "New referrals" not in _cards(client)  # nothing said: no row, nothing made up

    app.config["DIRECTORY_NOW"] = SAID
    _state(waiting.id, "waiting_list", 6)

    app.config["DIRECTORY_NOW"] = A_WEEK_LATER
    page = _cards(client)
    assert page.count("<dt>New referrals</dt>") == 1
    assert "Waiting list: about 6 weeks (said on 3 November 2026)" in page


def test_a_card_goes_out_of_date_with_the_clock_not_with_the_index(app, make):
    service = make.service(name="Zyxomba clinic", description="A zyxomba service.")
    app.config["DIRECTORY_NOW"] = SAID
    _state(service.id, "accepting")
    client = app.test_client()
    app.config["DIRECTORY_NOW"] = A_WEEK_LATER
    assert "Accepting new referrals (said on 3 November 2026)" in _cards(client)

    app.config["DIRECTORY_NOW"] = TWO_MONTHS_LATER  # the same index, the same cached frame
    page = _cards(client)
    assert ("Accepting new referrals. Said on 3 November 2026; may be out of date — check with the service"
            in page)


def test_changing_and_clearing_a_statement_re_indexes_the_card(app, make):
    service = make.service(name="Zyxomba clinic", description="A zyxomba service.")
    client = app.test_client()
    _state(service.id, "accepting")
    assert "Accepting new referrals" in _cards(client)
    _state(service.id, "not_accepting")
    page = _cards(client)
    assert "Not taking new referrals at the moment" in page and "Accepting new referrals" not in page
    capacity.clear(db.session.get(Service, service.id), None)
    db.session.commit()
    assert "New referrals" not in _cards(client)


def test_cards_are_the_same_bytes_with_and_without_frames(seeded_app, seeded_pinned):
    ids = sorted(db.session.scalars(select(Service.id)))
    # One fresh, one out of date, one of each state, and the text escaped.
    _state(ids[0], "accepting")
    _state(ids[1], "waiting_list", 0)
    _state(ids[2], "waiting_list", 12)
    _state(ids[3], "not_accepting")
    client = seeded_app.test_client()
    pages = [f"/search?page={n}" for n in range(1, 6)]
    seen = b""
    for url in pages:
        cold, plain, warm = _both_ways(seeded_app, client, url)
        assert cold == plain == warm, url
        seen += cold
    assert seen.count(b"<dt>New referrals</dt>") == 4
    assert b"Waiting list: less than a week" in seen


def test_cards_from_the_index_equal_cards_from_the_database_with_statements(seeded_app):
    ids = sorted(db.session.scalars(select(Service.id)))
    _state(ids[0], "waiting_list", 3)
    _state(ids[5], "not_accepting")
    result = search.search(search.SearchRequest(per_page=None))
    services = {s.id: s for s in db.session.scalars(select(Service).options(*CARD_LOADING))}
    catalogue = search.catalogue()
    for hit in result.hits:
        assert cards.from_listing(hit.listing, catalogue) == cards.from_service(services[hit.listing.id])
    stored = {hit.listing.id: hit.listing for hit in result.hits}
    assert (stored[ids[0]].capacity, stored[ids[0]].capacity_wait_weeks) == ("waiting_list", 3)
    assert stored[ids[5]].capacity_stated_at is not None
    for listing in documents.listings_from_rows(db.session, ids).values():
        assert documents.decode_listing(documents.encode_listing(listing)) == listing


def test_the_service_page_says_what_the_service_said_or_that_it_has_not(app, make):
    service = make.service(name="Zyxomba clinic")
    client = app.test_client()
    assert "the service has not said whether it is taking new referrals" in client.get(
        f"/services/{service.id}").get_data(as_text=True)
    app.config["DIRECTORY_NOW"] = SAID
    _state(service.id, "waiting_list", 1)
    app.config["DIRECTORY_NOW"] = A_WEEK_LATER
    page = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert "Waiting list: about 1 week (said on 3 November 2026)." in page
    app.config["DIRECTORY_NOW"] = TWO_MONTHS_LATER
    page = client.get(f"/services/{service.id}").get_data(as_text=True)
    assert "Said on 3 November 2026; may be out of date — check with the service." in page


def test_the_service_page_says_how_the_listing_was_last_verified(app, make):
    from directory import moderation

    service = make.service(name="Zyxomba clinic")
    admin = make.user(is_admin=True)
    app.config["DIRECTORY_NOW"] = SAID
    moderation.verify(db.session.get(Service, service.id), admin, method="visit")
    db.session.commit()
    page = app.test_client().get(f"/services/{service.id}").get_data(as_text=True)
    assert "by visiting the service" in page
    moderation.verify(db.session.get(Service, service.id), admin)  # an older caller: method unknown
    db.session.commit()
    page = app.test_client().get(f"/services/{service.id}").get_data(as_text=True)
    assert "Last verified" in page and "by visiting" not in page


def test_a_statement_is_dated_in_london(app):
    late = Service(capacity="accepting", capacity_stated_at=datetime(2026, 7, 3, 23, 30, tzinfo=UTC))
    assert capacity.state(late, datetime(2026, 7, 5, tzinfo=UTC), 30).said_on == "4 July 2026"  # BST


def test_the_signposting_list_its_printed_sheet_and_its_text_say_what_the_service_said(app, make):
    """A frontline worker hands the list over: a waiting list or a closed list is on it, dated."""
    waiting = make.service(name="Zyxomba clinic", description="A zyxomba service.")
    silent = make.service(name="Zyxomba drop-in", description="Another zyxomba service.")
    app.config["DIRECTORY_NOW"] = SAID
    _state(waiting.id, "waiting_list", 6)
    app.config["DIRECTORY_NOW"] = A_WEEK_LATER
    client = app.test_client()
    said = "Waiting list: about 6 weeks (said on 3 November 2026)"
    ids = f"s={waiting.id}&s={silent.id}"
    listed = client.get(f"/list?{ids}").get_data(as_text=True)
    printed = client.get(f"/list/print?{ids}").get_data(as_text=True)
    for page in (listed, printed):
        assert page.count("<strong>New referrals:</strong>") == 1  # the drop-in said nothing: nothing made up
        assert said in page
    # The text to copy into an email or a text message carries it beside the service's name.
    text = listed.split('id="list-text"', 1)[1]
    assert "1. Zyxomba clinic\n   How to get in: " in text
    assert f"   New referrals: {said}" in text.split("2. Zyxomba drop-in")[0]
    assert "New referrals" not in text.split("2. Zyxomba drop-in")[1]
