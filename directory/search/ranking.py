"""Ranking: BM25F scores from the index's postings, and the order of one page of matches.

A listing's score is BM25F for the words (filler words count for little), a fixed amount for each
clause it answers through its categories, and for each need the words express, an amount for each
way it answers it (more for what the need `finds` than for what it `also` names). When the need is
an emergency, the listings that answer it best and are open around the clock come first. With a
place and words, the score is discounted by distance (see `DISTANCE_MILES`), so a near service that
answers well comes before a far one that answers a little better.

Computed here from Whoosh's postings, whole segments at a time with NumPy, rather than by Whoosh's
matchers, which cost tens of microseconds per document: ranking thousands of matches to show 20
must not take longer than finding them.
"""

import math

import numpy as np

from . import ages, bitsets, documents, need_ranking, query

# What a match through a category, pathway or borough name adds to a listing's score.
ABOUT_SCORE = 2.0
# Above any score: services open around the clock that best answer an emergency come first (the
# best FIRST_AROUND_THE_CLOCK of them).
AROUND_THE_CLOCK = 1000.0
FIRST_AROUND_THE_CLOCK = 3
# A concept's own words as typed, beside the concept: "crisis cafe" ranks crisis cafes first
# among mental health services.
RANK_STEM_FACTOR = 0.5
# The first kind of service a concept names as answering it ranks above the others ("tina":
# chemsex services before drug services in general).
FIRST_BROADER = 1.0
# A service with a place in the borough asked about ranks above those elsewhere its residents may use.
LOCAL = 3.0
# A listing with every word, shown beside listings with most of them, comes before them.
EVERY_WORD = 100.0
# Open when the words ask ("open on saturday", "tonight"): first among otherwise equal answers.
OPEN_THEN = 8.0
# How much of a need's score depends on a listing being one kind of service rather than several.
SPECIFIC = 0.2
# Filler words ("help", "service") only break ties between otherwise equal matches.
FILLER_FACTOR = 0.1
# Words beside a need ("since friday", "at the weekend") rank less than the need itself.
OPTIONAL_FACTOR = 0.1
# A concept named beside a need ("my son is drinking"): which of the need's answers is meant.
BESIDE_FACTOR = 0.3
# A concept the words deny ("not looking for rehab"), per unit of how much a listing says it.
UNWANTED = 2.0
# What leaves out the age someone gave ("im 17": adults aged 18 and over) ranks after every other answer.
OUT_OF_AGE = 1000.0
# With words and a place: a listing this many miles away keeps half its score.
DISTANCE_MILES = 2.0
METRES_PER_MILE = 1609.344
K1, B = 1.2, 0.75  # BM25


def scores_of(view, parsed: query.ParsedText, matched, borough=None, among: int = -1,
              metres: np.ndarray | None = None) -> np.ndarray | None:
    """Return every document's score (an array by document number), or None without text.
    `matched` is the words' `matching.TextMatch`; `borough` the borough asked about, if any; `among`
    the documents the search shows (the services open around the clock that come first are theirs);
    `metres` how far each is from the place asked about, if any (the nearest of those come first)."""
    if not parsed.clauses and not parsed.needs:
        return None
    scores = np.zeros(view.size)
    for clause in parsed.clauses:
        factor = _factor(clause)
        if clause.concept:
            _add_bm25(scores, view, "concepts", clause.concept, documents.CONCEPT_BOOST * factor)
        # A concept's own words rank only what is tagged with it: a name that holds them and is not
        # that (the "White Lines" of a tennis club) gains nothing from them.
        tagged = view.array(("tagged", clause.concept),
                            lambda v, c=clause.concept: _concept_parts(v, c) > 0) if clause.concept else None
        for stems, weight in ((clause.stems, factor), (clause.rank_stems, factor * RANK_STEM_FACTOR)):
            for stem in stems:
                words = view.array(("words", stem), lambda v, stem=stem: _words_score(v, stem))
                if words is not None:
                    scores += weight * (words if tagged is None or stems is clause.stems else words * tagged)
    for about, clause in zip(matched.abouts, parsed.clauses, strict=True):
        if about:
            scores += _factor(clause) * ABOUT_SCORE * bitsets.to_array(about, view.size)
    for concept in parsed.unwanted:
        scores -= UNWANTED * _concept_parts(view, concept)
    for first in matched.first_broader:
        if first:
            scores += FIRST_BROADER * bitsets.to_array(first, view.size)
    if parsed.age is not None:
        left_out = view.any_of("ages", ages.leaving_out(parsed.age, view.values("ages")))
        if left_out:
            scores -= OUT_OF_AGE * bitsets.to_array(left_out, view.size)
    urgent = need_ranking.add_scores(scores, view, matched.needs, lambda c: _concept_parts(view, c),
                                     parsed.evidence, _specificity(view) if parsed.narrowing_needs else 1.0,
                                     parsed.echoes, among, parsed.out_of_hours)
    # What is open for the need: around the clock for a danger to life, else open now (need_ranking).
    open_always = np.flatnonzero(bitsets.to_array(urgent & among, view.size))
    if len(open_always):
        # The best few, not every A&E in London: the answers that are not open all night follow.
        # Ties go by name, as the page's order does: never by where a listing happens to sit in the index.
        by_score = np.lexsort((view.rank_array[open_always], -_near(scores, metres)[open_always]))
        first = open_always[by_score[:FIRST_AROUND_THE_CLOCK]]
        scores[first] += AROUND_THE_CLOCK
    if borough is not None:
        scores += LOCAL * bitsets.to_array(view.term("located", borough.ons_code), view.size)
    if matched.every:
        scores += EVERY_WORD * bitsets.to_array(matched.every, view.size)
    if matched.open_then:
        # Beside a need, what answers it matters more than when it opens ("nowhere to go tonight").
        weight = OPEN_THEN / 4 if parsed.narrowing_needs else OPEN_THEN
        scores += weight * bitsets.to_array(matched.open_then, view.size)
    return scores


def _near(scores: np.ndarray, metres: np.ndarray | None) -> np.ndarray:
    """Return scores discounted by distance (see `DISTANCE_MILES`); as they are without a place."""
    if metres is None:
        return scores
    miles = np.where(np.isfinite(metres), metres / METRES_PER_MILE, DISTANCE_MILES)
    return scores / (1 + miles / DISTANCE_MILES)


def _factor(clause: query.Clause) -> float:
    factor = {query.FILLER: FILLER_FACTOR, query.OPTIONAL: OPTIONAL_FACTOR,
              query.BESIDE: BESIDE_FACTOR}.get(clause.role, 1.0)
    return factor * (0.7 if clause.corrected else 1.0)


def _specificity(view) -> np.ndarray:
    """Return, per document, how specifically it is one kind of service: 1 for one service type,
    less the more types it has (see `SPECIFIC`). The same for every search of an index generation."""
    return view.derived("specificity", _count_kinds)


def _count_kinds(view) -> np.ndarray:
    kinds = np.zeros(view.size)
    for code in view.values("service_type"):
        kinds += bitsets.to_array(view.term("service_type", code), view.size)
    return (1 - SPECIFIC) + SPECIFIC / np.maximum(kinds, 1)


def _concept_parts(view, concept: str) -> np.ndarray:
    """Return every document's BM25 term-frequency part for a concept (0 where it is absent)."""
    parts = np.zeros(view.size)
    for reader, offset, data in view.leaves:
        found = data.derived(("bm25", "concepts", concept, None), _frequency_parts, reader, data,
                             "concepts", concept, None)
        if found is not None:
            parts[offset:offset + data.size] = found
    return parts


def _frequency_parts(reader, data, name: str, term: str, average: float | None) -> np.ndarray | None:
    """Return BM25's term-frequency part, tf·(k1+1)/(tf+norm), of each document of a segment
    (0 where the term is absent), or None when no document holds it."""
    weights = data.weights(reader, name, term)
    if not weights:
        return None
    docs = np.fromiter(weights.keys(), dtype=np.int64, count=len(weights))
    tf = np.fromiter(weights.values(), dtype=np.float64, count=len(weights))
    if average:
        lengths = np.asarray(data.lengths[name], dtype=np.float64)[docs]
        norm = K1 * (1 - B + B * lengths / average)
    else:
        norm = K1
    parts = np.zeros(data.size)
    parts[docs] = tf * (K1 + 1) / (tf + norm)
    return parts


def _add_bm25(scores: np.ndarray, view, name: str, term: str, boost: float) -> bool:
    """Add a term's BM25 in one field to `scores`; return whether any document holds it."""
    df = view.doc_frequency(name, term)
    if not df:
        return False
    n = max(1, view.live.bit_count())
    weight = boost * math.log(1 + (n - df + 0.5) / (df + 0.5))
    # Rounded, so a segment's term-frequency parts stay valid while edits nudge the mean length.
    average = round(view.average_length(name), 1) if name in documents.TEXT_FIELDS else None
    for reader, offset, data in view.leaves:
        key = ("bm25", name, term, average)
        parts = data.derived(key, _frequency_parts, reader, data, name, term, average)
        if parts is not None:
            scores[offset:offset + data.size] += weight * parts
    return True


def _words_score(view, stem: str) -> np.ndarray | None:
    """Return a word's BM25F over the text fields, per document (None if no document holds it): the
    same for every search of an index generation, and summed once instead of field by field."""
    scores = np.zeros(view.size)
    found = [_add_bm25(scores, view, name, stem, boost) for name, boost in documents.TEXT_FIELDS.items()]
    return scores if any(found) else None


def order(view, criteria, parsed, matched: int, text_match) -> tuple[list[int], dict, dict, str]:
    """Return the page's document numbers in order, their scores and approximate distances."""
    docnums = np.flatnonzero(bitsets.to_array(matched, view.size))
    sort = criteria.sort
    local_first = False
    if sort == "relevance" and not parsed.clauses and not parsed.needs:
        # Nothing to rank by but where: nearest first, or the borough's own services first.
        local_first = criteria.place is None and criteria.borough is not None
        sort = "distance" if criteria.place is not None else "relevance" if local_first else "name"
    ranks = view.rank_array[docnums]  # name order (and ties) as small ints
    if criteria.per_page is None:
        start, limit = 0, len(docnums)
    else:
        start = (criteria.page - 1) * criteria.per_page
        limit = start + criteria.per_page
    metres = None
    if criteria.place is not None:
        metres = view.metres_from(criteria.place.latitude, criteria.place.longitude)
    scores = scores_of(view, parsed, text_match, criteria.borough, matched, metres)
    if sort == "relevance" and metres is not None:
        # Nearer first among equally good answers; a service with no place (a helpline) counts as
        # DISTANCE_MILES away. What is open around the clock for an emergency stays first, and what
        # answers danger now best comes before what only helps (need_ranking.ANSWERS_FIRST).
        if scores.max(initial=0.0) >= min(AROUND_THE_CLOCK, need_ranking.ANSWERS_FIRST):
            base = np.where(scores >= AROUND_THE_CLOCK, AROUND_THE_CLOCK, 0.0)
            base += np.where(scores - base >= need_ranking.ANSWERS_FIRST, need_ranking.ANSWERS_FIRST, 0.0)
            blended = base + _near(scores - base, metres)
        else:  # most searches: no tier to keep
            blended = _near(scores, metres)
        keys = (ranks, -blended[docnums])
        scores = blended
    elif local_first:
        keys = (ranks, ~bitsets.to_array(view.term("located", criteria.borough.ons_code), view.size)[docnums])
    elif sort == "relevance":
        keys = (ranks, -scores[docnums])
    elif sort == "distance":
        keys = (ranks, metres[docnums])
    else:
        keys = (ranks,)
    shown = docnums[first_in_order(keys, limit)[start:limit]]
    page = shown.tolist()
    # Read off for the page's twenty at once: indexing an array one number at a time costs more.
    page_scores = {} if scores is None else dict(zip(page, scores[shown].tolist(), strict=True))
    distances = {} if metres is None else {
        d: m for d, m in zip(page, metres[shown].tolist(), strict=True) if math.isfinite(m)}
    return page, page_scores, distances, sort


# How sparse a sample of the keys first_in_order narrows them with.
SAMPLE_EVERY = 16


def first_in_order(keys: tuple[np.ndarray, ...], limit: int) -> np.ndarray:
    """Return the positions of the first `limit` items in `np.lexsort(keys)` order (the last key
    sorts first). Only those are sorted: the rest of thousands of matches never are."""
    primary = keys[-1]
    if limit >= len(primary):
        return np.lexsort(keys)
    # The limit-th smallest of any part of the keys is at least the limit-th smallest of all, so what
    # is no greater holds the first `limit`: a part (every SAMPLE_EVERY-th) narrows thousands of
    # matches to a few hundred for a third of what selecting among them all costs.
    sample = primary[::SAMPLE_EVERY] if len(primary) >= 4 * SAMPLE_EVERY * limit else primary
    near = np.flatnonzero(primary <= np.partition(sample, limit - 1)[limit - 1])
    if len(near) > limit:  # everything up to the limit-th smallest primary key, ties included
        part = primary[near]
        near = near[part <= np.partition(part, limit - 1)[limit - 1]]
    return near[np.lexsort(tuple(key[near] for key in keys))][:limit]

