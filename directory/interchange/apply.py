"""Writing parsed ORUK records to the database: all of them in one transaction, or none.

`stage_records` validates every record first (the ORUK schema, then our rules) and reports each
rejected one with its reasons; it writes nothing unless every record is good, or only the good ones
with `skip_invalid`. A record giving a stored service to another organisation is rejected unless
`allow_reassign`; the report lists the moves made. It is idempotent by id, derives boroughs from
postcodes, maps service areas back to catchment and records revisions of kind "import" (an import is
never a verification). It leaves the commit to its caller (`commands.hsds.import_records`).

Records that create a listing from nothing are written as plain rows (`rows.py`), records that
change nothing are skipped (`current.py` tells which), and the rest go through the ORM, whose
session events record their revisions. Organisations always go through the ORM, in file order.
"""

from sqlalchemy.exc import SQLAlchemyError

from .. import listing, revisions
from ..extensions import db
from ..models import (
    InterchangeRecord,
    Location,
    Organisation,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from ..validation import ListingError
from .current import NEW, OTHER, SAME, classify
from .parse import parse_record
from .records import Parsed, Vocabulary
from .report import ImportReport, Move, Notice, Rejection
from .rows import SOURCE_NOTES, Names, NewListings, service_values
from .stored import Stored

# Records written between flushes: large enough that a flush is rare, small enough to stay quick.
BATCH = 1000


def stage_records(
    records: list, *, dry_run=False, skip_invalid=False, allow_reassign=False, source="import", progress=None
) -> ImportReport:
    """Validate ORUK services and write the good ones into the session, uncommitted (see the docstring).

    `progress(stage, done, total)`, when given, is called as records are read and written.
    """
    report = ImportReport(records=len(records), dry_run=dry_run)
    vocabulary = Vocabulary()
    parsed = []
    for i, record in enumerate(records, start=1):
        parsed.append(parse_record(i, record, vocabulary))
        if progress is not None and (i % 250 == 0 or i == len(records)):
            progress("Checking", i, len(records))
    seen_ids: dict[str, int] = {}
    for p in parsed:
        if p.id and p.id in seen_ids:
            p.problems.append(f"The id is also used by record {seen_ids[p.id]}.")
        seen_ids.setdefault(p.id, p.index)
    for p in parsed:
        report.warnings += [Notice(p.index, p.id, p.name, kind, text) for kind, text in p.warnings]
    kinds, stored = _plan([p for p in parsed if not p.problems])
    for p, move in _moves((p for p in parsed if not p.problems), stored):
        if allow_reassign:
            report.moves.append(move)
        else:
            # Another organisation in a file is more often a mistake than a handover: it must be asked for.
            p.problems.append(f"It would move {move}. Run again with --allow-reassign to move it.")
    good = [p for p in parsed if not p.problems]
    report.rejected = [Rejection(p.index, p.id, p.name, p.problems) for p in parsed if p.problems]
    if report.rejected and not skip_invalid:
        return report
    # A record can still fail against the database (an id owned by another service, a name taken):
    # that record is rejected and the whole write is tried again without it. Writes go in batches;
    # a batch the database refuses is written again record by record to find the one it refused.
    batch = BATCH
    while True:
        counts, failed = _write(good, source, kinds, stored, batch, progress)
        if failed is None:
            break
        db.session.rollback()
        if failed[0] is None:
            batch = 1
        else:
            report.rejected.append(Rejection(failed[0].index, failed[0].id, failed[0].name, [failed[1]]))
            report.rejected.sort(key=lambda r: r.index)
            if not skip_invalid:
                return report
            good = [p for p in good if p is not failed[0]]
            report.moves = [m for m in report.moves if m.service_id != failed[0].id]
            batch = BATCH
        kinds, stored = _plan(good)
    report.created, report.updated, report.unchanged, report.organizations_created = counts
    report.staged = True
    return report


def _plan(records: list[Parsed]) -> tuple[dict[int, str], Stored]:
    """Say which records are new, unchanged or for the ORM; load what the ORM path needs for them."""
    kinds = classify(records)
    return kinds, Stored([p for p in records if kinds[p.index] == OTHER], organisations_of=records)


def _moves(parsed, stored: Stored):
    """Yield (record, Move) for each record giving a stored service to another organisation."""
    for p in parsed:
        service = stored.get(Service, p.id) if p.id else None
        if service is None or service.organisation_id == p.organization_id:
            continue
        target = stored.get(Organisation, p.organization_id)
        to_name = p.organization["name"] if p.organization else (target.name if target else "")
        yield p, Move(p.id, service.name, service.organisation_id, service.organisation.name,
                      p.organization_id, to_name)


def _write(records: list[Parsed], source: str, kinds: dict, stored: Stored, batch: int, progress=None):
    """Apply every record in the session; return (counts, None) or (None, (record or None, reason)).

    Organisations and changed listings go through the ORM, new listings are gathered as rows, and
    unchanged ones are left alone. Every `batch` records the session is flushed and the gathered rows
    written: a batch the database refuses names the record only when `batch` is 1, so the caller
    tries again record by record to find it.
    """
    created = updated = unchanged = orgs_created = 0
    new = NewListings(Names())
    with revisions.recording(kind="import", author_label="import", reason=f"Imported from {source}"):
        for n, p in enumerate(records, start=1):
            kind = kinds[p.index]
            try:
                with db.session.no_autoflush:
                    problem = _organisation_problem(p, stored) or (kind == OTHER and _rows_problem(p, stored))
                    if problem:
                        return None, (p, problem)
                    org, created_org = _apply_organisation(p, stored)
                    orgs_created += created_org
                    before = after = None
                    if kind == NEW:
                        new.add(p)
                    elif kind == SAME:
                        before = after = True
                    else:
                        existing = stored.get(Service, p.id)
                        before = listing.take(existing) if existing is not None else None
                        _apply_listing(p, existing, org, stored)
                        after = listing.take(stored.get(Service, p.id)) if before is not None else None
                if n % batch == 0 or n == len(records):
                    db.session.flush()  # organisations first: the new listings' rows refer to them
                    new.write()
            except (ListingError, ValueError, SQLAlchemyError) as exc:
                reason = f"The database refused it: {str(exc).splitlines()[0][:300]}"
                return None, (p if batch == 1 else None, reason)
            if before is None:
                created += 1
            elif after == before:
                unchanged += 1
            else:
                updated += 1
            if progress is not None and (n % 250 == 0 or n == len(records)):
                progress("Writing", n, len(records))
    return (created, updated, unchanged, orgs_created), None


def _owner(row, relation: str, column: str):
    """Return the id of the row a child belongs to, whether or not it has been flushed yet."""
    parent = getattr(row, relation)
    return parent.id if parent is not None else getattr(row, column)


def _organisation_problem(p: Parsed, stored: Stored) -> str:
    """Say why a record's organisation clashes with what is already stored, or return ""."""
    if p.organization is None and stored.get(Organisation, p.organization_id) is None:
        return (
            f"organization_id {p.organization_id} is not an organization here, "
            "and the record does not include it."
        )
    if p.organization is not None:
        namesake = stored.namesake(p.organization["name"])
        if namesake is not None and namesake.id != p.organization_id:
            return (
                f"The organization name “{p.organization['name']}” already belongs to organization "
                f"{namesake.id}, not {p.organization_id}."
            )
    return ""


def _rows_problem(p: Parsed, stored: Stored) -> str:
    """Say why a record's locations, sessions or phones clash with what is stored, or return ""."""
    for sal in p.sals:
        owner = stored.get(ServiceAtLocation, sal.id)
        if owner is not None and _owner(owner, "service", "service_id") != p.id:
            return f"service_at_location {sal.id} belongs to another service."
        if sal.location.known and stored.get(Location, sal.location.id) is None:
            return f"service_at_location {sal.id} refers to location {sal.location.id}, which is not here."
        for row_id, *_ in sal.schedules:
            schedule = stored.get(Schedule, row_id)
            if schedule is not None:
                owner_sal = schedule.service_at_location
                if owner_sal is not None and _owner(owner_sal, "service", "service_id") != p.id:
                    return f"schedule {row_id} belongs to another service."
    for phone_id, *_ in p.phones:
        phone = stored.get(Phone, phone_id)
        if phone is not None and _owner(phone, "service", "service_id") != p.id:
            return f"phone {phone_id} belongs to another service."
    return ""


def _apply_organisation(p: Parsed, stored: Stored) -> tuple[Organisation, int]:
    """Make the record's organisation match it; return it, and 1 when it was created."""
    created_org = 0
    org = stored.get(Organisation, p.organization_id)
    if org is None:
        org = stored.add(Organisation(id=p.organization_id))
        db.session.add(org)
        created_org = 1
    if p.organization is not None:
        _set(org, p.organization)
        stored.org_by_name[org.name] = org
    if created_org:
        _remember(
            stored,
            "organization",
            org.id,
            {"organization": p.organization_remainder} if p.organization_remainder else {},
        )
    return org, created_org


def _apply_listing(p: Parsed, service: Service | None, org: Organisation, stored: Stored) -> None:
    """Make the database match one parsed record's listing, through the ORM."""
    if service is None:
        service = stored.add(Service(id=p.id, source_notes=SOURCE_NOTES))
        db.session.add(service)
    if service.organisation is not org:
        service.organisation = org
    _set(service, service_values(p))
    if [t.id for t in service.terms] != p.term_ids:
        service.terms = [stored.get(TaxonomyTerm, i) for i in p.term_ids]
    if [b.ons_code for b in service.catchment_boroughs] != p.borough_codes:
        service.catchment_boroughs = [stored.boroughs[c] for c in p.borough_codes]
    phones = _reconcile(
        service.phones,
        [
            (pid, {"number": number, "description": description, "position": i})
            for i, (pid, number, description) in enumerate(p.phones)
        ],
        Phone,
        stored,
    )
    # Assigning even the same list marks the service changed, and a changed service costs a revision check.
    if phones is not service.phones:
        service.phones = phones
    sals = []
    for position, parsed_sal in enumerate(p.sals):
        sal = next((s for s in service.service_at_locations if s.id == parsed_sal.id), None)
        sal = sal or stored.get(ServiceAtLocation, parsed_sal.id)
        sal = sal or stored.add(ServiceAtLocation(id=parsed_sal.id))
        location = stored.get(Location, parsed_sal.location.id)
        if location is None:
            # The relationship, not only the column, so the flush writes the organisation first.
            location = stored.add(Location(id=parsed_sal.location.id, organisation=org))
            db.session.add(location)
        _set(location, parsed_sal.location.fields)
        if sal.location is not location:
            sal.location = location
        _set(
            sal,
            {
                "description": parsed_sal.description,
                "hours_note": parsed_sal.hours_note,
                "position": position,
            },
        )
        schedules = _reconcile(
            sal.schedules,
            [
                (row_id, {"weekday": day, "opens_at": opens, "closes_at": closes, "note": note})
                for row_id, day, opens, closes, note in parsed_sal.schedules
            ],
            Schedule,
            stored,
        )
        if schedules is not sal.schedules:
            sal.schedules = schedules
        sals.append(sal)
    if [s.id for s in service.service_at_locations] != [s.id for s in sals]:
        service.service_at_locations = sals
    _remember(stored, "service", service.id, p.remainder)


def _set(obj, values: dict) -> None:
    # Only differing values are written, so re-importing the same file changes nothing.
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)


def _reconcile(current: list, wanted: list, model, stored: Stored) -> list:
    """Return rows matching `wanted` [(id, fields)], updating rows kept by id instead of replacing them."""
    by_id = {row.id: row for row in current}
    result = []
    for row_id, values in wanted:
        row = by_id.get(row_id) or stored.get(model, row_id) or stored.add(model(id=row_id))
        _set(row, values)
        result.append(row)
    return result if [r.id for r in result] != [r.id for r in current] else current


def _remember(stored: Stored, entity_type: str, entity_id: str, data: dict) -> None:
    record = stored.interchange.get((entity_type, entity_id))
    if record is None:
        if not data:
            return
        record = InterchangeRecord(entity_type=entity_type, entity_id=entity_id)
        stored.interchange[(entity_type, entity_id)] = record
        db.session.add(record)
    if record.data != data:
        record.data = data
