"""Our model as ORUK JSON: services with their organisation, locations, hours, areas and phones.

Where ORUK dropped an HSDS field we still hold (phones, application_process,
eligibility_description, fees_description, wait_time, language names, address_2), the HSDS 3.0 name is used:
the ORUK schemas allow extra properties. Catchment travels as `service_areas` with ONS geography
URIs; vocabularies as attributes (`vocabularies.py`).

What an imported record said that we do not model is kept (`InterchangeRecord`) and merged back on
export: values we derive (an address's region, a schedule's interval) give way to what the source
said; values we store win over it.
"""

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import capacity
from ..extensions import db
from ..models import (
    LONDON_ONS_CODE,
    Catchment,
    InterchangeRecord,
    Location,
    Organisation,
    Pathway,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
    pathway_stage_services,
)
from ..models.listings import PathwayStage
from .oruk import (
    DAY_CODES,
    OPEN_ACCESS_EXTENT,
    OPEN_ACCESS_KEY,
    UK_ONS_CODE,
    derived_id,
    merge,
    ons_uri,
    timestamp,
)
from .vocabularies import attributes

# --- what a page of services needs besides its rows, loaded in bulk ------------------------------


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
        """Return what imports said about a service that we do not model."""
        return self.extras.get(("service", service_id), {})

    def organization_extras(self, org_id: str) -> dict:
        """Return what imports said about an organisation that we do not model."""
        return self.extras.get(("organization", org_id), {})


# --- documents -----------------------------------------------------------------------------------


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


def languages(service: Service, remainder: dict | None = None) -> list[dict]:
    """Return the languages a service is offered in, one ORUK language each."""
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
    """Return the service's phone numbers as ORUK phones."""
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
        # HSDS 3.0's wait_time (ORUK dropped it): what the service last said about new referrals, dated.
        "wait_time": capacity.dated_label(s),
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
