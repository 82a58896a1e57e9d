"""Seeding the harm-reduction resources from `data/seed/resources.json`.

Each entry names the sources CSV row its facts come from; the row's sources, date, notes and
confidence are carried into the resource, as they are into a seeded service. A resource is
published with a "seed" revision (`moderation/content.py`); a second run changes nothing, and a
resource a person has since changed (any revision but the seed's) is left alone. The tools that
used to be listed as services are withdrawn from an existing database's services, unless a person
has edited them.
"""

import json
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..models import RESOURCE_FORMATS, ContentRevision, ContentStatus, Resource, RevisionStatus, Service
from ..moderation import content
from ..resources import catalogue
from .plan import DATA_DIR, Plan, is_closed, seed_id
from .writing import SeedReport, edited_by_people, write_organisation

RESOURCES_FILE = DATA_DIR / "seed" / "resources.json"
REASON = "Seeded from public information"


def load(path: Path | None = None) -> list[dict]:
    """Return the entries of resources.json."""
    return json.loads(Path(path or RESOURCES_FILE).read_text(encoding="utf-8")).get("resources", [])


def check(entries: list[dict], plan: Plan) -> None:
    """Raise ValueError when an entry names an unknown row, organisation, service, format or stage."""
    listed = {s["source_name"] for s in plan.services}
    stages = {(p["slug"], stage["name"]) for p in plan.pathways for stage in p["stages"]}
    names = set()
    for entry in entries:
        name, row = (entry.get("name") or "").strip(), entry.get("source_name", "")
        where = f"resources.json resource {name or row!r}"
        if row not in plan.sources or is_closed(row):
            raise ValueError(f"{where}: no active row named {row!r} in the sources CSV.")
        if not name or name in names:
            raise ValueError(f"{where}: needs a name of its own.")
        names.add(name)
        if entry.get("moved_from_services") and row in listed:
            raise ValueError(f"{where}: {row!r} is still among the services in listings.json.")
        if entry.get("format") not in RESOURCE_FORMATS:
            raise ValueError(f"{where}: format must be one of {', '.join(RESOURCE_FORMATS)}.")
        if entry.get("producer") and entry["producer"] not in plan.organisations:
            raise ValueError(
                f"{where}: producer {entry['producer']!r} is not in listings.json's organisations."
            )
        if entry.get("order_url") and not entry["order_url"].startswith("https://"):
            raise ValueError(f"{where}: order_url must start with https://.")
        for service in entry.get("services", []):
            if service not in listed:
                raise ValueError(f"{where}: {service!r} is not among the services in listings.json.")
        for slug, stage in entry.get("pathway_stages", []):
            if (slug, stage) not in stages:
                raise ValueError(f"{where}: pathway {slug!r} has no stage named {stage!r}.")


def _stage_id(plan: Plan, slug: str, stage_name: str) -> str:
    pathway = next(p for p in plan.pathways if p["slug"] == slug)
    index = next(i for i, stage in enumerate(pathway["stages"]) if stage["name"] == stage_name)
    return seed_id("pathway-stage", f"{slug}:{index}")


def snapshot(entry: dict, plan: Plan, producer_id: str | None) -> dict:
    """Return the resource an entry describes, with its row's provenance, as a moderation snapshot."""
    row = plan.sources[entry["source_name"]]
    return {
        "name": entry["name"].strip(),
        "format": entry["format"],
        "description": entry.get("description", ""),
        "audience": entry.get("audience", ""),
        "how_to_get": entry.get("how_to_get", ""),
        "order_url": entry.get("order_url", ""),
        "service_ids": sorted(seed_id("service", name) for name in entry.get("services", [])),
        "producer_name": entry.get("producer", ""),
        "stage_ids": sorted(_stage_id(plan, slug, stage) for slug, stage in entry.get("pathway_stages", [])),
        "sources": [u.strip() for u in row.get("source_url", "").split("|") if u.strip()],
        "source_date": row.get("source_date", "").strip(),
        "source_notes": row.get("notes", "").strip(),
        "confidence": row.get("confidence", "").strip() or "low",
        "last_checked": None,  # nobody has confirmed the seeded facts yet
        # The producer keeps its own material up to date, as an agency keeps its listings.
        "organisation_id": producer_id,
    }


def write_resources(entries: list[dict], plan: Plan, report: SeedReport) -> None:
    """Create or update the seeded resources (unless a person changed them); withdraw moved services."""
    for entry in entries:
        producer = entry.get("producer")
        organisation = None
        if producer:
            organisation = write_organisation(producer, plan.organisations[producer], report)
        db.session.flush()  # the producer is looked up by name when the snapshot is applied
        wanted = snapshot(entry, plan, organisation.id if organisation else None)
        _write(wanted, report)
        if entry.get("moved_from_services"):
            _withdraw_moved_service(entry["source_name"], report)


def _write(wanted: dict, report: SeedReport) -> None:
    resource = db.session.scalar(select(Resource).where(Resource.name == wanted["name"]))
    if resource is None:
        content.publish_seed(catalogue.KIND, wanted, reason=REASON)
        report.resources_created += 1
        return
    history = content.history(catalogue.KIND, resource.id)
    if any(r.action != "seed" for r in history):
        report.resources_kept += 1
        return
    if catalogue.take(resource) == wanted:
        report.resources_unchanged += 1
        return
    catalogue.apply(resource, wanted)
    resource.status = ContentStatus.PUBLISHED
    db.session.add(ContentRevision(
        kind=catalogue.KIND.name, item_id=resource.id, number=max((r.number for r in history), default=0) + 1,
        action="seed", status=RevisionStatus.PUBLISHED, snapshot=wanted, author_label="seed", reason=REASON,
    ))
    report.resources_updated += 1


def _withdraw_moved_service(source_name: str, report: SeedReport) -> None:
    """Unpublish a seeded service that is now a resource (its revision is the seed's)."""
    service = db.session.get(Service, seed_id("service", source_name))
    if service is None or not service.is_published or edited_by_people(service):
        return
    service.is_published = False
    report.services_withdrawn += 1
