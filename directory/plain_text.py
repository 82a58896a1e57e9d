"""What text the directory accepts from anyone: no control characters, and a length it can hold.

One rule for every door text comes in by (forms, query strings, paths, the API, imports), so
that nothing stored can break PostgreSQL (which refuses NUL bytes), a page, a CSV or a log line.
"""

import re

# C0 and C1 control characters and DEL. Tabs and line breaks are allowed only where text may run
# over several lines (a description, a message).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_EXCEPT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"[\r\n]")

# Longest text any field takes when it does not say: well above a long description, far below
# what would let one request fill the database.
MAX_CHARACTERS = 10_000

CONTROL_CHARACTER = (
    "Remove the hidden control character (such as a null byte) from this text; "
    "it cannot be stored."
)
LINE_BREAK = "Keep this on one line: remove the line break."


def problem(text: str, multiline: bool = False, max_length: int = MAX_CHARACTERS) -> str | None:
    """Return why `text` cannot be accepted, or None when it can."""
    if not multiline and _LINE_BREAK.search(text):
        return LINE_BREAK
    if (_CONTROL_EXCEPT_LINES if multiline else _CONTROL).search(text):
        return CONTROL_CHARACTER
    if len(text) > max_length:
        return f"Use at most {max_length:,} characters (this has {len(text):,})."
    return None


def has_control_characters(text: str) -> bool:
    """Return whether `text` holds a character no single-line value may (line breaks included)."""
    return bool(_CONTROL.search(text))


def printable(text: str) -> str:
    """Return `text` with control characters shown as escapes, safe to echo in a message or log."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def without_control_characters(text: str) -> str:
    """Return `text` with every control character (line breaks included) turned into a space."""
    return _CONTROL.sub(" ", text)
