"""The filters a search applies, one object each; the engine loops over them.

A filter reads its part of a request and checks it against the catalogue (`parse`), turns it into
the set of documents it keeps (`bits`), counts what choosing each of its values would give
(`facet`), and says how to describe it when a search finds nothing with it but something without
("open now"). Results are the AND of every active filter's set; a facet's counts use the AND of
all the *other* filters (see `engine.py`). Adding a filter is one object here plus its tests; a
taxonomy vocabulary is a `dimensions.Dimension` and needs no code at all.
"""

import math
from dataclasses import dataclass

from .. import catchment, dimensions, hours
from . import query


class SearchInputError(ValueError):
    """A search request that cannot be answered as asked; `message` is fit to show the user."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Relaxation:
    """A filter without which a search that found nothing would find `count` listings.

    Unpacks as (label, count), the pair people are shown; `key` names the filter, for links that
    drop it.
    """

    key: str
    label: str
    count: int

    def __iter__(self):
        return iter((self.label, self.count))


def codes(value) -> list[str]:
    """Return a list of codes from a list, a comma-separated string or None."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [str(v).strip() for v in value if str(v).strip()]


class Filter:
    """A way of narrowing a search. Subclasses set the class attributes and override what applies."""

    key: str  # constraint and facet name
    field: str  # the SearchRequest attribute it reads
    checks_catalogue = False  # its values are checked against the (possibly stale) catalogue
    has_facet = False  # whether `facet` counts anything (each facet costs an AND per filter)

    def parse(self, request, catalogue):
        """Return the request's value for this filter (None when it does not filter), or raise."""
        return getattr(request, self.field) or None

    def label(self, value, catalogue) -> str:
        """Say what the filter asks for, as a search that found nothing tells people."""
        return self.key.replace("_", " ")

    def bits(self, view, value, context) -> int:
        """Return the documents this filter keeps."""
        raise NotImplementedError

    def facet(self, view, base: int, catalogue, now) -> dict[str, int]:
        """Return how many of `base` each value of this filter would keep (when `has_facet`)."""
        raise NotImplementedError


def _value_counts(view, base: int, key: str) -> dict[str, int]:
    """Return how many of `base` hold each value of an index keyword field."""
    return {v: (base & view.term(key, v)).bit_count() for v in view.values(key)}


class Text(Filter):
    """The search words: their documents are worked out with the query (see `engine._text_bits`)."""

    key = field = "text"

    def parse(self, request, catalogue):
        # Always a value, "" included: its documents come from the parsed words, None when there are none.
        return (request.text or "")[: query.MAX_CHARS]

    def label(self, value, catalogue):
        return "your search words"

    def bits(self, view, value, context):
        return context.text_bits


class ResidentOf(Filter):
    """Services a resident of a borough may use (by catchment, not only by location)."""

    key = field = "borough"
    checks_catalogue = True
    # No facet: the results page offers every borough without counts, and counting all 33 cost more
    # than every other facet together.

    def parse(self, request, catalogue):
        if not request.borough:
            return None
        value = str(request.borough).strip()
        borough = catalogue.boroughs.get(value.upper()) or catalogue.boroughs.get(value.lower())
        if borough is None:
            raise SearchInputError("borough", "Choose a London borough from the list.")
        return borough

    def label(self, value, catalogue):
        return f"{value.name} residents"

    def bits(self, view, value, context):
        return view.any_of("residents", (value.ons_code, catchment.EVERYWHERE))


class OnlyElsewhere(Filter):
    """Services a resident of a borough may *not* use: those only for other boroughs' residents.

    What `ResidentOf` leaves out, for the results page's "3 services that match are only for
    residents of other boroughs" link.
    """

    key = "elsewhere"
    field = "residents_elsewhere"
    checks_catalogue = True

    def parse(self, request, catalogue):
        if not request.residents_elsewhere:
            return None
        value = str(request.residents_elsewhere).strip()
        borough = catalogue.boroughs.get(value.upper()) or catalogue.boroughs.get(value.lower())
        if borough is None:
            raise SearchInputError("residents_elsewhere", "Choose a London borough from the list.")
        return borough

    def label(self, value, catalogue):
        return f"only for residents of boroughs other than {value.name}"

    def bits(self, view, value, context):
        return view.live & ~view.any_of("residents", (value.ons_code, catchment.EVERYWHERE))


class Vocabulary(Filter):
    """Any of some terms of a taxonomy (service type, audience, referral route, delivery)."""

    checks_catalogue = True
    has_facet = True

    def __init__(self, dimension: dimensions.Dimension):
        self.dimension = dimension
        self.key = dimension.key
        self.field = dimension.field

    def parse(self, request, catalogue):
        chosen = codes(getattr(request, self.field))
        known = catalogue.terms.get(self.dimension.vocabulary, {})
        unknown = [c for c in chosen if c not in known]
        if unknown:
            words = self.dimension.vocabulary_words
            raise SearchInputError(self.field, f"Unknown {words}: {unknown[0][:40]}.")
        return list(dict.fromkeys(chosen)) or None

    def label(self, value, catalogue):
        return " or ".join(catalogue.term_name(self.dimension.vocabulary, c) for c in value)

    def bits(self, view, value, context):
        return view.any_of(self.key, value)

    def facet(self, view, base, catalogue, now):
        return _value_counts(view, base, self.key)


class OnPathway(Filter):
    """Services at any stage of a care pathway."""

    key = field = dimensions.PATHWAY.key
    checks_catalogue = True
    has_facet = True

    def parse(self, request, catalogue):
        pathway = (request.pathway or "").strip() or None
        if pathway and pathway not in catalogue.pathways:
            raise SearchInputError("pathway", "Choose a care pathway from the list.")
        return pathway

    def label(self, value, catalogue):
        return catalogue.pathways[value]

    def bits(self, view, value, context):
        return view.term(self.key, value)

    def facet(self, view, base, catalogue, now):
        return _value_counts(view, base, self.key)


class OpenNow(Filter):
    """Services whose listed hours include this minute, and optionally those that list no hours.

    Most listings give no hours, so "open now" alone hides them: `unlisted` counts them, for the
    page to say so and offer to include them (the value `OR_UNLISTED`).
    """

    key = field = "open_now"
    has_facet = True
    OPEN = "open"
    OR_UNLISTED = "open-or-unlisted"

    def parse(self, request, catalogue):
        if not request.open_now:
            return None
        return self.OR_UNLISTED if request.include_unlisted_hours else self.OPEN

    def label(self, value, catalogue):
        return "open now or no listed hours" if value == self.OR_UNLISTED else "open now"

    def bits(self, view, value, context):
        bits = view.open_at(hours.minute_of_week(context.now))
        if value == self.OR_UNLISTED:
            bits |= view.live & ~view.timed
        return bits

    def facet(self, view, base, catalogue, now):
        return {"yes": (base & view.open_at(hours.minute_of_week(now))).bit_count()}

    @staticmethod
    def unlisted(view, base: int) -> int:
        """Return how many of `base` list no opening hours (so cannot be judged open or closed)."""
        return (base & ~view.timed).bit_count()


class Within(Filter):
    """Services with a location within a distance of a place (the postcode the request gives)."""

    key = "distance"
    field = "max_miles"
    MAX_MILES = 100.0

    def parse(self, request, catalogue):
        """Return the distance in miles (the engine measures it from the request's place)."""
        if request.max_miles in (None, ""):
            return None
        try:
            miles = float(request.max_miles)
        except (TypeError, ValueError):
            miles = math.nan
        if not (0 < miles <= self.MAX_MILES):
            raise SearchInputError("max_miles", f"Choose a distance between 0 and {self.MAX_MILES:g} miles.")
        return miles

    def label(self, value, catalogue):
        return f"within {value:g} miles"

    def bits(self, view, value, context):
        place = context.place
        return view.within(place.latitude, place.longitude, context.max_metres)


class OfOrganisation(Filter):
    """One organisation's services (the API's `organization_id`)."""

    key = "organisation"
    field = "organisation_id"

    def label(self, value, catalogue):
        return "this organisation"

    def bits(self, view, value, context):
        return view.term("organisation_id", str(value))


class WithTerm(Filter):
    """Services with any of some taxonomy terms, by id (the API's `taxonomy_term_id`)."""

    key = "term"
    field = "taxonomy_term_ids"
    checks_catalogue = True

    def parse(self, request, catalogue):
        term_ids = codes(request.taxonomy_term_ids)
        if any(t not in catalogue.term_ids for t in term_ids):
            raise SearchInputError("taxonomy_term_ids", "Unknown taxonomy term id.")
        return term_ids or None

    def label(self, value, catalogue):
        return "the chosen categories"

    def bits(self, view, value, context):
        return view.any_of("term", value)


TEXT = Text()
OPEN_NOW = OpenNow()
DISTANCE = Within()
# In the order they are checked (the first unusable value is the error reported) and applied.
FILTERS: tuple[Filter, ...] = (
    TEXT,
    ResidentOf(),
    OnlyElsewhere(),
    *(Vocabulary(d) for d in dimensions.TAXONOMIES),
    OnPathway(),
    OPEN_NOW,
    DISTANCE,
    OfOrganisation(),
    WithTerm(),
)
BY_KEY = {f.key: f for f in FILTERS}
# Request fields checked against the catalogue, which may be up to a minute old.
CATALOGUE_FIELDS = frozenset(f.field for f in FILTERS if f.checks_catalogue)
