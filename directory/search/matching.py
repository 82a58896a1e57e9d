"""Which documents the words match, given the other filters, and what ranks them.

- A need ("the condom split") matches what answers it: its `finds` and `also` (service types,
  concepts, words). Any other words only rank.
- Otherwise every required clause must match. When no listing within the filters answers them
  all, a listing that answers most of what was asked (weighted by how rare each clause is, at
  least half) and something the directory itself knows (a vocabulary concept: a drug, a kind of
  help) is shown, and the page says these match only some of the words. A word no listing holds
  weighs as much as the rarest: "dentist in Camden" finds nothing rather than everything in
  Camden, and "bin collection day" finds nothing rather than whatever mentions a collection.
- Filler words ("help", "service") never narrow: they only rank.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from . import bitsets, documents, query, text

# How much of what was asked (by weight) a listing must answer when none answers all of it.
PARTIAL_SHARE = 0.5
# Fewer listings than this with every word: those with most of the words are shown after them.
FEW = 5
CONCEPT_WEIGHT = 2.0


@dataclass
class Part:
    """One part of a way a need is answered: the documents with its concept (ranked by how much
    they say it), and those answering it otherwise (a service type, words)."""

    concept: str | None
    concept_bits: int
    other_bits: int

    @property
    def bits(self) -> int:
        return self.concept_bits | self.other_bits


@dataclass
class Finding:
    parts: list[Part]

    @property
    def bits(self) -> int:
        bits = -1
        for part in self.parts:
            bits &= part.bits
        return max(bits, 0)


@dataclass
class NeedSets:
    """One need's documents: the ways it `finds` the need (best first), and those it `also` names."""

    need: object
    finds: list[Finding]
    also: list[Finding]
    excluded: int = 0  # what the need rules out as its best answer (its `not:`)
    # What the sets were made from besides the index generation (the catalogue's load): with it,
    # what is worked out from them alone can be kept for the generation (need_ranking).
    made_from: object = None

    @property
    def best(self) -> int:
        bits = 0
        for finding in self.finds:
            bits |= finding.bits
        return bits

    @property
    def any(self) -> int:
        bits = self.best
        for finding in self.also:
            bits |= finding.bits
        return bits


@dataclass
class TextMatch:
    bits: int | None  # the documents the words match, None when they do not narrow
    partial: bool
    clause_bits: list[int]  # per clause of parsed.clauses, everything it matches
    abouts: list[int]  # per clause, what it matches through categories, pathways and boroughs
    needs: list[NeedSets] = field(default_factory=list)
    first_broader: list[int] = field(default_factory=list)  # per concept clause: its first broader kind
    open_then: int = 0  # what is open when the words ask ("on saturday", "tonight"), to rank first
    every: int = 0  # with a few listings holding every word and more holding most: the first


def clause_sets(view, parsed: query.ParsedText, catalogue) -> tuple[list[int], list[int]]:
    """Return, per clause, the documents it matches and those it matches through categories."""
    sets, abouts = [], []
    for clause in parsed.clauses:
        bits = view.term("concepts", clause.concept) if clause.concept else 0
        for s in clause.stems:
            bits |= _saying(view, s)
        about = catalogue.expansion_bits(view, clause)
        sets.append(bits | about)
        abouts.append(about)
    return sets, abouts


def _saying(view, stem: str) -> int:
    """Return the documents whose text (name, organisation or description) holds a stem."""
    bits = 0
    for name in documents.TEXT_FIELDS:
        bits |= view.term(name, stem)
    return bits


def need_sets(view, need, catalogue) -> NeedSets:
    finds = [_finding(view, f, catalogue) for f in need.finds]
    excluded = 0
    for finding in need.excludes:
        excluded |= _finding(view, finding, catalogue).bits
    if excluded:
        # What the need rules out as its best answer ("not: sexual-assault-referral" for a consensual
        # exposure) still helps, as what it `also` names.
        for finding in finds:
            for part in finding.parts:
                part.concept_bits &= ~excluded
                part.other_bits &= ~excluded
    also = [_finding(view, f, catalogue) for f in need.also]
    return NeedSets(need, finds, also + ([Finding([Part(None, 0, excluded)])] if excluded else []), excluded,
                    catalogue.loaded_at)


def _finding(view, finding, catalogue) -> Finding:
    return Finding([_part(view, raw, stems, catalogue) for raw, stems in finding.parts])


def _part(view, raw: str, stems, catalogue) -> Part:
    concept = raw if raw in text.vocabulary().labels else None
    concept_bits = view.term("concepts", raw) if concept else 0
    other = 0
    dimension = catalogue.dimension_of(raw)
    if dimension:
        other = view.term(dimension, raw)
    elif concept is None and stems:
        other = view.live
        for s in stems:
            other &= _saying(view, s)
    return Part(concept, concept_bits, other)


def match(view, parsed: query.ParsedText, catalogue, others: int) -> TextMatch:
    """Return what the words match among `others` (the documents every other filter allows)."""
    result = _match(view, parsed, catalogue, others)
    broader = text.vocabulary().broader
    for clause in parsed.clauses:
        codes = broader.get(clause.concept or "", ())
        dimension = catalogue.dimension_of(codes[0]) if codes else None
        if dimension:
            result.first_broader.append(view.term(dimension, codes[0]))
    return result


def _match(view, parsed: query.ParsedText, catalogue, others: int) -> TextMatch:
    sets, abouts = clause_sets(view, parsed, catalogue)
    wanted = [need_sets(view, n, catalogue) for n in parsed.needs]
    narrowing = [s for s in wanted if not s.need.boost]
    if narrowing:
        bits = 0
        for s in narrowing:
            bits |= s.any
        return TextMatch(bits, False, sets, abouts, wanted)
    required = [b for b, c in zip(sets, parsed.clauses, strict=True) if c.role == query.REQUIRED]
    if not required:
        return TextMatch(None, False, sets, abouts, wanted)
    every = view.live
    for bits in required:
        every &= bits
    clauses = [c for c in parsed.clauses if c.role == query.REQUIRED]
    anchors = [b for b, c in zip(required, clauses, strict=True) if c.concept]
    found = (every & others).bit_count()
    if found >= FEW or len(required) == 1 or not anchors:
        return TextMatch(every, False, sets, abouts, wanted)
    # A concept the directory knows weighs double: "ISVA referral for client" is about ISVAs, whatever
    # "client" is; unless it is an everyday word too ("crystal maze", "speed awareness course").
    factors = [CONCEPT_WEIGHT if c.concept and not parsed.ambiguous(c) else 1.0 for c in clauses]
    subject = sum(1 for c in clauses if c.concept and not parsed.ambiguous(c))
    unheard = sum(1 for bits in required if not bits & view.live)
    if unheard <= subject:
        # Mostly on the directory's subject: a word no listing holds tells nothing about which
        # listing is meant ("PrEP initiation", "ISVA referral for client"). Mostly not ("emergency
        # dentist toothache"), or beside an everyday word ("crystal maze"), it says the search is
        # about something else, and counts in full.
        factors = [f if bits & view.live else 0.0 for f, bits in zip(factors, required, strict=True)]
    most = _most_of(view, required, others, factors)
    anchored = 0
    for bits in anchors:
        anchored |= bits
    # Listings with every word come first (see `ranking.EVERY_WORD`), then those with most of them.
    return TextMatch(every | (most & anchored), not found, sets, abouts, wanted, every=every if found else 0)


def _most_of(view, required: list[int], others: int, factors: list[float]) -> int:
    """Return the documents among `others` that answer at least PARTIAL_SHARE of the clauses'
    weight, each clause weighing its inverse document frequency times its factor."""
    n = max(1, view.live.bit_count())
    weights = [factor * math.log(1 + (n - df + 0.5) / (df + 0.5)) for factor, df in
               zip(factors, ((bits & view.live).bit_count() for bits in required), strict=True)]
    total = sum(weights)
    candidates = 0
    for bits in required:
        candidates |= bits
    candidates &= others
    if not candidates:
        return 0
    share = np.zeros(view.size)
    for bits, weight in zip(required, weights, strict=True):
        if bits & candidates:
            share += weight * bitsets.to_array(bits & candidates, view.size)
    chosen = np.flatnonzero(share >= PARTIAL_SHARE * total - 1e-9)
    return bitsets.from_ids(chosen.tolist(), view.size)
