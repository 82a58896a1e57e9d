"""New listings written as plain table rows: the quick path for records that create every row they name.

A first import creates thousands of services, each with its locations, sessions and phones. Built as
ORM objects, most of the time goes on attribute events and the unit of work; built here as row dicts
and written with one INSERT per table and batch, they cost a fraction. Whatever the ORM path records
for a new listing is written here too: its revision 1 (a snapshot equal to `listing.take`'s, which a
test checks), a change-log entry for the search index, and its share number. Only records whose rows
are all new and named by no other record take this path (see `current.py`); the rest go through the ORM.
"""

from sqlalchemy import insert, select

from .. import revisions
from ..extensions import db
from ..listing.fields import (
    CATCHMENT_BOROUGHS,
    LOCATION_FIELDS,
    LOCATIONS,
    PHONES,
    SERVICE_FIELDS,
    TERMS,
    VOCABULARIES,
    Snapshot,
)
from ..models import (
    Borough,
    InterchangeRecord,
    Location,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    service_catchment,
    service_terms,
)
from ..models.base import utcnow
from ..models.sharing import ShareNumber
from .records import Parsed

SOURCE_NOTES = "Imported from Open Referral (HSDS) data."

# Parents before children, so every foreign key finds its row.
_TABLES = (
    Service.__table__,
    Location.__table__,
    ServiceAtLocation.__table__,
    Schedule.__table__,
    Phone.__table__,
    service_terms,
    service_catchment,
    InterchangeRecord.__table__,
    ShareNumber.__table__,
)


def _defaults(table) -> dict:
    # The values a flush would give columns the record leaves unset (callables, such as times, excepted).
    return {
        c.key: c.default.arg if c.default is not None and c.default.is_scalar else None
        for c in table.columns
        if not (c.primary_key and c.autoincrement is True)
    }


class Names:
    """What a snapshot names terms and boroughs by: (vocabulary, code) per term id, slug per ONS code."""

    def __init__(self, session=None):
        session = session or db.session
        terms = session.execute(select(TaxonomyTerm.id, Taxonomy.code, TaxonomyTerm.code).join(Taxonomy))
        self.terms = {term_id: (vocabulary, code) for term_id, vocabulary, code in terms}
        self.borough_slugs = dict(session.execute(select(Borough.ons_code, Borough.slug)).all())


def service_values(p: Parsed) -> dict:
    """Return the service columns a record sets (the ORM path's `_set` values)."""
    return {**p.fields, "catchment": p.catchment}


def snapshot(p: Parsed, names: Names) -> Snapshot:
    """Return the snapshot `listing.take` gives of the listing this new record creates."""
    service = {**_SERVICE_DEFAULTS, **service_values(p), "organisation_id": p.organization_id}
    data: Snapshot = {f.key: service[f.key] for f in SERVICE_FIELDS}
    codes = [names.terms[term_id] for term_id in p.term_ids]
    data[TERMS.key] = {v: sorted(code for vocab, code in codes if vocab == v) for v in VOCABULARIES}
    data[CATCHMENT_BOROUGHS.key] = sorted(names.borough_slugs[c] for c in p.borough_codes)
    data[PHONES.key] = [{"number": number, "description": description} for _, number, description in p.phones]
    data[LOCATIONS.key] = [
        {
            "id": sal.location.id,
            **{f.key: _location(sal.location.fields)[f.key] for f in LOCATION_FIELDS},
            "hours_note": sal.hours_note,
            "schedules": [
                # Times as "HH:MM", as `listing.take` stores them.
                {"weekday": day, "opens_at": opens.strftime("%H:%M"), "closes_at": closes.strftime("%H:%M"),
                 "note": note}
                for _, day, opens, closes, note in sorted(sal.schedules, key=lambda s: (s[1], s[2]))
            ],
        }
        for sal in p.sals
    ]
    return data


def _location(fields: dict) -> dict:
    return {**_LOCATION_DEFAULTS, **fields}


_SERVICE_DEFAULTS = _defaults(Service.__table__)
_LOCATION_DEFAULTS = _defaults(Location.__table__)


class NewListings:
    """Rows of new listings gathered in memory, written table by table with `write`."""

    def __init__(self, names: Names):
        self.names = names
        self._clear()

    def _clear(self) -> None:
        self.rows: dict = {table: [] for table in _TABLES}
        self.created: list[tuple[str, Snapshot]] = []

    def __len__(self):
        return len(self.created)

    def add(self, p: Parsed) -> None:
        """Gather the rows of the listing one record creates (its organisation is written already)."""
        now = utcnow()
        rows = self.rows
        rows[Service.__table__].append({
            **_SERVICE_DEFAULTS, **service_values(p), "id": p.id, "organisation_id": p.organization_id,
            "source_notes": SOURCE_NOTES, "created_at": now, "last_modified": now,
        })
        for position, sal in enumerate(p.sals):
            rows[Location.__table__].append({
                **_location(sal.location.fields), "id": sal.location.id, "organisation_id": p.organization_id,
            })
            rows[ServiceAtLocation.__table__].append({
                "id": sal.id, "service_id": p.id, "location_id": sal.location.id,
                "description": sal.description, "hours_note": sal.hours_note, "position": position,
            })
            rows[Schedule.__table__] += [
                {"id": row_id, "service_at_location_id": sal.id, "weekday": day, "opens_at": opens,
                 "closes_at": closes, "note": note}
                for row_id, day, opens, closes, note in sal.schedules
            ]
        rows[Phone.__table__] += [
            {"id": phone_id, "service_id": p.id, "number": number, "description": description, "position": i}
            for i, (phone_id, number, description) in enumerate(p.phones)
        ]
        rows[service_terms] += [{"service_id": p.id, "taxonomy_term_id": t} for t in p.term_ids]
        rows[service_catchment] += [{"service_id": p.id, "borough_code": c} for c in p.borough_codes]
        if p.remainder:
            rows[InterchangeRecord.__table__].append(
                {"entity_type": "service", "entity_id": p.id, "data": p.remainder, "imported_at": now}
            )
        rows[ShareNumber.__table__].append({"service_id": p.id})  # as models.sharing numbers every service
        self.created.append((p.id, snapshot(p, self.names)))

    def write(self, session=None) -> None:
        """Insert the gathered rows, their revisions and change-log entries; start gathering afresh."""
        session = session or db.session
        for table, rows in self.rows.items():
            if rows:
                session.execute(insert(table), rows)
        revisions.record_created(self.created, session)
        self._clear()
