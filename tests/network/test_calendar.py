"""The iCalendar feeds: they parse with the library and keep London wall-clock times across a clock change."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import icalendar

from directory.extensions import db
from directory.moderation import content
from directory.network import events
from tests.network.helpers import event_snapshot, propose_event, published_event

LONDON = ZoneInfo("Europe/London")
# The clocks go back at 02:00 BST on Sunday 25 October 2026 (the last Sunday of October).
BEFORE_CHANGE = date(2026, 10, 24)  # the Saturday before: BST, UTC+1
AFTER_CHANGE = date(2026, 10, 31)  # the Saturday after: GMT, UTC+0


def _feed(client, url="/network/events.ics"):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.data)


def _by_summary(calendar):
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def test_times_either_side_of_the_october_clock_change_stay_at_their_london_wall_clock_time(network, client):
    published_event(network, title="Before", day=BEFORE_CHANGE, starts=time(18, 0), ends=time(20, 30))
    published_event(network, title="After", day=AFTER_CHANGE, starts=time(18, 0), ends=time(20, 30))
    calendar = _feed(client)
    found = _by_summary(calendar)
    before, after = found["Before"].decoded("DTSTART"), found["After"].decoded("DTSTART")
    assert (before.replace(tzinfo=None), after.replace(tzinfo=None)) == (
        datetime(2026, 10, 24, 18, 0),
        datetime(2026, 10, 31, 18, 0),
    )
    # The same wall-clock time is a different UTC time on each side of the change.
    assert before.astimezone(ZoneInfo("UTC")).hour == 17
    assert after.astimezone(ZoneInfo("UTC")).hour == 18
    assert found["After"].decoded("DTEND").replace(tzinfo=None) == datetime(2026, 10, 31, 20, 30)
    assert found["Before"]["DTSTART"].params["TZID"] == "Europe/London"
    zones = [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")]
    assert zones == ["Europe/London"]


def test_the_vtimezone_itself_converts_to_the_right_utc_times(network, client):
    """A client that knows no zone names reads the offsets from the feed's VTIMEZONE alone."""
    published_event(network, title="Before", day=BEFORE_CHANGE, starts=time(9, 0), ends=time(10, 0))
    published_event(network, title="After", day=AFTER_CHANGE, starts=time(9, 0), ends=time(10, 0))
    calendar = _feed(client)
    zone = calendar.walk("VTIMEZONE")[0].to_tz()
    found = _by_summary(calendar)
    for summary, utc_hour in (("Before", 8), ("After", 9)):
        wall = found[summary].decoded("DTSTART").replace(tzinfo=None)
        assert wall.replace(tzinfo=zone).astimezone(ZoneInfo("UTC")).hour == utc_hour


def test_an_event_known_only_by_its_date_is_an_all_day_event(network, client):
    published_event(network, title="Conference", day=date(2024, 6, 7), starts=None, ends=None)
    event = _by_summary(_feed(client))["Conference"]
    assert event["DTSTART"].params.get("VALUE") == "DATE"
    assert event.decoded("DTSTART") == date(2024, 6, 7)
    assert event.decoded("DTEND") == date(2024, 6, 8)  # exclusive, as RFC 5545 says
    assert "not recorded" in str(event["DESCRIPTION"])


def test_the_feed_links_on_the_configured_address_and_holds_only_published_events(network, app, client):
    app.config["DIRECTORY_BASE_URL"] = "https://directory.example.org"
    event = published_event(network, title="Published")
    propose_event(network, title="Still waiting")
    found = _by_summary(_feed(client, "/network/events.ics"))
    assert set(found) == {"Published"}
    assert str(found["Published"]["URL"]) == f"https://directory.example.org/network/events/{event.id}"
    assert str(found["Published"]["UID"]).endswith("@directory.example.org")
    assert str(found["Published"]["LOCATION"]).startswith("Camden Town Hall")


def test_one_events_file_holds_that_event_only(network, client):
    event = published_event(network, title="Only this")
    published_event(network, title="Not this")
    response = client.get(f"/network/events/{event.id}.ics")
    assert "attachment" in response.headers["Content-Disposition"]
    assert set(_by_summary(_feed(client, f"/network/events/{event.id}.ics"))) == {"Only this"}


def test_an_unpublished_events_file_is_not_found(network, client):
    revision = propose_event(network)
    assert client.get(f"/network/events/{revision.item_id}.ics").status_code == 404
    assert client.get("/network/events/no-such-event.ics").status_code == 404


def test_a_changed_event_keeps_its_uid_so_calendars_update_it(network, client):
    event = published_event(network, title="First title")
    uid = str(_by_summary(_feed(client))["First title"]["UID"])
    content.publish_directly(
        events.KIND, event, event_snapshot(network.org_a, title="Second title"), admin=network.admin
    )
    db.session.commit()
    assert str(_by_summary(_feed(client))["Second title"]["UID"]) == uid
