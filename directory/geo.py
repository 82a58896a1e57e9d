"""Postcodes to coordinates and boroughs, and distances between places.

Everything comes from the bundled OS Code-Point Open aggregates in `data/geo/`: no geocoding
service is called. A postcode is looked up by its sector ("SW9 8") first, then its outcode ("SW9").
"""

import csv
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from geopy.distance import geodesic

DATA_DIR = Path(__file__).parent / "data" / "geo"
METRES_PER_MILE = 1609.344
# Below this share of London postcode units, a sector or outcode is treated as outside London
# (e.g. CM13: one London unit, the rest in Essex).
LONDON_SHARE_THRESHOLD = 0.5

_FULL = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9])([A-Z]{2})$")
_SECTOR = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9])$")
_OUTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


class PostcodeError(ValueError):
    """A postcode that cannot be used; `str(error)` is a message fit to show the user."""


class MalformedPostcode(PostcodeError):
    pass


class NotInLondon(PostcodeError):
    pass


@dataclass(frozen=True)
class Place:
    """Where a postcode is: its centroid and London borough(s)."""

    query: str  # the normalised postcode, sector or outcode the user gave
    matched: str  # the sector or outcode whose centroid this is
    precision: str  # "sector" or "outcode"
    latitude: float
    longitude: float
    borough_code: str  # the borough holding most of the area's postcodes
    borough_codes: tuple[str, ...]  # every London borough the area touches, largest first

    @property
    def point(self) -> tuple[float, float]:
        return (self.latitude, self.longitude)


@dataclass(frozen=True)
class ParsedPostcode:
    outcode: str
    sector: str | None  # "SW9 8"
    full: str | None  # "SW9 8BS"

    @property
    def display(self) -> str:
        return self.full or self.sector or self.outcode


def parse_postcode(text: str) -> ParsedPostcode:
    """Normalise a full postcode, sector or outcode ("sw98bs", "SW9 8BS", "SW9").

    Raises MalformedPostcode with a message for the user.
    """
    compact = re.sub(r"\s+", "", (text or "").upper())
    if not compact:
        raise MalformedPostcode("Enter a postcode, like SW9 8BS or SW9.")
    if len(compact) > 8:
        raise MalformedPostcode(f"“{text.strip()[:20]}” is too long to be a UK postcode.")
    if m := _FULL.match(compact):
        outcode, digit, unit = m.groups()
        return ParsedPostcode(outcode, f"{outcode} {digit}", f"{outcode} {digit}{unit}")
    if m := _SECTOR.match(compact):
        outcode, digit = m.groups()
        # "SW11" is an outcode, not sector 1 of SW1: prefer the outcode reading when it exists.
        if compact in _outcodes() or outcode not in _outcodes():
            return ParsedPostcode(compact, None, None)
        return ParsedPostcode(outcode, f"{outcode} {digit}", None)
    if _OUTCODE.match(compact):
        return ParsedPostcode(compact, None, None)
    raise MalformedPostcode(
        f"“{text.strip()[:20]}” is not a UK postcode. "
        "Try a full postcode like SW9 8BS or the first part, like SW9."
    )


def lookup(text: str) -> Place:
    """Return where a London postcode, sector or outcode is.

    Raises MalformedPostcode or NotInLondon, each with a message for the user.
    """
    parsed = parse_postcode(text)
    row, precision = None, None
    if parsed.sector and parsed.sector in _sectors():
        row, precision = _sectors()[parsed.sector], "sector"
    elif parsed.outcode in _outcodes():
        row, precision = _outcodes()[parsed.outcode], "outcode"
    if row is None or float(row["london_share"]) < LONDON_SHARE_THRESHOLD:
        raise NotInLondon(
            f"{parsed.display} is not a London postcode. This directory covers the 33 London boroughs."
        )
    return Place(
        query=parsed.display,
        matched=parsed.sector if precision == "sector" else parsed.outcode,
        precision=precision,
        latitude=float(row["latitude"]),
        longitude=float(row["longitude"]),
        borough_code=row["primary_borough_code"],
        borough_codes=tuple(row["borough_codes"].split(";")),
    )


def non_geographic(text: str) -> bool:
    """Say whether a postcode is one of London's non-geographic ones (PO boxes, large users: SE1P, EC1P).

    Such a postcode names where post is sorted, not where anyone is; the bundled data flags its
    sectors and districts (Code-Point Open's non-geographic marker). Raises MalformedPostcode.
    """
    parsed = parse_postcode(text)
    row = _sectors().get(parsed.sector) if parsed.sector else None
    row = row or _outcodes().get(parsed.outcode)
    return row is not None and row.get("non_geographic") == "Y"


def distance_miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the geodesic distance between two (lat, lon) points, in miles."""
    return geodesic(a, b).miles


def approx_distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return an equirectangular distance in metres: fast, and within 0.1% across London.

    For sorting thousands of candidates; show people `distance_miles`.
    """
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6_371_008.8 * math.hypot(x, y)


def describe_miles(miles: float) -> str:
    """Say a distance the way people do: "about 1.2 miles", "under 0.1 miles"."""
    if miles < 0.1:
        return "under 0.1 miles"
    if miles < 10:
        return f"about {miles:.1f} miles"
    return f"about {round(miles)} miles"


def boroughs() -> list[dict]:
    """Return the bundled borough rows (name, slug, ons_code, inner_outer, centroid)."""
    with open(DATA_DIR / "london-boroughs.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@cache
def _sectors() -> dict[str, dict]:
    return _load("london-sectors.csv", "sector")


@cache
def _outcodes() -> dict[str, dict]:
    return _load("london-outcodes.csv", "outcode")


def _load(filename: str, key: str) -> dict[str, dict]:
    with open(DATA_DIR / filename, newline="", encoding="utf-8") as f:
        return {row[key]: row for row in csv.DictReader(f)}
