"""A search request, and the checked criteria the engine answers: filters' values, place, order, page."""

from dataclasses import dataclass, field, replace

from .. import geo
from . import english, places, text
from .catalogue import BoroughRef, Catalogue
from .filters import BY_KEY as FILTERS_BY_KEY
from .filters import DISTANCE, FILTERS, TEXT, SearchInputError
from .places import PlaceWords

SORTS = ("relevance", "distance", "name")
MAX_PER_PAGE = 1000
# The borough a request gives to say "any borough": chosen, so a postcode implies none.
ANY_BOROUGH = "any"
# `Understood.borough_from` / `postcode_from` when the search words themselves named it.
FROM_WORDS = "words"


@dataclass
class SearchRequest:
    text: str | None = None
    borough: str | None = None  # slug or ONS code: "usable by a resident of"
    residents_elsewhere: str | None = None  # slug or ONS code: only services its residents may not use
    service_types: list[str] = field(default_factory=list)
    pathway: str | None = None
    referral_routes: list[str] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    delivery: list[str] = field(default_factory=list)
    open_now: bool = False
    include_unlisted_hours: bool = False  # with open_now: also the services that list no hours
    postcode: str | None = None
    # Whether the postcode field implies its borough when none is chosen (the site: a person's own
    # postcode; the API keeps ORUK's meaning, only where distances are measured from).
    postcode_sets_borough: bool = True
    max_miles: float | None = None
    organisation_id: str | None = None
    taxonomy_term_ids: list[str] = field(default_factory=list)
    sort: str | None = None  # None: nearest first for a place and no words, else relevance
    correct_spelling: bool = True  # False: search for the words as typed ("search instead for")
    page: int = 1
    per_page: int | None = 20


@dataclass(frozen=True)
class Understood:
    """What a search read from its words, and the filters it implied rather than was given.

    `borough_from` is None when the borough was chosen (or none applies), FROM_WORDS when the words
    named it, else the postcode or area it was implied by, as shown ("SW9", "Brixton").
    `postcode_from` is FROM_WORDS when the distance origin came from the words (a postcode or area).
    """

    words: PlaceWords | None = None  # the place taken out of the search words
    borough_from: str | None = None
    postcode_from: str | None = None
    borough_declined: bool = False  # the request said "any borough": nothing implies one


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
    understood: Understood = field(default_factory=Understood)

    @property
    def borough(self) -> BoroughRef | None:
        return self.values.get("borough")


def validate(request: SearchRequest, catalogue: Catalogue) -> Criteria:
    """Check a request; raise SearchInputError naming the field for anything unusable.

    A place in the words ("in Barnet", "near SW9", "Brixton") becomes the borough filter or the
    distance origin when the request gives none, and the rest of the words are searched for; a
    postcode implies its borough when none was chosen (see `Understood`).
    """
    request, understood = _with_places(request, catalogue)
    values, labels = {}, {}
    for search_filter in FILTERS:
        if search_filter is DISTANCE:
            continue  # measured from the postcode, so checked after it
        value = search_filter.parse(request, catalogue)
        if value is not None:
            values[search_filter.key] = value
            labels[search_filter.key] = search_filter.label(value, catalogue)
    place = _place(request)
    implies = (request.postcode_sets_borough or understood.postcode_from == FROM_WORDS) and (
        "elsewhere" not in values)  # its residents may use none of what that asks for
    if place is not None and implies and "borough" not in values and not understood.borough_declined:
        borough = catalogue.boroughs.get(place.borough_code)
        if borough is not None:
            values["borough"] = borough
            labels["borough"] = FILTERS_BY_KEY["borough"].label(borough, catalogue)
            implied_by = _shown(understood.words) if understood.postcode_from else place.query
            understood = replace(understood, borough_from=implied_by)
    miles = DISTANCE.parse(request, catalogue)
    max_metres = None
    if miles is not None and place is not None:
        max_metres = miles * geo.METRES_PER_MILE
        values[DISTANCE.key] = miles
        labels[DISTANCE.key] = DISTANCE.label(miles, catalogue)
    default = "distance" if place is not None and not values[TEXT.key].strip() else "relevance"
    sort = (request.sort or default).strip().lower()
    if sort not in SORTS:
        raise SearchInputError("sort", "Sort by relevance, distance or name.")
    if sort == "distance" and place is None:
        raise SearchInputError("postcode", "Enter a postcode to sort by distance.")
    page = _positive_int(request.page, "page", default=1)
    per_page = None if request.per_page is None else min(_positive_int(request.per_page, "per_page", 20),
                                                         MAX_PER_PAGE)
    return Criteria(request, values[TEXT.key], values, labels, place, max_metres, sort, page, per_page,
                    understood)


def _place(request: SearchRequest) -> geo.Place | None:
    if not (request.postcode and str(request.postcode).strip()):
        return None
    try:
        return geo.lookup(str(request.postcode))
    except geo.PostcodeError as exc:
        raise SearchInputError("postcode", str(exc)) from exc


def _shown(words: PlaceWords) -> str:
    """Name the place in the words that gave the distance origin: the postcode, else the area."""
    return words.postcode or words.area


def _with_places(request: SearchRequest, catalogue: Catalogue) -> tuple[SearchRequest, Understood]:
    """Return the request with the place in its words applied (and taken out of them), and what was."""
    borough = str(request.borough or "").strip()
    declined = borough.lower() == ANY_BOROUGH
    if declined:
        request = replace(request, borough=None)
    chosen_borough = bool(borough) and not declined
    chosen_postcode = bool(request.postcode and str(request.postcode).strip())
    words = places.find_in(request.text, catalogue, known_word) if request.text else None
    if words is None:
        return request, Understood(borough_declined=declined)
    changes, borough_from, postcode_from = {}, None, None
    origin = words.postcode or words.area_outcode
    if origin and not chosen_postcode:
        changes["postcode"], postcode_from = origin, FROM_WORDS
    if words.borough is not None and not chosen_borough and not declined:
        changes["borough"] = words.borough.slug
        borough_from = FROM_WORDS if words.area is None else words.area
    same_borough = chosen_borough and words.borough is not None and borough.lower() in (
        words.borough.slug, words.borough.ons_code.lower())
    if not changes and not same_borough:
        # The words name a place other than the one chosen: they are searched for as typed.
        return request, Understood(borough_declined=declined)
    changes["text"] = words.text
    return replace(request, **changes), Understood(words, borough_from, postcode_from, declined)


def known_word(word: str) -> bool:
    """Whether a typed word is English or one of the directory's own: never then a misspelt place."""
    return english.is_word(word) or text.stem(word) in text.vocabulary().words


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
