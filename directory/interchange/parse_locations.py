"""Reading an ORUK service's locations, addresses and weekly schedules (see `parse.py`).

Postcodes give the borough (and, when the source gave none, coordinates) from our own postcode data;
weekly schedules become sessions, and a schedule with only a description becomes the hours note.
"""

from datetime import time

from .. import geo
from . import fields
from .oruk import DAY_CODES, derived_id
from .records import (
    NO_LOCATION,
    NON_GEOGRAPHIC,
    OUTSIDE_LONDON,
    OUTSIDE_UK,
    Parsed,
    ParsedLocation,
    ParsedSal,
    Vocabulary,
)

GB_COUNTRIES = {"", "GB", "UK", "GBR", "UNITED KINGDOM", "GREAT BRITAIN", "ENGLAND"}
LOCATION_KEYS = fields.keys("location")
ADDRESS_KEYS = {"location_id", "address_1", "address_2", "city", "postal_code"}


def read_locations(parsed: Parsed, r: dict, vocabulary: Vocabulary) -> None:
    """Read the service's locations (each with its address) into `parsed.sals`."""
    seen_locations = set()
    for item in r.get("service_at_locations") or []:
        loc = item.get("location") if isinstance(item.get("location"), dict) else None
        location_id = (loc or {}).get("id") or item.get("location_id")
        if not location_id:
            text = f"service_at_location {item['id']} names no location: kept as it is, not listed."
            parsed.warnings.append((NO_LOCATION, text))
            parsed.remainder["unmapped"].setdefault("service_at_locations", []).append(item)
            continue
        if location_id in seen_locations:
            parsed.problems.append(f"Location {location_id} appears twice in service_at_locations.")
            continue
        seen_locations.add(location_id)
        parsed_location = (
            _read_location(parsed, loc, vocabulary) if loc else ParsedLocation(location_id, {}, known=True)
        )
        parsed.sals.append(ParsedSal(item["id"], parsed_location, item.get("description") or ""))
        rest = {
            k: v
            for k, v in item.items()
            if k not in ("id", "service_id", "location_id", "location", "description", "schedules")
        }
        if rest:
            parsed.remainder["keyed"][f"service_at_location:{item['id']}"] = rest


def _read_location(parsed: Parsed, loc: dict, vocabulary: Vocabulary) -> ParsedLocation:
    fields = {
        "location_type": loc["location_type"],
        "name": loc.get("name") or "",
        "description": loc.get("description") or "",
        "url": loc.get("url") or None,
        "latitude": loc.get("latitude"),
        "longitude": loc.get("longitude"),
    }
    rest = {k: v for k, v in loc.items() if k not in LOCATION_KEYS}
    addresses = [a for a in loc.get("addresses") or [] if isinstance(a, dict)]
    if addresses:
        address = addresses[0]
        fields.update(
            address_1=address.get("address_1") or "",
            address_2=address.get("address_2") or "",
            city=address.get("city") or "",
        )
        postcode = (address.get("postal_code") or "").strip()
        country = str(address.get("country") or "").strip().upper()
        place = _place(parsed, loc["id"], postcode, country, fields)
        no_location = place.pop("non_geographic", False)
        fields.update(place)
        if not fields.get("borough_code") and (no_location or not postcode):
            # Without a postcode that says where it is, the borough the source names is the best we have.
            named = str(address.get("state_province") or "").strip().lower()
            fields["borough_code"] = vocabulary.borough_names.get(named)
        parsed.remainder["keyed"][f"address:{loc['id']}"] = {
            k: v for k, v in address.items() if k not in ADDRESS_KEYS
        }
        if addresses[1:]:
            rest["addresses"] = addresses[1:]
    else:
        fields.update(address_1="", address_2="", postcode=None, borough_code=None)
    if rest:
        parsed.remainder["keyed"][f"location:{loc['id']}"] = rest
    return ParsedLocation(loc["id"], fields, known=False)


def _place(parsed: Parsed, location_id: str, postcode: str, country: str, fields: dict) -> dict:
    """Return postcode, borough and (when the source gave none) coordinates for an address."""
    if not postcode:
        return {"postcode": None, "borough_code": None}
    if country not in GB_COUNTRIES:
        text = f"location {location_id} is outside the UK ({country}): no borough."
        parsed.warnings.append((OUTSIDE_UK, text))
        return {"postcode": postcode, "borough_code": None}
    try:
        if geo.non_geographic(postcode):
            display = geo.parse_postcode(postcode).display
            parsed.warnings.append((NON_GEOGRAPHIC, (
                f"location {location_id}: {display} is a PO box or other non-geographic postcode, "
                "which gives no location: no borough or coordinates are recorded from it."
            )))
            return {"postcode": display, "borough_code": None, "non_geographic": True}
        place = geo.lookup(postcode)
    except geo.MalformedPostcode as exc:
        parsed.problems.append(f"Location {location_id}: {exc}")
        return {}
    except geo.NotInLondon as exc:
        parsed.warnings.append((OUTSIDE_LONDON, f"location {location_id}: {exc} No borough is recorded."))
        return {"postcode": geo.parse_postcode(postcode).display, "borough_code": None}
    result = {"postcode": place.query, "borough_code": place.borough_code}
    if fields.get("latitude") is None or fields.get("longitude") is None:
        result.update(latitude=place.latitude, longitude=place.longitude)
    return result


def read_schedules(parsed: Parsed, r: dict) -> None:
    """Read weekly schedules into the hours of the locations they belong to; keep the rest as they came."""
    sals = {s.id: s for s in parsed.sals}
    items = [(item, None) for item in r.get("schedules") or []]
    for sal_item in r.get("service_at_locations") or []:
        items += [
            (item, sal_item["id"]) for item in sal_item.get("schedules") or [] if isinstance(item, dict)
        ]
    for item, nested_in in items:
        sal_id = item.get("service_at_location_id") or nested_in
        if sal_id is None and len(sals) == 1:
            sal_id = next(iter(sals))
        sal = sals.get(sal_id)
        rows = _weekly_rows(parsed, item) if sal is not None else None
        if rows is None:
            parsed.remainder["unmapped"].setdefault("schedules", []).append(item)
            continue
        consumed = {"id", "service_id", "service_at_location_id", "freq", "byday", "opens_at", "closes_at"}
        description = str(item.get("description") or "")
        if rows == [] and description:
            if sal.hours_note:
                parsed.remainder["unmapped"].setdefault("schedules", []).append(item)
                continue
            sal.hours_note = description
            consumed.add("description")
            key = f"hours_note:{sal.id}"
        elif rows == []:
            parsed.remainder["unmapped"].setdefault("schedules", []).append(item)
            continue
        else:
            note = description if len(description) <= 200 else ""
            if note or not description:
                consumed.add("description")
            sal.schedules += [(row_id, day, opens, closes, note) for row_id, day, opens, closes in rows]
            key = f"schedule:{item['id']}"
        rest = {k: v for k, v in item.items() if k not in consumed}
        if key.startswith("hours_note"):
            rest["id"] = item["id"]
        if rest:
            parsed.remainder["keyed"][key] = rest


def _weekly_rows(parsed: Parsed, item: dict):
    """Return [(id, weekday, opens, closes)] for a weekly schedule, [] for a note only, None if not weekly."""
    if item.get("freq") not in (None, "WEEKLY") or item.get("interval") not in (None, 1):
        return None
    byday = str(item.get("byday") or "").strip()
    if not byday:
        return [] if not item.get("opens_at") and not item.get("closes_at") else None
    codes = [c.strip().upper() for c in byday.split(",") if c.strip()]
    if not codes or any(c not in DAY_CODES for c in codes):
        return None
    opens, closes = _time(parsed, item, "opens_at"), _time(parsed, item, "closes_at")
    if opens is None or closes is None:
        return None
    days = sorted({DAY_CODES.index(c) for c in codes})
    return [
        (item["id"] if i == 0 else derived_id(item["id"], DAY_CODES[day]), day, opens, closes)
        for i, day in enumerate(days)
    ]


def _time(parsed: Parsed, item: dict, key: str) -> time | None:
    text = str(item.get(key) or "").strip()
    if not text:
        return None
    try:
        value = time.fromisoformat(text.replace("Z", ""))
    except ValueError:
        parsed.problems.append(f"Schedule {item.get('id')}: {key} “{text[:20]}” is not a time like 09:30.")
        return None
    return value.replace(tzinfo=None, second=0, microsecond=0)
