"""Answer a search request: match, filter, count facets, rank one page, read its listings.

Every filter is a document set (see `bitsets.py`). The matches are the AND of all of them; a
facet's counts use the AND of all the *other* filters, so each dimension shows what choosing a
value would give. Only the requested page is scored and read: Whoosh scores just the documents
that survived the filters, and each hit's listing comes from the index, stored with its document,
so showing a page loads no rows. One query of primary keys re-checks that each hit is still
published and active: an index that has not caught up yet must never show a closed service.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache

from markupsafe import Markup, escape

from .. import catchment, clock, geo, hours
from . import matching, query, ranking, text, when
from .catalogue import BoroughRef, Catalogue, Choice
from .criteria import SORTS, Criteria, SearchRequest, Understood, validate
from .documents import Listing
from .filters import CATALOGUE_FIELDS, FILTERS, OPEN_NOW, TEXT, Relaxation, SearchInputError
from .listed import still_listed
from .store import IndexBusy

__all__ = ["SORTS", "BoroughRef", "Catalogue", "Choice", "Hit", "Relaxation", "SearchInputError",
           "SearchRequest", "SearchResult", "prepare_snippets", "run"]


@dataclass
class Hit:
    listing: Listing  # the facts the index holds for the service (see `documents.Listing`)
    score: float | None = None
    snippet: Markup = field(default_factory=Markup)
    distance_miles: float | None = None
    distance_label: str | None = None
    why: list[str] = field(default_factory=list)
    open_now: bool | None = None


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None
    relaxations: list[Relaxation]  # each unpacks as (label, count)
    page: int
    pages: int
    per_page: int | None
    sort: str
    place: geo.Place | None = None
    borough: BoroughRef | None = None
    partial: bool = False  # no listing had every word: these match some of them
    corrections: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # ms: "index" (match, facets, rank), "rows"
    # ("rows": reading and describing the page's listings)
    # With "open now": how many services matching everything else list no opening hours, and
    # whether they are included in the results (None without "open now").
    hours_unlisted: int | None = None
    hours_unlisted_included: bool = False
    # What the words say someone needs (see `needs.py`), in the order the needs layer lists them:
    # the page shows their callouts ("call 999 now") before any result.
    needs: list = field(default_factory=list)
    # The place read from the search words, and the borough or origin implied (see `criteria.Understood`).
    understood: Understood = field(default_factory=Understood)
    # With a borough: how many services matching everything else are only for other boroughs' residents.
    left_out_other_boroughs: int = 0

    @property
    def callouts(self) -> list[str]:
        """Which callouts the page shows before the results, in the needs' order, each once."""
        seen = []
        for need in self.needs:
            if need.callout and need.callout not in seen:
                seen.append(need.callout)
        return seen

    @property
    def urgent(self) -> bool:
        """Whether the words mean danger now."""
        return any(need.urgent for need in self.needs)


# -- matching ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What filters need beyond their own values: the moment, the place, the text's documents."""

    now: object
    place: geo.Place | None
    max_metres: float | None
    text_bits: int | None


def _constraints(view, criteria: Criteria, text_bits: int | None, now) -> dict[str, int]:
    """Return one document set per active filter, in the filters' order."""
    context = _Context(now, criteria.place, criteria.max_metres, text_bits)
    out = {}
    for search_filter in FILTERS:
        value = criteria.values.get(search_filter.key)
        if value is None:
            continue
        bits = search_filter.bits(view, value, context)
        if bits is not None:
            out[search_filter.key] = bits
    return out


def _matching(view, criteria: Criteria, catalogue, now):
    """Read the words, and return them, what they match within the other filters, and every
    filter's documents (the words' first)."""
    parsed = query.parse(criteria.text, view, catalogue, correct=criteria.request.correct_spelling)
    others = _constraints(view, criteria, None, now)
    text_match = matching.match(view, parsed, catalogue, _all_but(view, others, None))
    text_match.open_then = when.open_then(view, when.minutes_asked(text.tokens(parsed.raw), now))
    if text_match.bits is None:
        return parsed, text_match, others
    return parsed, text_match, {TEXT.key: text_match.bits, **others}


def _all_but(view, constraints: dict[str, int], leave_out: str | None) -> int:
    bits = view.live
    for name, c in constraints.items():
        if name != leave_out:
            bits &= c
    return bits


def _facets(view, constraints, catalogue, now) -> dict[str, dict[str, int]]:
    return {f.key: f.facet(view, _all_but(view, constraints, f.key), catalogue, now)
            for f in FILTERS if f.has_facet}


def _relaxations(view, constraints, labels) -> list[Relaxation]:
    found = []
    for name in constraints:
        count = _all_but(view, constraints, name).bit_count()
        if count:
            found.append(Relaxation(name, labels[name], count))
    return sorted(found, key=lambda item: -item.count)


# -- results ---------------------------------------------------------------------------------


def prepare_snippets(listings) -> None:
    """Read each listing's text for highlighting now, as a search would (a server, before it forks)."""
    for listing in listings:
        text.analyse(_snippet_source(listing))


def _snippet_source(listing: Listing) -> str:
    return listing.description or listing.eligibility


def _hit(listing: Listing, criteria, parsed, score, metres, now) -> Hit:
    hit = Hit(listing=listing, score=score)
    source = _snippet_source(listing)
    hit.snippet = (
        _snippet(source, frozenset(parsed.highlight_stems), frozenset(parsed.highlight_concepts))
        if parsed.clauses
        else escape(_shorten(source))
    )
    if criteria.place is not None and metres is not None:
        # The index's flat-earth distance: within London it differs from the geodesic by far less
        # than the "about 1.2 miles" a card shows.
        hit.distance_miles = metres / geo.METRES_PER_MILE
        hit.distance_label = geo.describe_miles(hit.distance_miles)
    if criteria.borough is not None:
        usable = catchment.usable_by(listing, criteria.borough.ons_code, criteria.borough.name)
        if usable is not None:
            hit.why = [usable.label]
    if listing.schedules:
        hit.open_now = _open_at(tuple(listing.schedules), hours.minute_of_week(now))
    return hit


@lru_cache(maxsize=32768)
def _open_at(schedules: tuple, minute: int) -> bool:
    # Many services keep the same hours: answer each timetable once per minute.
    return hours.is_open_at([hours.Session(*s) for s in schedules], minute)


@lru_cache(maxsize=8192)
def _snippet(source: str, stems: frozenset[str], concepts: frozenset[str]) -> Markup:
    # Popular searches show the same listings again and again: highlight each text once per query.
    return text.snippet(source, stems, concepts)


def _shorten(source: str, width: int = 220) -> str:
    source = " ".join(source.split())
    if len(source) <= width:
        return source
    cut = source.rfind(" ", 0, width)
    return source[: cut if cut > 0 else width] + "…"


@dataclass
class _Reading:
    """What one pass over the index found for a request."""

    parsed: query.ParsedText
    partial: bool
    total: int
    facets: dict
    relaxations: list
    scores: dict[int, float]
    metres: dict[int, float]
    sort: str
    stored: list[tuple[int, Listing | None]]  # the page's document numbers, in order, and listings
    indexed: float  # perf_counter when ranking ended
    hours_unlisted: int | None
    left_out_other_boroughs: int = 0


def _read(index, criteria: Criteria, catalogue: Catalogue, now) -> _Reading:
    """Match, count, rank and read the page's listings from the index."""
    with index.reading() as view:
        parsed, text_match, constraints = _matching(view, criteria, catalogue, now)
        partial = text_match.partial
        matched = _all_but(view, constraints, None)
        total = matched.bit_count()
        facets = _facets(view, constraints, catalogue, now)
        relaxations = _relaxations(view, constraints, criteria.labels) if total == 0 else []
        hours_unlisted = (OPEN_NOW.unlisted(view, _all_but(view, constraints, OPEN_NOW.key))
                          if OPEN_NOW.key in constraints else None)
        # Only a residents-only catchment can fail the borough filter (every other listing is
        # usable from anywhere), so what it hides is exactly those for other boroughs' residents.
        left_out = ((_all_but(view, constraints, "borough") & ~matched).bit_count()
                    if "borough" in constraints else 0)
        page_docs, scores, metres, sort = ranking.order(view, criteria, parsed, matched, text_match)
        indexed = time.perf_counter()
        stored = [(d, view.listing(d)) for d in page_docs]
    return _Reading(parsed, partial, total, facets, relaxations, scores, metres, sort, stored, indexed,
                    hours_unlisted, left_out)


def _criteria(request: SearchRequest, catalogue: Catalogue) -> Criteria:
    try:
        return validate(request, catalogue.fresh())
    except SearchInputError as error:
        if error.field not in CATALOGUE_FIELDS:
            raise
        # A pathway or term added in the last minute is not an error: look again before saying so.
        return validate(request, catalogue.fresh(max_age=1.0))


def _reading(index, read: Callable):
    """Return `read()`; a damaged index is rebuilt and read again."""
    try:
        return read()
    except IndexBusy:
        raise
    except Exception as exc:  # noqa: BLE001  (a damaged index file fails in many ways: rebuild, answer)
        index.recover(index.build, exc)
    return read()


def ranked_ids(index, request: SearchRequest, catalogue: Catalogue) -> list[str]:
    """Return the service ids of every match, in the order a results page ranks them.

    For lists of every match (the API's ndjson and service-at-locations): nothing a page shows is
    made (no listing read, no snippet) and nothing is re-checked against the database, so the
    caller's own query must keep to published, active services.
    """
    criteria = replace(_criteria(request, catalogue), page=1, per_page=None)
    return _reading(index, lambda: _ordered(index, criteria, catalogue, clock.now()))[0]


def page_ids(index, request: SearchRequest, catalogue: Catalogue) -> tuple[list[str], int]:
    """Return the ids on the page `request` asks for, in order, and how many services match.

    What a results page ranks, without what only a page shows (facets, snippets, listings): the
    API's pages. The page's services are re-checked against the database, as on a results page.
    """
    criteria = _criteria(request, catalogue)
    ids, total = _reading(index, lambda: _ordered(index, criteria, catalogue, clock.now()))
    listed = still_listed(ids)
    return [service_id for service_id in ids if service_id in listed], total


def _ordered(index, criteria: Criteria, catalogue: Catalogue, now) -> tuple[list[str], int]:
    with index.reading() as view:
        parsed, text_match, constraints = _matching(view, criteria, catalogue, now)
        matched = _all_but(view, constraints, None)
        docs = ranking.order(view, criteria, parsed, matched, text_match)[0]
        ids = view.ids
        return [ids[d] for d in docs if ids[d]], matched.bit_count()


def run(index, request: SearchRequest, catalogue: Catalogue) -> SearchResult:
    """Answer `request` from `index` (a store.SearchIndex)."""
    criteria = _criteria(request, catalogue)
    now = clock.now()
    started = time.perf_counter()
    read = _reading(index, lambda: _read(index, criteria, catalogue, now))
    stored = read.stored
    listed = still_listed([listing.id for _, listing in stored if listing])
    hits = [
        _hit(listing, criteria, read.parsed, read.scores.get(d), read.metres.get(d), now)
        for d, listing in stored
        if listing is not None and listing.id in listed
    ]
    pages = 1 if not criteria.per_page else max(1, math.ceil(read.total / criteria.per_page))
    return SearchResult(
        total=read.total,
        hits=hits,
        facets=read.facets,
        suggestion=read.parsed.suggestion(t for h in hits for t in (h.listing.name, h.listing.description)),
        relaxations=read.relaxations,
        page=criteria.page,
        pages=pages,
        per_page=criteria.per_page,
        sort=read.sort,
        place=criteria.place,
        borough=criteria.borough,
        partial=read.partial,
        corrections=read.parsed.corrections,
        hours_unlisted=read.hours_unlisted,
        hours_unlisted_included=criteria.values.get(OPEN_NOW.key) == OPEN_NOW.OR_UNLISTED,
        understood=criteria.understood,
        needs=read.parsed.needs,
        left_out_other_boroughs=read.left_out_other_boroughs,
        timings={"index": (read.indexed - started) * 1000,
                 "rows": (time.perf_counter() - read.indexed) * 1000},
    )

