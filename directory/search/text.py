"""Words: one tokeniser for listings and queries, the domain vocabulary, and highlighted snippets.

Listings and queries go through the same steps (lower case, "&" as "and", Porter stems), so a
word matches however it is inflected. Vocabulary phrases ("party and play", "A&E", "G") are
detected on the full token sequence, longest phrase first, and become concept ids: a listing
that says "crystal meth" and a query that says "tina" meet at the concept `crystal-meth`.
"""

import re
from array import array
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path

from markupsafe import Markup, escape
from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem as _porter

from . import english

DATA = Path(__file__).resolve().parent.parent / "data"
VOCABULARY_FILE = DATA / "vocabulary.txt"
NAMES_FILE = DATA / "names.txt"
# A capitalised word after one of the vocabulary's name-like words makes a name ("Tina Jones"),
# unless it says what the thing is ("Tina Support Group" is about tina).
_NOT_A_SURNAME = frozenset({
    "support", "group", "groups", "clinic", "service", "services", "project", "team", "help", "helpline",
    "line", "talk", "talks", "care", "club", "network", "hub", "drop", "session", "sessions", "meeting",
    "anonymous", "recovery", "use", "users",
})

_TOKEN = re.compile(r"[^\W_]+|&")
STOP = frozenset(STOP_WORDS)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Return the Porter stem of a lower-case word."""
    return _porter(word)


def tokens(text: str) -> list[str]:
    """Return the lower-case words of `text`, with "&" read as "and"."""
    return ["and" if m == "&" else m.lower() for m in _TOKEN.findall(text or "")]


def cased_tokens(text: str) -> list[str]:
    """Return the words of `text` as written (the same words as `tokens`, case kept)."""
    return ["and" if m == "&" else m for m in _TOKEN.findall(text or "")]


def token_spans(text: str) -> list[tuple[str, int, int]]:
    """Return (word, start, end) for each word of `text`, for highlighting."""
    return [
        ("and" if m.group() == "&" else m.group().lower(), m.start(), m.end())
        for m in _TOKEN.finditer(text or "")
    ]


def is_indexable(word: str) -> bool:
    """Whether a word is worth a text posting (not a stop word, not a single letter)."""
    return len(word) > 1 and word not in STOP


def index_terms(text: str) -> list[str]:
    """Return the stemmed terms a text field indexes."""
    return [stem(w) for w in tokens(text) if is_indexable(w)]


@dataclass(frozen=True)
class Vocabulary:
    """Concepts and the phrases (as stem tuples) that mean them."""

    phrases: dict[tuple[str, ...], str]  # stemmed phrase -> concept id
    starts: dict[str, tuple[int, ...]]  # first stem of phrases -> their lengths, longest first
    words: dict[str, str]  # stem -> a word as written, for every word used in a phrase (spelling)
    labels: dict[str, str]  # concept id -> first phrase, as written
    # concept id -> service type or audience codes that answer it even when a listing does not
    # name it ("smack": drug and alcohol treatment services, which rarely list street names)
    broader: dict[str, tuple[str, ...]] = field(default_factory=dict)
    names: "Names | None" = None
    # stem -> the words a one-word phrase is written as ("chang", "blues"): stems are shared by words that
    # mean other things ("change", "blue"), and one of English's most used words reads as slang only as
    # the vocabulary writes it ("I want to change" is not cocaine, "lips going blue" is not benzos)
    written: dict[str, frozenset[str]] = field(default_factory=dict)

    @cached_property
    def stems_of(self) -> dict[str, frozenset[str]]:
        """Concept id -> every stem its phrases use ("fit" of contraception, from "coil fitting")."""
        found: dict[str, set[str]] = {}
        for stems, concept in self.phrases.items():
            found.setdefault(concept, set()).update(stems)
        return {concept: frozenset(stems) for concept, stems in found.items()}

    @cached_property
    def pairs(self) -> frozenset[tuple[str, str]]:
        """Every two stems standing next to each other in a phrase ("sexual health", "morning after")."""
        return frozenset(pair for stems in self.phrases for pair in zip(stems, stems[1:], strict=False))

    @cached_property
    def phrases_holding(self) -> dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...], int], ...]]:
        """Stem -> the phrases of several words that hold it: (stems, words as written, where), longest
        first (spelling help: a phrase one typing mistake away)."""
        holding: dict[str, list] = {}
        for stems in sorted((p for p in self.phrases if len(p) > 1), key=lambda p: (-len(p), p)):
            written = tuple(self.words.get(s, s) for s in stems)
            for at, s in enumerate(stems):
                holding.setdefault(s, []).append((stems, written, at))
        return {s: tuple(found) for s, found in holding.items()}

    def concepts_in(self, words: list[str], cased: list[str] | None = None) -> list[tuple[str, int, int]]:
        """Return (concept, first, last+1) spans found in a word sequence, longest phrase first.
        Words that are part of a name ("Crystal Palace", "Tina's") are not read as concepts."""
        stems = [stem(w) for w in words]
        skip = self.names.positions(words, stems, cased) if self.names else frozenset()
        return self.concepts_in_stems(stems, skip, words)

    def concepts_in_stems(self, stems: list[str], skip=frozenset(), words: list[str] | None = None
                          ) -> list[tuple[str, int, int]]:
        """Return (concept, first, last+1) spans found in a sequence of stems, none starting at a
        position in `skip` (words of a name). With the lower-case `words` the stems are of, an everyday
        word alone is read only as the vocabulary writes it (see `written`)."""
        found, i, count = [], 0, len(stems)
        starts, phrases = self.starts, self.phrases
        while i < count:
            lengths = starts.get(stems[i])
            if lengths is None or i in skip:  # most words start no phrase
                i += 1
                continue
            for length in lengths:  # only the lengths of phrases that start with this word
                concept = phrases.get(tuple(stems[i : i + length])) if i + length <= count else None
                if concept is not None and length == 1 and words is not None and self._everyday(words[i]):
                    concept = None
                if concept is not None:
                    found.append((concept, i, i + length))
                    i += length
                    break
            else:
                i += 1
        return found

    def _everyday(self, word: str) -> bool:
        """Whether a word alone is an everyday word that only shares its stem with a one-word phrase."""
        return english.is_common(word) and word not in self.written.get(stem(word), frozenset())


@dataclass(frozen=True)
class Names:
    """Names that hold a vocabulary word, and the vocabulary words that are also people's names."""

    phrases: frozenset[tuple[str, ...]]  # stemmed
    starts: dict[str, tuple[int, ...]]  # first stem of names -> their lengths, longest first
    name_words: frozenset[str]  # stems

    def positions(self, words: list[str], stems: list[str], cased: list[str] | None) -> frozenset[int]:
        """Return the positions of words that are part of a name."""
        found: set[int] = set()
        count = len(stems)
        starts = self.starts
        for i in range(count):
            for length in starts.get(stems[i], ()):
                if i + length <= count and tuple(stems[i:i + length]) in self.phrases:
                    found.update(range(i, i + length))
                    break
            if stems[i] not in self.name_words or i + 1 >= count:
                continue
            possessive = words[i + 1] == "s"  # "Tina's Kitchen", "charlie's": somebody's
            capitalised = (cased is not None and cased[i][:1].isupper() and cased[i + 1][:1].isupper()
                           and words[i + 1] not in _NOT_A_SURNAME)
            # "Spice of Life", "Crystal of Hope": a capitalised name word "of" a capitalised word is a name
            of_a_name = (cased is not None and words[i + 1] == "of" and i + 2 < count
                         and cased[i][:1].isupper() and cased[i + 2][:1].isupper()
                         and words[i + 2] not in _NOT_A_SURNAME)
            if possessive or of_a_name:
                found.add(i)
            elif capitalised:  # both words are the name: "Tina Brown" holds no heroin either
                found.update((i, i + 1))
        return frozenset(found)


def parse_names(text: str, extra: list[str] = ()) -> Names:
    """Read the names format (see `data/names.txt`); `extra` adds more whole names (places)."""
    phrases, name_words = set(), set()
    for line in list(text.splitlines()) + [f"names: {name}" for name in extra]:
        line = line.split("#", 1)[0].strip()
        kind, _, members = line.partition(":")
        for member in members.split(","):
            member_stems = tuple(stem(w) for w in tokens(member) if w != "s")
            if kind.strip() == "names" and len(member_stems) > 1:
                phrases.add(member_stems)
            elif kind.strip() == "also names" and member_stems:
                name_words.update(member_stems)
    lengths: dict[str, set[int]] = {}
    for phrase in phrases:
        lengths.setdefault(phrase[0], set()).add(len(phrase))
    starts = {first: tuple(sorted(n, reverse=True)) for first, n in lengths.items()}
    return Names(frozenset(phrases), starts, frozenset(name_words))


def parse_vocabulary(text: str, names: Names | None = None) -> Vocabulary:
    """Read the vocabulary format: `concept (codes): phrase, phrase, ...` per line, # comments."""
    phrases, labels, words, broader, written = {}, {}, {}, {}, {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or ":" not in line:
            continue
        concept, members = line.split(":", 1)
        concept, _, codes = concept.partition("(")
        concept = concept.strip().lower()
        if codes:
            broader[concept] = tuple(c.strip() for c in codes.rstrip(") ").split(",") if c.strip())
        for member in members.split(","):
            member_words = tokens(member)
            if not member_words:
                continue
            labels.setdefault(concept, member.strip())
            phrases.setdefault(tuple(stem(w) for w in member_words), concept)
            if len(member_words) == 1:
                written.setdefault(stem(member_words[0]), set()).add(member_words[0])
            for w in member_words:
                if len(w) > 2:
                    words.setdefault(stem(w), w)
    lengths: dict[str, set[int]] = {}
    for phrase in phrases:
        lengths.setdefault(phrase[0], set()).add(len(phrase))
    starts = {first: tuple(sorted(n, reverse=True)) for first, n in lengths.items()}
    return Vocabulary(phrases, starts, words, labels, broader, names,
                      {s: frozenset(forms) for s, forms in written.items()})


@cache
def vocabulary() -> Vocabulary:
    """Return the domain vocabulary from `data/vocabulary.txt` (read once per process)."""
    return parse_vocabulary(VOCABULARY_FILE.read_text(encoding="utf-8"), _names())


def _names() -> Names:
    from .. import geo
    from . import places  # place names people type, which are names too

    boroughs = [row["name"] for row in geo.boroughs()]
    return parse_names(NAMES_FILE.read_text(encoding="utf-8"), boroughs + list(places.area_names()))


def concept_tokens(text: str, repeat: int = 1) -> list[str]:
    """Return the concept ids mentioned in `text`, each repeated `repeat` times (a field weight)."""
    found = vocabulary().concepts_in(tokens(text), cased_tokens(text))
    return [c for c, _, _ in found for _ in range(repeat)]


@dataclass(frozen=True, slots=True)
class _Analysed:
    """A text read once for highlighting, whatever the query: where each stem and concept occurs.

    Compact (under 3 KB for a 50-word description), so every listing of a large directory fits.
    """

    text: str  # with runs of white space made single spaces
    stems: tuple[str, ...]  # each indexable word's stem, in order
    spans: array  # each of those words' start and end in `text`, one after the other
    concepts: tuple[tuple[str, int, int], ...]  # (concept, start, end)


def analyse(text: str) -> None:
    """Read a text for highlighting now, so that its first snippet is quick."""
    _analyse(text or "")


@lru_cache(maxsize=16384)
def _analyse(text: str) -> _Analysed:
    # The same listings come up for many different searches: read each description once.
    text = " ".join(text.split())
    spans = token_spans(text)
    stemmed = [stem(w) for w, _, _ in spans]
    words = [i for i, (w, _, _) in enumerate(spans) if is_indexable(w)]
    concepts = tuple((concept, spans[first][1], spans[last - 1][2])
                     for concept, first, last in vocabulary().concepts_in(
                         [w for w, _, _ in spans], [text[s:e] for _, s, e in spans]))
    return _Analysed(text, tuple(stemmed[i] for i in words),
                     array("I", [n for i in words for n in spans[i][1:]]), concepts)


def snippet(text: str, stems: set[str], concepts: set[str], width: int = 220) -> Markup:
    """Return an escaped excerpt of `text` around the first match, matches wrapped in <mark>."""
    analysed = _analyse(text or "")
    text, spans = analysed.text, analysed.spans
    marks = [(spans[2 * i], spans[2 * i + 1]) for i, st in enumerate(analysed.stems) if st in stems]
    marks += [(s, e) for concept, s, e in analysed.concepts if concept in concepts]
    marks = _merge(sorted(marks))
    start = 0
    if marks and marks[0][0] > width // 3:
        start = text.rfind(" ", 0, marks[0][0] - width // 4) + 1
    end = len(text) if len(text) - start <= width else text.rfind(" ", start, start + width)
    if end <= start:
        end = min(len(text), start + width)
    # Plain strings joined once: every piece of text is escaped here, and adding Markup objects
    # one to another would escape and copy the whole excerpt at each step.
    out = ["…" if start > 0 else ""]
    position = start
    for s, e in marks:
        if s < position or e > end:
            continue
        out += (escape(text[position:s]), "<mark>", escape(text[s:e]), "</mark>")
        position = e
    out.append(escape(text[position:end]))
    if end < len(text):
        out.append("…")
    return Markup("".join(out))  # noqa: S704  (the text in it was escaped piece by piece above)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged
