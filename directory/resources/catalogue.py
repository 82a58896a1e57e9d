"""Harm-reduction resources: their moderation snapshot, and what the public pages read.

A resource is moderated as network content (kind "resource", see `moderation/content.py`): the
snapshot below is what a proposal, an approval and the history keep. Only published resources
reach the public; the services that hand one out and the pathway stages it belongs to are kept
as ids in the snapshot and read back as rows, so a service that has gone drops out.
"""

import re
from datetime import date

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import (
    FORMAT_LABELS,
    RESOURCE_FORMATS,
    ContentStatus,
    Organisation,
    PathwayStage,
    Resource,
    Service,
    resource_pathway_stages,
    resource_services,
)
from ..moderation import content

NOUN = "harm-reduction resource"
MAX_ID = 36  # ContentRevision.item_id

FIELDS = [
    ("name", "Name"),
    ("format", "Format"),
    ("description", "What it is"),
    ("audience", "Who it is for"),
    ("how_to_get", "How to get it"),
    ("order_url", "Order page"),
    ("service_ids", "Listed services that hand it out"),
    ("producer_name", "Who produces it"),
    ("stage_ids", "Care pathway stages"),
    ("sources", "Sources"),
    ("source_date", "Sources dated"),
    ("source_notes", "About the sources"),
    ("confidence", "Confidence"),
    ("last_checked", "Last checked"),
    ("organisation_id", "Kept up to date by"),
]


# --- The snapshot moderation keeps --------------------------------------------------------------


def take(resource: Resource) -> dict:
    """Return a resource as a JSON-safe snapshot (services and stages as sorted ids)."""
    return {
        "name": resource.name,
        "format": resource.format,
        "description": resource.description or "",
        "audience": resource.audience or "",
        "how_to_get": resource.how_to_get or "",
        "order_url": resource.order_url or "",
        "service_ids": sorted(s.id for s in resource.services),
        "producer_name": resource.producer_label,
        "stage_ids": sorted(s.id for s in resource.pathway_stages),
        "sources": list(resource.sources or []),
        "source_date": resource.source_date or "",
        "source_notes": resource.source_notes or "",
        "confidence": resource.confidence,
        "last_checked": resource.last_checked.isoformat() if resource.last_checked else None,
        "organisation_id": resource.organisation_id,
    }


def apply(resource: Resource, snapshot: dict) -> None:
    """Write a snapshot onto a resource; a new one gets its id (a slug of its name) here."""
    if not resource.id:
        resource.id = new_id(snapshot["name"])
    resource.name = snapshot["name"]
    resource.format = snapshot.get("format") or "other"
    resource.description = snapshot.get("description") or ""
    resource.audience = snapshot.get("audience") or ""
    resource.how_to_get = snapshot.get("how_to_get") or ""
    resource.order_url = snapshot.get("order_url") or ""
    # The relationship rather than the column, so `producer_label` is right before the next flush.
    resource.producer_name, resource.producer = _producer(snapshot.get("producer_name") or "")
    resource.sources = list(snapshot.get("sources") or [])
    resource.source_date = snapshot.get("source_date") or ""
    resource.source_notes = snapshot.get("source_notes") or ""
    resource.confidence = snapshot.get("confidence") or "medium"
    checked = snapshot.get("last_checked")
    resource.last_checked = date.fromisoformat(checked) if checked else None
    resource.organisation_id = snapshot.get("organisation_id")
    ids = snapshot.get("service_ids") or []
    resource.services = list(db.session.scalars(select(Service).where(Service.id.in_(ids)))) if ids else []
    ids = snapshot.get("stage_ids") or []
    resource.pathway_stages = (
        list(db.session.scalars(select(PathwayStage).where(PathwayStage.id.in_(ids)))) if ids else []
    )


def _producer(name: str) -> tuple[str, Organisation | None]:
    """A producer that is an organisation in the directory is linked to it; any other is a name."""
    name = name.strip()
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == name)) if name else None
    return ("", organisation) if organisation is not None else (name, None)


def describe(key: str, value) -> str:
    """Say a snapshot value in words, for the review and history pages."""
    if key == "format":
        return FORMAT_LABELS.get(value, value or "")
    if key == "service_ids":
        services = db.session.scalars(select(Service).where(Service.id.in_(value or []))).all()
        return "; ".join(sorted(s.name for s in services)) or "None named"
    if key == "stage_ids":
        return "; ".join(stage_label(s) for s in _stages(value or [])) or "None"
    if key == "sources":
        return "\n".join(value or [])
    if key == "organisation_id":
        organisation = db.session.get(Organisation, value) if value else None
        return organisation.name if organisation is not None else "The directory's admins"
    if key == "last_checked":
        return f"{date.fromisoformat(value):%-d %B %Y}" if value else "Not checked by a person yet"
    return value or ""


def _stages(ids) -> list[PathwayStage]:
    query = select(PathwayStage).where(PathwayStage.id.in_(ids)).options(selectinload(PathwayStage.pathway))
    return sorted(db.session.scalars(query), key=lambda s: (s.pathway.position, s.position))


def stage_label(stage: PathwayStage) -> str:
    return f"{stage.pathway.name}: {stage.name}"


def new_id(name: str) -> str:
    """Return an unused id for a new resource: its name in lower-case words joined by hyphens."""
    words = re.findall(r"[a-z0-9]+", (name or "").lower()) or ["resource"]
    base = ""
    for word in words:
        if len(base) + len(word) + 1 > MAX_ID - 3:  # room for "-99"
            break
        base = f"{base}-{word}" if base else word
    base = base or words[0][: MAX_ID - 3]
    candidate, n = base, 1
    while db.session.get(Resource, candidate) is not None or _staged(candidate):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _staged(resource_id: str) -> bool:
    return any(isinstance(r, Resource) and r.id == resource_id for r in db.session.new)


def public_url(resource: Resource, build=url_for) -> str:
    return build("resources.resource", resource_id=resource.id)


KIND = content.ContentKind(
    name="resource", model=Resource, noun=NOUN, fields=FIELDS, take=take, apply=apply,
    public_url=public_url, describe=describe,
)
content.register(KIND)


# --- What the public sees ---------------------------------------------------------------------

_LOADING = (joinedload(Resource.producer),)  # one query: the results page pays for it


def published() -> list[Resource]:
    """Return every published resource, by name."""
    query = select(Resource).where(Resource.status == ContentStatus.PUBLISHED).options(*_LOADING)
    return list(db.session.scalars(query.order_by(Resource.name, Resource.id)))


def by_format(resources: list[Resource], wanted: str | None = None) -> list[tuple[str, str, list[Resource]]]:
    """Group resources as /resources shows them: (format, label, resources) in RESOURCE_FORMATS order."""
    groups = []
    for code in RESOURCE_FORMATS:
        if wanted and code != wanted:
            continue
        members = [r for r in resources if r.format == code]
        if members:
            groups.append((code, FORMAT_LABELS[code], members))
    return groups


def find_published(resource_id: str) -> Resource | None:
    """Return a published resource, or None when there is none by that id (or it is not published)."""
    resource = db.session.get(Resource, resource_id)
    return resource if resource is not None and resource.is_published else None


def visible_services(resource: Resource) -> list[Service]:
    """Return the listed services that hand a resource out and that the public may see."""
    return [s for s in resource.services if s.is_visible]


def handed_out_at(service: Service) -> list[Resource]:
    """Return the published resources a service hands out, by name (the service page's link back)."""
    query = (
        select(Resource)
        .join(resource_services, resource_services.c.resource_id == Resource.id)
        .where(resource_services.c.service_id == service.id, Resource.status == ContentStatus.PUBLISHED)
        .order_by(Resource.name)
    )
    return list(db.session.scalars(query))


def for_stages(stage_ids: list[str]) -> dict[str, list[Resource]]:
    """Return the published resources of each of these pathway stages, by name (one query)."""
    if not stage_ids:
        return {}
    rows = db.session.execute(
        select(resource_pathway_stages.c.stage_id, Resource)
        .join(Resource, Resource.id == resource_pathway_stages.c.resource_id)
        .where(resource_pathway_stages.c.stage_id.in_(stage_ids), Resource.status == ContentStatus.PUBLISHED)
        .order_by(Resource.name)
    )
    found: dict[str, list[Resource]] = {}
    for stage_id, resource in rows:
        found.setdefault(stage_id, []).append(resource)
    return found
