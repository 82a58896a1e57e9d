"""Import and export the directory as Open Referral UK 3.0 (HSDS) JSON, and export it as CSV.

Import validates every record first (the ORUK schema, then our rules), reports each rejected record
with its reasons, and writes in one transaction: nothing unless every record is good, or only the good
ones with `skip_invalid`. It is idempotent by id, derives boroughs from postcodes, maps service areas
back to catchment and records revisions of kind "import" (an import is never a verification).
"""

import csv
import json
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from . import catchment as catchment_rules
from . import geo, oruk, revisions
from .extensions import db
from .models import (
    LONDON_ONS_CODE,
    Borough,
    Catchment,
    InterchangeRecord,
    Location,
    Organisation,
    Pathway,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from .validation import ListingError, check_listing

GB_COUNTRIES = {"", "GB", "UK", "GBR", "UNITED KINGDOM", "GREAT BRITAIN", "ENGLAND"}
MAX_REASONS = 8


class ImportFileError(ValueError):
    """The file is not something we can import; the message says why."""


# --- export --------------------------------------------------------------------------------------


def published_services_query():
    """Return a select of every published, active service with what ORUK output needs, eagerly loaded."""
    return (
        select(Service)
        .where(Service.is_published.is_(True), Service.status == "active")
        .options(*service_load_options())
        .order_by(Service.name, Service.id)
    )


def service_load_options():
    """Return loader options that fetch a page of services in a fixed number of queries."""
    return (
        selectinload(Service.organisation),
        selectinload(Service.terms).selectinload(TaxonomyTerm.taxonomy),
        selectinload(Service.catchment_boroughs),
        selectinload(Service.phones),
        selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.schedules),
        selectinload(Service.service_at_locations)
        .selectinload(ServiceAtLocation.location)
        .selectinload(Location.borough),
    )


def iter_oruk_services(batch_size: int = 100, *, full: bool = True):
    """Yield every published, active service as ORUK JSON, loading `batch_size` rows at a time."""
    ids = list(
        db.session.scalars(
            select(Service.id)
            .where(Service.is_published.is_(True), Service.status == "active")
            .order_by(Service.name, Service.id)
        )
    )
    for start in range(0, len(ids), batch_size):
        batch_ids = ids[start : start + batch_size]
        rows = db.session.scalars(
            select(Service).where(Service.id.in_(batch_ids)).options(*service_load_options())
        )
        by_id = {s.id: s for s in rows}
        services = [by_id[i] for i in batch_ids if i in by_id]
        context = oruk.ExportContext(services)
        for service in services:
            yield oruk.service(service, context, full=full)


def export_services(path) -> int:
    """Write every published service as a JSON array of full ORUK services; return how many."""
    count = 0
    with open(path, "w", encoding="utf-8") as f:
        f.write("[")
        for data in iter_oruk_services():
            f.write(("\n" if count == 0 else ",\n") + json.dumps(data, ensure_ascii=False))
            count += 1
        f.write("\n]\n")
    return count


CSV_COLUMNS = (
    "service_id",
    "service",
    "organisation",
    "location",
    "address",
    "postcode",
    "borough",
    "who_can_use",
    "service_types",
    "audiences",
    "referral_routes",
    "delivery",
    "pathways",
    "phones",
    "email",
    "website",
    "hours",
    "hours_note",
    "last_verified",
    "last_modified",
)


def export_csv(path) -> int:
    """Write one row per service-location (a service with no location gets one row); return the rows."""
    rows = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for row in csv_rows():
            writer.writerow(row)
            rows += 1
    return rows


def csv_rows(batch_size: int = 100):
    """Yield the CSV export's rows as dicts."""
    ids = list(
        db.session.scalars(
            select(Service.id)
            .where(Service.is_published.is_(True), Service.status == "active")
            .order_by(Service.name, Service.id)
        )
    )
    for start in range(0, len(ids), batch_size):
        batch = list(
            db.session.scalars(
                select(Service)
                .where(Service.id.in_(ids[start : start + batch_size]))
                .options(*service_load_options())
                .order_by(Service.name, Service.id)
            )
        )
        context = oruk.ExportContext(batch)
        for service in batch:
            common = {
                "service_id": service.id,
                "service": service.name,
                "organisation": service.organisation.name,
                "who_can_use": catchment_rules.describe(service),
                "service_types": "; ".join(t.name for t in service.terms_in("service-type")),
                "audiences": "; ".join(t.name for t in service.terms_in("audience")),
                "referral_routes": "; ".join(t.name for t in service.terms_in("referral-route")),
                "delivery": "; ".join(t.name for t in service.terms_in("delivery")),
                "pathways": "; ".join(p.name for p in context.pathways.get(service.id, [])),
                "phones": "; ".join(
                    f"{p.number} ({p.description})" if p.description else p.number for p in service.phones
                ),
                "email": service.email or "",
                "website": service.url or "",
                "last_verified": service.verified_at.date().isoformat() if service.verified_at else "",
                "last_modified": oruk.timestamp(service.last_modified),
            }
            if not service.service_at_locations:
                yield {
                    **common,
                    "location": "",
                    "address": "",
                    "postcode": "",
                    "borough": "",
                    "hours": "",
                    "hours_note": "",
                }
            for sal in service.service_at_locations:
                loc = sal.location
                yield {
                    **common,
                    "location": loc.name or loc.location_type,
                    "address": ", ".join(line for line in (loc.address_1, loc.address_2, loc.city) if line),
                    "postcode": loc.postcode or "",
                    "borough": loc.borough.name if loc.borough is not None else "",
                    "hours": describe_hours(sal.schedules),
                    "hours_note": sal.hours_note or "",
                }


def describe_hours(schedules) -> str:
    """Say weekly hours compactly: "Mon 09:00-17:00 (walk-in); Tue 10:00-16:00"."""
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    parts = []
    for s in sorted(schedules, key=lambda s: (s.weekday, s.opens_at)):
        text = f"{days[s.weekday]} {s.opens_at:%H:%M}-{s.closes_at:%H:%M}"
        parts.append(f"{text} ({s.note})" if s.note else text)
    return "; ".join(parts)


# --- import: reading -----------------------------------------------------------------------------


def read_records(path) -> list:
    """Read a JSON array of ORUK services, a `service_list` page, or one service."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"Cannot read {path}: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"{path} is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        ) from exc
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


@dataclass
class Rejection:
    index: int  # 1-based position in the file
    record_id: str
    name: str
    reasons: list[str]

    def __str__(self):
        label = f"record {self.index}" + (f" ({self.record_id})" if self.record_id else "")
        if self.name:
            label += f" “{self.name}”"
        return f"{label}: " + " ".join(self.reasons)


@dataclass
class ImportReport:
    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    organizations_created: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    committed: bool = False

    @property
    def accepted(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        if self.dry_run:
            verdict = "Dry run: nothing was changed."
        elif self.committed:
            verdict = "Imported."
        else:
            verdict = "Nothing was imported."
        return (
            f"{verdict} {self.records} records: {self.created} new, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.rejected)} rejected; "
            f"{self.organizations_created} new organisations."
        )


@dataclass
class ParsedLocation:
    id: str
    fields: dict  # Location columns to set
    known: bool  # True when the record only referred to an existing location by id


@dataclass
class ParsedSal:
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
    warnings: list = field(default_factory=list)


SERVICE_KEYS = {
    "id",
    "organization_id",
    "organization",
    "name",
    "description",
    "url",
    "email",
    "status",
    "fees",
    "fees_description",
    "minimum_age",
    "maximum_age",
    "alert",
    "last_modified",
    "application_process",
    "eligibility_description",
    "accessibility_description",
    "schedules",
    "service_areas",
    "service_at_locations",
    "languages",
    "phones",
    "attributes",
}
ORGANIZATION_KEYS = {"id", "name", "description", "email", "website"}
LOCATION_KEYS = {"id", "location_type", "name", "description", "latitude", "longitude", "url", "addresses"}
ADDRESS_KEYS = {"location_id", "address_1", "address_2", "city", "postal_code"}


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


def parse_record(index: int, record, vocabulary: Vocabulary) -> Parsed:
    """Read one ORUK service into a `Parsed`, listing every problem that would make us reject it."""
    if not isinstance(record, dict):
        return Parsed(index, "", "", problems=["It is not a JSON object."])
    parsed = Parsed(index, str(record.get("id") or ""), str(record.get("name") or ""))
    parsed.problems.extend(oruk.schema_errors("service", record)[:MAX_REASONS])
    if parsed.problems:
        return parsed
    remainder = {
        "service": {k: v for k, v in record.items() if k not in SERVICE_KEYS},
        "keyed": {},
        "unmapped": {},
    }
    parsed.remainder = remainder
    _read_fields(parsed, record)
    _read_organization(parsed, record)
    _read_attributes(parsed, record, vocabulary)
    _read_service_areas(parsed, record, vocabulary)
    _read_languages(parsed, record)
    _read_phones(parsed, record)
    _read_locations(parsed, record, vocabulary)
    _read_schedules(parsed, record)
    _check_rules(parsed, vocabulary)
    for key in ("keyed", "unmapped"):
        if not remainder[key]:
            del remainder[key]
    if not remainder["service"]:
        del remainder["service"]
    return parsed


def _read_fields(parsed: Parsed, r: dict) -> None:
    f = parsed.fields
    f["name"] = r["name"].strip()
    f["description"] = r.get("description") or ""
    f["url"] = r.get("url") or None
    f["email"] = r.get("email") or None
    f["status"] = r["status"]
    f["alert"] = r.get("alert") or ""
    f["fees_description"] = r.get("fees_description") or r.get("fees") or ""
    if r.get("fees_description") and r.get("fees") and r["fees"] != r["fees_description"]:
        parsed.remainder["service"]["fees"] = r["fees"]
    f["application_process"] = r.get("application_process") or ""
    f["eligibility_description"] = r.get("eligibility_description") or ""
    f["accessibility"] = r.get("accessibility_description") or ""
    for key in ("minimum_age", "maximum_age"):
        value = r.get(key)
        if value is None:
            f[key] = None
        elif float(value) != int(value) or value < 0:
            parsed.problems.append(f"{key} must be a whole number of years, not {value}.")
        else:
            f[key] = int(value)


def _read_organization(parsed: Parsed, r: dict) -> None:
    org = r.get("organization")
    if isinstance(org, dict):
        parsed.organization_id = org["id"]
        if r.get("organization_id") and r["organization_id"] != org["id"]:
            parsed.problems.append("organization_id and organization.id differ.")
        parsed.organization = {
            "name": org["name"].strip(),
            "description": org.get("description") or "",
            "email": org.get("email") or None,
            "website": org.get("website") or None,
        }
        parsed.organization_remainder = {k: v for k, v in org.items() if k not in ORGANIZATION_KEYS}
        if not parsed.organization["name"]:
            parsed.problems.append("The organization needs a name.")
    elif r.get("organization_id"):
        parsed.organization_id = r["organization_id"]
    else:
        parsed.problems.append(
            "A service needs an organization (an `organization` object or `organization_id`)."
        )


def _read_attributes(parsed: Parsed, r: dict, vocabulary: Vocabulary) -> None:
    for item in r.get("attributes") or []:
        term = item.get("taxonomy_term") if isinstance(item.get("taxonomy_term"), dict) else {}
        term_id = item.get("taxonomy_term_id") or term.get("id")
        key = (term.get("taxonomy"), term.get("term") or term.get("code"))
        if term_id not in vocabulary.term_ids and key in vocabulary.by_code:
            term_id = vocabulary.by_code[key]
        if term_id not in vocabulary.term_ids and key[0] == oruk.PATHWAY_TAXONOMY_CODE:
            term_id = vocabulary.pathway_slugs.get(key[1], term_id)
        if term_id in vocabulary.term_ids or term_id in vocabulary.pathway_ids:
            # Pathway membership is curated here, so a pathway attribute is read but never applied.
            if term_id in vocabulary.term_ids and term_id not in parsed.term_ids:
                parsed.term_ids.append(term_id)
            rest = {
                k: v for k, v in item.items() if k not in ("taxonomy_term", "taxonomy_term_id", "link_id")
            }
            parsed.remainder["keyed"][f"attribute:{term_id}"] = rest
        else:
            parsed.remainder["unmapped"].setdefault("attributes", []).append(item)


def _area_kind(item: dict, vocabulary: Vocabulary) -> str | None:
    code = oruk.ons_code(item.get("uri"))
    if code in vocabulary.boroughs:
        return code
    if code == LONDON_ONS_CODE:
        return LONDON_ONS_CODE
    if code in oruk.NATIONAL_ONS_CODES:
        return oruk.UK_ONS_CODE
    texts = [str(item.get(k) or "").strip().lower() for k in ("extent", "name", "service_area")]
    if any(t.startswith("open access") for t in texts):
        return oruk.OPEN_ACCESS_KEY
    return None


def _read_service_areas(parsed: Parsed, r: dict, vocabulary: Vocabulary) -> None:
    kinds = []
    for item in r.get("service_areas") or []:
        kind = _area_kind(item, vocabulary)
        if kind is None:
            parsed.remainder["unmapped"].setdefault("service_areas", []).append(item)
            continue
        kinds.append(kind)
        parsed.remainder["keyed"][f"service_area:{kind}"] = {
            k: v for k, v in item.items() if k not in ("uri", "service_id")
        }
    if oruk.UK_ONS_CODE in kinds:
        parsed.catchment = Catchment.NATIONAL
    elif LONDON_ONS_CODE in kinds:
        parsed.catchment = Catchment.LONDON
    elif any(k in vocabulary.boroughs for k in kinds):
        parsed.catchment = Catchment.BOROUGHS
        parsed.borough_codes = [k for k in kinds if k in vocabulary.boroughs]
    else:
        parsed.catchment = Catchment.OPEN_ACCESS
        if not kinds:
            parsed.warnings.append(
                "no service area we recognise (an ONS London borough, London or UK URI): "
                "listed as open to anyone."
            )


def _read_languages(parsed: Parsed, r: dict) -> None:
    names = []
    for item in r.get("languages") or []:
        name = str(item.get("name") or "").strip()
        if not name or "," in name:
            parsed.remainder["unmapped"].setdefault("languages", []).append(item)
            continue
        if name not in names:
            names.append(name)
            parsed.remainder["keyed"][f"language:{name}"] = {
                k: v for k, v in item.items() if k not in ("name", "service_id")
            }
    parsed.fields["languages"] = ", ".join(names)


def _read_phones(parsed: Parsed, r: dict) -> None:
    for item in r.get("phones") or []:
        parsed.phones.append((item["id"], item["number"].strip(), item.get("description") or ""))
        rest = {k: v for k, v in item.items() if k not in ("id", "number", "description", "service_id")}
        if rest:
            parsed.remainder["keyed"][f"phone:{item['id']}"] = rest


def _read_locations(parsed: Parsed, r: dict, vocabulary: Vocabulary) -> None:
    seen_locations = set()
    for item in r.get("service_at_locations") or []:
        loc = item.get("location") if isinstance(item.get("location"), dict) else None
        location_id = (loc or {}).get("id") or item.get("location_id")
        if not location_id:
            parsed.warnings.append(
                f"service_at_location {item['id']} names no location: kept as it is, not listed."
            )
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
        fields.update(_place(parsed, loc["id"], postcode, country, fields))
        if not fields.get("borough_code") and not postcode:
            # Without a postcode, the borough the source names (as we export it) is the best we have.
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
        parsed.warnings.append(f"location {location_id} is outside the UK ({country}): no borough.")
        return {"postcode": postcode, "borough_code": None}
    try:
        place = geo.lookup(postcode)
    except geo.MalformedPostcode as exc:
        parsed.problems.append(f"Location {location_id}: {exc}")
        return {}
    except geo.NotInLondon as exc:
        parsed.warnings.append(f"location {location_id}: {exc} No borough is recorded.")
        return {"postcode": geo.parse_postcode(postcode).display, "borough_code": None}
    result = {"postcode": place.query, "borough_code": place.borough_code}
    if fields.get("latitude") is None or fields.get("longitude") is None:
        result.update(latitude=place.latitude, longitude=place.longitude)
    return result


def _read_schedules(parsed: Parsed, r: dict) -> None:
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
    if not codes or any(c not in oruk.DAY_CODES for c in codes):
        return None
    opens, closes = _time(parsed, item, "opens_at"), _time(parsed, item, "closes_at")
    if opens is None or closes is None:
        return None
    days = sorted({oruk.DAY_CODES.index(c) for c in codes})
    return [
        (item["id"] if i == 0 else oruk.derived_id(item["id"], oruk.DAY_CODES[day]), day, opens, closes)
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


def _check_rules(parsed: Parsed, vocabulary: Vocabulary) -> None:
    probe = Service(
        name=parsed.fields["name"],
        catchment=parsed.catchment,
        minimum_age=parsed.fields.get("minimum_age"),
        maximum_age=parsed.fields.get("maximum_age"),
    )
    probe.catchment_boroughs = [vocabulary.boroughs[c] for c in parsed.borough_codes]
    parsed.problems.extend(check_listing(probe))
    if probe in db.session:
        db.session.expunge(probe)
    parsed.problems.extend(_too_long(Service, parsed.fields, "service"))
    if parsed.organization:
        parsed.problems.extend(_too_long(Organisation, parsed.organization, "organization"))
    for sal in parsed.sals:
        parsed.problems.extend(_too_long(Location, sal.location.fields, f"location {sal.location.id}"))
    for _, number, description in parsed.phones:
        parsed.problems.extend(_too_long(Phone, {"number": number, "description": description}, "phone"))


def _too_long(model, values: dict, label: str) -> list[str]:
    problems = []
    for key, value in values.items():
        column = model.__table__.columns.get(key)
        length = getattr(getattr(column, "type", None), "length", None)
        if length and isinstance(value, str) and len(value) > length:
            problems.append(f"The {label} {key} is {len(value)} characters long; at most {length} fit.")
    return problems


# --- import: writing -----------------------------------------------------------------------------


def import_records(records: list, *, dry_run=False, skip_invalid=False, source="import") -> ImportReport:
    """Validate and import ORUK services; see the module docstring for the rules."""
    report = ImportReport(records=len(records), dry_run=dry_run)
    vocabulary = Vocabulary()
    parsed = [parse_record(i, record, vocabulary) for i, record in enumerate(records, start=1)]
    seen_ids: dict[str, int] = {}
    for p in parsed:
        if p.id and p.id in seen_ids:
            p.problems.append(f"The id is also used by record {seen_ids[p.id]}.")
        seen_ids.setdefault(p.id, p.index)
    for p in parsed:
        report.warnings += [f"record {p.index} ({p.id}): {w}" for w in p.warnings]
    good = [p for p in parsed if not p.problems]
    report.rejected = [Rejection(p.index, p.id, p.name, p.problems) for p in parsed if p.problems]
    if report.rejected and not skip_invalid:
        return report
    # A record can still fail against the database (an id owned by another service, a name taken):
    # that record is rejected and the whole write is tried again without it.
    while True:
        counts, failed = _write(good, source)
        if failed is None:
            break
        db.session.rollback()
        report.rejected.append(Rejection(failed[0].index, failed[0].id, failed[0].name, [failed[1]]))
        report.rejected.sort(key=lambda r: r.index)
        if not skip_invalid:
            return report
        good = [p for p in good if p is not failed[0]]
    report.created, report.updated, report.unchanged, report.organizations_created = counts
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
        report.committed = True
    return report


def _write(records: list[Parsed], source: str):
    """Apply every record in the session; return (counts, None) or (None, (record, reason))."""
    created = updated = unchanged = orgs_created = 0
    with revisions.recording(kind="import", author_label="import", reason=f"Imported from {source}"):
        for p in records:
            try:
                with db.session.no_autoflush:
                    problem = _precheck(p)
                    if problem:
                        return None, (p, problem)
                    existing = db.session.get(Service, p.id)
                    before = revisions.snapshot(existing) if existing is not None else None
                    orgs_created += _apply(p, existing)
                db.session.flush()
            except (ListingError, ValueError, SQLAlchemyError) as exc:
                return None, (p, f"The database refused it: {str(exc).splitlines()[0][:300]}")
            service = db.session.get(Service, p.id)
            if before is None:
                created += 1
            elif revisions.snapshot(service) == before:
                unchanged += 1
            else:
                updated += 1
    return (created, updated, unchanged, orgs_created), None


def _precheck(p: Parsed) -> str:
    """Say why a record clashes with what is already stored, or return ""."""
    if p.organization is None and db.session.get(Organisation, p.organization_id) is None:
        return (
            f"organization_id {p.organization_id} is not an organization here, "
            "and the record does not include it."
        )
    if p.organization is not None:
        namesake = db.session.scalar(select(Organisation).where(Organisation.name == p.organization["name"]))
        if namesake is not None and namesake.id != p.organization_id:
            return (
                f"The organization name “{p.organization['name']}” already belongs to organization "
                f"{namesake.id}, not {p.organization_id}."
            )
    for sal in p.sals:
        owner = db.session.get(ServiceAtLocation, sal.id)
        if owner is not None and owner.service_id != p.id:
            return f"service_at_location {sal.id} belongs to another service."
        if sal.location.known and db.session.get(Location, sal.location.id) is None:
            return f"service_at_location {sal.id} refers to location {sal.location.id}, which is not here."
        for row_id, *_ in sal.schedules:
            schedule = db.session.get(Schedule, row_id)
            if schedule is not None and schedule.service_at_location.service_id != p.id:
                return f"schedule {row_id} belongs to another service."
    for phone_id, *_ in p.phones:
        phone = db.session.get(Phone, phone_id)
        if phone is not None and phone.service_id != p.id:
            return f"phone {phone_id} belongs to another service."
    return ""


def _apply(p: Parsed, service: Service | None) -> int:
    """Make the database match one parsed record; return 1 when it created an organisation."""
    created_org = 0
    org = db.session.get(Organisation, p.organization_id)
    if org is None:
        org = Organisation(id=p.organization_id)
        db.session.add(org)
        created_org = 1
    if p.organization is not None:
        _set(org, p.organization)
    if created_org:
        # Locations refer to their organisation by column only, so the row must exist first.
        db.session.flush()
        _remember(
            "organization",
            org.id,
            {"organization": p.organization_remainder} if p.organization_remainder else {},
        )
    if service is None:
        service = Service(id=p.id, source_notes="Imported from Open Referral (HSDS) data.")
        db.session.add(service)
    if service.organisation is not org:
        service.organisation = org
    _set(service, {**p.fields, "catchment": p.catchment})
    wanted_terms = [db.session.get(TaxonomyTerm, i) for i in p.term_ids]
    if [t.id for t in service.terms] != p.term_ids:
        service.terms = wanted_terms
    boroughs = [db.session.get(Borough, c) for c in p.borough_codes]
    if [b.ons_code for b in service.catchment_boroughs] != p.borough_codes:
        service.catchment_boroughs = boroughs
    service.phones = _reconcile(
        service.phones,
        [
            (pid, {"number": number, "description": description, "position": i})
            for i, (pid, number, description) in enumerate(p.phones)
        ],
        Phone,
    )
    sals = []
    for position, parsed_sal in enumerate(p.sals):
        sal = next((s for s in service.service_at_locations if s.id == parsed_sal.id), None)
        sal = sal or db.session.get(ServiceAtLocation, parsed_sal.id) or ServiceAtLocation(id=parsed_sal.id)
        location = db.session.get(Location, parsed_sal.location.id)
        if location is None:
            location = Location(id=parsed_sal.location.id, organisation_id=org.id)
            db.session.add(location)
        _set(location, parsed_sal.location.fields)
        if sal.location is not location:
            sal.location = location
        _set(
            sal,
            {
                "description": parsed_sal.description,
                "hours_note": parsed_sal.hours_note,
                "position": position,
            },
        )
        sal.schedules = _reconcile(
            sal.schedules,
            [
                (row_id, {"weekday": day, "opens_at": opens, "closes_at": closes, "note": note})
                for row_id, day, opens, closes, note in parsed_sal.schedules
            ],
            Schedule,
        )
        sals.append(sal)
    if [s.id for s in service.service_at_locations] != [s.id for s in sals]:
        service.service_at_locations = sals
    _remember("service", service.id, p.remainder)
    return created_org


def _set(obj, values: dict) -> None:
    # Only differing values are written, so re-importing the same file changes nothing.
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)


def _reconcile(current: list, wanted: list, model) -> list:
    """Return rows matching `wanted` [(id, fields)], updating rows kept by id instead of replacing them."""
    by_id = {row.id: row for row in current}
    result = []
    for row_id, values in wanted:
        row = by_id.get(row_id) or db.session.get(model, row_id) or model(id=row_id)
        _set(row, values)
        result.append(row)
    return result if [r.id for r in result] != [r.id for r in current] else current


def _remember(entity_type: str, entity_id: str, data: dict) -> None:
    record = db.session.get(InterchangeRecord, (entity_type, entity_id))
    if record is None:
        if not data:
            return
        record = InterchangeRecord(entity_type=entity_type, entity_id=entity_id)
        db.session.add(record)
    if record.data != data:
        record.data = data


# --- command line --------------------------------------------------------------------------------


@click.group("hsds")
def hsds_cli():
    """Import and export Open Referral UK 3.0 (HSDS) data."""


@hsds_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_command(path):
    """Write every published service to PATH as a JSON array of full ORUK services."""
    click.echo(f"Exported {export_services(path)} services to {path}.")


@hsds_cli.command("export-csv")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_csv_command(path):
    """Write the directory to PATH as CSV, one row per service and location."""
    click.echo(f"Exported {export_csv(path)} rows to {path}.")


@hsds_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Validate and report, but change nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import the good records even when some are rejected.")
def import_command(path, dry_run, skip_invalid):
    """Import ORUK services from PATH (a JSON array or a service_list page)."""
    try:
        records = read_records(path)
    except ImportFileError as exc:
        raise click.ClickException(str(exc)) from None
    report = import_records(records, dry_run=dry_run, skip_invalid=skip_invalid, source=Path(path).name)
    for rejection in report.rejected:
        click.echo(f"Rejected {rejection}", err=True)
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(report.summary())
    if report.rejected and not skip_invalid:
        click.echo(
            "Fix the rejected records, or run again with --skip-invalid to import the others.", err=True
        )
        raise SystemExit(1)
