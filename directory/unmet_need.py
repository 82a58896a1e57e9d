"""Unmet need: count searches that found no or few services, without recording who searched.

What is kept is a counter per (day, borough, filters, normalised words, bucket); nothing else about
the search or the searcher. Words are shown to admins only once enough searches used them
(`INSIGHTS_MIN_COUNT`), so no single person's search can be picked out, and rows older than
`INSIGHTS_RETENTION_DAYS` are deleted by `flask insights purge`.

Counts are added up in each process and written every `UNMET_NEED_FLUSH_SECONDS` (and when the
process exits), in one transaction: a write per search made every searcher wait on the database
and made it rewrite the same hot rows many times a second. A process that is killed outright loses
at most that many seconds of counts; a failed write keeps them for the next try.
"""

import atexit
import logging
import re
import threading
import time
import weakref
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask, current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from . import clock, dimensions
from .extensions import db
from .models import UnmetSearch
from .models.insights import FILTERS_MAX_LENGTH, TERM_MAX_LENGTH

log = logging.getLogger(__name__)

DEFAULT_FEW_RESULTS = 3

# Filter dimensions recorded, in display order: (SearchRequest attribute, label in the filters string).
# The postcode itself is never kept: a full postcode is nearly an address.
# Stored counts are keyed in this order: a new dimension joins at the end rather than reorder them.
FILTER_FIELDS = (
    *((d.field, d.key) for d in dimensions.first_these(
        dimensions.SERVICE_TYPE, dimensions.PATHWAY, dimensions.REFERRAL_ROUTE, dimensions.AUDIENCE,
        dimensions.DELIVERY)),
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


KEY = ("day", "borough", "filters", "term", "bucket")
# Beyond this many distinct counts waiting (the database has been away a long time), new ones are dropped.
MAX_WAITING = 10_000


def record(request, total: int) -> bool:
    """Count a search (a `search.SearchRequest`) that found `total` services, if that was none or few.

    Never raises: a search must not fail because its count could not be kept. Return whether counted.
    """
    bucket = bucket_for(total)
    if bucket is None or (getattr(request, "page", 1) or 1) > 1:  # later pages repeat the first
        return False
    try:
        key = (clock.now().date(), borough_slug(request), normalise_filters(request),
               normalise_term(getattr(request, "text", "")), bucket)
    except SQLAlchemyError:  # the boroughs could not be read
        log.warning("unmet-need count not recorded", exc_info=True)
        return False
    tally = _tally(current_app._get_current_object())
    if not tally.add(key):
        log.warning("unmet-need count not recorded: %d counts already wait for the database", MAX_WAITING)
        return False
    if tally.due(current_app.config["UNMET_NEED_FLUSH_SECONDS"]):
        flush()
    return True


def flush(app: Flask | None = None) -> int:
    """Write this process's waiting counts. Return how many searches were written (0 if it failed)."""
    tally = _tally(app or current_app._get_current_object())
    counts = tally.take()
    if not counts:
        return 0
    try:
        _increment(counts)
    except SQLAlchemyError:
        tally.put_back(counts)
        log.warning("unmet-need counts not written yet; kept for the next try", exc_info=True)
        return 0
    return sum(counts.values())


class _Tally:
    """One process's counts waiting to be written."""

    def __init__(self, app: Flask):
        self.app = weakref.ref(app)
        self.lock = threading.Lock()
        self.counts: Counter = Counter()
        self.since = time.monotonic()  # when the counts waiting were last written (or taken)

    def add(self, key: tuple) -> bool:
        with self.lock:
            if key not in self.counts and len(self.counts) >= MAX_WAITING:
                return False
            self.counts[key] += 1
            return True

    def due(self, every: float) -> bool:
        return time.monotonic() - self.since >= every

    def take(self) -> Counter:
        with self.lock:
            counts, self.counts = self.counts, Counter()
            self.since = time.monotonic()
            return counts

    def put_back(self, counts: Counter) -> None:
        with self.lock:
            for key, n in counts.items():
                if key in self.counts or len(self.counts) < MAX_WAITING:
                    self.counts[key] += n


_TALLIES: "weakref.WeakSet[_Tally]" = weakref.WeakSet()


def _tally(app: Flask) -> _Tally:
    tally = app.extensions.get("unmet_need")
    if tally is None:
        tally = app.extensions["unmet_need"] = _Tally(app)
        _TALLIES.add(tally)
    return tally


@atexit.register
def _flush_at_exit() -> None:
    # Every process that counted writes what it holds as it exits (gunicorn workers included, as
    # they finish, recycle or are stopped).
    for tally in list(_TALLIES):
        app = tally.app()
        if app is not None and tally.counts:
            with app.app_context():
                flush(app)


def _increment(counts: Counter) -> None:
    # Its own connection and transaction: the caller's session (holding the search results) is
    # neither committed nor expired by counting.
    table = UnmetSearch.__table__
    dialect = db.engine.dialect.name
    rows = [dict(zip(KEY, key, strict=True), count=n) for key, n in sorted(counts.items())]
    with db.engine.begin() as connection:
        if dialect in ("postgresql", "sqlite"):
            insert = _dialect_insert(dialect)(table)
            connection.execute(insert.on_conflict_do_update(
                index_elements=list(KEY), set_={"count": table.c["count"] + insert.excluded["count"]}), rows)
            return
        for row in rows:
            match = [table.c[name] == row[name] for name in KEY]
            added = table.c["count"] + row["count"]
            if connection.execute(update(table).where(*match).values(count=added)).rowcount:
                continue
            try:
                with connection.begin_nested():
                    connection.execute(table.insert().values(**row))
            except IntegrityError:  # another process inserted it first
                connection.execute(update(table).where(*match).values(count=added))


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
    flush()  # this process's own counts, so an admin sees the search they just tried
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
    """Delete counts older than the retention limit (the caller commits); return how many rows went."""
    today = today or clock.now().date()
    cutoff = today - timedelta(days=current_app.config["INSIGHTS_RETENTION_DAYS"])
    result = db.session.execute(delete(UnmetSearch).where(UnmetSearch.day < cutoff))
    return result.rowcount or 0
