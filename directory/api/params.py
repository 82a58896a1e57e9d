"""Read and check API query parameters; a bad value raises `BadParameter` naming the parameter."""

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from .. import dimensions, reference
from ..extensions import db
from ..models import Pathway, Taxonomy, TaxonomyTerm

MAX_PER_PAGE = 1000
DEFAULT_PER_PAGE = 50
MAX_TEXT = 200
MAX_PROXIMITY_M = 100_000
TRUE = {"true", "1", "yes", "on"}
FALSE = {"false", "0", "no", "off", ""}
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


def paging(args: MultiDict) -> Paging:
    """Return the page, page size and format asked for."""
    fmt = text(args, "format").lower() or "json"
    if fmt not in ("json", "ndjson"):
        raise BadParameter("format", "format must be json or ndjson.")
    return Paging(
        page=integer(args, "page", 1, minimum=1, maximum=1_000_000),
        per_page=integer(args, "per_page", DEFAULT_PER_PAGE, minimum=1, maximum=MAX_PER_PAGE),
        ndjson=fmt == "ndjson",
    )


def service_query(args: MultiDict) -> ServiceQuery:
    """Return the filters for the service and service-at-location lists."""
    query = ServiceQuery(
        text=text(args, "search"),
        taxonomy_term_ids=listed(args, "taxonomy_term_id"),
        taxonomy_ids=listed(args, "taxonomy_id"),
        organization_id=text(args, "organization_id"),
        modified_after=moment(args, "modified_after"),
        minimal=boolean(args, "minimal"),
        full=boolean(args, "full"),
        postcode=text(args, "postcode"),
        proximity_m=proximity(args),
        open_now=boolean(args, "open_now"),
        chosen={d.field: codes(args, d.param, d.vocabulary) for d in API_DIMENSIONS},
    )
    if query.proximity_m is not None and not query.postcode:
        raise BadParameter("proximity", "proximity (in metres) needs a postcode to measure from.")
    borough = text(args, "borough")
    if borough:
        found = reference.borough_by_slug_or_code(borough)
        if found is None:
            raise BadParameter(
                "borough", f"“{borough[:40]}” is not a London borough slug (e.g. lambeth) or ONS code."
            )
        query.borough = found.slug
    pathway = text(args, "pathway")
    if pathway:
        if db.session.query(Pathway.id).filter(Pathway.slug == pathway.lower()).first() is None:
            raise BadParameter("pathway", f"“{pathway[:40]}” is not a care pathway here.")
        query.pathway = pathway.lower()
    return query


def text(args: MultiDict, name: str) -> str:
    value = (args.get(name) or "").strip()
    if len(value) > MAX_TEXT:
        raise BadParameter(name, f"{name} is too long (at most {MAX_TEXT} characters).")
    if "\x00" in value:
        raise BadParameter(name, f"{name} contains a character that is not allowed.")
    return value


def listed(args: MultiDict, name: str) -> list[str]:
    """Return a parameter given once comma-separated or repeated, as a list."""
    values = []
    for raw in args.getlist(name):
        for part in raw.split(","):
            part = part.strip()
            if len(part) > MAX_TEXT or "\x00" in part:
                raise BadParameter(name, f"{name} has a value that is too long or not allowed.")
            if part and part not in values:
                values.append(part)
    return values


def codes(args: MultiDict, name: str, vocabulary: str) -> list[str]:
    values = [v.lower() for v in listed(args, name)]
    if not values:
        return []
    known = set(
        db.session.scalars(select(TaxonomyTerm.code).join(Taxonomy).where(Taxonomy.code == vocabulary))
    )
    unknown = [v for v in values if v not in known]
    if unknown:
        raise BadParameter(
            name,
            f"Unknown {name}: {', '.join(u[:40] for u in unknown)}. Use any of: {', '.join(sorted(known))}.",
        )
    return values


def integer(args: MultiDict, name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, f"{name} must be a whole number, not “{raw[:20]}”.") from None
    if not minimum <= value <= maximum:
        raise BadParameter(name, f"{name} must be between {minimum} and {maximum}.")
    return value


def boolean(args: MultiDict, name: str) -> bool:
    raw = (args.get(name) or "").strip().lower()
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise BadParameter(name, f"{name} must be true or false.")


def proximity(args: MultiDict) -> float | None:
    raw = (args.get("proximity") or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise BadParameter("proximity", f"proximity must be a number of metres, not “{raw[:20]}”.") from None
    if not math.isfinite(value) or not 0 < value <= MAX_PROXIMITY_M:
        raise BadParameter(
            "proximity", f"proximity must be more than 0 and at most {MAX_PROXIMITY_M} metres."
        )
    return value


def moment(args: MultiDict, name: str) -> datetime | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise BadParameter(
                name, f"{name} must be an ISO 8601 date or date-time, like 2025-01-31T09:00:00Z."
            ) from None
        value = datetime(day.year, day.month, day.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
