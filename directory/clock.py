"""What time it is in London. One place, so tests and demos can pin "now"."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from .models.base import as_utc

LONDON = ZoneInfo("Europe/London")


def now() -> datetime:
    """Return the current time in Europe/London (or the configured DIRECTORY_NOW)."""
    pinned = current_app.config.get("DIRECTORY_NOW") if has_app_context() else None
    if pinned:
        moment = datetime.fromisoformat(pinned)
        return moment.replace(tzinfo=LONDON) if moment.tzinfo is None else moment.astimezone(LONDON)
    return datetime.now(LONDON)


def in_london(moment: datetime) -> datetime:
    """Return a stored time (UTC; SQLite hands it back naive) as London wall-clock time."""
    return as_utc(moment).astimezone(LONDON)


def utcnow() -> datetime:
    """Return `now()` in UTC: what mail, reminders and their links compare stored times with."""
    return now().astimezone(UTC)
