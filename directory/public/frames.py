"""Frames: a macro's markup rendered once, with stand-ins where its per-page values go.

A results page repeats a few macros many times (twenty cards, each with its optional parts), and
each one's markup changes only with what it shows, rarely with the page. So a macro
is rendered once per set of fixed arguments with a stand-in for each per-page value: its frame. A
page then fills the frame's pieces with its values, escaped as `{{ value }}` in the macro escapes
them.

A speed trick only: with the `CARD_FRAMES` setting off, every macro renders in full, and tests check
that both ways give the same bytes.
"""

import re
from functools import lru_cache

from markupsafe import Markup, escape

# Stand-ins for the per-page values: text no listing holds (a macro whose fixed text
# does hold one has no frame, and is rendered in full instead).
STAND_INS = tuple(Markup(f"\x00{n}\x00") for n in range(10))  # noqa: S704  (no user text)
_STAND_IN = re.compile("\x00([0-9])\x00")


@lru_cache(maxsize=16384)  # every listing's card of a large directory
def frame(macro, fixed: tuple, names: tuple[str, ...]) -> tuple[str, ...] | None:
    """Return the macro's markup with `fixed` (name, value) arguments, split where each of `names`
    goes (once each, in that order); None if it does not come out so."""
    markup = str(macro(**dict(fixed), **dict(zip(names, STAND_INS, strict=False))))
    parts = _STAND_IN.split(markup)
    if parts[1::2] != [str(n) for n in range(len(names))]:
        return None
    return tuple(parts[0::2])


def fill(pieces: tuple[str, ...], values) -> Markup:
    """Return a frame's pieces with `values` in their places."""
    out = [pieces[0]]
    for value, piece in zip(values, pieces[1:], strict=True):
        # What escape() would give, without making a copy of markup that is already safe.
        out.append(value if value.__class__ is Markup else escape(value))
        out.append(piece)
    return Markup("".join(out))  # noqa: S704  (the macro's own output and escaped values)
