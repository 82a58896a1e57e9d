"""Opening hours in words: every way the directory says when a place is open, in one module.

`hours.py` works out whether a place is open and when it next opens; this module only words it:
the status on cards and service pages, the week on a service page, a line per week for the
signposting list, the plain ASCII line of the CSV export, and a listing snapshot's week as a
review shows it. Each wording is its own function because each place shows hours differently,
and changing one must not change the others.
"""

import re
from datetime import datetime, timedelta

from .hours import closes_at, is_always_open, is_open, next_opening
from .models import WEEKDAYS


def describe_status(sessions, moment: datetime) -> str:
    """Say "Open 24 hours", "Open now, until 17:00" or "Closed, opens Tuesday 09:00"."""
    sessions = list(sessions)
    if not sessions:
        return ""
    if is_always_open(sessions):
        return "Open 24 hours"
    if is_open(sessions, moment):
        until = closes_at(sessions, moment)
        return f"Open now, until {until:%H:%M}" if until else "Open now"
    nxt = next_opening(sessions, moment)
    if nxt is None:
        return "Closed"
    day = "today" if nxt.date() == moment.date() else (
        "tomorrow" if nxt.date() == (moment + timedelta(days=1)).date() else WEEKDAYS[nxt.weekday()]
    )
    return f"Closed, opens {day} {nxt:%H:%M}"


def weekly_hours(schedules) -> list[tuple[str, str]]:
    """Return (day, "09:00–17:00 walk-in; 18:00–20:00") for each day that has sessions."""
    days: dict[str, list[str]] = {}
    for s in sorted(schedules, key=lambda s: (s.weekday, s.opens_at)):
        if s.opens_at == s.closes_at and s.opens_at.hour == 0 and s.opens_at.minute == 0:
            text = "24 hours"
        else:
            text = f"{s.opens_at:%H:%M}–{s.closes_at:%H:%M}"
        note = getattr(s, "note", "")
        if note and not _says_nothing_more(note, text):  # a 24-hour session noted "24 hours"
            text = f"{text} ({note})"
        days.setdefault(s.weekday_name, []).append(text)
    return [(day, "; ".join(parts)) for day, parts in days.items()]


def compact_hours(schedules, note: str = "") -> str:
    """Say a week's hours in a line, joining runs of days with the same times: "Mon–Fri 10:00–18:00".

    With the location's `note` on its hours, add it in brackets unless the line already says it
    (a 24-hour place noted "24 hours"); with no sessions, the line is the note.
    """
    line = _compact_sessions(schedules)
    note = (note or "").strip()
    if not note or _says_nothing_more(note, line):
        return line
    return f"{line} ({note})" if line else note


def hours_note_beyond(schedules, note: str) -> str:
    """Return a location's note on its hours, or "" when its sessions already say all of it."""
    note = (note or "").strip()
    return "" if _says_nothing_more(note, compact_hours(schedules)) else note


def _says_nothing_more(note: str, text: str) -> bool:
    """Whether every part of `note` ("24 hours, by appointment") is already in `text`."""
    said = text.casefold()
    parts = [p.strip() for p in _NOTE_PARTS.split(note.casefold()) if p.strip()]
    return bool(said) and all(p in said for p in parts)


_NOTE_PARTS = re.compile(r"[,;()]")


def _compact_sessions(schedules) -> str:
    days = {day: times for day, times in weekly_hours(schedules)}
    order = [d for d in WEEKDAYS if d in days]
    runs: list[list[str]] = []
    for day in order:
        previous = runs[-1][-1] if runs else None
        if previous and days[previous] == days[day] and WEEKDAYS.index(day) == WEEKDAYS.index(previous) + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        label = run[0][:3] if len(run) == 1 else f"{run[0][:3]}–{run[-1][:3]}"
        parts.append(f"{label} {days[run[0]]}")
    return "; ".join(parts)


def csv_hours(schedules) -> str:
    """Say weekly hours compactly for the CSV export: "Mon 09:00-17:00 (walk-in); Tue 10:00-16:00"."""
    # Plain hyphens and each session as stored: spreadsheets and scripts read this column.
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    parts = []
    for s in sorted(schedules, key=lambda s: (s.weekday, s.opens_at)):
        text = f"{days[s.weekday]} {s.opens_at:%H:%M}-{s.closes_at:%H:%M}"
        parts.append(f"{text} ({s.note})" if s.note else text)
    return "; ".join(parts)


def snapshot_hours(schedules: list[dict]) -> str:
    """Say a snapshot's sessions as a review shows them: "Monday 09:00–17:00; Friday 22:00–02:00 (note)"."""
    parts = []
    for s in sorted(schedules, key=lambda s: (s["weekday"], s["opens_at"])):
        text = f"{WEEKDAYS[s['weekday']]} {s['opens_at']}–{s['closes_at']}"
        if s.get("note"):
            text += f" ({s['note']})"
        parts.append(text)
    return "; ".join(parts)


def today_hours(schedules, moment: datetime) -> str:
    """Say today's hours for a printed list: "Today (Wednesday): 10:00–18:00", or "" if none are listed."""
    schedules = list(schedules)
    if not schedules:
        return ""  # no hours listed: saying "closed" would be a guess
    day = WEEKDAYS[moment.weekday()]
    parts = [
        f"until {s.closes_at:%H:%M} (from the night before)" for s in schedules
        if s.weekday == (moment.weekday() - 1) % 7 and s.closes_at < s.opens_at
        and (s.closes_at.hour or s.closes_at.minute)
    ]
    # A session past midnight belongs to the day it starts, but it is also open this morning.
    times = dict(weekly_hours(schedules)).get(day)
    parts += [times] if times else []
    return f"Today ({day}): {'; '.join(parts)}" if parts else f"Today ({day}): closed"
