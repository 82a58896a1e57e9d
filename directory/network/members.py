"""Network membership: which organisations are members (and since when), and how an agency joins."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..models import NetworkSettings, Organisation, Service, User
from ..models.base import utcnow


@dataclass(frozen=True)
class Member:
    organisation: Organisation
    services: list[Service]  # its listed services, by name


def members() -> list[Member]:
    """Return the network's member organisations by name, each with its listed services."""
    organisations = db.session.scalars(
        select(Organisation).where(Organisation.network_member_since.is_not(None)).order_by(Organisation.name)
    ).all()
    return [Member(o, [s for s in o.services if s.is_listed]) for o in organisations]


def member_organisations(ids=None) -> list[Organisation]:
    """Return member organisations by name (only those among `ids` when given)."""
    query = select(Organisation).where(Organisation.network_member_since.is_not(None))
    if ids is not None:
        query = query.where(Organisation.id.in_(list(ids) or [""]))
    return list(db.session.scalars(query.order_by(Organisation.name)))


def set_membership(organisation: Organisation, joined: date | None, by: User) -> None:
    """Make an organisation a member since `joined`, or take it off the network (None)."""
    organisation.network_member_since = joined
    audit.record(
        "network-membership-changed",
        actor=by,
        target=organisation,
        member_since=joined.isoformat() if joined else "not a member",
    )


def settings() -> NetworkSettings:
    """Return the network settings (an empty, unsaved row when admins have set none)."""
    return db.session.get(NetworkSettings, 1) or NetworkSettings(id=1, join_email="", join_details="")


def save_settings(join_email: str, join_details: str, by: User) -> NetworkSettings:
    """Stage the how-to-join contact admins set."""
    row = settings()
    row.join_email = (join_email or "").strip()
    row.join_details = (join_details or "").strip()
    row.updated_at = utcnow()
    row.updated_by_id = by.id
    db.session.add(row)
    audit.record("network-settings-changed", actor=by)
    return row
