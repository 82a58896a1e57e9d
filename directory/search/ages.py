"""Ages: the ages a listing's eligibility admits, and the age someone says they are.

A 17-year-old who types "smoking skunk every day, im 17" is not helped by a service for "adults aged 18
and over", and a 30-year-old by one for "young people aged 13 to 24": such listings rank after every
other answer (they are not hidden: each one's page says who it is for).

The minimum and maximum ages a listing's editors give are its bounds; without them, only what its
eligibility states first is read ("Anyone; free emergency contraception for people aged 13 to 24" admits
anyone). Only an age someone gives as their own is read ("i'm 17", "17 year old here");
"my 15 year old" is a parent asking, whose own age is not said.
"""

import re

YOUNGEST, OLDEST = 0, 120
# Bounds are indexed as terms "from-N" and "to-N" (see documents.py).
_NUMBER = r"(\d{1,2})"
_FROM = re.compile(rf"\b(?:aged|age|ages|over|adults?)\s*{_NUMBER}\s*(?:\+|and over|or over|and above|"
                   rf"or above|and older|or older|plus|upwards)|\b{_NUMBER}\s*(?:\+|and over|or over|"
                   rf"and above|or older|and older)|\bover[- ]{_NUMBER}s?\b|\bany age over {_NUMBER}")
_RANGE = re.compile(rf"\b(?:aged|ages|age)\s*{_NUMBER}\s*(?:to|-|–|and)\s*{_NUMBER}\b")
_TO = re.compile(rf"\b(?:under|up to|aged up to|below)[- ]{_NUMBER}s?\b")
_ADULTS = re.compile(r"^\s*adults?\b")
_YEARS_OLD = r"\s*(?:yo|y/o|yrs? old|years? old|year-old|yr old)\b"
# An age given as one's own ("im 17", "aged 19", "17 year old here"), not a count of something else
# ("im 5 days clean", "i am 2 hours away").
_OWN = re.compile(rf"(?:^|[^\w'])(?:i'?m|i am|am|aged|me|age)\s+(?:only\s+|just\s+|a\s+|an\s+)*{_NUMBER}"
                  rf"(?!\s*(?:mins?|minutes|hours?|hrs?|days?|weeks?|months?|times?|quid|pounds|%|k\b|kg|"
                  rf"st\b|stone|miles?|drinks?|pints?|units?|pills?|mg|ml|g\b|grams?|lines?|bags?))\b"
                  rf"|^\s*{_NUMBER}{_YEARS_OLD}"
                  rf"|\b(?:i'?m|i am|im)\s+(?:a\s+|an\s+)?{_NUMBER}{_YEARS_OLD}"
                  rf"|\b{_NUMBER}{_YEARS_OLD}\s+(?:here|me|myself)\b")
# Words before an age that make it someone else's ("my 15 year old").
_SOMEONE_ELSES = frozenset({"my", "our", "his", "her", "their", "son", "daughter", "kid"})


def admitted(eligibility: str) -> tuple[int, int] | None:
    """Return the youngest and oldest ages a listing's eligibility admits, or None when it states none."""
    said = (eligibility or "").split(";")[0].lower()
    youngest, oldest = YOUNGEST, OLDEST
    for match in _RANGE.finditer(said):
        low, high = int(match.group(1)), int(match.group(2))
        if low < high:
            youngest, oldest = max(youngest, low), min(oldest, high)
    for match in _FROM.finditer(said):
        youngest = max(youngest, int(next(g for g in match.groups() if g)))
    for match in _TO.finditer(said):
        # "under 25" admits 24-year-olds; "up to 21" admits 21-year-olds
        bound = int(match.group(1))
        oldest = min(oldest, bound - 1 if match.group(0).startswith(("under", "below")) else bound)
    if youngest == YOUNGEST and _ADULTS.match(said) and "young" not in said and "child" not in said:
        youngest = 18
    if (youngest, oldest) == (YOUNGEST, OLDEST) or youngest > oldest:
        return None
    return youngest, oldest


def terms(eligibility: str, minimum: int | None = None, maximum: int | None = None) -> list[str]:
    """Return the index terms for a listing's age bounds ("from-18", "to-24"): the minimum and maximum ages
    its editors gave, else what its eligibility states."""
    if minimum is not None or maximum is not None:
        bounds = (YOUNGEST if minimum is None else minimum, OLDEST if maximum is None else maximum)
    else:
        bounds = admitted(eligibility)
    if bounds is None:
        return []
    youngest, oldest = bounds
    found = [f"from-{youngest}"] if youngest > YOUNGEST else []
    return found + ([f"to-{oldest}"] if oldest < OLDEST else [])


def stated(user_text: str) -> int | None:
    """Return the age someone gives as their own in what they typed, or None."""
    said = " ".join((user_text or "").lower().replace("’", "'").split())
    for match in _OWN.finditer(said):
        age = int(next(g for g in match.groups() if g))
        before = said[:match.start()].split()[-2:]
        if 10 <= age <= 99 and not _SOMEONE_ELSES & set(before):
            return age
    return None


def leaving_out(age: int, bounds_in_index) -> list[str]:
    """Return the index terms of the bounds that leave out someone of `age`, among those indexed."""
    out = []
    for term in bounds_in_index:
        kind, _, number = term.partition("-")
        if number.isdigit() and (kind == "from" and int(number) > age or kind == "to" and int(number) < age):
            out.append(term)
    return out
