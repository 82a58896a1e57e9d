"""Resource test data: a snapshot, proposals and published resources, and the meta-tests' example values."""

from datetime import date

from directory.extensions import db
from directory.moderation import content
from directory.resources import catalogue


def join_network(organisation, since=date(2017, 6, 23)):
    organisation.network_member_since = since
    db.session.commit()


def resource_snapshot(organisation=None, **changes) -> dict:
    """A harm-reduction resource's snapshot, kept up to date by `organisation`."""
    return {
        "name": "Safer partying card",
        "format": "card",
        "description": "A wallet card on G, crystal meth and mephedrone: dosing, timing and calling 999.",
        "audience": "Gay, bi and other men who have sex with men who go to chillouts.",
        "how_to_get": "Ask at reception.",
        "order_url": "",
        "service_ids": [],
        "producer_name": organisation.name if organisation is not None else "",
        "stage_ids": [],
        "sources": ["https://www.example.org/safer-partying-card"],
        "source_date": "",
        "source_notes": "",
        "confidence": "high",
        "last_checked": "2026-11-30",
        "organisation_id": organisation.id if organisation is not None else None,
        **changes,
    }


def propose_resource(world, **changes):
    """Agency A's editor proposes a resource; committed; return the pending revision."""
    revision = content.propose(
        catalogue.KIND, None, resource_snapshot(world.org_a, **changes), author=world.editor_a,
        organisation_id=world.org_a.id,
    )
    db.session.commit()
    return revision


def published_resource(world, **changes):
    """A resource kept by agency A, published by an admin; committed."""
    resource = content.publish_directly(
        catalogue.KIND, None, resource_snapshot(world.org_a, **changes), admin=world.admin, reason="test"
    )
    db.session.commit()
    return resource


def resource_values(world) -> dict:
    """Example URL values for the resource routes (agency A becomes a member and keeps a resource)."""
    join_network(world.org_a)
    return {"resource_id": published_resource(world, name="Published resource").id}
