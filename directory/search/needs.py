"""Needs: situations in people's own words, read as what they need (see `data/needs.txt`).

The vocabulary maps words to the same thing said another way ("tina" is crystal meth). This layer
maps a situation to the help it calls for: "the condom split last night" is a possible exposure to
HIV, which a sexual health clinic answers with PEP, urgently. A need names where it is found
(service types, vocabulary concepts, or words in a listing), how strongly, and whether it is an
emergency with a callout to show before any result.

A situation is recognised by its words in any order, inflected any way (they are compared as
stems), so "my mate took too much G" and "too much g taken" both read as an overdose.
"""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from . import text

NEEDS_FILE = Path(__file__).resolve().parent.parent / "data" / "needs.txt"

Phrase = tuple[str, ...]  # stems in a row; ("@", concept) means "the query names this concept"


@dataclass(frozen=True)
class Finding:
    """Where a need is met: every part must hold. A part is a service type or audience code, a
    vocabulary concept, or else words a listing's text must hold (as written, and as stems)."""

    parts: tuple[tuple[str, Phrase], ...]


@dataclass(frozen=True)
class Need:
    key: str
    label: str
    finds: tuple[Finding, ...]  # what answers the need best
    also: tuple[Finding, ...]  # what helps too, ranked after
    signs: tuple[tuple[tuple[Phrase, ...], ...], ...]  # ways of saying it: groups, all needed
    callout: str | None = None  # which callout the results page shows first
    urgent: bool = False  # danger now: services open around the clock come first
    boost: bool = False  # only prefers what it finds (an audience, say); never narrows a search
    # a need for any kind of help ("someone to talk to"): beside a more particular need, never the lead
    general: bool = False
    excludes: tuple[Finding, ...] = ()  # never the best answer, however it matches ("not:")
    # danger to life now ("urgent: life"): leads beside any other need, however few words said it
    life: bool = False
    # ways of saying it is not this need now ("blackout drunk every weekend" is not someone unconscious)
    unless: tuple[tuple[tuple[Phrase, ...], ...], ...] = ()
    # a question of mixing answered the same whatever is mixed ("drug: any"): drugs named together only
    # rank, and drink named beside a drug, what it was mixed with, ranks nothing
    any_drug: bool = False

    @property
    def concepts(self) -> set[str]:
        """The vocabulary concepts whose mention expresses this need (its "@concept" signs)."""
        return {phrase[1] for groups in self.signs for alternatives in groups for phrase in alternatives
                if phrase[0] == "@"}


@dataclass(frozen=True)
class Layer:
    needs: tuple[Need, ...]
    filler: frozenset[str]  # stems of words that carry no need ("help", "service", "near")
    words: dict[str, str]  # stem -> a word as written, for every word the layer uses (spelling)
    # first stem of a sign's first group's phrases ("@concept" for a concept) -> (need, sign) numbers:
    # a query is checked only against the signs one of its words could start
    triggers: dict[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    groups: dict[str, frozenset[str]] = field(default_factory=dict)  # "@drug": any drug's concept

    def find(self, stems: list[str], concepts: set[str]) -> list[tuple[Need, set[int]]]:
        """Return the needs a query's stems express, each with the positions of the words that said it."""
        concepts = set(concepts) | {name for name, members in self.groups.items() if members & concepts}
        candidates = sorted({pair for key in {*stems, *(f"@{c}" for c in concepts)}
                             for pair in self.triggers.get(key, ())})
        said: dict[int, set[int]] = {}
        for need_number, sign_number in candidates:
            positions = _all_groups(self.needs[need_number].signs[sign_number], stems, concepts)
            if positions is not None:
                said.setdefault(need_number, set()).update(positions)
        return [(self.needs[n], positions) for n, positions in sorted(said.items())
                if not any(_all_groups(sign, stems, concepts) is not None for sign in self.needs[n].unless)]


def _all_groups(groups, stems, concepts) -> set[int] | None:
    positions: set[int] = set()
    for alternatives in groups:
        hit = None
        for phrase in alternatives:
            hit = _phrase_at(phrase, stems, concepts)
            if hit is not None:
                break
        if hit is None:
            return None
        positions |= hit
    return positions


def _phrase_at(phrase: Phrase, stems: list[str], concepts: set[str]) -> set[int] | None:
    if phrase[0] == "@":
        return set() if phrase[1] in concepts else None
    length = len(phrase)
    for i in range(len(stems) - length + 1):
        if tuple(stems[i:i + length]) == phrase:
            return set(range(i, i + length))
    return None


def _phrase(written: str, words: dict[str, str]) -> Phrase | None:
    written = written.strip()
    if written.startswith("@"):
        return ("@", written[1:].strip().lower())
    tokens = text.tokens(written)
    for w in tokens:
        if len(w) > 2:
            words.setdefault(text.stem(w), w)
    return tuple(text.stem(w) for w in tokens) or None


def _findings(value: str, words) -> tuple[Finding, ...]:
    out = []
    for item in value.split(","):
        parts = tuple((part.strip().lower(), _phrase(part, words) or ())
                      for part in item.split("+") if part.strip())
        if parts:
            out.append(Finding(parts))
    return tuple(out)


def _signs(value: str, words) -> list[tuple[tuple[Phrase, ...], ...]]:
    out = []
    for way in value.split(";"):
        groups = []
        for group in way.split("+"):
            alternatives = tuple(p for p in (_phrase(a, words) for a in group.split("/")) if p)
            if alternatives:
                groups.append(alternatives)
        if groups:
            out.append(tuple(groups))
    return out


def parse(source: str) -> Layer:
    """Read the needs format (see the head of `data/needs.txt`)."""
    needs, filler, words, groups = [], set(), {}, {}
    current: dict | None = None

    def close():
        if current is not None:
            needs.append(Need(
                key=current["key"], label=current.get("label", current["key"]),
                finds=current.get("finds", ()), also=current.get("also", ()), excludes=current.get("not", ()),
                signs=tuple(current.get("signs", ())), callout=current.get("callout"),
                urgent=current.get("urgent", False), boost=current.get("boost", False),
                general=current.get("general", False), life=current.get("life", False),
                unless=tuple(current.get("unless", ())), any_drug=current.get("drug", False)))

    for line_number, line in enumerate(source.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, colon, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if not colon:
            raise ValueError(f"needs.txt line {line_number}: expected “name: value”")
        if name == "filler":
            filler.update(text.stem(w) for w in text.tokens(value))
        elif name == "group":
            group, _, members = value.partition("=")
            named = {m.strip().lower() for m in members.split(",") if m.strip()}
            groups[group.strip().lower()] = groups.get(group.strip().lower(), frozenset()) | named
        elif name == "need":
            close()
            current = {"key": value.lower()}
        elif current is None:
            raise ValueError(f"needs.txt line {line_number}: “{name}” before any “need:”")
        elif name == "label":
            current["label"] = value
        elif name in ("finds", "also", "not"):
            current[name] = current.get(name, ()) + _findings(value, words)
        elif name in ("when", "unless"):
            current.setdefault("signs" if name == "when" else "unless", []).extend(_signs(value, words))
        elif name == "callout":
            current["callout"] = value.lower()
        elif name == "urgent":
            current["urgent"] = value.lower() in ("yes", "life")
            current["life"] = value.lower() == "life"
        elif name == "drug":
            current["drug"] = value.lower() == "any"
        elif name == "role":
            current["boost"] = value.lower() == "boost"
            current["general"] = value.lower() == "general"
        else:
            raise ValueError(f"needs.txt line {line_number}: unknown field “{name}”")
    close()
    triggers: dict[str, set[tuple[int, int]]] = {}
    for n, need in enumerate(needs):
        for i, sign in enumerate(need.signs):
            for phrase in sign[0]:
                key = f"@{phrase[1]}" if phrase[0] == "@" else phrase[0]
                triggers.setdefault(key, set()).add((n, i))
    return Layer(tuple(needs), frozenset(filler), words, {k: tuple(sorted(v)) for k, v in triggers.items()},
                 groups)


@cache
def layer() -> Layer:
    """Return the needs layer from `data/needs.txt` (read once per process)."""
    return parse(NEEDS_FILE.read_text(encoding="utf-8"))
