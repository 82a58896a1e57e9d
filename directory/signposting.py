"""The signposting list: a shortlist of services a worker prints or shares with a client.

The list is never stored on the server: it lives in the URL (`/list?s=<id>&s=<id>`, or the short
`/l/<code>` that `share_codes` reads) and, with JavaScript, in the browser's localStorage. This module
turns ids into services and services into the plain text a worker pastes into an email or a text
message, and says what to do when a service lists no way to contact it.
"""

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from . import capacity, hours_wording
from .extensions import db
from .models import Location, Service, ServiceAtLocation
from .public import facts

# A printed A4 sheet holds about this many services; a longer list is a search, not a shortlist.
MAX_ITEMS = 20
_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def parse_ids(values) -> list[str]:
    """Return the well-formed service ids in `values`, deduplicated, in order, at most MAX_ITEMS."""
    ids = []
    for value in values or ():
        value = (value or "").strip().lower()
        if _ID.match(value) and value not in ids:
            ids.append(value)
    return ids[:MAX_ITEMS]


def with_added(ids: list[str], service_id: str) -> list[str]:
    """Return the list with the service appended (unchanged if already there)."""
    return parse_ids([*ids, service_id])


def without(ids: list[str], service_id: str) -> list[str]:
    """Return the list without the service."""
    return [i for i in ids if i != service_id]


def load(ids: list[str]) -> list[Service]:
    """Return the services the public may see, in list order; unknown or withdrawn ids drop out."""
    if not ids:
        return []
    rows = db.session.scalars(
        select(Service)
        .where(Service.id.in_(ids))
        .options(
            selectinload(Service.service_at_locations)
            .selectinload(ServiceAtLocation.location)
            .selectinload(Location.borough),
            selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.schedules),
            selectinload(Service.phones),
            selectinload(Service.terms),
        )
    ).all()
    by_id = {s.id: s for s in rows if s.is_visible}
    return [by_id[i] for i in ids if i in by_id]


def how_to_get_in(service: Service) -> str:
    """Say how someone gets in, in a line: referral routes, then the service's own steps."""
    routes = ", ".join(t.name for t in service.terms_in("referral-route"))
    steps = (service.application_process or "").strip()
    if routes and steps:
        return f"{routes}. {steps}"
    return routes or steps or "Contact the service to ask how to get in."


def contact_next_step(service: Service) -> str:
    """Say what to do when a service lists no phone, email or website ("" when it lists one).

    The same rule as the result cards' contact line, so a card and the sheet made from it agree.
    """
    if service.phones or service.email or service.url:
        return ""
    return str(facts.service_no_phone_step(service))


def as_text(services: list[Service], moment: datetime, link: str = "") -> str:
    """Return the list as plain text for an email or text message, ending with its share link."""
    lines = [f"Services to contact (from the London care pathway directory, {moment:%-d %B %Y})", ""]
    for number, service in enumerate(services, start=1):
        lines.append(f"{number}. {service.name}")
        lines.append(f"   How to get in: {how_to_get_in(service)}")
        if said := capacity.wording(service, moment):
            lines.append(f"   New referrals: {said}")
        for sal in service.service_at_locations:
            location = sal.location
            address = ", ".join(location.address_lines) if location.location_type == "physical" else ""
            if address:
                lines.append(f"   Address: {address}")
            opening = hours_wording.compact_hours(sal.schedules, sal.hours_note)
            if opening:
                lines.append(f"   Opening times: {opening}")
        for phone in service.phones:
            note = f" ({phone.description})" if phone.description else ""
            lines.append(f"   Phone: {phone.number}{note}")
        if service.email:
            lines.append(f"   Email: {service.email}")
        if service.url:
            lines.append(f"   Web: {service.url}")
        if next_step := contact_next_step(service):
            lines.append(f"   Contact: {next_step}")
        lines.append("")
    if link:
        lines += [f"Open this list: {link}", ""]
    lines.append("In an emergency call 999. Urgent mental health or medical help: call NHS 111.")
    return "\n".join(lines)


def open_status(service: Service, moment: datetime) -> str:
    """Say whether any of the service's locations is open now, or when one next opens."""
    sessions = [s for sal in service.service_at_locations for s in sal.schedules]
    return hours_wording.describe_status(sessions, moment)
