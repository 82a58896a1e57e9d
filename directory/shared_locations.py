"""Locations shared by several listings: one address row that more than one service points at.

Editing a shared location's address changes it for every listing there (approving the edit writes
the one `Location` row), so the edit form names the other listings before the editor saves.
"""

from sqlalchemy import select

from .extensions import db
from .models import Service, ServiceAtLocation


def other_listings(location_ids: set[str], service_id: str | None) -> dict[str, list[str]]:
    """Return, for each of these locations used by another service too, those services' names."""
    if not location_ids:
        return {}
    rows = db.session.execute(
        select(ServiceAtLocation.location_id, Service.name)
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .where(ServiceAtLocation.location_id.in_(location_ids), Service.id != service_id)
        .order_by(Service.name)
    ).all()
    found: dict[str, list[str]] = {}
    for location_id, name in rows:
        found.setdefault(location_id, []).append(name)
    return found
