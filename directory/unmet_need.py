"""Unmet need: count searches that found no or few services, without recording who searched.

What is kept is a counter per (day, borough, filters, normalised words, bucket); nothing else about
the search or the searcher. Words are shown to admins only once enough searches used them
(`INSIGHTS_MIN_COUNT`), so no single person's search can be picked out, and rows older than
`INSIGHTS_RETENTION_DAYS` are deleted by `flask insights purge`.
"""

import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from . import clock
from .extensions import db
from .models import UnmetSearch
from .models.insights import FILTERS_MAX_LENGTH, TERM_MAX_LENGTH

log = logging.getLogger(__name__)

DEFAULT_FEW_RESULTS = 3

# Filter dimensions recorded, in display order: (SearchRequest attribute, label in the filters string).
# The postcode itself is never kept: a full postcode is nearly an address.
FILTER_FIELDS = (
    ("service_types", "service_type"),
    ("pathway", "pathway"),
    ("referral_routes", "referral_route"),
    ("audiences", "audience"),
    ("delivery", "delivery"),
    ("open_now", "open_now"),
    ("max_miles", "max_miles"),
)

_EMAIL = re.compile(r"\S+@\S+")
_POSTCODE = re.compile(r"\b([a-z]{1,2}\d[a-z\d]?)\s*\d[a-z]{2}\b", re.IGNORECASE)
_LONG_NUMBER = re.compile(r"\d[\d\s-]{4,}\d")
_PUNCTUATION = re.compile(r"[^\w\s]|_")
_SPACE = re.compile(r"\s+")


def normalise_term(text: str | None) -> str:
    """Return search words lowercased, without punctuation or anything that could identify someone."""
    text = (text or "").lower()
    # Strip what could point at a person before punctuation goes: e-mail addresses, phone
    # numbers, the inward half of a full postcode (the outward code names a district only).
    text = _EMAIL.sub(" ", text)
    text = _POSTCODE.sub(r"\1", text)
    text = _LONG_NUMBER.sub(" ", text)
    text = _SPACE.sub(" ", _PUNCTUATION.sub(" ", text)).strip()
    if len(text) > TERM_MAX_LENGTH:
        # Cut at a word boundary, so the stored words are whole words.
        cut = text[: TERM_MAX_LENGTH + 1]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut[:TERM_MAX_LENGTH]
    return text


def normalise_filters(request) -> str:
    """Return the filters of a search as one stable string, e.g. "audience=lgbtq; service_type=a,b"."""
    parts = []
    for attribute, label in FILTER_FIELDS:
        value = getattr(request, attribute, None)
        if value in (None, "", [], (), False):
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            value = ",".join(sorted({_token(v) for v in value if v}))
        elif value is True:
            value = "yes"
        else:
            value = _token(value)
        if value:
            parts.append(f"{label}={value}")
    return "; ".join(parts)[:FILTERS_MAX_LENGTH]


def _token(value) -> str:
    return re.sub(r"[^a-z0-9.\-]", "", str(value).lower())[:60]


def borough_slug(request) -> str:
    """Return the slug of the borough searched for (chosen, or the postcode's), or ""."""
    from . import geo, search

    # The boroughs search already holds: counting a search must not cost it more database round trips.
    catalogue = search.catalogue()
    value = str(getattr(request, "borough", None) or "").strip()
    borough = None
    if value:
        borough = catalogue.boroughs.get(value.upper()) or catalogue.boroughs.get(value.lower())
    if borough is None and getattr(request, "postcode", None):
        try:
            place = geo.lookup(request.postcode)
        except (geo.MalformedPostcode, geo.NotInLondon):
            return ""
        return catalogue.borough_slugs.get(place.borough_code or "", "")
    return borough.slug if borough else ""


def bucket_for(total: int) -> str | None:
    """Return "zero", "few" or None (enough results: not recorded)."""
    if total <= 0:
        return "zero"
    if total <= current_app.config.get("INSIGHTS_FEW_RESULTS", DEFAULT_FEW_RESULTS):
        return "few"
    return None


def record(request, total: int) -> bool:
    """Count a search (a `search.SearchRequest`) that found `total` services, if that was none or few.

    Never raises: a search must not fail because its count could not be kept. Return whether counted.
    """
    bucket = bucket_for(total)
    if bucket is None or (getattr(request, "page", 1) or 1) > 1:  # later pages repeat the first
        return False
    try:
        key = {
            "day": clock.now().date(),
            "borough": borough_slug(request),
            "filters": normalise_filters(request),
            "term": normalise_term(getattr(request, "text", "")),
            "bucket": bucket,
        }
        _increment(key)
    except SQLAlchemyError:
        log.warning("unmet-need count not recorded", exc_info=True)
        return False
    return True


def _increment(key: dict) -> None:
    # Its own connection and transaction: the caller's session (holding the search results) is
    # neither committed nor expired by counting.
    table = UnmetSearch.__table__
    dialect = db.engine.dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = _dialect_insert(dialect)(table).values(**key, count=1)
        upsert = insert.on_conflict_do_update(index_elements=list(key), set_={"count": table.c["count"] + 1})
        # One statement is atomic on its own: autocommit spares a BEGIN and a COMMIT round trip.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(upsert)
        return
    match = [table.c[name] == value for name, value in key.items()]
    with db.engine.begin() as connection:
        done = connection.execute(update(table).where(*match).values(count=table.c["count"] + 1))
        if done.rowcount:
            return
        try:
            with connection.begin_nested():
                connection.execute(table.insert().values(**key, count=1))
        except IntegrityError:  # another request inserted it first
            connection.execute(update(table).where(*match).values(count=table.c["count"] + 1))


def _dialect_insert(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class CountRow:
    label: str
    zero: int
    few: int

    @property
    def total(self) -> int:
        return self.zero + self.few


@dataclass
class Report:
    period: Period
    min_count: int
    total_zero: int
    total_few: int
    by_borough: list[CountRow]
    by_filters: list[CountRow]
    by_term: list[CountRow]
    hidden_terms: int  # distinct words used by fewer than min_count searches
    hidden_searches: int  # searches those words account for
    without_words: CountRow  # searches with filters only


def default_period() -> Period:
    """Return the retention period up to today: everything the report can hold."""
    today = clock.now().date()
    return Period(today - timedelta(days=current_app.config["INSIGHTS_RETENTION_DAYS"]), today)


def report(period: Period | None = None, min_count: int | None = None) -> Report:
    """Summarise the counts in the period by borough, filters and words (words only if used enough)."""
    period = period or default_period()
    min_count = current_app.config["INSIGHTS_MIN_COUNT"] if min_count is None else min_count
    in_period = (UnmetSearch.day >= period.start, UnmetSearch.day <= period.end)

    def grouped(column, *conditions):
        zero = func.sum(UnmetSearch.count).filter(UnmetSearch.bucket == "zero")
        few = func.sum(UnmetSearch.count).filter(UnmetSearch.bucket == "few")
        rows = db.session.execute(
            select(column, func.coalesce(zero, 0), func.coalesce(few, 0), func.sum(UnmetSearch.count))
            .where(*in_period, *conditions)
            .group_by(column)
            .order_by(func.sum(UnmetSearch.count).desc(), column)
        ).all()
        return [CountRow(label, int(z), int(f)) for label, z, f, _ in rows]

    by_borough = grouped(UnmetSearch.borough)
    words = grouped(UnmetSearch.term, UnmetSearch.term != "")
    shown = [row for row in words if row.total >= min_count]
    hidden = [row for row in words if row.total < min_count]
    no_words = grouped(UnmetSearch.term, UnmetSearch.term == "")
    return Report(
        period=period,
        min_count=min_count,
        total_zero=sum(r.zero for r in by_borough),
        total_few=sum(r.few for r in by_borough),
        by_borough=by_borough,
        by_filters=grouped(UnmetSearch.filters),
        by_term=shown,
        hidden_terms=len(hidden),
        hidden_searches=sum(r.total for r in hidden),
        without_words=no_words[0] if no_words else CountRow("", 0, 0),
    )


def purge(today: date | None = None) -> int:
    """Delete counts older than the retention limit; return how many rows went."""
    today = today or clock.now().date()
    cutoff = today - timedelta(days=current_app.config["INSIGHTS_RETENTION_DAYS"])
    result = db.session.execute(delete(UnmetSearch).where(UnmetSearch.day < cutoff))
    db.session.commit()
    return result.rowcount or 0
