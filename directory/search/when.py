"""When someone wants to go, said in the words: "open on saturday", "at the weekend", "tonight", "now".

Those words are filler (they never narrow a search: most listings give no hours), but a service
whose listed hours cover that time ranks first among otherwise equal answers. The times asked
about are minutes of the week (Monday 00:00 is 0) that the index can test (`View.open_at`).
"""

from .. import hours
from . import text

DAY_MINUTES = 24 * 60
# Times of day that stand for "open that day": late morning, early and late afternoon.
DAYTIME = (11 * 60, 14 * 60, 16 * 60 + 30)
EVENING = (19 * 60, 20 * 60 + 30)

_DAYS = {text.stem(name): number for number, name in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
_DAYS |= {text.stem(short): number for number, short in enumerate(
    ("mon", "tues", "weds", "thurs", "fri", "sat", "sun"))}

_WEEKEND = text.stem("weekend")
_EVENINGS = {text.stem(w) for w in ("tonight", "evening", "evenings", "late")}
_ASKING = {"open", "on", "this", "next", "every", "at", "for"}
_TELLING = {"since", "last", "from", "all", "whole", "after", "over"}


def minutes_asked(words: list[str], now) -> tuple[int, ...]:
    """Return the minutes of the week the words ask about ("open on saturday": Saturday daytime), or ().

    A day counts when it is asked for ("open on saturday", "this sunday", "saturdays"), not when it
    says what happened ("up since friday", "last saturday").
    """
    asked: list[int] = []
    stems = [text.stem(w) for w in words]
    today = hours.minute_of_week(now) // DAY_MINUTES
    for i, (word, stem) in enumerate(zip(words, stems, strict=True)):
        if stem in _DAYS and (_asked_for(words, i) or word.endswith("days")):
            asked += [_DAYS[stem] * DAY_MINUTES + m for m in DAYTIME]
        elif stem == _WEEKEND and _asked_for(words, i):
            asked += [day * DAY_MINUTES + m for day in (5, 6) for m in DAYTIME]
        elif stem in _EVENINGS:
            asked += [today * DAY_MINUTES + m for m in EVENING]
        elif word == "now" and "open" in words[max(0, i - 2):i]:
            asked.append(hours.minute_of_week(now))
    return tuple(dict.fromkeys(asked))


def _asked_for(words: list[str], i: int) -> bool:
    before = words[max(0, i - 3):i]
    return bool(_ASKING & set(before)) and not _TELLING & set(before)


def open_then(view, minutes: tuple[int, ...]) -> int:
    """Return the documents open at any of these minutes of the week."""
    bits = 0
    for minute in minutes:
        bits |= view.open_at(minute)
    return bits
