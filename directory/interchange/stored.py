"""What the database already holds for an import's records, read in a few queries before writing.

An import looks up every service, organisation, location, session and phone its records name, and
most are not there yet. Asking the session one id at a time costs a query per miss; `Stored` reads
them all up front (a query per kind and 500 ids), answers misses from memory, and learns the rows
the import itself creates so a later record sees an earlier one's. It is read as ORM objects for
the records that go through the ORM, and for every record's organisation (see `apply.py`).
"""

from sqlalchemy import select, tuple_
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import (
    Borough,
    InterchangeRecord,
    Location,
    Organisation,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from .records import Parsed

CHUNK = 500


class Stored:
    """Rows an import's records name, by model and id, read once."""

    def __init__(self, records: list[Parsed], organisations_of: list[Parsed] | None = None):
        """Read the rows `records` name, and the organisations of `organisations_of` (or `records`)."""
        self.rows: dict[type, dict] = {}
        services, sals, locations, schedules, phones = (set() for _ in range(5))
        everyone = records if organisations_of is None else organisations_of
        orgs = {p.organization_id for p in everyone}
        for p in records:
            services.add(p.id)
            phones.update(phone_id for phone_id, *_ in p.phones)
            for sal in p.sals:
                sals.add(sal.id)
                locations.add(sal.location.id)
                schedules.update(row_id for row_id, *_ in sal.schedules)
        service_options = (
            selectinload(Service.terms),
            selectinload(Service.catchment_boroughs),
            selectinload(Service.phones),
            selectinload(Service.organisation),
            selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.schedules),
            selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.location),
        )
        self._load(Service, services, service_options)
        self._load(Organisation, orgs)
        self._load(ServiceAtLocation, sals, (selectinload(ServiceAtLocation.service),))
        self._load(Location, locations)
        self._load(Schedule, schedules, (selectinload(Schedule.service_at_location),))
        self._load(Phone, phones)
        self.boroughs = {b.ons_code: b for b in db.session.scalars(select(Borough))}
        self.rows[TaxonomyTerm] = {t.id: t for t in db.session.scalars(select(TaxonomyTerm))}
        names = {p.organization["name"] for p in everyone if p.organization}
        self.org_by_name = {
            o.name: o for o in self._query(Organisation, Organisation.name, names)
        }
        keys = [("service", i) for i in services] + [("organization", i) for i in orgs]
        column = tuple_(InterchangeRecord.entity_type, InterchangeRecord.entity_id)
        self.interchange = {
            (r.entity_type, r.entity_id): r for r in self._query(InterchangeRecord, column, keys)
        }

    def _query(self, model, column, values, options=()):
        values = sorted(v for v in values if v)
        found = []
        for start in range(0, len(values), CHUNK):
            chunk = values[start : start + CHUNK]
            found += db.session.scalars(select(model).where(column.in_(chunk)).options(*options)).all()
        return found

    def _load(self, model, ids, options=()) -> None:
        self.rows[model] = {row.id: row for row in self._query(model, model.id, ids, options)}

    def get(self, model, row_id):
        """Return the row of `model` with this id, or None: no query."""
        return self.rows[model].get(row_id)

    def add(self, row):
        """Remember a row the import created; return it."""
        self.rows[type(row)][row.id] = row
        return row

    def namesake(self, name: str) -> Organisation | None:
        """Return the organisation called `name` (stored or created by this import), or None."""
        org = self.org_by_name.get(name)
        return org if org is not None and org.name == name else None
