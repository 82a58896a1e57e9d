"""Whether a snapshot's text can be stored: no control characters, and no longer than its column.

A snapshot can come from somewhere the forms never checked (a revision stored before they did, an
import): applying one holding a NUL byte or an over-long name would make PostgreSQL refuse the whole
transaction. Checked before applying, the problem is named instead, so the change can be turned down.
"""

from sqlalchemy import Column

from .. import plain_text
from ..models import Location, Phone, Schedule, Service, ServiceAtLocation
from .fields import AT_LOCATION_FIELDS, LOCATION_FIELDS, LOCATIONS, PHONES, SERVICE_FIELDS, Snapshot


def problem(data: Snapshot) -> str | None:
    """Return what in the snapshot cannot be stored, named by its part, or None when all of it can."""
    found = _parts(data, SERVICE_FIELDS, Service, "")
    for position, phone in enumerate(data.get(PHONES.key) or [], start=1):
        where = f"Phone {position}, "
        found = found or _text(f"{where}number", phone.get("number"), Phone.__table__.c.number)
        found = found or _text(f"{where}description", phone.get("description"), Phone.__table__.c.description)
    for position, loc in enumerate(data.get(LOCATIONS.key) or [], start=1):
        where = f"Location {position}, "
        found = found or _parts(loc, LOCATION_FIELDS, Location, where)
        found = found or _parts(loc, AT_LOCATION_FIELDS, ServiceAtLocation, where)
        for row, session in enumerate(loc.get("schedules") or [], start=1):
            found = found or _text(
                f"{where}opening time {row} note", session.get("note"), Schedule.__table__.c.note
            )
    return found


def _parts(data: dict, fields, model, where: str) -> str | None:
    columns = model.__table__.c
    for field in fields:
        if field.key in columns:
            found = _text(f"{where}{field.label or field.key}", data.get(field.key), columns[field.key])
            if found:
                return found
    return None


def _text(label: str, value, column: Column) -> str | None:
    if not isinstance(value, str):
        return None
    # Line breaks and tabs are stored safely in any column; the forms decide where they belong.
    length = getattr(column.type, "length", None) or len(value)
    found = plain_text.problem(value, multiline=True, max_length=length)
    return f"{label}: {found}" if found else None
