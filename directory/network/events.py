"""Network events: their snapshot for moderation, London wall-clock times, and what the public sees.

Times are stored in UTC and shown and entered in Europe/London. When only an event's dates are
known (as for the seeded events) it is all-day: the page says the time was not recorded.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import url_for
from sqlalchemy import select

from ..clock import LONDON, in_london
from ..extensions import db
from ..models import ContentStatus, Event, Organisation
from ..models.base import as_utc, utcnow
from ..moderation import content

FIELDS = [
    ("title", "Title"),
    ("starts_at", "Starts"),
    ("ends_at", "Ends"),
    ("all_day", "Times"),
    ("place", "Place"),
    ("is_online", "Online"),
    ("audience", "Who it is for"),
    ("organisation_id", "Organiser"),
    ("description", "Description"),
    ("registration_url", "Registration link"),
]


class EventTimeError(ValueError):
    """A date or time that cannot be an event's; `field` names the form field it belongs beside."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


# --- London wall-clock times ------------------------------------------------------------------


def london_moment(day: date, clock: time | None, field: str) -> datetime:
    """Return the UTC moment of a London date and time (midnight without a time).

    Raises EventTimeError for a time the clocks skip when they go forward (e.g. 01:30 on the last
    Sunday of March). A time that happens twice when they go back is taken the first time.
    """
    wall = datetime.combine(day, clock or time(0), tzinfo=LONDON)
    moment = wall.astimezone(UTC).astimezone(LONDON)  # via UTC: astimezone to its own zone is a no-op
    if moment.replace(tzinfo=None) != wall.replace(tzinfo=None):
        raise EventTimeError(
            field, f"{clock:%H:%M} does not happen on {day:%-d %B %Y} in London: the clocks go forward."
        )
    return wall.astimezone(UTC)


def times_from_parts(
    start_date: date, start_time: time | None, end_date: date | None, end_time: time | None
) -> tuple[datetime, datetime, bool]:
    """Return (starts_at, ends_at, all_day) from a form's London dates and times, or raise EventTimeError."""
    end_date = end_date or start_date
    if start_time is None:
        if end_time is not None:
            raise EventTimeError("start_time", "Give a start time too, or leave both times blank.")
        if end_date < start_date:
            raise EventTimeError("end_date", "The last day must be on or after the first day.")
        return london_moment(start_date, None, "start_date"), london_moment(end_date, None, "end_date"), True
    if end_time is None:
        raise EventTimeError("end_time", "Give an end time too, or leave both times blank.")
    starts_at = london_moment(start_date, start_time, "start_time")
    ends_at = london_moment(end_date, end_time, "end_time")
    if ends_at <= starts_at:
        raise EventTimeError("end_time", "The event must end after it starts.")
    return starts_at, ends_at, False


def first_day(event: Event) -> date:
    return in_london(event.starts_at).date()


def last_day(event: Event) -> date:
    return in_london(event.ends_at).date()


def when(event: Event) -> str:
    """Say when an event is, in London time, for its page and listings."""
    start, end = in_london(event.starts_at), in_london(event.ends_at)
    if event.all_day:
        if start.date() == end.date():
            return f"{start:%A %-d %B %Y} (time not recorded)"
        return f"{start:%A %-d %B %Y} to {end:%A %-d %B %Y} (times not recorded)"
    if start.date() == end.date():
        return f"{start:%A %-d %B %Y}, {start:%H:%M} to {end:%H:%M}"
    return f"{start:%A %-d %B %Y}, {start:%H:%M} to {end:%A %-d %B %Y}, {end:%H:%M}"


# --- The snapshot moderation keeps --------------------------------------------------------------


def take(event: Event) -> dict:
    """Return the event as a JSON-safe snapshot (times as UTC ISO strings)."""
    return {
        "title": event.title,
        "starts_at": as_utc(event.starts_at).isoformat(),
        "ends_at": as_utc(event.ends_at).isoformat(),
        "all_day": bool(event.all_day),
        "place": event.place or "",
        "is_online": bool(event.is_online),
        "audience": event.audience or "",
        "organisation_id": event.organisation_id,
        "description": event.description or "",
        "registration_url": event.registration_url or "",
    }


def apply(event: Event, snapshot: dict) -> None:
    """Write a snapshot onto an event."""
    event.title = snapshot["title"]
    event.starts_at = datetime.fromisoformat(snapshot["starts_at"])
    event.ends_at = datetime.fromisoformat(snapshot["ends_at"])
    event.all_day = bool(snapshot.get("all_day"))
    event.place = snapshot.get("place") or ""
    event.is_online = bool(snapshot.get("is_online"))
    event.audience = snapshot.get("audience") or ""
    event.organisation_id = snapshot.get("organisation_id")
    event.description = snapshot.get("description") or ""
    event.registration_url = snapshot.get("registration_url") or ""


def describe(key: str, value) -> str:
    """Say a snapshot value in words for the review and history pages."""
    if key in ("starts_at", "ends_at") and value:
        return f"{in_london(datetime.fromisoformat(value)):%A %-d %B %Y, %H:%M} (London)"
    if key == "all_day":
        return "Dates only (time not recorded)" if value else "Start and end times"
    if key == "is_online":
        return "Yes" if value else "No"
    if key == "organisation_id":
        organisation = db.session.get(Organisation, value) if value else None
        return organisation.name if organisation is not None else "Not recorded"
    return value or ""


def public_url(event: Event, build=url_for) -> str:
    return build("network.event", event_id=event.id)


KIND = content.ContentKind(
    name="event",
    model=Event,
    noun="event",
    fields=FIELDS,
    take=take,
    apply=apply,
    public_url=public_url,
    describe=describe,
)
content.register(KIND)


# --- What the public sees -------------------------------------------------------------------------


@dataclass(frozen=True)
class EventLists:
    upcoming: list[Event]  # soonest first
    past: list[Event]  # most recent first


def published() -> list[Event]:
    """Return every published event, earliest first."""
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.status == ContentStatus.PUBLISHED)
            .order_by(Event.starts_at, Event.title)
        )
    )


def is_over(event: Event, now: datetime | None = None) -> bool:
    """Return whether an event has ended (an all-day one at the end of its last London day)."""
    now = now or utcnow()
    end = as_utc(event.ends_at)
    if event.all_day:
        end = london_moment(last_day(event) + timedelta(days=1), None, "end_date")
    return end <= now


def listed(now: datetime | None = None, organisation_id: str | None = None) -> EventLists:
    """Return published events split into upcoming (soonest first) and past (latest first)."""
    events = published()
    if organisation_id is not None:
        events = [e for e in events if e.organisation_id == organisation_id]
    upcoming = [e for e in events if not is_over(e, now)]
    past = [e for e in events if is_over(e, now)]
    return EventLists(upcoming=upcoming, past=list(reversed(past)))


def get_published(event_id: str) -> Event | None:
    """Return a published event by id, or None."""
    event = db.session.get(Event, event_id)
    return event if event is not None and event.is_published else None
