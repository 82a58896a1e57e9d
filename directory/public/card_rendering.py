"""Card rendering: a listed service's card and links, made cheap, and every cache pages rely on.

A results page shows twenty cards (the `card_layout` macro, templates/public/_macros.html), and
rendering the macro for each cost more than the search itself, although most of a card changes
only when its listing does. So a card's markup is rendered once with stand-ins where the per-page
values go (the links that carry the signposting list, snippet, distance, opening status): its
frame (frames.py), which later pages fill in (what the service says about new referrals is one of
those values: it goes out of date with the moment of the request). Its two links cost more than
the rest of the card too, so each page builds each once with a stand-in id and puts every
service's id in its place.

Both are speed tricks only: with the `CARD_FRAMES` setting off, every card renders through its
macros and every link through url_for, and a test checks that both ways give the same bytes.

`CACHES` lists every cache that keeps a results page cheap, with its limit; each stays in the
module that owns what it speeds up.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from flask import current_app, url_for
from markupsafe import Markup, escape

from .. import capacity as referrals
from .. import signposting
from ..resources import finding
from ..search import Catalogue, bitsets, documents, engine, english, needs, places, spelling, store, text
from . import cards, filter_frames, layout_frames
from .frames import fill, frame
from .search_links import QUERY_SAFE

# The nil UUID: a well-formed service id that no service has (ids are random UUIDs).
_ID_STAND_IN = "00000000-0000-0000-0000-000000000000"


class Page:
    """One page's cards and card links: its signposting list, its "back" link and its macros."""

    __slots__ = ("ids", "_where", "_here_found", "_frames", "_render", "_add", "_service", "_macros")

    def __init__(self, ids: list[str], here: Callable[[], str], frames: bool = True):
        self.ids = ids
        self._where = here  # this page's address without the list, worked out only if a link needs it
        self._here_found = None
        self._frames = frames
        self._render = render if frames else render_whole
        self._add = self._service = self._macros = None  # worked out once per page, on first use

    def _here(self) -> str:
        found = self._here_found
        if found is None:
            found = self._here_found = self._where()  # once a page: both patterns and any link need it
        return found

    def add_url(self, service_id: str) -> str:
        """Return the link that adds a service to this page's signposting list."""
        ids = self.ids
        # The pattern holds only for an id appended in the stand-in's place: not one listed already, nor
        # when the list is full or holds the stand-in itself.
        if not self._frames or service_id in ids or _ID_STAND_IN in ids or len(ids) >= signposting.MAX_ITEMS:
            return url_for("public.signposting_list", s=signposting.with_added(ids, service_id),
                           back=self._here())
        pattern = self._add
        if pattern is None:
            pattern = self._add = self._keeping(url_for("public.signposting_list"), [*ids, _ID_STAND_IN])
        return pattern.replace("s=" + _ID_STAND_IN, "s=" + service_id, 1)

    def service_url(self, service_id: str) -> str:
        """Return the link to a service's page that keeps this page's list and leads back here."""
        if not self._frames:
            return url_for("public.service", service_id=service_id, s=self.ids, back=self._here())
        pattern = self._service
        if pattern is None:
            path = url_for("public.service", service_id=_ID_STAND_IN)
            pattern = self._service = self._keeping(path, self.ids)
        return pattern.replace(_ID_STAND_IN, service_id, 1)

    def _keeping(self, path: str, ids: list[str]) -> str:
        """Return `url_for(endpoint, s=ids, back=here)` given the endpoint's `path`: werkzeug's query string
        (search_links.py), without url_for's rule lookups for it (each cost as much as five cards)."""
        return path + "?" + urlencode([*(("s", i) for i in ids), ("back", self._here())], safe=QUERY_SAFE)

    def card_items(self, hits, moment) -> Markup:
        """Return a results page's cards, each in its list item, as results.html's loop over `card`
        writes them (`hits`: (search hit, card) pairs): joined here, not by twenty template calls."""
        card = self.card
        return Markup("".join([  # noqa: S704  (the cards' own markup)
            part for hit, service in hits for part in (
                "<li>", card(service, moment, hit.snippet, hit.distance_label, hit.why), "</li>")]))

    def card(self, service: cards.Card, moment, snippet=None, distance=None, why=None,
             id_prefix="") -> Markup:
        """Return one service's card in a list: `why` says why a resident may use it, `snippet` and
        `distance` come from a search."""
        macros = self._macros
        if macros is None:
            macros = self._macros = current_app.jinja_env.get_template("public/_macros.html").module
        return self._render(
            macros, service, id_prefix=id_prefix,
            service_href=self.service_url(service.id), add_href=self.add_url(service.id),
            snippet=snippet, distance=distance, why="; ".join(why) if why else None,
            status=status_badge(service.status(moment)), capacity=referrals.wording(service, moment),
        )


_OPEN_BADGE = Markup('<span class="status status-open">')
_CLOSED_BADGE = Markup('<span class="status status-closed">')
_BADGE_END = Markup("</span>")


@lru_cache(maxsize=1024)
def status_badge(status: str) -> Markup:
    """Show an opening status ("Open now, until 17:00") as a badge; a function, not a macro, and
    remembered, as a results page shows twenty of them and there are few different statuses."""
    if not status:
        return Markup('<span class="status status-unknown">Opening times not listed</span>')
    opening = _OPEN_BADGE if status.startswith("Open") else _CLOSED_BADGE
    return opening + escape(status) + _BADGE_END


_ABSENT = Markup("")


def render(macros, card: cards.Card, heading_level: int = 3, id_prefix: str = "", *, service_href: str,
           add_href: str, status: str, snippet=None, distance=None, why=None, capacity=None) -> Markup:
    """Return the card's markup from `macros` (the public/_macros.html module) and its frames:
    `card_layout` with the per-page values, the optional ones (snippet, distance, why, capacity)
    through their own macros."""
    parts = _parts(macros)
    fixed = _card(card, heading_level, id_prefix)
    pieces = frame(macros.card_layout, fixed, _PER_PAGE)
    if pieces is None:  # the card's own text holds a stand-in
        return _render_through_macro(macros, fixed, parts, service_href, add_href, status, snippet, distance,
                                     why, capacity)
    # fill(pieces, values), with each optional part's frame filled in place: one string made per card,
    # not one per part and another per join (a fifth of a card's time). An absent part is empty markup.
    snippet_frame, distance_frame, why_frame, capacity_frame = parts
    p = pieces
    out = [p[0], escape(service_href), p[1]]
    if snippet:
        out += _part(snippet_frame, snippet)
    out.append(p[2])
    if distance:
        out += _part(distance_frame, distance)
    if why:
        out += _part(why_frame, why)
    out.append(p[3])
    if capacity:
        out += _part(capacity_frame, capacity)
    out += (p[4], _escaped(status), p[5], escape(add_href), p[6])
    return Markup("".join(out))  # noqa: S704  (the macros' own output and escaped values)


def _escaped(value) -> str:
    # What escape() would give, without making a copy of markup that is already safe.
    return value if value.__class__ is Markup else escape(value)


def _part(frame_pieces: tuple[str, str], value) -> tuple[str, str, str]:
    """Return an optional part's frame (one value) with `value` in its place: `frames.fill`'s pieces."""
    return frame_pieces[0], _escaped(value), frame_pieces[1]


def _render_through_macro(macros, fixed, parts, service_href, add_href, status, snippet, distance, why,
                          capacity) -> Markup:
    snippet_frame, distance_frame, why_frame, capacity_frame = parts
    snippet_part = fill(snippet_frame, (snippet,)) if snippet else _ABSENT
    where_part = fill(distance_frame, (distance,)) if distance else _ABSENT
    if why:
        where_part += fill(why_frame, (why,))
    capacity_part = fill(capacity_frame, (capacity,)) if capacity else _ABSENT
    values = (service_href, snippet_part, where_part, capacity_part, status, add_href)
    return macros.card_layout(**dict(fixed), **dict(zip(_PER_PAGE, values, strict=True)))


def render_whole(macros, card: cards.Card, heading_level: int = 3, id_prefix: str = "", *, service_href: str,
                 add_href: str, status: str, snippet=None, distance=None, why=None, capacity=None) -> Markup:
    """Return what `render` returns, rendering every macro in full (the `CARD_FRAMES` setting off)."""
    snippet_part = macros.card_snippet(snippet) if snippet else ""
    where_part = (macros.card_distance(distance) if distance else "") + (macros.card_why(why) if why else "")
    return macros.card_layout(service=card, heading_level=heading_level, id_prefix=id_prefix,
                              service_href=service_href, snippet_part=snippet_part, where_part=where_part,
                              capacity_part=macros.card_capacity(capacity) if capacity else "",
                              status=status, add_href=add_href)


def warm(macros, names: Catalogue, listings, frames: bool = True) -> None:
    """Make each listing's card, and its frame as results pages show it, and the filter options' frames
    (a server, before it forks)."""
    if frames:
        _parts(macros)
        filter_frames.warm(names)
    for listing in listings:
        card = cards.of_listing(listing, names)
        if frames:
            frame(macros.card_layout, _card(card, 3, ""), _PER_PAGE)


# What `card_layout` takes per page, in the order its markup uses them.
_PER_PAGE = ("service_href", "snippet_part", "where_part", "capacity_part", "status", "add_href")


def _card(card: cards.Card, heading_level: int, id_prefix: str) -> tuple:
    return ("service", card), ("heading_level", heading_level), ("id_prefix", id_prefix)


@lru_cache(maxsize=4)  # one macros module (more only while templates reload)
def _parts(macros) -> tuple[tuple[str, ...], ...]:
    """Return the frames of a card's optional parts, each taking its one value."""
    return tuple(frame(macro, (), (name,)) for macro, name in (
        (macros.card_snippet, "snippet"), (macros.card_distance, "distance"), (macros.card_why, "why"),
        (macros.card_capacity, "capacity")))


# --- every cache, with its limit ------------------------------------------------------------------


@dataclass(frozen=True)
class Cache:
    """One cache: its name, the module that owns it, how many entries it keeps, and per what."""

    name: str
    owner: str
    limit: int | None  # None: no count of its own, one entry for each of what `per` names
    per: str  # "process", or what each copy belongs to ("index segment", "index generation", "app")
    size: Callable[[], int]  # entries held now (summed over the copies)
    clear: Callable[[], None]  # empties it: it only costs time to make its entries again


def _lru(function, per: str = "process", limit: int | None = None) -> Cache:
    return Cache(function.__qualname__, function.__module__, limit or function.cache_parameters()["maxsize"],
                 per, lambda: function.cache_info().currsize, function.cache_clear)


def _search_state():
    return current_app.extensions["search"]


def _per_segment(attribute: str, limit: int | None, per: str = "index segment") -> Cache:
    # Each SegmentData keeps its own; the app's index holds the live segments' data (store.py).
    def copies():
        return [getattr(data, attribute) for data in _search_state().index._segments.values()]

    def clear():
        for found in copies():
            found.clear()

    return Cache(f"SegmentData.{attribute}", bitsets.__name__, limit, per,
                 lambda: sum(len(found) for found in copies()), clear)


def _view_memo(name: str = "_memo") -> dict:
    view = _search_state().index._view
    return getattr(view, name) if view is not None else {}


def _catalogue_size() -> int:
    return 0 if _search_state().catalogue.loaded_at == -math.inf else 1


CACHES: tuple[Cache, ...] = (
    # First, as clearing reads the reference data again at once, which fills the word caches below.
    Cache("Catalogue", Catalogue.__module__, 1, "app (read again once a minute old)", _catalogue_size,
          lambda: _search_state().catalogue.fresh(max_age=0)),
    _lru(frame),
    Cache("_built", filter_frames.__name__, None, "catalogue load (built again on the next)",
          filter_frames.size, filter_frames.clear),
    Cache("_rendered", layout_frames.__name__, layout_frames.LIMIT, "process", layout_frames.size,
          layout_frames.clear),
    _lru(_parts),
    _lru(status_badge),
    _lru(cards._status),
    Cache("_of_listing", cards.__name__, cards._OF_LISTING_LIMIT, "process",
          lambda: len(cards._of_listing), cards._of_listing.clear),
    _lru(engine._open_at),
    _lru(engine._snippet),
    _lru(text.stem),
    _lru(spelling.sound),  # a word as it sounds, for spellings that sound alike
    _lru(text._analyse),
    _lru(text.vocabulary, limit=1),  # a function of nothing: one entry
    _lru(documents._analysed),  # filled by index builds; a results page reads none of it
    _lru(places._places, limit=1),  # places.txt, read once
    _lru(needs.layer, limit=1),  # needs.txt, read once
    _lru(english._words, limit=1),  # the English word list, read once
    _lru(english._common, limit=1),  # its most used words, read once
    _lru(places._index),  # the names to look for, per set of boroughs (one, but for tests)
    _lru(places.misspelt_place),  # the place a misspelt word stands for, per word typed (memory only)
    Cache("Shelf", finding.__name__, None, "app (read again once a minute old)",
          lambda: len(finding.shelf().found or []), lambda: finding.shelf().clear()),
    _per_segment("_listings", bitsets.LISTINGS_PER_SEGMENT),
    _per_segment("_postings", bitsets.POSTINGS_PER_SEGMENT),
    _per_segment("_derived", bitsets.DERIVED_PER_SEGMENT),
    _per_segment("_weights", bitsets.WEIGHTS_PER_SEGMENT),
    _per_segment("_open_at", bitsets.OPEN_AT_PER_SEGMENT),
    _per_segment("_values", None, "index segment (one per keyword field listed)"),
    Cache("View._memo", bitsets.__name__, bitsets.MEMO_PER_VIEW, "index generation",
          lambda: len(_view_memo()), lambda: _view_memo().clear()),
    Cache("View._arrays", bitsets.__name__, None,
          f"index generation (up to {bitsets.ARRAY_ELEMENTS_PER_VIEW:,} numbers in all: a word's or a need's "
          "score per listing)",
          lambda: len(_view_memo("_arrays")), lambda: _view_memo("_arrays").clear()),
    Cache("SearchIndex._segments", store.__name__, None, "live index segment of the app's index",
          lambda: len(_search_state().index._segments), lambda: _search_state().index._segments.clear()),
)


def cache_sizes() -> dict[str, int]:
    """Return how many entries each cache holds now (per-app ones need the app's context)."""
    return {f"{c.owner}.{c.name}": c.size() for c in CACHES}


def clear_caches() -> None:
    """Empty every cache (pages stay the same, only slower until the caches fill again)."""
    for found in CACHES:
        found.clear()
