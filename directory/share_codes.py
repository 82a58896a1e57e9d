"""Short share links: a signposting list written as its services' share numbers.

A code is each service's share number in Crockford base 32, joined by dots (`3x.a9.2k`): short,
case-insensitive and hard to misread when typed from paper (no i, l, o or u). The code *is* the
list; nothing about it is stored on the server.
"""

from sqlalchemy import select

from .extensions import db
from .models import ShareNumber

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
SEPARATOR = "."
# Letters people confuse with digits read as those digits, as Crockford's scheme says.
_READ_AS = {"i": "1", "l": "1", "o": "0"}
_VALUE = {c: i for i, c in enumerate(ALPHABET)} | {c: int(d) for c, d in _READ_AS.items()}
# 32**7 is far beyond any directory's size; a longer part is a mistake, not a number.
_MAX_PART = 7


def encode(numbers: list[int]) -> str:
    """Return the code for these share numbers, in order."""
    return SEPARATOR.join(_encode_one(n) for n in numbers)


def _encode_one(number: int) -> str:
    if number < 0:
        raise ValueError("share numbers are not negative")
    digits = ""
    while True:
        number, rest = divmod(number, 32)
        digits = ALPHABET[rest] + digits
        if not number:
            return digits


def decode(code: str, limit: int) -> list[int] | None:
    """Return the code's share numbers, deduplicated, at most `limit`; None if it is not a code."""
    parts = (code or "").strip().lower().split(SEPARATOR)
    if len(parts) > limit * 2:  # a much longer list was never made here
        return None
    numbers: list[int] = []
    for part in parts:
        if not part or len(part) > _MAX_PART or any(c not in _VALUE for c in part):
            return None
        value = 0
        for c in part:
            value = value * 32 + _VALUE[c]
        if value not in numbers:
            numbers.append(value)
    return numbers[:limit]


def code_for(ids: list[str]) -> str | None:
    """Return the code for these service ids, or None if one has no share number."""
    if not ids:
        return None
    rows = db.session.execute(
        select(ShareNumber.service_id, ShareNumber.number).where(ShareNumber.service_id.in_(ids))
    ).all()
    number = dict(rows)
    if any(i not in number for i in ids):
        return None
    return encode([number[i] for i in ids])


def ids_for(numbers: list[int]) -> list[str]:
    """Return the service ids these share numbers name, in order; unknown numbers drop out."""
    if not numbers:
        return []
    rows = db.session.execute(
        select(ShareNumber.number, ShareNumber.service_id).where(ShareNumber.number.in_(numbers))
    ).all()
    service = dict(rows)
    return [service[n] for n in numbers if n in service]
