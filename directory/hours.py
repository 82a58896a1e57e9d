"""Opening hours: is a place open at a moment, and when does it next open (in words: hours_wording.py).

Sessions are weekly, in Europe/London local time. A session whose closing time is not after its
opening time runs past midnight (22:00-02:00); 00:00-00:00 is the whole day.
"""

from datetime import datetime, time, timedelta
from typing import NamedTuple

MINUTES_PER_WEEK = 7 * 24 * 60


class Session(NamedTuple):
    """One weekly opening session, in London local time."""

    # A named tuple: cards key their cached opening status by their sessions, hashed on every page.
    weekday: int  # 0 = Monday
    opens_at: time
    closes_at: time

    def minute_ranges(self) -> list[tuple[int, int]]:
        """Return the session as [start, end) minutes of the week, split where it wraps Sunday night."""
        start = self.weekday * 1440 + self.opens_at.hour * 60 + self.opens_at.minute
        length = (self.closes_at.hour * 60 + self.closes_at.minute) - (
            self.opens_at.hour * 60 + self.opens_at.minute
        )
        if length <= 0:
            length += 1440
        end = start + length
        if end <= MINUTES_PER_WEEK:
            return [(start, end)]
        return [(start, MINUTES_PER_WEEK), (0, end - MINUTES_PER_WEEK)]


def minute_of_week(moment: datetime) -> int:
    """Return the minute of the week of a London-local datetime (Monday 00:00 is 0)."""
    return moment.weekday() * 1440 + moment.hour * 60 + moment.minute


def is_open(sessions, moment: datetime) -> bool:
    """Return whether any of the sessions covers `moment` (a London-local datetime)."""
    return is_open_at(sessions, minute_of_week(moment))


def is_open_at(sessions, minute: int) -> bool:
    """Return whether any of the sessions covers `minute` of the week."""
    return any(start <= minute < end for s in sessions for start, end in _as_session(s).minute_ranges())


def next_opening(sessions, moment: datetime) -> datetime | None:
    """Return when a place next opens after `moment`, or None if it has no sessions."""
    minute = minute_of_week(moment)
    best = None
    for s in sessions:
        for start, _ in _as_session(s).minute_ranges():
            if start == 0 and _wraps(_as_session(s)):
                continue  # the tail of Sunday's overnight session is not an opening
            wait = (start - minute) % MINUTES_PER_WEEK
            if wait == 0:
                wait = MINUTES_PER_WEEK
            if best is None or wait < best:
                best = wait
    if best is None:
        return None
    return (moment + timedelta(minutes=best)).replace(second=0, microsecond=0)


def closes_at(sessions, moment: datetime) -> datetime | None:
    """Return when the session open at `moment` ends (None if closed or open all week)."""
    minute = minute_of_week(moment)
    ends = [
        end
        for s in sessions
        for start, end in _as_session(s).minute_ranges()
        if start <= minute < end
    ]
    if not ends:
        return None
    end = max(ends)
    if end == MINUTES_PER_WEEK and is_open(sessions, moment + timedelta(minutes=end - minute)):
        return None  # runs on into Monday: treat as open around the clock
    return (moment + timedelta(minutes=end - minute)).replace(second=0, microsecond=0)


def is_always_open(sessions) -> bool:
    """Return whether the sessions together cover every minute of the week."""
    covered = sorted(r for s in sessions for r in _as_session(s).minute_ranges())
    reach = 0
    for start, end in covered:
        if start > reach:
            return False
        reach = max(reach, end)
    return reach >= MINUTES_PER_WEEK


def _wraps(s: Session) -> bool:
    return len(s.minute_ranges()) == 2


def _as_session(s) -> Session:
    if isinstance(s, Session):
        return s
    return Session(s.weekday, s.opens_at, s.closes_at)
