"""Writing the checked seed: organisations, services with their locations and hours, pathways.

Only attributes that differ are written, so a second run changes nothing and writes no revisions.
"""

from dataclasses import dataclass
from datetime import time

from sqlalchemy import select

from .. import dimensions, geo
from ..extensions import db
from ..models import (
    Location,
    Organisation,
    Pathway,
    PathwayStage,
    Revision,
    Schedule,
    Service,
    ServiceAtLocation,
)
from .plan import DAYS, Plan, seed_id, source_date

SEED_KIND = "seed"


@dataclass
class SeedReport:
    """What a seed run did. Service counts: created + updated + unchanged + kept = seeded rows."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # edited, verified or closed by a person since: left alone
    skipped_closed: int = 0  # CSV rows named "CLOSED:", never listed
    organisations_created: int = 0
    pathways_created: int = 0
    pathways_updated: int = 0
    resources_created: int = 0
    resources_updated: int = 0
    resources_unchanged: int = 0
    resources_kept: int = 0  # changed by a person since: left alone
    services_withdrawn: int = 0  # seeded services that are now resources, taken off the services list
    network_events: str = ""  # what seeding the network's events did (seed/network.py)

    @property
    def services(self) -> int:
        return self.created + self.updated + self.unchanged + self.kept

    def __str__(self):
        return (
            f"{self.services} services ({self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.kept} kept as edited); "
            f"{self.skipped_closed} closed rows skipped; {self.organisations_created} organisations created; "
            f"pathways: {self.pathways_created} created, {self.pathways_updated} updated; "
            f"harm-reduction resources: {self.resources_created} created, {self.resources_updated} updated, "
            f"{self.resources_unchanged} unchanged, {self.resources_kept} kept as edited"
            + (f"; {self.services_withdrawn} moved services withdrawn" if self.services_withdrawn else "")
            + (f"; {self.network_events}" if self.network_events else "")
        )


def _assign(obj, values: dict) -> bool:
    """Set only the attributes whose value differs; return whether anything changed."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def _assign_list(obj, key: str, wanted: list, by=lambda o: o.id) -> bool:
    """Replace a relationship list when its members (or their order) differ."""
    current = getattr(obj, key)
    if [by(o) for o in current] == [by(o) for o in wanted]:
        return False
    setattr(obj, key, wanted)
    return True


def edited_by_people(service: Service) -> bool:
    """Whether anyone but the seed has changed or verified this listing since it was seeded."""
    if service.verified_at is not None:
        return True
    return (
        db.session.scalar(
            select(Revision.id).where(Revision.service_id == service.id, Revision.kind != SEED_KIND).limit(1)
        )
        is not None
    )


def write_organisation(name: str, data: dict, report: SeedReport) -> Organisation:
    """Find or create the organisation, filling only the details it lacks."""
    org = db.session.get(Organisation, seed_id("organisation", name)) or db.session.scalar(
        select(Organisation).where(Organisation.name == name)
    )
    if org is None:
        org = Organisation(id=seed_id("organisation", name), name=name)
        db.session.add(org)
        report.organisations_created += 1
    # Agencies own their organisation's details: only fill what is still empty.
    if not org.website and data.get("website"):
        org.website = data["website"]
    if not org.description and data.get("description"):
        org.description = data["description"]
    return org


def _location_key(source_name: str, index: int, loc: dict) -> str:
    """Locations with the same address are one place shared by its services (e.g. 56 Dean Street)."""
    if loc["type"] == "physical" and (loc.get("address_1") or "").strip():
        return "|".join(
            [loc["type"], loc["address_1"].strip().lower(), geo_postcode(loc.get("postcode")) or ""]
        )
    return f"{source_name}#{index}"


def geo_postcode(text: str | None) -> str | None:
    """The normalised form of a full postcode ("w1d6aq" -> "W1D 6AQ"), or None."""
    if not (text or "").strip():
        return None
    return geo.parse_postcode(text).display


def _location_values(loc: dict, plan: Plan) -> dict:
    postcode = geo_postcode(loc.get("postcode"))
    values = {
        "location_type": loc["type"],
        "name": loc.get("name") or "",
        "address_1": loc.get("address_1") or "",
        "address_2": loc.get("address_2") or "",
        "city": "London",
        "postcode": postcode,
        "url": loc.get("url") or None,
        "borough_code": None,
        "latitude": None,
        "longitude": None,
    }
    if postcode:
        # The borough comes from the postcode, not from what anyone typed.
        place = plan.places[postcode]
        values.update(borough_code=place.borough_code, latitude=place.latitude, longitude=place.longitude)
    elif loc.get("borough"):
        values["borough_code"] = plan.boroughs[loc["borough"]].ons_code
    return values


def _schedules(loc: dict) -> list[tuple[int, time, time, str]]:
    wanted = []
    for schedule in loc.get("schedules", []):
        opens, closes = time.fromisoformat(schedule["opens"]), time.fromisoformat(schedule["closes"])
        for day in schedule["days"]:
            wanted.append((DAYS[day], opens, closes, schedule.get("note", "") or ""))
    return sorted(wanted)


def _sync_locations(service: Service, entry: dict, plan: Plan, locations: dict[str, tuple]) -> bool:
    changed = False
    wanted_sals = []
    for index, loc in enumerate(entry.get("locations", [])):
        location_id = seed_id("location", _location_key(entry["source_name"], index, loc))
        values = _location_values(loc, plan)
        if location_id in locations:  # already written for another service in this run
            seen_values, location = locations[location_id]
            if seen_values != values:
                raise ValueError(
                    f"listings.json: locations at {values['address_1']!r} differ between services; "
                    "make them identical."
                )
        else:
            location = db.session.get(Location, location_id)
            if location is None:
                location = Location(id=location_id, organisation_id=service.organisation_id)
                db.session.add(location)
            locations[location_id] = (values, location)
            changed |= _assign(location, values)

        sal_id = seed_id("service-at-location", f"{service.id}:{location_id}")
        sal = next((s for s in service.service_at_locations if s.id == sal_id), None)
        if sal is None:
            sal = ServiceAtLocation(id=sal_id, location=location)
            changed = True
        changed |= _assign(sal, {"position": index, "hours_note": loc.get("hours_note") or ""})
        wanted = _schedules(loc)
        current = sorted((s.weekday, s.opens_at, s.closes_at, s.note) for s in sal.schedules)
        if current != wanted:
            sal.schedules = [Schedule(weekday=w, opens_at=o, closes_at=c, note=n) for w, o, c, n in wanted]
            changed = True
        wanted_sals.append(sal)
    changed |= _assign_list(service, "service_at_locations", wanted_sals)
    return changed


def write_service(entry: dict, org: Organisation, plan: Plan, report: SeedReport, locations: dict) -> Service:
    """Create or update one seeded service, unless a person has changed it since (see `edited_by_people`).

    `locations` holds the locations written so far in this run: services at one address share them.
    """
    row = plan.sources[entry["source_name"]]
    service_id = seed_id("service", entry["source_name"])
    service = db.session.get(Service, service_id)
    created = service is None
    if created:
        service = Service(id=service_id, verified_at=None)
        db.session.add(service)
    elif edited_by_people(service):
        report.kept += 1
        return service

    changed = _assign(
        service,
        {
            "name": entry["name"].strip(),
            "organisation_id": org.id,
            "description": entry.get("description", ""),
            "status": "active",
            "is_published": True,
            "alert": entry.get("alert", ""),
            "url": entry.get("url") or None,
            "application_process": entry.get("application_process", ""),
            "eligibility_description": entry.get("eligibility", ""),
            "minimum_age": entry.get("minimum_age"),
            "maximum_age": entry.get("maximum_age"),
            # The sources do not state fees: say nothing rather than guess.
            "fees_description": "",
            "catchment": entry["catchment"],
            "source_urls": row.get("source_url", "").strip(),
            "source_date": source_date(row.get("source_date", "")),
            "confidence": row.get("confidence", "").strip() or "low",
            "source_notes": row.get("notes", "").strip(),
            "seeded": True,
        },
    )
    if service.organisation is not org:
        service.organisation = org
    wanted_terms = [
        plan.terms[(dimension.vocabulary, code)]
        for dimension in dimensions.TAXONOMIES
        for code in entry.get(dimension.seed_key, [])
    ]
    wanted_terms.sort(key=lambda t: (t.taxonomy.code, t.position))
    current_terms = sorted(service.terms, key=lambda t: (t.taxonomy.code, t.position))
    if [t.id for t in current_terms] != [t.id for t in wanted_terms]:
        service.terms = wanted_terms
        changed = True
    wanted_boroughs = sorted(
        (plan.boroughs[s] for s in entry.get("catchment_boroughs", [])), key=lambda b: b.name
    )
    current_boroughs = sorted(service.catchment_boroughs, key=lambda b: b.name)
    if [b.ons_code for b in current_boroughs] != [b.ons_code for b in wanted_boroughs]:
        service.catchment_boroughs = wanted_boroughs
        changed = True
    changed |= _sync_locations(service, entry, plan, locations)

    if created:
        report.created += 1
    elif changed:
        report.updated += 1
    else:
        report.unchanged += 1
    return service


def write_pathway(position: int, spec: dict, services: dict[str, Service], report: SeedReport) -> None:
    """Create or update one care pathway and its stages, in the order listings.json gives them."""
    slug = spec["slug"]
    pathway = db.session.get(Pathway, seed_id("pathway", slug)) or db.session.scalar(
        select(Pathway).where(Pathway.slug == slug)
    )
    created = pathway is None
    if created:
        pathway = Pathway(id=seed_id("pathway", slug), slug=slug)
        db.session.add(pathway)
    changed = _assign(
        pathway, {"name": spec["name"], "summary": spec.get("summary", ""), "position": position}
    )
    stages = {stage.position: stage for stage in pathway.stages}
    for index, stage_spec in enumerate(spec["stages"]):
        stage = stages.pop(index, None)
        if stage is None:
            stage = PathwayStage(id=seed_id("pathway-stage", f"{slug}:{index}"), position=index)
            pathway.stages.append(stage)
            changed = True
        changed |= _assign(
            stage, {"name": stage_spec["name"], "description": stage_spec.get("description", "")}
        )
        wanted = sorted(
            (services[name] for name in stage_spec.get("services", []) if name in services),
            key=lambda s: (s.name, s.id),
        )
        current = sorted(stage.services, key=lambda s: (s.name, s.id))
        if [s.id for s in current] != [s.id for s in wanted]:
            stage.services = wanted
            changed = True
    for stage in stages.values():  # stages the pathway no longer has
        pathway.stages.remove(stage)
        changed = True
    if created:
        report.pathways_created += 1
    elif changed:
        report.pathways_updated += 1
