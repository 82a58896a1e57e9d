"""Places typed into a search: "alcohol in Barnet", "needle exchange near SE15", "PEP Brixton".

`find_in` reads a query's words for a London postcode, sector or outcode, and for a borough or
neighbourhood name (`data/places.txt`), and returns them with the words left over, so the search
can use the place as a filter or a distance origin instead of as words to match. Only what really
is a place is taken: a postcode must be one the bundled geography knows as London's, and a name
that is also an everyday word ("Bank", "Angel", "Bow") counts only after a preposition ("near
Angel"). The longest name wins ("Elephant and Castle", never "Castle"; "Bromley-by-Bow", never
"Bromley"). Filler words ("near me", "local") are left for the query parser.
"""

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from .. import geo
from .borough import BoroughRef
from .edits import within

PLACES_FILE = Path(__file__).parent.parent / "data" / "places.txt"
MAX_CHARS = 300  # as the query parser reads (query.MAX_CHARS)
# Longest first: "close to" is taken whole before a lone "to" could be.
PREPOSITIONS = (("close", "to"), ("near", "to"), ("next", "to"), ("in",), ("near",), ("nearby",),
                ("around",), ("at",), ("by",), ("within",))
_WORD = re.compile(r"[^\W_]+(?:['’`][^\W_]+)*|&")
_APOSTROPHES = str.maketrans("", "", "'’`")
_OUTCODE_SHAPE = re.compile(r"^[a-z]{1,2}[0-9][a-z0-9]?$")
_INWARD_SHAPE = re.compile(r"^[0-9](?:[a-z]{2})?$")
_SHORT_FORM = re.compile(r"\s+(?:and|upon)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Area:
    """A neighbourhood, town centre or landmark from `places.txt`."""

    name: str
    borough_slug: str
    outcode: str


@dataclass(frozen=True)
class PlaceWords:
    """A place found in a query's words, and the words left when it is taken out."""

    text: str  # the query without the place words, whitespace normalised
    borough: BoroughRef | None = None  # the borough named, or the area's borough
    postcode: str | None = None  # the postcode, sector or outcode typed, normalised ("SE15 5AB")
    area: str | None = None  # the area's name as places.txt spells it ("King's Cross")
    area_outcode: str | None = None  # where distances from the area are measured
    phrase: str = ""  # the words taken out, as typed ("near SW9", "in Barnet")

    @property
    def named(self) -> str | None:
        """Return the place as the page names it: the area, else the borough's name."""
        if self.area:
            return self.area
        return self.borough.name if self.borough else None


@dataclass(frozen=True)
class _Name:
    words: tuple[str, ...]
    ambiguous: bool
    area: Area | None  # None for a borough name
    borough_slug: str | None  # a borough name's slug; None for a proper name that holds no place


@dataclass(frozen=True)
class _Places:
    areas: tuple[Area, ...]
    names: tuple[tuple[tuple[str, ...], bool, Area], ...]  # an area's name or alias: (words, ambiguous, area)
    ambiguous: frozenset[tuple[str, ...]]  # borough names and short forms marked "~"
    not_places: tuple[tuple[str, ...], ...]  # proper names marked "!"


def _words(text: str) -> list[tuple[str, int, int]]:
    """Return each word, normalised (lower case, no apostrophes, "&" as "and"), with its span."""
    found = []
    for match in _WORD.finditer(text):
        word = match.group().lower().translate(_APOSTROPHES)
        found.append(("and" if word == "&" else word, match.start(), match.end()))
    return found


def _key(name: str) -> tuple[str, ...]:
    return tuple(w for w, _, _ in _words(name))


@cache
def _places() -> _Places:
    """Read `places.txt` (once per process)."""
    areas, names, ambiguous, not_places = [], [], set(), []
    for number, line in enumerate(PLACES_FILE.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 1 and line.startswith("!"):
            not_places.append(_key(line[1:]))
            continue
        if len(parts) == 1:
            ambiguous.add(_key(line.lstrip("~")))
            continue
        if len(parts) not in (3, 4):
            raise ValueError(f"places.txt line {number}: expected Name | borough | OUTCODE [| aliases]")
        name, slug, outcode = parts[0].lstrip("~"), parts[1], parts[2].upper()
        area = Area(name, slug, outcode)
        areas.append(area)
        for alias in [parts[0], *(parts[3].split(";") if len(parts) == 4 else [])]:
            alias = alias.strip()
            if alias:
                names.append((_key(alias.lstrip("~")), alias.startswith("~"), area))
    return _Places(tuple(areas), tuple(names), frozenset(ambiguous), tuple(not_places))


def areas() -> tuple[Area, ...]:
    """Return every area in `places.txt`."""
    return _places().areas


def borough_names(name: str) -> list[str]:
    """Return a borough's name and its short forms: "Kensington and Chelsea" -> also "Kensington",
    "Chelsea"; "Richmond upon Thames" -> also "Richmond"."""
    forms = [name]
    parts = _SHORT_FORM.split(name)
    if len(parts) > 1:
        forms.append(parts[0])
        if " and " in name.lower():
            forms.extend(parts[1:])
    return forms


@lru_cache(maxsize=8)
def _index(boroughs: tuple[tuple[str, str], ...]) -> dict[str, tuple[_Name, ...]]:
    """Return the names to look for by their first word, longest first, for these (slug, name) boroughs."""
    places = _places()
    names = [_Name(words, ambiguous, area, area.borough_slug) for words, ambiguous, area in places.names]
    names += [_Name(words, False, None, None) for words in places.not_places]
    for slug, name in boroughs:
        for form in borough_names(name):
            words = _key(form)
            names.append(_Name(words, words in places.ambiguous, None, slug))
    by_first: dict[str, list[_Name]] = {}
    for entry in names:
        if entry.words:
            by_first.setdefault(entry.words[0], []).append(entry)
    return {first: tuple(sorted(found, key=lambda e: -len(e.words))) for first, found in by_first.items()}


def _borough_key(catalogue) -> tuple[tuple[str, str], ...]:
    return tuple((b.slug, b.name) for b in catalogue.borough_choices)


def area_names(catalogue=None) -> list[str]:
    """Return every area and borough name and short form, lower case (for names that hold slang:
    the "crystal" of Crystal Palace is not a drug). Without a catalogue, from the boroughs file."""
    if catalogue is not None:
        boroughs = _borough_key(catalogue)
    else:
        boroughs = tuple((row["slug"], row["name"]) for row in geo.boroughs())
    found = {" ".join(entry.words) for entries in _index(boroughs).values() for entry in entries
             if entry.borough_slug}
    return sorted(found)


def _preposition_before(words, at: int) -> int | None:
    """Return where a preposition just before word `at` starts (a word index), or None."""
    for phrase in PREPOSITIONS:
        start = at - len(phrase)
        if start >= 0 and tuple(w for w, _, _ in words[start:at]) == phrase:
            return start
    return None


def _postcode_at(words, i: int, text: str) -> tuple[int, geo.Place] | None:
    """Return how many words a London postcode at word `i` takes (1 or 2) and its place, or None."""
    word = words[i][0]
    if not _OUTCODE_SHAPE.match(word) and not re.match(r"^[a-z]{1,2}[0-9][a-z0-9]?[0-9][a-z]{2}$", word):
        return None
    candidates = []
    if i + 1 < len(words) and _INWARD_SHAPE.match(words[i + 1][0]):
        candidates.append((2, text[words[i][1]:words[i + 1][2]]))
    candidates.append((1, text[words[i][1]:words[i][2]]))
    for length, typed in candidates:
        try:
            parsed = geo.parse_postcode(typed)
            # One word is an outcode or a whole postcode, never an outcode run into a sector's
            # digit: "E45" (a cream) and "N95" (a mask) are not E4 5 and N9 5.
            if length == 1 and parsed.sector and not parsed.full:
                continue
            return length, geo.lookup(typed)
        except geo.PostcodeError:
            continue
    return None


def _name_at(index, boroughs, words, i: int, has_preposition: bool, known) -> _Name | None:
    for entry in index.get(words[i][0], ()):
        n = len(entry.words)
        if tuple(w for w, _, _ in words[i:i + n]) == entry.words and (has_preposition or not entry.ambiguous):
            return entry
    typed = words[i][0]
    if known is None or len(typed) < MISSPELT_FROM or not typed.isalpha():
        return None
    return misspelt_place(typed, boroughs, known)


@lru_cache(maxsize=4096)
def misspelt_place(typed: str, boroughs: tuple[tuple[str, str], ...], known) -> _Name | None:
    """Return the borough or area a misspelt word stands for ("hackny", "lambith", "croyden"), or None.
    Only a word that is not `known` (English, or the directory's own: the caller says) is read so, only as
    a one-word name that is not also an everyday word, and only where one place alone is that close.
    People rarely mistype a name's first letter, so only names starting with it are compared."""
    if known(typed):
        return None
    index = _index(boroughs)
    limit = 1 if len(typed) < 8 else 2
    close = [entry for first, entries in index.items() if first[:1] == typed[:1] for entry in entries
             if len(entry.words) == 1 and entry.borough_slug and not entry.ambiguous
             and within(typed, first, limit)]
    return close[0] if len({(entry.borough_slug, entry.area) for entry in close}) == 1 else None


MISSPELT_FROM = 5  # letters: shorter words are too often something else a letter away


def find_in(text: str | None, catalogue, known=None) -> PlaceWords | None:
    """Return the place (a postcode, and a borough or area name) in a query's words, or None.

    The first postcode and the first name are taken; a later one stays in the words. With `known` (whether
    a word is English or the directory's own), a word that is neither may be a misspelt place.
    """
    text = (text or "")[:MAX_CHARS]
    words = _words(text)
    if not words:
        return None
    boroughs = _borough_key(catalogue)
    index = _index(boroughs)
    cuts: list[tuple[int, int]] = []  # character spans to take out
    postcode = name = None
    i = 0
    while i < len(words):
        before = _preposition_before(words, i)
        start = words[before if before is not None else i][1]
        if postcode is None and (found := _postcode_at(words, i, text)):
            length, place = found
            postcode = place.query
            cuts.append((start, words[i + length - 1][2]))
            i += length
            continue
        if name is None and (entry := _name_at(index, boroughs, words, i, before is not None, known)):
            if entry.borough_slug is None:  # a proper name: its words stay search words
                i += len(entry.words)
                continue
            name = entry
            cuts.append((start, words[i + len(entry.words) - 1][2]))
            i += len(entry.words)
            continue
        i += 1
    if postcode is None and name is None:
        return None
    borough = None
    if name is not None:
        borough = catalogue.boroughs.get(name.borough_slug)
    rest, phrase, last = [], [], 0
    for start, end in cuts:
        rest.append(text[last:start])
        phrase.append(" ".join(text[start:end].split()))
        last = end
    rest.append(text[last:])
    return PlaceWords(
        text=_tidy(" ".join(rest)),
        borough=borough,
        postcode=postcode,
        area=name.area.name if name and name.area else None,
        area_outcode=name.area.outcode if name and name.area else None,
        phrase=" ".join(phrase),
    )


def _tidy(text: str) -> str:
    # What is left beside a cut-out place: doubled spaces, and a comma or dash that led to it.
    text = " ".join(text.split())
    text = re.sub(r"\s+([,;:.!?])", r"\1", text)
    text = re.sub(r"([,;:])(?=[,;:]|$)", "", text)
    return text.strip(" ,;:-–—")
