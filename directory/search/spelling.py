"""Spelling help: which typed words to correct, and to what.

A word that is neither English (`english.py`) nor the directory's own (a listing's word, a category
name, the vocabulary or the needs layer) is corrected against the directory's words (edit distance 1,
or 2 for long words). A real English word is never "corrected" into a domain word: "wake" stays
"wake", even though "make" is in a listing. Inside a phrase the vocabulary knows, the phrase itself
says what was meant: "moring after pil" is the morning after pill, though "pil" is too short to
correct alone and "moring" could be several words.
"""

from . import documents, english, text

MAX_CANDIDATES = 3
PHRASE_WORD = 3  # the shortest word a phrase corrects ("pil"); shorter ones are too often meant


def needs_spelling(word: str, stem: str, layer) -> bool:
    return len(word) >= 4 and word.isalpha() and word not in text.STOP and stem not in layer.filler


def known(word: str, s: str, view, vocabulary, catalogue, layer) -> bool:
    if s in vocabulary.words or s in vocabulary.starts or s in catalogue.stems:
        return True
    if english.is_word(word):
        return True
    if s not in layer.words and not any(view.doc_frequency(name, s) for name in documents.TEXT_FIELDS):
        return False
    # The needs layer or a listing holds the stem, but the word as typed is no English word and is a typing
    # mistake or two from one of the directory's own words with another stem: "councilling" is "counselling",
    # whatever is said about the council.
    return not _mistyped_domain_word(word, s, vocabulary, layer)


def _mistyped_domain_word(word: str, s: str, vocabulary, layer) -> bool:
    limit = 2 if len(word) >= 8 else 1
    return len(word) >= 6 and any(
        known_stem != s and written[:1] == word[:1] and within(word, written, limit)
        for known_stem, written in (*vocabulary.words.items(), *layer.words.items()))


def candidates(word, s, view, vocabulary, catalogue, layer, surfaces) -> list[str]:
    """Return likely intended stems, most used first; note how known ones are written."""
    scored: dict[str, int] = {}
    domain: set[str] = set()
    known = list(vocabulary.words.items()) + list(catalogue.stems.items()) + list(layer.words.items())
    for distance in (1, 2) if len(word) >= 8 else (1,):
        # A short word is corrected only to the directory's own vocabulary: "LARC" is not "large".
        for name in documents.TEXT_FIELDS if len(word) >= 5 else ():
            for found in view.reader.terms_within(name, s, distance, prefix=1):
                scored[found] = scored.get(found, 0) + view.doc_frequency(name, found)
        domain = set()
        for known_stem, written in known:
            if known_stem[:1] == s[:1] and (within(s, known_stem, distance)
                                            or within(word, written, distance)):
                domain.add(known_stem)
                scored[known_stem] = max(scored.get(known_stem, 0), 1)
                surfaces.setdefault(known_stem, written)
        scored.pop(s, None)
        if scored:
            break
    # The directory's own words (vocabulary, needs, category names) before words that merely occur
    # in some listing, the vocabulary's before the everyday words the needs layer uses ("councelling" is
    # counselling, not the council of "behind on council tax"), then the most used.
    return sorted(scored, key=lambda w: (w not in domain, w not in vocabulary.words, -scored[w], w)
                  )[:MAX_CANDIDATES]


def within(a: str, b: str, limit: int) -> bool:
    """Whether a and b are at most `limit` edits apart, a swap of two letters counting as one
    ("steriods" is one edit from "steroids"): optimal string alignment, cut off early."""
    if abs(len(a) - len(b)) > limit:
        return False
    before, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return False
        before, previous = previous, current
    return previous[-1] <= limit


def phrase_fixes(words: list[str], stems: list[str], vocabulary) -> dict[int, str]:
    """Return, by position, the stems that make a run of typed words a phrase of the vocabulary: a
    word of the phrase as typed, and the others one edit from it and not English words."""
    fixes: dict[int, str] = {}
    for i, s in enumerate(stems):
        for phrase, written, at in vocabulary.phrases_holding.get(s, ()):
            start = i - at
            if start < 0 or start + len(phrase) > len(words):
                continue
            changes = {}
            for k, want in enumerate(phrase):
                j = start + k
                if stems[j] == want:
                    continue
                word = words[j]
                if (j in fixes or len(word) < PHRASE_WORD or english.is_word(word)
                        or not within(word, written[k], 1)):
                    break
                changes[j] = want
            else:
                fixes.update(changes)
    return fixes
