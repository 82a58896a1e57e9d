"""Result cards: what a list of services shows of each one, made the same way from any source.

A card is made either from a listing stored in the search index (results pages: no database
round trip) or from a loaded `Service` (care pathway pages). Both go through the wording in
`facts.py`, and a test checks that they give the same card.

Its markup is the `card_layout` macro (templates/public/_macros.html). A results page shows twenty
cards, and rendering the macro for each cost more than the search itself, although most of a card
changes only when its listing does: `render` renders the macro once per card with stand-ins where
the per-page values go (links that carry the signposting list, snippet, distance, opening status)
and fills those in on every later page.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from markupsafe import Markup, escape

from .. import catchment, hours
from ..models import Service
from ..models.base import as_utc
from ..search import Catalogue
from ..search.documents import Listing
from . import facts


@dataclass(frozen=True)
class Card:
    id: str
    name: str
    organisation: str
    lgbtq_specific: bool
    types: tuple[str, ...]
    where: str
    who_for: str
    routes: tuple[str, ...]
    sessions: tuple[hours.Session, ...]
    verified_at: datetime | None
    seeded: bool

    def status(self, moment: datetime) -> str:
        """Say whether it is open at `moment`, or when it next opens ("" when no hours are listed)."""
        if not self.sessions:
            return ""
        # To the minute, as the wording is: the same hours give the same words all that minute.
        return _status(self.sessions, moment.replace(second=0, microsecond=0))


@lru_cache(maxsize=32768)  # a minute's worth for every listing of a large directory
def _status(sessions: tuple[hours.Session, ...], minute: datetime) -> str:
    return hours.describe_status(sessions, minute)


def of_listing(listing: Listing, names: Catalogue) -> Card:
    """Return `from_listing(listing, names)`, remembered per listing object and reference data load.

    The index hands out the same object for a stored listing for as long as it caches it, and a
    new object when the listing changes; the remembered entry keeps its object alive, so its id()
    cannot be reused while the entry stands.
    """
    found = _of_listing.get(id(listing))
    if found is not None and found[0] is listing and found[1] is names and found[2] == names.loaded_at:
        return found[3]
    if len(_of_listing) >= _OF_LISTING_LIMIT:
        _of_listing.clear()
    card = from_listing(listing, names)
    _of_listing[id(listing)] = (listing, names, names.loaded_at, card)
    return card


_OF_LISTING_LIMIT = 16384
_of_listing: dict[int, tuple] = {}


def from_listing(listing: Listing, names: Catalogue) -> Card:
    """Return the card of a listing from the search index; `names` turns codes into names."""

    def term_names(vocabulary):
        return tuple(names.term_name(vocabulary, t.code) for t in listing.terms if t.vocabulary == vocabulary)

    boroughs = [names.borough_name(loc.borough_code) for loc in listing.locations
                if loc.location_type == "physical" and loc.borough_code]
    return Card(
        id=listing.id,
        name=listing.name,
        organisation=listing.organisation,
        lgbtq_specific=facts.lgbtq_specific(listing.term_codes("audience")),
        types=term_names("service-type"),
        where=facts.where_text(boroughs, catchment.is_remote(listing)),
        who_for=facts.who_for_text(term_names("audience"), listing.minimum_age, listing.maximum_age),
        routes=term_names("referral-route"),
        sessions=tuple(hours.Session(*s) for s in listing.schedules),
        verified_at=listing.verified_at,
        seeded=listing.seeded,
    )


def from_service(service: Service) -> Card:
    """Return the card of a loaded service (its organisation, terms, locations and schedules are read)."""
    return Card(
        id=service.id,
        name=service.name or "",
        organisation=service.organisation.name if service.organisation else "",
        lgbtq_specific=facts.is_lgbtq_specific(service),
        types=tuple(facts.term_names(service, "service-type")),
        where=facts.where(service),
        who_for=facts.who_for(service),
        routes=tuple(facts.term_names(service, "referral-route")),
        sessions=tuple(hours.Session(s.weekday, s.opens_at, s.closes_at)
                       for sal in service.service_at_locations for s in sal.schedules),
        verified_at=as_utc(service.verified_at),
        seeded=bool(service.seeded),
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


def render(macros, card: Card, heading_level: int = 3, id_prefix: str = "", *, service_href: str,
           add_href: str, status: str, snippet=None, distance=None, why=None) -> Markup:
    """Return the card's markup from `macros` (the public/_macros.html module): `card_layout` with
    the per-page values, the optional ones (snippet, distance, why) through their own macros."""
    snippet_part = _filled(macros.card_snippet, (), ("snippet",), (snippet,)) if snippet else ""
    where_part = (_filled(macros.card_distance, (), ("distance",), (distance,)) if distance else "") + (
        _filled(macros.card_why, (), ("why",), (why,)) if why else "")
    return _filled(macros.card_layout, _card(card, heading_level, id_prefix), _PER_PAGE,
                   (service_href, snippet_part, where_part, status, add_href))


def warm(macros, names: Catalogue, listings) -> None:
    """Make the frame of each listing's card as results pages show it (a server, before it forks)."""
    for listing in listings:
        _frame(macros.card_layout, _card(of_listing(listing, names), 3, ""), _PER_PAGE)


# What `card_layout` takes per page, in the order its markup uses them.
_PER_PAGE = ("service_href", "snippet_part", "where_part", "status", "add_href")


def _card(card: Card, heading_level: int, id_prefix: str) -> tuple:
    return ("service", card), ("heading_level", heading_level), ("id_prefix", id_prefix)


# Stand-ins for the per-page values: text no listing holds (a card whose text does hold one is
# rendered whole instead, see `_frame`).
_STAND_INS = tuple(Markup(f"\x00{n}\x00") for n in range(len(_PER_PAGE)))  # noqa: S704  (no user text)
_STAND_IN = re.compile("\x00([0-9])\x00")


def _filled(macro, fixed: tuple, names: tuple[str, ...], values: tuple) -> Markup:
    """Return `macro` called with the `fixed` (name, value) pairs and `names` set to `values`, from
    its frame when it has one."""
    frame = _frame(macro, fixed, names)
    if frame is None:
        return macro(**dict(fixed), **dict(zip(names, values, strict=True)))
    out = [frame[0]]
    # Escaped as {{ value }} in the macro escapes them.
    for value, piece in zip(values, frame[1:], strict=True):
        out.append(escape(value))
        out.append(piece)
    return Markup("".join(out))  # noqa: S704  (the macro's own output and escaped values)


@lru_cache(maxsize=16384)
def _frame(macro, fixed: tuple, names: tuple[str, ...]) -> tuple[str, ...] | None:
    """Return the macro's markup with `fixed` arguments, split where each of `names` goes (once each,
    in that order); None if it does not come out so (the fixed arguments' text holds a stand-in)."""
    markup = str(macro(**dict(fixed), **dict(zip(names, _STAND_INS, strict=False))))
    parts = _STAND_IN.split(markup)
    if parts[1::2] != [str(n) for n in range(len(names))]:
        return None
    return tuple(parts[0::2])
