"""From what someone typed to clauses: vocabulary concepts, words, and spelling corrections.

User text is never given to a query parser: it is split into words, so quotes, brackets,
AND/OR/NOT, SQL and emoji are only ever words (or nothing). Every clause must match (AND);
a clause is a concept (any of its synonyms) or one word. A word found nowhere (no listing, no
category name, not in the vocabulary) is corrected against the indexed terms, category names and
the vocabulary (edit distance 1, or 2 for long words) and the correction is offered as
"did you mean". Exact words never pay for fuzzy matching.
"""

import re
from dataclasses import dataclass, field

from . import documents, text

MAX_CHARS = 300
MAX_WORDS = 24
MAX_CANDIDATES = 3


@dataclass
class Clause:
    concept: str | None = None
    stems: list[str] = field(default_factory=list)  # stems matched in the text fields
    corrected: bool = False


@dataclass
class ParsedText:
    raw: str
    clauses: list[Clause]
    corrections: dict[str, str]  # misspelt word -> corrected stem
    surfaces: dict[str, str]  # corrected stem -> the word as people write it, when known
    highlight_stems: set[str]
    highlight_concepts: set[str]

    def suggestion(self, texts) -> str | None:
        """Return the corrected query ("did you mean"), finding how corrected words are written."""
        if not self.corrections:
            return None
        surfaces = dict(self.surfaces)
        wanted = {s for s in self.corrections.values() if s not in surfaces}
        for value in texts:
            if not wanted:
                break
            for word in text.tokens(value):
                s = text.stem(word)
                if s in wanted:
                    surfaces[s] = word
                    wanted.discard(s)

        def replace(match):
            word = match.group()
            fixed = surfaces.get(self.corrections.get(word.lower(), ""))
            if fixed is None:
                return word
            return fixed.capitalize() if word[:1].isupper() else fixed

        suggestion = " ".join(re.sub(r"[^\W_]+", replace, self.raw).split())
        return suggestion if suggestion.lower() != " ".join(self.raw.split()).lower() else None


def parse(user_text: str, view, catalogue) -> ParsedText:
    """Split user text into clauses against the current index (`view`) and category names."""
    raw = (user_text or "")[:MAX_CHARS]
    words = text.tokens(raw)[: MAX_WORDS * 2]
    stems = [text.stem(w) for w in words]
    vocabulary = text.vocabulary()
    corrections: dict[str, str] = {}
    surfaces: dict[str, str] = {}
    alternatives: dict[int, list[str]] = {}
    for i, word in enumerate(words):
        if not _needs_spelling(word) or _known(stems[i], view, vocabulary, catalogue):
            continue
        candidates = _candidates(word, stems[i], view, vocabulary, catalogue, surfaces)
        if candidates:
            corrections[word] = candidates[0]
            alternatives[i] = candidates
            stems[i] = candidates[0]
    covered = set()
    clauses: list[Clause] = []
    highlight_stems: set[str] = set()
    for concept, first, last in vocabulary.concepts_in_stems(stems):
        covered.update(range(first, last))
        literal = [stems[i] for i in range(first, last) if text.is_indexable(words[i])]
        clauses.append(Clause(concept=concept, stems=literal if last - first == 1 else [],
                              corrected=any(i in alternatives for i in range(first, last))))
        highlight_stems.update(literal)
    for i, word in enumerate(words):
        if i in covered or not text.is_indexable(word):
            continue
        clause_stems = alternatives.get(i, [stems[i]])
        clauses.append(Clause(stems=clause_stems, corrected=i in alternatives))
        highlight_stems.update(clause_stems)
    clauses = _dedupe(clauses)[:MAX_WORDS]
    return ParsedText(raw, clauses, corrections, surfaces, highlight_stems,
                      {c.concept for c in clauses if c.concept})


def _needs_spelling(word: str) -> bool:
    return len(word) >= 4 and word.isalpha() and word not in text.STOP


def _known(s: str, view, vocabulary, catalogue) -> bool:
    if s in vocabulary.words or s in vocabulary.starts or s in catalogue.stems:
        return True
    return any(view.doc_frequency(name, s) for name in documents.TEXT_FIELDS)


def _candidates(word, s, view, vocabulary, catalogue, surfaces) -> list[str]:
    """Return likely intended stems, most used first; note how known ones are written."""
    scored: dict[str, int] = {}
    for distance in (1, 2) if len(word) >= 8 else (1,):
        for name in documents.TEXT_FIELDS:
            for found in view.reader.terms_within(name, s, distance, prefix=1):
                scored[found] = scored.get(found, 0) + view.doc_frequency(name, found)
        for known_stem, written in list(vocabulary.words.items()) + list(catalogue.stems.items()):
            if known_stem[:1] == s[:1] and _within(s, known_stem, distance):
                scored[known_stem] = max(scored.get(known_stem, 0), 1)
                surfaces.setdefault(known_stem, written)
        scored.pop(s, None)
        if scored:
            break
    return sorted(scored, key=lambda w: (-scored[w], w))[:MAX_CANDIDATES]


def _within(a: str, b: str, limit: int) -> bool:
    """Whether the edit distance between a and b is at most `limit` (Levenshtein, cut off early)."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


def _dedupe(clauses: list[Clause]) -> list[Clause]:
    seen, out = set(), []
    for clause in clauses:
        key = (clause.concept, tuple(clause.stems))
        if key not in seen:
            seen.add(key)
            out.append(clause)
    return out
