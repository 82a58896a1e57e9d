"""iCalendar feeds of network events (RFC 5545, written by the `icalendar` library).

Timed events carry DTSTART/DTEND with TZID=Europe/London and the VTIMEZONE that defines it, so
a calendar shows the right wall-clock time on either side of a clock change. All-day events
(only the dates known) are VALUE=DATE, ending the day after their last day as the standard says.
Links are built on DIRECTORY_BASE_URL, never on the request's Host.
"""

from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit

import icalendar
from flask import current_app

from ..links import external_url
from ..models import Event
from ..models.base import as_utc, utcnow
from . import events

PRODUCT_ID = "-//London care pathway directory//Network events//EN"


def _uid(event: Event) -> str:
    host = urlsplit(current_app.config["DIRECTORY_BASE_URL"]).hostname or "directory"
    return f"event-{event.id}@{host}"


def _component(event: Event) -> icalendar.Event:
    item = icalendar.Event()
    item.add("uid", _uid(event))
    item.add("dtstamp", utcnow())
    item.add("summary", event.title)
    if event.all_day:
        item.add("dtstart", events.first_day(event))
        item.add("dtend", events.last_day(event) + timedelta(days=1))
    else:
        item.add("dtstart", events.in_london(event.starts_at))
        item.add("dtend", events.in_london(event.ends_at))
    where = [event.place] if event.place else []
    if event.is_online:
        where.append("Online")
    if where:
        item.add("location", ", ".join(line.strip() for line in where))
    page = external_url("network.event", event_id=event.id)
    item.add("url", page)
    item.add("description", _description(event, page))
    item.add("created", as_utc(event.created_at))
    return item


def _description(event: Event, page: str) -> str:
    lines = [event.description] if event.description else []
    if event.audience:
        lines.append(f"Who it is for: {event.audience}")
    lines.append(f"Organiser: {event.organisation.name if event.organisation else 'not recorded'}")
    if event.all_day:
        lines.append("Start and end times were not recorded.")
    if event.registration_url:
        lines.append(f"Registration: {event.registration_url}")
    lines.append(f"Details: {page}")
    return "\n\n".join(lines)


def calendar(items: Iterable[Event], name: str) -> bytes:
    """Return an iCalendar document holding these events."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODUCT_ID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/London")
    for event in items:
        cal.add_component(_component(event))
    cal.add_missing_timezones()
    return cal.to_ical()
