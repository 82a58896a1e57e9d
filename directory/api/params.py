"""Read and check API query parameters; a bad value raises `BadParameter` naming the parameter.

Each value is taken exactly as the OpenAPI document (openapi.py) describes it, so that the
document stays true: a parameter is given at most once, a typed parameter is never empty, and
codes are the ones the document lists, which these functions read from the same data.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from werkzeug.datastructures import MultiDict

from .. import dimensions, plain_text, search

MAX_PER_PAGE = 1000
DEFAULT_PER_PAGE = 50
MAX_PAGE = 1_000_000
MAX_TEXT = 200  # characters in one value, or in one item of a comma-separated list
MAX_ITEMS = 50  # items in a comma-separated list
MAX_ID_LIST = 2000  # characters in a comma-separated list of ids
MIN_PROXIMITY_M = 1
MAX_PROXIMITY_M = 100_000
FORMATS = ("json", "ndjson")
_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")
# RFC 3339 date-time or full date; a "+" sent unencoded arrives as a space, so that is read as "+".
_MOMENT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[-+ ][0-9]{2}:[0-9]{2}))?"
)
# The taxonomy filters in the order the API has documented (and checked) them since it was published.
API_DIMENSIONS = dimensions.first_these(
    dimensions.SERVICE_TYPE, dimensions.REFERRAL_ROUTE, dimensions.AUDIENCE, dimensions.DELIVERY,
    among=dimensions.TAXONOMIES,
)


class BadParameter(ValueError):
    """A query parameter with a value we cannot use."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass
class Paging:
    page: int
    per_page: int
    ndjson: bool


@dataclass
class ServiceQuery:
    """What `/services` and `/service_at_locations` were asked for."""

    text: str = ""
    taxonomy_term_ids: list[str] = field(default_factory=list)
    taxonomy_ids: list[str] = field(default_factory=list)
    organization_id: str = ""
    modified_after: datetime | None = None
    minimal: bool = False
    full: bool = False
    postcode: str = ""
    proximity_m: float | None = None
    borough: str = ""
    pathway: str = ""
    open_now: bool = False
    chosen: dict[str, list[str]] = field(default_factory=dict)  # a dimension's field -> its codes

    @property
    def needs_search(self) -> bool:
        """Whether the search module must answer (text, catchment, vocabulary, hours or distance)."""
        return bool(
            self.text
            or self.borough
            or any(self.chosen.values())
            or self.pathway
            or self.open_now
            or self.postcode
        )


# --- the codes the API knows (the document lists the same) -----------------------------------------


# From search's catalogue (read from the database at most once a minute), as the site's filters are:
# three queries on every request cost more than the search. A code not found is looked for again in
# a catalogue at most a second old (`max_age`), in case it was added in the last minute.
AGAIN_SECONDS = 1.0


def _catalogue(max_age: float | None):
    return search.catalogue() if max_age is None else search.catalogue().fresh(max_age=max_age)


def vocabulary_codes(vocabulary: str, max_age: float | None = None) -> list[str]:
    """Return the codes of one of our taxonomies."""
    return sorted(_catalogue(max_age).terms.get(vocabulary, {}))


def pathway_slugs(max_age: float | None = None) -> list[str]:
    return sorted(_catalogue(max_age).pathways)


def borough_slugs(max_age: float | None = None) -> dict[str, str]:
    """Return every way the API takes a borough (slug or ONS code), each to its slug."""
    boroughs = sorted(set(_catalogue(max_age).boroughs.values()), key=lambda b: b.slug)
    return {**{b.slug: b.slug for b in boroughs}, **{b.ons_code: b.slug for b in boroughs}}


# --- whole requests ------------------------------------------------------------------------------------


def paging(args: MultiDict) -> Paging:
    """Return the page, page size and format asked for."""
    fmt = _one(args, "format")
    if fmt is not None and fmt not in FORMATS:
        raise BadParameter("format", "format must be json or ndjson.")
    return Paging(
        page=integer(args, "page", 1, minimum=1, maximum=MAX_PAGE),
        per_page=integer(args, "per_page", DEFAULT_PER_PAGE, minimum=1, maximum=MAX_PER_PAGE),
        ndjson=fmt == "ndjson",
    )


def service_query(args: MultiDict) -> ServiceQuery:
    """Return the filters for the service and service-at-location lists."""
    query = ServiceQuery(
        text=text(args, "search"),
        taxonomy_term_ids=listed(args, "taxonomy_term_id"),
        taxonomy_ids=listed(args, "taxonomy_id"),
        organization_id=identifier(args, "organization_id"),
        modified_after=moment(args, "modified_after"),
        minimal=boolean(args, "minimal"),
        full=boolean(args, "full"),
        postcode=identifier(args, "postcode"),
        proximity_m=proximity(args),
        borough=choice(args, "borough", borough_slugs, "a London borough slug (e.g. lambeth) or ONS code"),
        pathway=choice(args, "pathway", lambda max_age=None: {s: s for s in pathway_slugs(max_age)},
                       "a care pathway here"),
        open_now=boolean(args, "open_now"),
        chosen={d.field: codes(args, d.param, d.vocabulary) for d in API_DIMENSIONS},
    )
    if query.postcode and not query.postcode.strip():
        raise BadParameter("postcode", "Enter a postcode, like SW9 8BS or SW9, or leave postcode out.")
    if query.proximity_m is not None and not query.postcode:
        raise BadParameter(
            "proximity", "proximity (in metres) needs a postcode to measure from: add postcode."
        )
    return query


# --- one parameter -------------------------------------------------------------------------------------


def _one(args: MultiDict, name: str, limit: int | None = MAX_TEXT) -> str | None:
    """Return the parameter's value, None when it is absent; refuse it given more than once."""
    values = args.getlist(name)
    if len(values) > 1:
        raise BadParameter(
            name, f"{name} was given {len(values)} times; give it once (several codes go comma-separated)."
        )
    if not values:
        return None
    if limit is not None and len(values[0]) > limit:
        raise BadParameter(name, f"{name} is too long (at most {limit} characters).")
    if plain_text.has_control_characters(values[0]):
        raise BadParameter(name, f"{name} contains a control character, which is not allowed.")
    return values[0]


def _given(args: MultiDict, name: str, limit: int | None = MAX_TEXT) -> str | None:
    """Return a typed parameter's value (None when absent), refusing an empty one."""
    raw = _one(args, name, limit)
    if raw == "":
        raise BadParameter(name, f"{name} is empty: give a value or leave {name} out.")
    return raw


def text(args: MultiDict, name: str) -> str:
    """Return free text (empty when absent or blank)."""
    return (_one(args, name) or "").strip()


def identifier(args: MultiDict, name: str) -> str:
    """Return an id or postcode as given: empty when absent, refused when given empty."""
    return _given(args, name) or ""


def listed(args: MultiDict, name: str) -> list[str]:
    """Return comma-separated ids as a list, each taken as given."""
    raw = _given(args, name, limit=MAX_ID_LIST)
    return [] if raw is None else _split(name, raw)


def _split(name: str, raw: str, *, limit_items: bool = False) -> list[str]:
    parts = raw.split(",")  # taken as given: " a" is not the code "a", as the document's enums say
    if limit_items and len(parts) > MAX_ITEMS:
        raise BadParameter(name, f"{name} has {len(parts)} values; give at most {MAX_ITEMS}.")
    values = []
    for part in parts:
        if not part:
            raise BadParameter(name, f"{name} has an empty value between commas.")
        if limit_items and len(part) > MAX_TEXT:
            raise BadParameter(name, f"A value of {name} is too long (at most {MAX_TEXT} characters).")
        if part not in values:
            values.append(part)
    return values


def codes(args: MultiDict, name: str, vocabulary: str) -> list[str]:
    raw = _given(args, name, limit=None)  # each code is checked
    if raw is None:
        return []
    values = _split(name, raw, limit_items=True)
    known = vocabulary_codes(vocabulary)
    if any(v not in known for v in values):
        known = vocabulary_codes(vocabulary, max_age=AGAIN_SECONDS)
    unknown = [v for v in values if v not in known]
    if unknown:
        raise BadParameter(
            name, f"Unknown {name}: {', '.join(u[:40] for u in unknown)}. Use any of: {', '.join(known)}."
        )
    return values


def choice(args: MultiDict, name: str, known_codes: Callable[..., dict[str, str]], meaning: str) -> str:
    """Return what a code stands for among `known_codes(max_age=None)`; empty when the parameter is absent."""
    raw = _given(args, name)
    if raw is None:
        return ""
    known = known_codes()
    if raw not in known:
        known = known_codes(max_age=AGAIN_SECONDS)
    if raw not in known:
        raise BadParameter(name, f"“{raw[:40]}” is not {meaning}.")
    return known[raw]


def integer(args: MultiDict, name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = _given(args, name)
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw):
        raise BadParameter(name, f"{name} must be a whole number, not “{raw[:20]}”.")
    value = int(raw)
    if not minimum <= value <= maximum:
        raise BadParameter(name, f"{name} must be between {minimum} and {maximum}.")
    return value


def boolean(args: MultiDict, name: str) -> bool:
    raw = _given(args, name)
    if raw is None or raw == "false":
        return False
    if raw == "true":
        return True
    raise BadParameter(name, f"{name} must be true or false.")


def proximity(args: MultiDict) -> float | None:
    raw = _given(args, "proximity")
    if raw is None:
        return None
    value = float(raw) if _NUMBER.fullmatch(raw) else math.nan
    if not MIN_PROXIMITY_M <= value <= MAX_PROXIMITY_M:  # NaN and infinity fail this too
        raise BadParameter(
            "proximity", f"proximity must be a number of metres from {MIN_PROXIMITY_M} to {MAX_PROXIMITY_M}."
        )
    return value


def moment(args: MultiDict, name: str) -> datetime | None:
    raw = _given(args, name)
    if raw is None:
        return None
    if not _MOMENT.fullmatch(raw):
        raise BadParameter(name, f"{name} must be an ISO 8601 date or date-time, like 2025-01-31T09:00:00Z.")
    try:
        value = datetime.fromisoformat(raw.upper().replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        # The shape is right but the day or time is not (2025-02-30, 25:00).
        raise BadParameter(name, f"{name} is not a real date and time: “{raw[:40]}”.") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        # An offset that carries the first or last representable day past it: as early or late as can be.
        return datetime.min.replace(tzinfo=UTC) if value.year == 1 else datetime.max.replace(tzinfo=UTC)
