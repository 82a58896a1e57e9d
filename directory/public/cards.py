"""Result cards: what a list of services shows of each one, made the same way from any source.

A card is made either from a listing stored in the search index (results pages: no database
round trip) or from a loaded `Service` (care pathway pages). Both go through the wording in
`facts.py`, and a test checks that they give the same card.

Its markup, and what keeps that cheap, is `card_rendering.py`'s.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from .. import catchment, hours, hours_wording
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
    route_codes: tuple[str, ...] = ()
    phones: tuple[facts.PhoneNumber, ...] = ()
    website: str = ""  # a usable http(s) address, or ""
    hours_note: str = ""  # the locations' own notes on opening times
    # What the service last said about new referrals, and when: worded per page (capacity.state), as
    # whether it is out of date depends on the moment the page is shown.
    capacity: str | None = None
    capacity_wait_weeks: int | None = None
    capacity_stated_at: datetime | None = None

    @property
    def contact(self) -> facts.NextStep | None:
        """Say what to do instead of phoning (None when it lists a phone)."""
        if self.phones:
            return None
        return facts.no_phone_step(self.website, self.route_codes, bool(self.sessions))

    @property
    def hours_step(self) -> str:
        """Say what to do about opening times it does not list ("" when it lists some)."""
        if self.sessions:
            return ""
        return facts.no_hours_step(self.hours_note, bool(self.phones), self.website)

    def status(self, moment: datetime) -> str:
        """Say whether it is open at `moment`, or when it next opens ("" when no hours are listed)."""
        if not self.sessions:
            return ""
        # To the minute, as the wording is: the same hours give the same words all that minute.
        return _status(self.sessions, moment.replace(second=0, microsecond=0))


@lru_cache(maxsize=32768)  # a minute's worth for every listing of a large directory
def _status(sessions: tuple[hours.Session, ...], minute: datetime) -> str:
    return hours_wording.describe_status(sessions, minute)


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
        route_codes=tuple(sorted(listing.term_codes("referral-route"))),
        phones=tuple(facts.PhoneNumber(number, description) for number, description in listing.phones),
        website=facts.website(listing.url),
        hours_note=facts.hours_note_text(listing.hours_notes),
        capacity=listing.capacity,
        capacity_wait_weeks=listing.capacity_wait_weeks,
        capacity_stated_at=listing.capacity_stated_at,
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
        route_codes=tuple(sorted(service.term_codes("referral-route"))),
        phones=tuple(facts.PhoneNumber(p.number, p.description or "") for p in service.phones),
        website=facts.website(service.url),
        hours_note=facts.hours_note_text(sal.hours_note for sal in service.service_at_locations),
        capacity=service.capacity,
        capacity_wait_weeks=service.capacity_wait_weeks,
        capacity_stated_at=as_utc(service.capacity_stated_at),
    )
