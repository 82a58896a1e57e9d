"""An import file read into records, and the shapes a record is parsed into.

An import accepts a JSON array of ORUK services, an ORUK `service_list` page or one service. Each
record is parsed (`parse.py`) into a `Parsed`: what our model holds, plus what it does not (the
remainder, kept so that an export gives it back), plus every problem that would reject it.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Borough, Catchment, Pathway, TaxonomyTerm
from .fields import MAX_DEPTH

# Kinds of warning: a record is imported, but not quite as the source meant. The import's summary
# gives one line per kind ("Warning: 12 records with <kind>: ...").
NO_AREA = "no service area we recognise (an ONS London borough, London or UK URI): listed as open to anyone"
NO_LOCATION = "a service_at_location naming no location: kept as it came, not listed"
OUTSIDE_UK = "a location outside the UK: no borough recorded"
OUTSIDE_LONDON = "a postcode outside London: no borough recorded"
NON_GEOGRAPHIC = (
    "a PO box or other non-geographic postcode, which says where post is sorted, not where the service is: "
    "no borough or coordinates recorded from it"
)

_STRINGS = re.compile(r'"(?:[^"\\]+|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


class ImportFileError(ValueError):
    """The file is not something we can import; the message says why."""


def read_records(path) -> list:
    """Read a JSON array of ORUK services, a `service_list` page, or one service."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"Cannot read {path}: {exc}") from exc
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        # Too deep is said first, as it is the likelier fault of a file that is both. (Python's
        # parser gives up past its recursion limit rather than running out of stack.)
        _check_depth(path, _nesting(text))
        if isinstance(exc, json.JSONDecodeError):
            raise ImportFileError(
                f"{path} is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
            ) from exc
        raise ImportFileError(f"{path} is not JSON: {exc}") from exc
    # Read from what was parsed, not the text: the same depth, without scanning megabytes again.
    _check_depth(path, _depth(data))
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        return data["contents"]
    if isinstance(data, dict) and "id" in data and "name" in data:
        return [data]
    raise ImportFileError(
        f"{path} holds neither a JSON array of services nor an ORUK service_list page "
        "(an object with 'contents')."
    )


def _refuse_constant(name: str):
    # Python reads NaN and Infinity, but they are not JSON and no column or JSON value can hold them.
    raise ValueError(f"{name} is not a JSON number.")


def _check_depth(path, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ImportFileError(
            f"{path} is nested {depth} levels deep; an ORUK file is nested at most {MAX_DEPTH}."
        )


def _depth(data) -> int:
    """Return how deeply arrays and objects nest in parsed JSON (as `_nesting` counts in its text)."""
    deepest, level = 0, [data] if type(data) in _CONTAINERS else []
    while level:  # a level at a time: no recursion, however deep
        deepest += 1
        level = [c for v in level for c in (v.values() if type(v) is dict else v) if type(c) in _CONTAINERS]
    return deepest


_CONTAINERS = (dict, list)  # what json.loads makes of arrays and objects


def _nesting(text: str) -> int:
    """Return how deeply arrays and objects nest in JSON text (brackets inside strings ignored)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


@dataclass
class ParsedLocation:
    """A location a record names: the columns to set, or only its id."""

    id: str
    fields: dict  # Location columns to set
    known: bool  # True when the record only referred to an existing location by id


@dataclass
class ParsedSal:
    """A service at a location, with its weekly sessions and hours note."""

    id: str
    location: ParsedLocation
    description: str
    hours_note: str = ""
    schedules: list = field(default_factory=list)  # (id, weekday, opens, closes, note)


@dataclass
class Parsed:
    """One ORUK service record, read into what our model holds plus what it does not."""

    index: int
    id: str
    name: str
    fields: dict = field(default_factory=dict)
    organization: dict | None = None  # Organisation columns, or None when only organization_id was given
    organization_id: str = ""
    organization_remainder: dict = field(default_factory=dict)
    term_ids: list = field(default_factory=list)
    catchment: str = Catchment.OPEN_ACCESS
    borough_codes: list = field(default_factory=list)
    phones: list = field(default_factory=list)  # (id, number, description)
    sals: list = field(default_factory=list)
    remainder: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)  # (kind, text): kinds above


class Vocabulary:
    """Our taxonomy terms and pathways, looked up once per import."""

    def __init__(self):
        terms = db.session.scalars(select(TaxonomyTerm).options(selectinload(TaxonomyTerm.taxonomy))).all()
        self.term_ids = {t.id for t in terms}
        self.by_code = {(t.taxonomy.code, t.code): t.id for t in terms}
        self.pathway_ids = set(db.session.scalars(select(Pathway.id)))
        self.pathway_slugs = {slug: pid for pid, slug in db.session.execute(select(Pathway.id, Pathway.slug))}
        self.boroughs = {b.ons_code: b for b in db.session.scalars(select(Borough))}
        self.borough_names = {
            key.lower(): b.ons_code for b in self.boroughs.values() for key in (b.name, b.slug, b.ons_code)
        }
