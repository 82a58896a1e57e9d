"""Opening hours in words: every way the directory says when a place is open, in one module.

`hours.py` works out whether a place is open and when it next opens; this module only words it:
the status on cards and service pages, the week on a service page, a line per week for the
signposting list, the plain ASCII line of the CSV export, and a listing snapshot's week as a
review shows it. Each wording is its own function because each place shows hours differently,
and changing one must not change the others.
"""

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
        if getattr(s, "note", ""):
            text = f"{text} ({s.note})"
        days.setdefault(s.weekday_name, []).append(text)
    return [(day, "; ".join(parts)) for day, parts in days.items()]


def compact_hours(schedules) -> str:
    """Say a week's hours in a line, joining runs of days with the same times: "Mon–Fri 10:00–18:00"."""
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
