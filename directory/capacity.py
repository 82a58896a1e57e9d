"""What an agency says about taking new referrals: accepting, a waiting list, or not at the moment.

It is the agency's own operational statement, dated, so it is published at once (no review) and
kept as history (`CapacityStatement`). A statement goes out of date: older than
CAPACITY_FRESH_DAYS it is still shown, with its date and a warning to check. Like verification it
lives outside the listing snapshot; revisions.py re-indexes a listing when it changes.

These functions stage their changes; the caller commits.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from . import audit, clock
from .extensions import db
from .models import CapacityStatement, Service, User
from .models.base import as_utc

ACCEPTING = "accepting"
WAITING_LIST = "waiting_list"
NOT_ACCEPTING = "not_accepting"

CHOICES = {
    ACCEPTING: "Accepting new referrals",
    WAITING_LIST: "Waiting list",
    NOT_ACCEPTING: "Not taking new referrals at the moment",
}
MAX_WAIT_WEEKS = 104  # two years: a longer "wait" is a closed list, better said as not taking referrals


class CapacityError(ValueError):
    """A statement was refused; `field` names the form field the message belongs beside."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class State:
    """What a page shows of a statement at one moment."""

    capacity: str
    wait_weeks: int | None
    stated_at: datetime
    out_of_date: bool

    @property
    def label(self) -> str:
        """Say the statement alone: "Waiting list: about 6 weeks"."""
        return label(self.capacity, self.wait_weeks)

    @property
    def said_on(self) -> str:
        return date_text(self.stated_at)

    @property
    def wording(self) -> str:
        """Say the statement with its date, and whether to trust it still."""
        if self.out_of_date:
            return f"{self.label}. Said on {self.said_on}; may be out of date — check with the service"
        return f"{self.label} (said on {self.said_on})"


def label(capacity: str, wait_weeks: int | None) -> str:
    """Word one of the three states (and a waiting list's length, when the agency gave it)."""
    if capacity != WAITING_LIST:
        return CHOICES.get(capacity, "")
    if wait_weeks is None:
        return "Waiting list (the service did not say how long)"
    if wait_weeks == 0:
        return "Waiting list: less than a week"
    return f"Waiting list: about {wait_weeks} week{'' if wait_weeks == 1 else 's'}"


def date_text(moment: datetime) -> str:
    """Return a moment's London date as pages write it: "3 November 2026"."""
    return clock.in_london(moment).strftime("%-d %B %Y")


def state(subject, now: datetime, fresh_days: int | None = None) -> State | None:
    """Return what a Service, Listing or Card says about new referrals at `now` (None: not said)."""
    capacity = getattr(subject, "capacity", None)
    stated_at = getattr(subject, "capacity_stated_at", None)
    if not capacity or stated_at is None:
        return None
    if fresh_days is None:
        fresh_days = current_app.config["CAPACITY_FRESH_DAYS"]
    stated_at = as_utc(stated_at)
    return State(
        capacity=capacity,
        wait_weeks=getattr(subject, "capacity_wait_weeks", None) if capacity == WAITING_LIST else None,
        stated_at=stated_at,
        out_of_date=now - stated_at > timedelta(days=fresh_days),
    )


def wording(subject, now: datetime) -> str:
    """Return `state(subject, now).wording`, or "" when the service has not said."""
    found = state(subject, now)
    return found.wording if found is not None else ""


def dated_label(subject) -> str | None:
    """Say what a Service last said with its date, whatever the time now (exports, cached documents)."""
    if not getattr(subject, "capacity", None) or getattr(subject, "capacity_stated_at", None) is None:
        return None
    weeks = subject.capacity_wait_weeks if subject.capacity == WAITING_LIST else None
    return f"{label(subject.capacity, weeks)} (said on {date_text(subject.capacity_stated_at)})"


def checked_weeks(capacity: str, wait_weeks) -> int | None:
    """Return the wait as a whole number of weeks, or raise CapacityError saying what is wrong."""
    if isinstance(wait_weeks, str):
        wait_weeks = wait_weeks.strip() or None
    if wait_weeks is None:
        return None
    if capacity != WAITING_LIST:
        raise CapacityError("wait_weeks", "Give a wait only when there is a waiting list, or leave it blank.")
    text = str(wait_weeks)
    if not text.isdigit():
        raise CapacityError("wait_weeks", "Give the wait as a whole number of weeks, such as 6.")
    weeks = int(text)
    if weeks > MAX_WAIT_WEEKS:
        raise CapacityError(
            "wait_weeks",
            f"Give a wait of {MAX_WAIT_WEEKS} weeks or less; for a longer one choose "
            "“Not taking new referrals at the moment”.",
        )
    return weeks


def state_capacity(service: Service, capacity: str, wait_weeks, by: User | None) -> CapacityStatement:
    """Publish what the agency says now, dated, and keep it in the history."""
    if capacity not in CHOICES:
        raise CapacityError("capacity", "Choose whether the service is taking new referrals.")
    weeks = checked_weeks(capacity, wait_weeks)
    service.capacity = capacity
    service.capacity_wait_weeks = weeks
    return _append(service, by, "stated", "capacity-stated")


def confirm(service: Service, by: User | None) -> CapacityStatement:
    """Re-date the current statement: the agency says it is still the same."""
    if not service.capacity:
        raise CapacityError("capacity", "There is nothing to confirm: say whether it takes new referrals.")
    return _append(service, by, "confirmed", "capacity-confirmed")


def clear(service: Service, by: User | None) -> CapacityStatement:
    """Stop saying anything about new referrals (pages then say nothing rather than something old)."""
    if not service.capacity:
        raise CapacityError("capacity", "The listing already says nothing about new referrals.")
    service.capacity = None
    service.capacity_wait_weeks = None
    return _append(service, by, "cleared", "capacity-cleared")


def _append(service: Service, by: User | None, how: str, action: str) -> CapacityStatement:
    now = clock.utcnow()
    service.capacity_stated_at = now if service.capacity else None
    statement = CapacityStatement(
        service_id=service.id,
        capacity=service.capacity or "",
        wait_weeks=service.capacity_wait_weeks,
        stated_at=now,
        stated_by_id=by.id if by is not None else None,
        how=how,
    )
    db.session.add(statement)
    audit.record(action, actor=by, target=service, capacity=service.capacity,
                 wait_weeks=service.capacity_wait_weeks)
    return statement


def history(service: Service, limit: int = 5) -> list[CapacityStatement]:
    """Return the service's latest statements, newest first."""
    return list(db.session.scalars(
        select(CapacityStatement)
        .where(CapacityStatement.service_id == service.id)
        .order_by(CapacityStatement.stated_at.desc(), CapacityStatement.id.desc())
        .limit(limit)
    ))


HOW = {"stated": "new statement", "confirmed": "confirmed still the same"}


def describe(statement: CapacityStatement) -> str:
    """Word one history row: "Accepting new referrals (confirmed still the same)"."""
    if statement.how == "cleared":
        return "Stopped saying whether it takes new referrals"
    how = HOW.get(statement.how, statement.how)
    return f"{label(statement.capacity, statement.wait_weeks)} ({how})"
