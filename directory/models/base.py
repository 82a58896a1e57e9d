"""Shared column helpers for the domain model."""

import uuid
from datetime import UTC, datetime


def new_id() -> str:
    """Return a new UUID string, the id form Open Referral uses."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    """Return the current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime | None:
    """Return a stored time as an aware datetime (SQLite hands back naive ones; every stored time is UTC)."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment
