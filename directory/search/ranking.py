"""Ranking: BM25F scores from the index's postings, and the order of one page of matches.

Computed here from Whoosh's postings, whole segments at a time with NumPy, rather than by Whoosh's
matchers, which cost tens of microseconds per document: ranking thousands of matches to show 20
must not take longer than finding them.
"""

import math

import numpy as np

from . import bitsets, documents, query

# What a match through a category, pathway or borough name adds to a listing's score.
ABOUT_SCORE = 2.0
K1, B = 1.2, 0.75  # BM25


def scores_of(view, parsed: query.ParsedText, abouts: list[int]) -> np.ndarray | None:
    """Return every document's score (an array by document number), or None without text: Whoosh's
    BM25F for the text, plus a fixed amount for each clause a document answers through its categories."""
    if not parsed.clauses:
        return None
    scores = np.zeros(view.size)
    n = max(1, view.live.bit_count())
    for name, term, boost in _scoring_terms(parsed):
        df = view.doc_frequency(name, term)
        if not df:
            continue
        weight = boost * math.log(1 + (n - df + 0.5) / (df + 0.5))
        # Rounded, so a segment's term-frequency parts stay valid while edits nudge the mean length.
        average = round(view.average_length(name), 1) if name in documents.TEXT_FIELDS else None
        for reader, offset, data in view.leaves:
            key = ("bm25", name, term, average)
            parts = data.derived(key, _frequency_parts, reader, data, name, term, average)
            if parts is not None:
                scores[offset:offset + data.size] += weight * parts
    for about in abouts:
        scores += ABOUT_SCORE * bitsets.to_array(about, view.size)
    return scores


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


def _scoring_terms(parsed: query.ParsedText):
    for clause in parsed.clauses:
        if clause.concept:
            yield "concepts", clause.concept, documents.CONCEPT_BOOST
        factor = 0.7 if clause.corrected else 1.0
        for s in clause.stems:
            for name, boost in documents.TEXT_FIELDS.items():
                yield name, s, boost * factor


def order(view, criteria, parsed, matched: int, abouts) -> tuple[list[int], dict, dict, str]:
    """Return the page's document numbers in order, their scores and approximate distances."""
    docnums = np.flatnonzero(bitsets.to_array(matched, view.size))
    sort = criteria.sort
    if sort == "relevance" and not parsed.clauses:
        sort = "distance" if criteria.place is not None else "name"
    ranks = view.rank_array[docnums]  # name order (and ties) as small ints
    if criteria.per_page is None:
        start, limit = 0, len(docnums)
    else:
        start = (criteria.page - 1) * criteria.per_page
        limit = start + criteria.per_page
    metres = None
    if criteria.place is not None:
        metres = view.metres_from(criteria.place.latitude, criteria.place.longitude)
    scores = scores_of(view, parsed, abouts)
    if sort == "relevance":
        keys = (ranks, -scores[docnums])
    elif sort == "distance":
        keys = (ranks, metres[docnums])
    else:
        keys = (ranks,)
    page = docnums[first_in_order(keys, limit)[start:limit]].tolist()
    page_scores = {} if scores is None else {d: float(scores[d]) for d in page}
    distances = {} if metres is None else {d: float(metres[d]) for d in page if np.isfinite(metres[d])}
    return page, page_scores, distances, sort


def first_in_order(keys: tuple[np.ndarray, ...], limit: int) -> np.ndarray:
    """Return the positions of the first `limit` items in `np.lexsort(keys)` order (the last key
    sorts first). Only those are sorted: the rest of thousands of matches never are."""
    primary = keys[-1]
    if limit >= len(primary):
        return np.lexsort(keys)
    # Everything up to the limit-th smallest primary key, ties included, then sorted in full.
    bound = np.partition(primary, limit - 1)[limit - 1]
    candidates = np.flatnonzero(primary <= bound)
    return candidates[np.lexsort(tuple(key[candidates] for key in keys))][:limit]
