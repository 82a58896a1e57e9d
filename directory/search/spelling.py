"""Spelling help: which typed words to correct, and to what.

A word that is neither English (`english.py`) nor the directory's own (a listing's word, a category
name, the vocabulary or the needs layer) is corrected against the directory's words (edit distance 1,
or 2 for long words). A real English word is never "corrected" into a domain word: "wake" stays
"wake", even though "make" is in a listing. Inside a phrase the vocabulary knows, the phrase itself
says what was meant: "moring after pil" is the morning after pill, though "pil" is too short to
correct alone and "moring" could be several words.

Slips are read by class: two letters swapped is the likeliest ("perp" is PrEP before PEP); a word
spelt as it sounds ("sifilis", "farmacy", "meffadrone") is the vocabulary's word that sounds the same
when nothing is a slip or two away; and two words typed as one ("sexualhealth", "needleexchange") are
cut where their halves stand together in a phrase of the vocabulary.
"""

import re
from functools import lru_cache

from . import documents, english, text
from .edits import within

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
    if not scored:  # spelt as it sounds ("sifilis", "farmacy", "meffadrone", "detocks"): the vocabulary's
        domain = {known_stem for known_stem, written in vocabulary.words.items()
                  if known_stem != s and sounds_like(word, written)}
        scored = dict.fromkeys(domain, 1)
        surfaces.update((found, vocabulary.words[found]) for found in domain if found not in surfaces)
    # The directory's own words (vocabulary, needs, category names) before words that merely occur
    # in some listing; among them two letters swapped before any other slip ("perp" is PrEP rather than
    # PEP, "hostle" a hostel rather than a host), the vocabulary's before the everyday words the needs
    # layer uses ("councelling" is counselling, not the council of "behind on council tax"), then the most
    # used.
    ranked = sorted(scored, key=lambda w: (w not in domain, not swapped(word, surfaces.get(w, w)),
                                           w not in vocabulary.words, -scored[w], w))[:MAX_CANDIDATES]
    # A slip corrected to one of the directory's own words is not also searched as a word that only some
    # listing holds ("helth" is health, not the Heath of a hospital's name).
    return [w for w in ranked if w in domain] if ranked and ranked[0] in domain else ranked


def swapped(typed: str, written: str) -> bool:
    """Whether `typed` is `written` with two letters next to each other swapped ("perp", "prep")."""
    if len(typed) != len(written) or typed == written:
        return False
    diff = [i for i, (a, b) in enumerate(zip(typed, written, strict=True)) if a != b]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and typed[diff[0]] == written[diff[1]] \
        and typed[diff[1]] == written[diff[0]]


# Spellings that sound alike, rewritten to one: "ph" is "f", "ck" and hard "c" are "k", "x" is "ks",
# soft "c" and "z" are "s", "y" is "i"; an "h" after a consonant and doubled letters are dropped.
_SOUNDS = ((re.compile(r"ph"), "f"), (re.compile(r"ck|c(?![eiy])|q"), "k"), (re.compile(r"x"), "ks"),
           (re.compile(r"c|z"), "s"), (re.compile(r"y"), "i"), (re.compile(r"(?<=[^aeiou])h"), ""),
           (re.compile(r"(.)\1+"), r"\1"))


@lru_cache(maxsize=8192)
def sound(word: str) -> str:
    """Return a word as it sounds (see `_SOUNDS`): "syphilis" and "sifilis" are both "sifilis"."""
    for pattern, replacement in _SOUNDS:
        word = pattern.sub(replacement, word)
    return word


def sounds_like(typed: str, written: str) -> bool:
    """Whether a typed word is a written word of the vocabulary spelt as it sounds: the same sounds, or
    for long words one sound apart ("meffadrone", "mephedrone"), starting alike."""
    if len(written) < 5 or not written.isalpha():
        return False
    a, b = sound(typed), sound(written)
    return a[:1] == b[:1] and (a == b or len(b) >= 7 and len(a) >= 7 and within(a, b, 1))


def split_joined(word: str, view, vocabulary, catalogue, layer) -> list[str] | None:
    """Return the two words of a phrase typed as one ("sexualhealth", "needleexchange", "morningafter"),
    cut where it is as written, or None: a word nobody knows whose halves stand next to each other in
    a phrase of the vocabulary."""
    lower = word.lower()
    if len(lower) < 6 or not needs_spelling(lower, text.stem(lower), layer) or english.is_word(lower):
        return None
    pairs = vocabulary.pairs
    cut = next((cut for cut in range(2, len(lower) - 1)
                if (text.stem(lower[:cut]), text.stem(lower[cut:])) in pairs), None)
    # Whether the word is known does not depend on where it is cut: asked once, and only for a cut found.
    if cut is None or known(lower, text.stem(lower), view, vocabulary, catalogue, layer):
        return None
    return [word[:cut], word[cut:]]


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
                # A word the vocabulary knows alone is meant as typed, never bent into another phrase:
                # "ISVA referral" is not "IDVA referral", "FEP referral" not "PEP referral".
                if (j in fixes or len(word) < PHRASE_WORD or english.is_word(word)
                        or (stems[j],) in vocabulary.phrases or not within(word, written[k], 1)):
                    break
                changes[j] = want
            else:
                fixes.update(changes)
    return fixes
