"""Open Referral UK 3.0: our model as ORUK JSON, and the ORUK schemas to check it against.

ORUK 3.0 is a profile of HSDS 3.0. Where ORUK dropped an HSDS field we still hold (phones,
application_process, eligibility_description, fees_description, language names, address_2), the
HSDS 3.0 name is used: the ORUK schemas allow extra properties. Our vocabularies travel as taxonomy
terms linked through `attributes`; catchment travels as `service_areas` with ONS geography URIs.

What an imported record said that we do not model is kept (`InterchangeRecord`) and merged back on
export: values we derive (an address's region, a schedule's interval) give way to what the source
said; values we store win over it.
"""

import json
import re
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select

from .extensions import db
from .models import (
    LONDON_ONS_CODE,
    ONS_GEOGRAPHY_URI,
    Catchment,
    InterchangeRecord,
    Organisation,
    Pathway,
    Service,
    Taxonomy,
    TaxonomyTerm,
    pathway_stage_services,
)
from .models.base import as_utc
from .models.listings import PathwayStage

DATA_DIR = Path(__file__).parent / "data" / "oruk"
SCHEMA_BASE = "https://openreferraluk.org/specifications/3.0/schema/"
PROFILE_URL = "https://openreferraluk.org/specifications/3.0/"
VERSION = "HSDS-UK 3.0"

# A UK-wide area for national services: the ONS code for the United Kingdom.
UK_ONS_CODE = "K02000001"
# Codes an importer may use for "anyone in the country": UK, Great Britain, England and Wales, England.
NATIONAL_ONS_CODES = {UK_ONS_CODE, "K03000001", "K04000001", "E92000001"}
OPEN_ACCESS_KEY = "open-access"
OPEN_ACCESS_EXTENT = "Open access: anyone may use this service, wherever they live."
_ONS_URI = re.compile(r"^https?://statistics\.data\.gov\.uk/id/statistical-geography/([A-Z][0-9]{8})/?$")

# Care pathways are published as one more taxonomy; its id is fixed so links stay stable.
PATHWAY_TAXONOMY_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "https://directory.invalid/taxonomy/pathway"))
PATHWAY_TAXONOMY_CODE = "pathway"

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


# --- schemas -------------------------------------------------------------------------------------


@cache
def registry() -> Registry:
    """Return the ORUK 3.0 schemas, registered under their published URIs (never fetched)."""
    resources = []
    for path in sorted((DATA_DIR / "schema").glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append(
            (SCHEMA_BASE + path.name, Resource.from_contents(contents, default_specification=DRAFT202012))
        )
    return Registry().with_resources(resources)


@cache
def schema(name: str) -> dict:
    """Return one ORUK schema by file stem, e.g. "service" or "service_list"."""
    return registry()[SCHEMA_BASE + f"{name}.json"].contents


@cache
def validator(name: str) -> Draft202012Validator:
    """Return a validator for one ORUK schema that checks formats (uuid, date-time, email)."""
    return Draft202012Validator(schema(name), registry=registry(), format_checker=FormatChecker())


def schema_errors(name: str, document) -> list[str]:
    """Return what is wrong with a document against an ORUK schema, one line per problem."""
    errors = sorted(validator(name).iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{_path(e.absolute_path) or '(record)'}: {e.message}" for e in errors]


def _path(parts) -> str:
    return "".join(
        f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(parts)
    )


# --- ids -----------------------------------------------------------------------------------------


def derived_id(*parts: str) -> str:
    """Return a stable UUID for something we do not store as a row (an address, an attribute)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "directory:" + ":".join(parts)))


def ons_uri(code: str) -> str:
    return ONS_GEOGRAPHY_URI.format(code=code)


def ons_code(uri: str | None) -> str | None:
    """Return the ONS code in a statistical-geography URI, or None."""
    match = _ONS_URI.match((uri or "").strip())
    return match.group(1) if match else None


def timestamp(moment: datetime | None) -> str | None:
    """Return an ISO 8601 UTC timestamp with milliseconds, as ORUK asks."""
    if moment is None:
        return None
    return as_utc(moment).astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- context: what a page of services needs besides its rows, loaded in a fixed number of queries ----


class ExportContext:
    """Pathway memberships and imported remainders for a set of services, loaded in bulk."""

    def __init__(self, services, organization_ids=()):
        ids = [s.id for s in services]
        self.pathways: dict[str, list[Pathway]] = defaultdict(list)
        self.extras: dict[tuple[str, str], dict] = {}
        org_ids = {s.organisation_id for s in services} | set(organization_ids)
        if not ids and not org_ids:
            return
        rows = db.session.execute(
            select(pathway_stage_services.c.service_id, Pathway)
            .join(PathwayStage, PathwayStage.id == pathway_stage_services.c.stage_id)
            .join(Pathway, Pathway.id == PathwayStage.pathway_id)
            .where(pathway_stage_services.c.service_id.in_(ids))
            .order_by(Pathway.position, Pathway.name)
        ).all()
        for service_id, pathway in rows:
            if pathway not in self.pathways[service_id]:
                self.pathways[service_id].append(pathway)
        records = db.session.scalars(
            select(InterchangeRecord).where(
                ((InterchangeRecord.entity_type == "service") & InterchangeRecord.entity_id.in_(ids))
                | (
                    (InterchangeRecord.entity_type == "organization")
                    & InterchangeRecord.entity_id.in_(org_ids)
                )
            )
        )
        for record in records:
            self.extras[(record.entity_type, record.entity_id)] = record.data or {}

    def service_extras(self, service_id: str) -> dict:
        return self.extras.get(("service", service_id), {})

    def organization_extras(self, org_id: str) -> dict:
        return self.extras.get(("organization", org_id), {})


def merge(derived: dict, remainder: dict | None, stored: dict) -> dict:
    """Combine: what we derive < what the source said < what we store."""
    return {**derived, **(remainder or {}), **{k: v for k, v in stored.items() if v is not None}}


# --- export --------------------------------------------------------------------------------------


def organization(org: Organisation, context: ExportContext | None = None) -> dict:
    """Return an organization as ORUK JSON."""
    remainder = context.organization_extras(org.id) if context else {}
    return merge(
        {},
        remainder.get("organization"),
        {
            "id": org.id,
            "name": org.name,
            "description": org.description or "",
            "email": org.email or None,
            "website": org.website or None,
        },
    )


def taxonomy(tax: Taxonomy) -> dict:
    """Return one of our vocabularies as an ORUK taxonomy."""
    return {
        "id": tax.id,
        "name": tax.name,
        "description": tax.description or tax.name,
        **({"uri": tax.uri} if tax.uri else {}),
        "version": tax.version or "1",
    }


def pathway_taxonomy() -> dict:
    """Return the care pathways, presented as a taxonomy."""
    return {
        "id": PATHWAY_TAXONOMY_ID,
        "name": "Care pathway",
        "description": "Curated routes through services, e.g. chemsex support; "
        "a service on a pathway carries its term.",
        "version": "1",
    }


def taxonomy_term(term: TaxonomyTerm) -> dict:
    """Return a taxonomy term as ORUK JSON."""
    data = {
        "id": term.id,
        "name": term.name,
        "description": term.description or term.name,
        "taxonomy": term.taxonomy.code,
        "taxonomy_id": term.taxonomy_id,
        "term": term.code,
        "code": term.code,
    }
    if term.parent_id:
        data["parent_id"] = term.parent_id
    return data


def pathway_term(pathway: Pathway) -> dict:
    """Return a care pathway as a taxonomy term."""
    return {
        "id": pathway.id,
        "name": pathway.name,
        "description": pathway.summary or pathway.name,
        "taxonomy": PATHWAY_TAXONOMY_CODE,
        "taxonomy_id": PATHWAY_TAXONOMY_ID,
        "term": pathway.slug,
        "code": pathway.slug,
    }


def service_areas(service: Service, remainder: dict | None = None) -> list[dict]:
    """Return the service's catchment as ORUK service areas with ONS geography URIs."""
    keyed = (remainder or {}).get("keyed", {})

    def area(key: str, uri: str | None, labels: dict) -> dict:
        # Labels are ours only until a source names the area its own way; the URI is the fact.
        return merge(
            {"id": derived_id(service.id, "service-area", key), **labels},
            keyed.get(f"service_area:{key}"),
            {"service_id": service.id, "uri": uri},
        )

    if service.catchment == Catchment.BOROUGHS:
        return [
            area(b.ons_code, b.uri, {"name": b.name, "service_area": f"Residents of {b.name}"})
            for b in service.catchment_boroughs
        ]
    if service.catchment == Catchment.LONDON:
        return [
            area(
                LONDON_ONS_CODE,
                ons_uri(LONDON_ONS_CODE),
                {"name": "London", "service_area": "Residents of any London borough"},
            )
        ]
    if service.catchment == Catchment.NATIONAL:
        return [
            area(
                UK_ONS_CODE,
                ons_uri(UK_ONS_CODE),
                {"name": "United Kingdom", "service_area": "Anyone in the UK"},
            )
        ]
    return [
        area(
            OPEN_ACCESS_KEY,
            None,
            {
                "name": "Open access",
                "extent": OPEN_ACCESS_EXTENT,
                "extent_type": "text",
                "service_area": "Open to anyone, wherever they live",
            },
        )
    ]


def attributes(service: Service, pathways=(), remainder: dict | None = None) -> list[dict]:
    """Return the service's taxonomy terms (types, audiences, routes, delivery, pathways) as attributes."""
    keyed = (remainder or {}).get("keyed", {})
    terms = sorted(service.terms, key=lambda t: (t.taxonomy.code, t.position, t.code))
    linked = [(t.id, taxonomy_term(t)) for t in terms] + [(p.id, pathway_term(p)) for p in pathways]
    return [
        merge(
            {"id": derived_id(service.id, "attribute", term_id), "link_type": "service"},
            keyed.get(f"attribute:{term_id}"),
            {"link_id": service.id, "taxonomy_term_id": term_id, "taxonomy_term": term},
        )
        for term_id, term in linked
    ]


def languages(service: Service, remainder: dict | None = None) -> list[dict]:
    keyed = (remainder or {}).get("keyed", {})
    names = [n.strip() for n in (service.languages or "").split(",") if n.strip()]
    return [
        merge(
            {"id": derived_id(service.id, "language", name)},
            keyed.get(f"language:{name}"),
            {"service_id": service.id, "name": name},
        )
        for name in names
    ]


def location(loc, remainder: dict | None = None) -> dict:
    """Return a location with its (single) address."""
    keyed = (remainder or {}).get("keyed", {})
    data = merge(
        {},
        keyed.get(f"location:{loc.id}"),
        {
            "id": loc.id,
            "location_type": loc.location_type,
            "name": loc.name or "",
            "description": loc.description or "",
            "latitude": loc.latitude,
            "longitude": loc.longitude,
            "url": loc.url or None,
        },
    )
    extra_addresses = [a for a in data.get("addresses", []) if isinstance(a, dict)]
    if loc.address_1 or loc.postcode or loc.address_2 or loc.borough_code:
        address = merge(
            {
                "id": derived_id(loc.id, "address"),
                "region": "London" if loc.borough_code else "",
                "state_province": loc.borough.name if loc.borough is not None else "",
                "country": "GB",
                "address_type": "postal" if loc.location_type == "postal" else "physical",
            },
            keyed.get(f"address:{loc.id}"),
            {
                "location_id": loc.id,
                "address_1": loc.address_1 or "",
                "address_2": loc.address_2 or "",
                "city": loc.city or "",
                "postal_code": loc.postcode or "",
            },
        )
        data["addresses"] = [address, *extra_addresses]
    elif extra_addresses:
        data["addresses"] = extra_addresses
    return data


def schedules(service: Service, remainder: dict | None = None) -> list[dict]:
    """Return opening hours as ORUK weekly schedules: one per (times, note), byday listing its days."""
    keyed = (remainder or {}).get("keyed", {})
    result = []
    for sal in service.service_at_locations:
        groups: dict[tuple, list] = {}
        for s in sorted(sal.schedules, key=lambda s: (s.weekday, s.opens_at)):
            groups.setdefault((s.opens_at, s.closes_at, s.note or ""), []).append(s)
        for (opens, closes, note), rows in groups.items():
            first = rows[0]
            result.append(
                merge(
                    {"id": first.id, "interval": 1},
                    keyed.get(f"schedule:{first.id}"),
                    {
                        "id": first.id,
                        "service_id": service.id,
                        "service_at_location_id": sal.id,
                        "freq": "WEEKLY",
                        "byday": ",".join(DAY_CODES[r.weekday] for r in rows),
                        "opens_at": opens.strftime("%H:%M:%S"),
                        "closes_at": closes.strftime("%H:%M:%S"),
                        "description": note or None,
                    },
                )
            )
        if sal.hours_note:
            result.append(
                merge(
                    {"id": derived_id(sal.id, "hours-note")},
                    keyed.get(f"hours_note:{sal.id}"),
                    {
                        "service_id": service.id,
                        "service_at_location_id": sal.id,
                        "description": sal.hours_note,
                    },
                )
            )
    return result


def service_at_location(sal, remainder: dict | None = None, *, with_service: dict | None = None) -> dict:
    """Return a service-at-location with its location (and, when given, its service)."""
    keyed = (remainder or {}).get("keyed", {})
    data = merge(
        {},
        keyed.get(f"service_at_location:{sal.id}"),
        {
            "id": sal.id,
            "service_id": sal.service_id,
            "location_id": sal.location_id,
            "description": sal.description or None,
            "location": location(sal.location, remainder),
        },
    )
    if with_service is not None:
        data["service"] = with_service
    return data


def phones(service: Service, remainder: dict | None = None) -> list[dict]:
    keyed = (remainder or {}).get("keyed", {})
    return [
        merge(
            {},
            keyed.get(f"phone:{p.id}"),
            {"id": p.id, "service_id": service.id, "number": p.number, "description": p.description or None},
        )
        for p in service.phones
    ]


def service(s: Service, context: ExportContext, *, full: bool = True) -> dict:
    """Return a service as ORUK JSON: fully nested, or (full=False) its one-to-one fields and organization."""
    remainder = context.service_extras(s.id)
    stored = {
        "id": s.id,
        "organization_id": s.organisation_id,
        "name": s.name,
        "description": s.description or "",
        "url": s.url or None,
        "email": s.email or None,
        "status": s.status,
        "fees": s.fees_description or "",
        "fees_description": s.fees_description or "",
        "minimum_age": s.minimum_age,
        "maximum_age": s.maximum_age,
        "assured_date": s.verified_at.date().isoformat() if s.verified_at else None,
        "alert": s.alert or "",
        "last_modified": timestamp(s.last_modified),
        "application_process": s.application_process or "",
        "eligibility_description": s.eligibility_description or "",
        "accessibility_description": s.accessibility or "",
        "organization": organization(s.organisation, context),
    }
    if full:
        stored.update(
            schedules=schedules(s, remainder) + _unkeyed(remainder, "schedules"),
            service_areas=service_areas(s, remainder) + _unkeyed(remainder, "service_areas"),
            service_at_locations=[service_at_location(sal, remainder) for sal in s.service_at_locations]
            + _unkeyed(remainder, "service_at_locations"),
            languages=languages(s, remainder) + _unkeyed(remainder, "languages"),
            phones=phones(s, remainder) + _unkeyed(remainder, "phones"),
            attributes=attributes(s, context.pathways.get(s.id, ()), remainder)
            + _unkeyed(remainder, "attributes"),
        )
        return merge({}, remainder.get("service"), stored)
    one_to_one = {k: v for k, v in (remainder.get("service") or {}).items() if not isinstance(v, list | dict)}
    return merge({}, one_to_one, stored)


def minimal_service(s: Service) -> dict:
    """Return just enough to tell a harvester what changed: id, name, status, last_modified."""
    return {"id": s.id, "name": s.name, "status": s.status, "last_modified": timestamp(s.last_modified)}


def _unkeyed(remainder: dict, key: str) -> list:
    return list((remainder or {}).get("unmapped", {}).get(key, []))
