"""The public network pages: members with what they offer, how to join, events upcoming then past."""

from datetime import date, time

from directory.extensions import db
from directory.models import NetworkSettings
from tests.accounts_helpers import page
from tests.network.helpers import propose_event, published_event


def test_the_network_page_lists_members_with_links_to_their_listings(network, client):
    soup = page(client.get("/network/"))
    members = soup.select(".member-list > li")
    assert [m.h3.get_text(strip=True) for m in members] == ["Agency A"]  # B is not a member
    assert "Member since 23 June 2017" in members[0].get_text(" ", strip=True)
    assert [a["href"] for a in members[0].select("a")] == [f"/services/{network.service_a.id}"]


def test_the_network_page_says_when_no_join_contact_is_set(network, client):
    text = page(client.get("/network/")).select_one("main").get_text(" ", strip=True)
    assert "No contact for joining the network has been set yet." in text


def test_the_network_page_shows_the_join_contact_admins_set(network, client):
    db.session.add(NetworkSettings(id=1, join_email="join@example.org", join_details="Ask at a meeting."))
    db.session.commit()
    soup = page(client.get("/network/"))
    assert soup.select_one('a[href="mailto:join@example.org"]') is not None
    assert "Ask at a meeting." in soup.get_text()


def test_a_members_upcoming_events_are_on_the_network_page(network, client):
    event = published_event(network, title="Autumn meeting", day=date(2099, 10, 1))
    member = page(client.get("/network/")).select_one(".member-list > li")
    assert member.select_one(f'a[href="/network/events/{event.id}"]').get_text() == "Autumn meeting"


def test_events_page_lists_upcoming_first_then_past_and_not_pending_ones(network, client):
    published_event(network, title="Next year", day=date(2099, 1, 1))
    published_event(network, title="Long ago", day=date(2017, 6, 23), starts=None, ends=None)
    propose_event(network, title="Waiting for review")
    soup = page(client.get("/network/events"))
    headings = [h.get_text(strip=True) for h in soup.select("main h2, main h3")]
    assert headings == ["Upcoming events", "Next year", "Past events", "Long ago"]
    assert "Friday 23 June 2017 (time not recorded)" in soup.get_text()
    assert soup.select_one('a[href="/network/events.ics"]') is not None


def test_an_event_page_says_what_is_not_recorded(network, client):
    event = published_event(network, title="Bare", starts=None, ends=None, audience="", registration_url="")
    event.organisation_id = None
    db.session.commit()
    soup = page(client.get(f"/network/events/{event.id}"))
    details = {div.dt.get_text(strip=True): div.dd.get_text(" ", strip=True) for div in soup.select("dl div")}
    assert details["Who it is for"] == "Not recorded"
    assert details["Organiser"] == "Not recorded"
    assert details["Registration"] == "No registration link is recorded."
    assert "(time not recorded)" in details["When (London time)"]


def test_an_event_page_escapes_what_the_agency_typed(network, client):
    event = published_event(
        network, title="<script>alert(1)</script>", day=date(2099, 1, 1), starts=time(9, 0)
    )
    html = client.get(f"/network/events/{event.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_an_unpublished_event_page_is_not_found(network, client):
    revision = propose_event(network)
    assert client.get(f"/network/events/{revision.item_id}").status_code == 404
