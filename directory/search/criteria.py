"""A search request, and the checked criteria the engine answers: filters' values, place, order, page."""

from dataclasses import dataclass, field

from .. import geo
from .catalogue import BoroughRef, Catalogue
from .filters import DISTANCE, FILTERS, TEXT, SearchInputError

SORTS = ("relevance", "distance", "name")
MAX_PER_PAGE = 1000


@dataclass
class SearchRequest:
    text: str | None = None
    borough: str | None = None  # slug or ONS code: "usable by a resident of"
    service_types: list[str] = field(default_factory=list)
    pathway: str | None = None
    referral_routes: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    delivery: list[str] = field(default_factory=list)
    open_now: bool = False
    include_unlisted_hours: bool = False  # with open_now: also the services that list no hours
    postcode: str | None = None
    max_miles: float | None = None
    organisation_id: str | None = None
    taxonomy_term_ids: list[str] = field(default_factory=list)
    sort: str = "relevance"
    page: int = 1
    per_page: int | None = 20


@dataclass
class Criteria:
    """A validated request: every active filter's value, the place resolved, the page to show."""

    request: SearchRequest
    text: str
    values: dict  # filter key -> its value, for the filters that apply
    labels: dict  # filter key -> what it asks for, in words
    place: geo.Place | None
    max_metres: float | None
    sort: str
    page: int
    per_page: int | None

    @property
    def borough(self) -> BoroughRef | None:
        return self.values.get("borough")


def validate(request: SearchRequest, catalogue: Catalogue) -> Criteria:
    """Check a request; raise SearchInputError naming the field for anything unusable."""
    values, labels = {}, {}
    for search_filter in FILTERS:
        if search_filter is DISTANCE:
            continue  # measured from the postcode, so checked after it
        value = search_filter.parse(request, catalogue)
        if value is not None:
            values[search_filter.key] = value
            labels[search_filter.key] = search_filter.label(value, catalogue)
    place = None
    if request.postcode and str(request.postcode).strip():
        try:
            place = geo.lookup(str(request.postcode))
        except geo.PostcodeError as exc:
            raise SearchInputError("postcode", str(exc)) from exc
    miles = DISTANCE.parse(request, catalogue)
    max_metres = None
    if miles is not None and place is not None:
        max_metres = miles * geo.METRES_PER_MILE
        values[DISTANCE.key] = miles
        labels[DISTANCE.key] = DISTANCE.label(miles, catalogue)
    sort = (request.sort or "relevance").strip().lower()
    if sort not in SORTS:
        raise SearchInputError("sort", "Sort by relevance, distance or name.")
    if sort == "distance" and place is None:
        raise SearchInputError("postcode", "Enter a postcode to sort by distance.")
    page = _positive_int(request.page, "page", default=1)
    per_page = None if request.per_page is None else min(_positive_int(request.per_page, "per_page", 20),
                                                         MAX_PER_PAGE)
    return Criteria(request, values[TEXT.key], values, labels, place, max_metres, sort, page, per_page)


def _positive_int(value, name, default):
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        label = name.replace("_", " ").capitalize()
        raise SearchInputError(name, f"{label} must be a whole number.") from None
    if number < 1:
        raise SearchInputError(name, f"{name.replace('_', ' ').capitalize()} must be 1 or more.")
    return number
