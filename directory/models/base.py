"""Shared column helpers for the domain model."""

import uuid
from datetime import UTC, datetime


def new_id() -> str:
    """Return a new UUID string, the id form Open Referral uses."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    """Return the current time, timezone-aware (UTC)."""
    return datetime.now(UTC)
