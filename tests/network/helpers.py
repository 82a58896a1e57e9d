"""Network test data: membership, event snapshots in London time, and the meta-tests' example values."""

from datetime import date, datetime, time

from directory.extensions import db
from directory.moderation import content
from directory.network import events


def join_network(organisation, since=date(2017, 6, 23)):
    organisation.network_member_since = since
    db.session.commit()


def event_snapshot(
    organisation=None, *, day=date(2026, 10, 24), starts=time(18, 0), ends=time(20, 0), **changes
):
    """A timed event's snapshot, its times given in London time (all-day when `starts` is None)."""
    starts_at, ends_at, all_day = events.times_from_parts(day, starts, None, ends)
    return {
        "title": "Chemsex care pathway meeting",
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
        "all_day": all_day,
        "place": "Camden Town Hall, Judd Street, London WC1H 9JE",
        "is_online": False,
        "audience": "Staff of member agencies",
        "organisation_id": organisation.id if organisation is not None else None,
        "description": "Joining up referrals between services.",
        "registration_url": "",
        **changes,
    }


def propose_event(world, **changes):
    """Agency A's editor proposes an event; committed; return the pending revision."""
    revision = content.propose(
        events.KIND,
        None,
        event_snapshot(world.org_a, **changes),
        author=world.editor_a,
        organisation_id=world.org_a.id,
    )
    db.session.commit()
    return revision


def published_event(world, **changes):
    """An event of agency A published by an admin; committed."""
    event = content.publish_directly(
        events.KIND, None, event_snapshot(world.org_a, **changes), admin=world.admin, reason="test"
    )
    db.session.commit()
    return event


def network_values(world) -> dict:
    """Example URL values for the network routes (agency A becomes a member and proposes an event)."""
    join_network(world.org_a)
    event = published_event(world, title="Published network event")
    revision = propose_event(world, title="Proposed network event")
    return {
        "event_id": event.id,
        "content_revision_id": revision.id,
        "kind_name": "event",
        "item_id": event.id,
    }


def london(moment: datetime) -> datetime:
    return events.in_london(moment)
