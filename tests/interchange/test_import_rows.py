"""New listings written as plain rows must leave the database as the ORM path would, row for row."""

import copy
import json
import uuid

from sqlalchemy import func, select, text

from directory import listing
from directory.commands.hsds import import_records
from directory.extensions import db
from directory.interchange import apply, current
from directory.interchange.oruk import DAY_CODES, derived_id
from directory.models import (
    IndexChange,
    InterchangeRecord,
    Location,
    Phone,
    Revision,
    Schedule,
    Service,
    ServiceAtLocation,
    service_catchment,
    service_terms,
)
from directory.models.sharing import ShareNumber
from tests.interchange.oruk_records import LAMBETH_URI, a_service, count

SOUTHWARK_URI = LAMBETH_URI.replace("E09000022", "E09000028")


def _attribute(taxonomy: str, term: str) -> dict:
    term = {"id": str(uuid.uuid4()), "name": term, "description": term, "taxonomy": taxonomy, "term": term}
    return {"id": str(uuid.uuid4()), "taxonomy_term": term}


def _varied_records() -> list[dict]:
    """Records that between them use every part of a listing the import writes."""
    plain = a_service(name="Plain drop-in")
    busy = a_service(
        name="Busy clinic",
        url="https://example.org/busy",
        email="busy@example.org",
        minimum_age=18,
        maximum_age=99,
        languages=[{"id": str(uuid.uuid4()), "name": "English"}, {"id": str(uuid.uuid4()), "name": "Polish"}],
        service_areas=[
            {"id": str(uuid.uuid4()), "name": "Lambeth", "uri": LAMBETH_URI},
            {"id": str(uuid.uuid4()), "name": "Southwark", "uri": SOUTHWARK_URI},
        ],
        phones=[
            {"id": str(uuid.uuid4()), "number": "020 7946 0001", "description": "Bookings"},
            {"id": str(uuid.uuid4()), "number": "020 7946 0002", "extension": "12"},
        ],
        attributes=[_attribute("service-type", "chemsex"), _attribute("unknown", "kept")],
        custom_field="kept as it came",
    )
    second_sal = str(uuid.uuid4())
    busy["service_at_locations"].append({
        "id": second_sal,
        "location": {"id": str(uuid.uuid4()), "location_type": "virtual", "name": "Online",
                     "url": "https://example.org/online"},
    })
    busy["schedules"] += [
        {"id": str(uuid.uuid4()), "service_at_location_id": second_sal, "freq": "WEEKLY", "byday": "MO",
         "opens_at": "09:00", "closes_at": "17:00"},
        {"id": str(uuid.uuid4()), "service_at_location_id": second_sal, "description": "By appointment"},
    ]
    national = a_service(name="Helpline", service_areas=[
        {"id": str(uuid.uuid4()), "name": "UK", "uri": LAMBETH_URI.replace("E09000022", "K02000001")}])
    same_org = a_service(name="Second service of the plain one's organisation",
                         organization_id=plain["organization"]["id"])
    del same_org["organization"]
    return [plain, busy, national, same_org]


def _renamed(records: list[dict]) -> tuple[list[dict], dict[str, str]]:
    """Return the records with every id (and organisation name) new, and a map from new ids to old."""
    text = json.dumps(records)
    ids = set()

    def collect(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key.endswith("id") and isinstance(item, str):
                    ids.add(item)
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(records)
    back = {}
    for old in ids:
        new = str(uuid.uuid4())
        text = text.replace(old, new)
        back[new] = old
        for code in DAY_CODES:  # the ids the import derives for each day of a weekly schedule
            back[derived_id(new, code)] = derived_id(old, code)
    renamed = json.loads(text)
    for record in renamed:
        if "organization" in record:
            record["organization"]["name"] += " (again)"
    return renamed, back


def _rows(service_id: str) -> dict:
    """Return everything stored for one service, but the times of day it was written."""
    def plain(model_or_table, where, skip=("created_at", "last_modified", "imported_at")):
        table = getattr(model_or_table, "__table__", model_or_table)
        rows = db.session.execute(select(table).where(where)).mappings().all()
        return sorted(json.dumps({k: v for k, v in r.items() if k not in skip}, default=str, sort_keys=True)
                       for r in rows)

    sal_ids = select(ServiceAtLocation.id).where(ServiceAtLocation.service_id == service_id)
    location_ids = select(ServiceAtLocation.location_id).where(ServiceAtLocation.service_id == service_id)
    return {
        "service": plain(Service, Service.id == service_id),
        "terms": plain(service_terms, service_terms.c.service_id == service_id),
        "areas": plain(service_catchment, service_catchment.c.service_id == service_id),
        "phones": plain(Phone, Phone.service_id == service_id),
        "sals": plain(ServiceAtLocation, ServiceAtLocation.service_id == service_id),
        "schedules": plain(Schedule, Schedule.service_at_location_id.in_(sal_ids)),
        "locations": plain(Location, Location.id.in_(location_ids)),
        "interchange": plain(InterchangeRecord, InterchangeRecord.entity_id == service_id),
        "revisions": plain(Revision, Revision.service_id == service_id, skip=("id", "created_at")),
        "share_numbers": db.session.scalar(
            select(func.count()).select_from(ShareNumber).where(ShareNumber.service_id == service_id)),
        "index_changes": db.session.scalar(
            select(func.count()).select_from(IndexChange).where(IndexChange.service_id == service_id)),
    }


def test_new_listings_written_as_rows_match_those_written_through_the_orm(app, monkeypatch):
    records = _varied_records()
    report = import_records(copy.deepcopy(records))
    assert report.committed and report.created == len(records) and count(Service) == len(records)

    # The same records under new ids, through the ORM path.
    renamed, back = _renamed(records)
    monkeypatch.setattr(apply, "classify", lambda parsed: {p.index: current.OTHER for p in parsed})
    orm_report = import_records(renamed)
    assert orm_report.committed and orm_report.created == len(records)

    for original, again in zip(records, renamed, strict=True):
        as_rows = _rows(original["id"])
        through_orm = json.loads(_with_old_ids(json.dumps(_rows(again["id"])), back))
        for key, value in as_rows.items():
            expected = sorted(through_orm[key]) if isinstance(value, list) else through_orm[key]
            assert value == expected, (original["name"], key)
        assert as_rows["share_numbers"] == 1 and as_rows["index_changes"] == 1


def _with_old_ids(text: str, back: dict[str, str]) -> str:
    for new, old in back.items():
        text = text.replace(new, old)
    return text


def test_a_new_listings_revision_is_the_snapshot_listing_take_gives(app):
    records = _varied_records()
    import_records(records)
    for record in records:
        service = db.session.get(Service, record["id"])
        revision = db.session.scalars(select(Revision).where(Revision.service_id == service.id)).one()
        assert (revision.number, revision.kind, revision.author_label) == (1, "import", "import")
        assert revision.snapshot == listing.take(service)
        assert service.version == 1


def test_records_that_name_another_records_rows_or_stored_rows_go_through_the_orm(app):
    from directory.interchange.current import classify
    from directory.interchange.parse import parse_record
    from directory.interchange.records import Vocabulary

    stored, fresh, sharing = a_service(), a_service(), a_service()
    import_records([stored])
    # `sharing` runs at `fresh`'s location: neither may be written as plain rows.
    place = fresh["service_at_locations"][0]["location"]
    sharing["service_at_locations"][0]["location"] = copy.deepcopy(place)
    vocabulary = Vocabulary()
    parsed = [parse_record(i, r, vocabulary) for i, r in enumerate([stored, fresh, sharing, a_service()], 1)]
    assert classify(parsed) == {1: current.SAME, 2: current.OTHER, 3: current.OTHER, 4: current.NEW}
    changed = copy.deepcopy(stored)
    changed["schedules"][0]["closes_at"] = "22:00"
    assert classify([parse_record(1, changed, vocabulary)]) == {1: current.OTHER}


def test_a_batch_of_new_listings_the_database_refuses_names_the_record_and_writes_nothing(app, tmp_path):
    # A rule only the database knows (here a unique index the import cannot see) refuses the batch;
    # written again record by record, the refused record is found and named.
    db.session.execute(text("CREATE UNIQUE INDEX test_one_number_each ON phone (number)"))
    db.session.commit()
    try:
        records = [a_service(name=f"Numbered service {i}") for i in range(5)]
        for i, record in enumerate(records):
            number = "020 7946 0999" if i in (1, 3) else f"020 7946 010{i}"
            record["phones"] = [{"id": str(uuid.uuid4()), "number": number}]
        path = tmp_path / "records.json"
        path.write_text(json.dumps(records), encoding="utf-8")
        runner = app.test_cli_runner()
        result = runner.invoke(args=["hsds", "import", str(path)])
        assert result.exit_code == 1, result.output
        assert "Rejected record 4" in result.output and "The database refused it" in result.output
        assert "Rejected record 2" not in result.output and "Nothing was imported." in result.output
        assert (count(Service), count(Revision), count(ShareNumber), count(IndexChange)) == (0, 0, 0, 0)

        result = runner.invoke(args=["hsds", "import", str(path), "--skip-invalid"])
        assert result.exit_code == 0, result.output
        assert "Rejected record 4" in result.output and "4 new" in result.output
        assert db.session.get(Service, records[3]["id"]) is None
        assert (count(Service), count(Revision), count(ShareNumber)) == (4, 4, 4)
    finally:
        db.session.rollback()
        db.session.execute(text("DROP INDEX test_one_number_each"))
        db.session.commit()
