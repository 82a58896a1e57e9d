"""The two dated events the documents give are seeded as past, all-day events, and nothing is invented."""

from sqlalchemy import select

from directory.extensions import db
from directory.models import Event, User
from directory.moderation import content
from directory.network import events
from directory.seed import network as network_seed


def test_the_two_dated_events_are_seeded_as_past_all_day_events(seeded_app):
    seeded = {e.title: e for e in db.session.scalars(select(Event))}
    assert set(seeded) == {"Network meeting", "London Chemsex Conference"}
    conference, meeting = seeded["London Chemsex Conference"], seeded["Network meeting"]
    assert events.first_day(conference).isoformat() == "2024-06-07"
    assert events.first_day(meeting).isoformat() == "2017-06-23"
    assert conference.place == "Camden Town Hall" and meeting.place == ""
    for event in seeded.values():
        assert event.all_day and event.is_published and events.is_over(event)
        assert event.organisation_id is None and event.registration_url == ""
        assert event.source_note.startswith("Issue 20")
        assert [(r.action, r.number) for r in content.history(events.KIND, event.id)] == [("seed", 1)]
    assert events.listed().upcoming == []


def test_seeding_again_changes_nothing(seeded_app):
    report = network_seed.seed_events()
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)


def test_an_event_an_admin_changed_is_left_alone_by_the_seed(seeded_app):
    admin = User(email="admin@example.org", is_admin=True)
    db.session.add(admin)
    db.session.flush()
    event = db.session.scalar(select(Event).where(Event.title == "Network meeting"))
    changed = {**events.take(event), "place": "A venue an admin found out later"}
    content.publish_directly(events.KIND, event, changed, admin=admin)
    db.session.commit()
    report = network_seed.seed_events()
    assert report.kept == 1
    assert event.place == "A venue an admin found out later"


def test_the_seeded_pages_answer(seeded_app):
    client = seeded_app.test_client()
    for url in ("/network/", "/network/events", "/network/events.ics"):
        assert client.get(url).status_code == 200, url
    assert "London Chemsex Conference" in client.get("/network/events").get_data(as_text=True)
