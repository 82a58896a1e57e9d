"""What a listing lacks that people need to use it: a phone, opening hours, a postcode, how to get in,
who it is for, a website. Each gap says why it matters and where on the agency form to fill it in.

Read from the published listing (what the public sees), not from a change waiting for review.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from . import dimensions, geo
from .extensions import db
from .models import Service, ServiceAtLocation

# What each check is called, in the order the checks run (column order for tables counting them).
GAP_NAMES = {
    "phone": "phone number",
    "hours": "opening times",
    "postcode": "full postcode",
    "referral": "how to get in",
    "eligibility": "who can use it",
    "website": "website",
}


@dataclass(frozen=True)
class Gap:
    """One thing a listing lacks."""

    key: str  # one of GAP_NAMES
    label: str  # what to add, as a link's text ("Add a phone number")
    why: str  # what the lack costs the people who need the service
    field_id: str  # the element of the agency edit form to fill it in (an anchor on that page)

    @property
    def name(self) -> str:
        """What is missing, for counts ("phone number")."""
        return GAP_NAMES[self.key]


@dataclass(frozen=True)
class Completeness:
    """How complete one listing is."""

    service: Service
    gaps: tuple[Gap, ...]

    total = len(GAP_NAMES)

    @property
    def present(self) -> int:
        return self.total - len(self.gaps)

    @property
    def complete(self) -> bool:
        return not self.gaps


# The form's "Add another location" button: where a listing with no location gets one.
ADD_LOCATION = "add_location"


def of(service: Service) -> Completeness:
    """Return what one listing lacks."""
    return Completeness(service, tuple(_gaps(service)))


def for_services(services: list[Service]) -> dict[str, Completeness]:
    """Return each service's completeness by id, loading what the checks read in a few queries."""
    ids = [s.id for s in services]
    if ids:
        # Fills in the (identity-mapped) services' collections: one query each, not one per service.
        db.session.scalars(select(Service).where(Service.id.in_(ids)).options(*LOADING)).all()
    return {s.id: of(s) for s in services}


# What the checks read, for queries that load many listings at once.
LOADING = (
    selectinload(Service.phones),
    selectinload(Service.terms),
    selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.schedules),
    selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.location),
)


def _gaps(service: Service):
    sals = list(service.service_at_locations)
    if not service.phones:
        yield Gap("phone", "Add a phone number", "People can’t ring you.", "phones-0-number")
    # Only weekly sessions count: most notes on opening times say they are not known ("check with us").
    if not any(sal.schedules for sal in sals):
        yield Gap(
            "hours",
            "Add opening times",
            "People can’t tell when you are open, so they may come or call when nobody is there.",
            "locations-0-sessions-0-weekday" if sals else ADD_LOCATION,
        )
    postcode_gap = _postcode_gap(service, sals)
    if postcode_gap:
        yield postcode_gap
    if not _terms(service, dimensions.REFERRAL_ROUTE.vocabulary):
        yield Gap(
            "referral",
            "Say how people get in",
            "People can’t tell whether they can refer themselves or need someone to refer them.",
            dimensions.REFERRAL_ROUTE.field,
        )
    has_eligibility = (
        (service.eligibility_description or "").strip()
        or _terms(service, dimensions.AUDIENCE.vocabulary)
        or service.minimum_age is not None
        or service.maximum_age is not None
    )
    if not has_eligibility:
        yield Gap(
            "eligibility",
            "Say who can use it",
            "People can’t tell whether the service is for them.",
            "eligibility_description",
        )
    if not ((service.url or "").strip() or any(sal.location and sal.location.url for sal in sals)):
        yield Gap("website", "Add a website", "People can’t read more about you or check for changes.", "url")


def _postcode_gap(service: Service, sals: list[ServiceAtLocation]) -> Gap | None:
    """A building needs a full postcode to be found on a map; a phone or online service needs none."""
    buildings = [(i, sal.location) for i, sal in enumerate(sals) if sal.location.location_type == "physical"]
    if not buildings and (sals or _only_remote(service)):
        return None  # only by phone, online or post
    if any(_full_postcode(location.postcode) for _, location in buildings):
        return None
    return Gap(
        "postcode",
        "Add the full postcode",
        "People can’t find you on a map or see how far away you are.",
        f"locations-{buildings[0][0]}-postcode" if buildings else ADD_LOCATION,
    )


def _full_postcode(text: str | None) -> bool:
    try:
        return bool(text) and geo.parse_postcode(text).full is not None
    except geo.PostcodeError:
        return False


def _only_remote(service: Service) -> bool:
    """Whether the listing says how it is delivered and none of it is in person."""
    ways = _codes(service, dimensions.DELIVERY.vocabulary)
    return bool(ways) and IN_PERSON not in ways


IN_PERSON = "in-person"


def _terms(service: Service, vocabulary: str) -> bool:
    return bool(_codes(service, vocabulary))


def _codes(service: Service, vocabulary: str) -> set[str]:
    return {term.code for term in service.terms if term.taxonomy.code == vocabulary}
