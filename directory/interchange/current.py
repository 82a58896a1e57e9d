"""Which records create a listing from nothing, which change nothing, and which need the ORM path.

Read as plain rows (a few queries per 500 ids, no ORM objects): a record is NEW when its service
and every row it names (locations, service_at_locations, sessions, phones) are not stored and no
other record names them, so it can be written as plain rows (`rows.py`) without meeting another
record's rows. It is SAME when the database already holds exactly what applying it would write, so
a re-import skips it. Anything else, or anything in doubt, goes through the ORM (`apply.py`).
Organisations are not judged here: every record's organisation goes through the ORM, in file order.
"""

from collections import Counter

from sqlalchemy import Date, DateTime, select, tuple_

from ..extensions import db
from ..models import (
    InterchangeRecord,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    service_catchment,
    service_terms,
)
from .records import Parsed
from .rows import service_values

NEW, SAME, OTHER = "new", "same", "other"
CHUNK = 500
# A service's columns but its times (which an import never sets, and which cost most to read).
_COMPARED = [c for c in Service.__table__.columns if not isinstance(c.type, Date | DateTime)]
_UNSET = object()


def _chunks(values):
    values = sorted(v for v in values if v)
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _rows(statement, column, values):
    """Yield the rows of `statement` whose `column` is one of `values` (in chunks)."""
    connection = db.session.connection()  # plain rows: the ORM's result machinery costs more here
    for chunk in _chunks(values):
        yield from connection.execute(statement.where(column.in_(chunk)))


class Current:
    """What the database holds for these records' services and the rows they name."""

    def __init__(self, records: list[Parsed]):
        services = _rows(select(*_COMPARED), Service.id, {p.id for p in records})
        self.services = {row.id: row._mapping for row in services}
        ids = {kind: set() for kind in ("sal", "location", "schedule", "phone")}
        for p in records:
            ids["location"].update(sal.location.id for sal in p.sals)
            if p.id in self.services:
                continue  # its rows are compared with the service's own, read below
            ids["phone"].update(phone_id for phone_id, *_ in p.phones)
            for sal in p.sals:
                ids["sal"].add(sal.id)
                ids["schedule"].update(row_id for row_id, *_ in sal.schedules)
        locations = _rows(select(Location.__table__), Location.id, ids["location"])
        self.locations = {row.id: row._mapping for row in locations}
        # Rows a new service's record names that are stored already (and so belong to another service).
        self.stored_ids = {
            "sal": {i for (i,) in _rows(select(ServiceAtLocation.id), ServiceAtLocation.id, ids["sal"])},
            "schedule": {i for (i,) in _rows(select(Schedule.id), Schedule.id, ids["schedule"])},
            "phone": {i for (i,) in _rows(select(Phone.id), Phone.id, ids["phone"])},
        }
        existing = set(self.services)
        self.children = {service_id: _Children() for service_id in existing}
        terms, areas = service_terms.c, service_catchment.c
        for service_id, term_id in _rows(select(terms.service_id, terms.taxonomy_term_id),
                                         terms.service_id, existing):
            self.children[service_id].terms.add(term_id)
        for service_id, code in _rows(select(areas.service_id, areas.borough_code),
                                      areas.service_id, existing):
            self.children[service_id].boroughs.add(code)
        phone = Phone.__table__.c
        for row in _rows(select(phone.service_id, phone.id, phone.number, phone.description, phone.position),
                         phone.service_id, existing):
            self.children[row[0]].phones.add(tuple(row[1:]))
        sal = ServiceAtLocation.__table__.c
        for row in _rows(select(sal.service_id, sal.id, sal.location_id, sal.description, sal.hours_note,
                                sal.position), sal.service_id, existing):
            self.children[row[0]].sals.add(tuple(row[1:]))
        schedule = Schedule.__table__.c
        for row in _rows(
            select(sal.service_id, schedule.id, schedule.service_at_location_id, schedule.weekday,
                   schedule.opens_at, schedule.closes_at, schedule.note).join(
                ServiceAtLocation.__table__, sal.id == schedule.service_at_location_id),
            sal.service_id, existing,
        ):
            self.children[row[0]].schedules.add(tuple(row[1:]))
        record_keys = [("service", p.id) for p in records if p.id]
        column = tuple_(InterchangeRecord.entity_type, InterchangeRecord.entity_id)
        self.interchange = {
            entity_id: data
            for _, entity_id, data in _rows(
                select(InterchangeRecord.entity_type, InterchangeRecord.entity_id, InterchangeRecord.data),
                column, record_keys,
            )
        }


class _Children:
    def __init__(self):
        self.terms, self.boroughs, self.phones, self.sals, self.schedules = set(), set(), set(), set(), set()


def classify(records: list[Parsed]) -> dict[int, str]:
    """Return NEW, SAME or OTHER for each record, by its index."""
    current = Current(records)
    named = Counter()
    location_fields: dict[str, set] = {}
    for p in records:
        named.update(("phone", phone_id) for phone_id, *_ in p.phones)
        for sal in p.sals:
            named[("sal", sal.id)] += 1
            named[("location", sal.location.id)] += 1
            named.update(("schedule", row_id) for row_id, *_ in sal.schedules)
            if not sal.location.known:
                fields = repr(sorted(sal.location.fields.items()))
                location_fields.setdefault(sal.location.id, set()).add(fields)
    kinds = {}
    for p in records:
        own = [("phone", i) for i, *_ in p.phones]
        for sal in p.sals:
            own += [("sal", sal.id)] + [("schedule", i) for i, *_ in sal.schedules]
        if any(named[key] > 1 for key in own):
            kinds[p.index] = OTHER  # two records claim one row: the ORM path says which is refused
        elif p.id not in current.services:
            kinds[p.index] = NEW if _all_new(p, current, named) else OTHER
        else:
            consistent = all(len(location_fields.get(s.location.id, ())) <= 1 for s in p.sals)
            kinds[p.index] = SAME if consistent and _unchanged(p, current) else OTHER
    return kinds


def _all_new(p: Parsed, current: Current, named: Counter) -> bool:
    if p.id in current.interchange:
        return False
    stored = current.stored_ids
    for sal in p.sals:
        location = sal.location
        if location.known or location.id in current.locations or named[("location", location.id)] > 1:
            return False
        if sal.id in stored["sal"] or any(row_id in stored["schedule"] for row_id, *_ in sal.schedules):
            return False
    return not any(phone_id in stored["phone"] for phone_id, *_ in p.phones)


def _unchanged(p: Parsed, current: Current) -> bool:
    """Whether applying the record to its stored service would write nothing."""
    row = current.services[p.id]
    if row["organisation_id"] != p.organization_id:
        return False
    if any(row[key] != value for key, value in service_values(p).items()):
        return False
    children = current.children[p.id]
    wanted_sals, wanted_schedules = set(), set()
    for position, sal in enumerate(p.sals):
        wanted_sals.add((sal.id, sal.location.id, sal.description, sal.hours_note, position))
        wanted_schedules.update((row_id, sal.id, *rest) for row_id, *rest in sal.schedules)
        location = current.locations.get(sal.location.id)
        if location is None or any(location[k] != v for k, v in sal.location.fields.items()):
            return False
    if (
        children.terms != set(p.term_ids)
        or children.boroughs != set(p.borough_codes)
        or children.phones != {(i, number, text, n) for n, (i, number, text) in enumerate(p.phones)}
        or children.sals != wanted_sals
        or children.schedules != wanted_schedules
    ):
        return False
    stored = current.interchange.get(p.id, _UNSET)
    return not p.remainder if stored is _UNSET else stored == p.remainder
