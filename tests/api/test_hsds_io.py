"""HSDS / ORUK import and export: validation first, one transaction, idempotent, lossless round trips."""

import copy
import csv
import json
import uuid

import pytest
from sqlalchemy import func, select

from directory import hsds_io, oruk
from directory.extensions import db
from directory.models import Location, Organisation, Revision, Service, ServiceAtLocation

LAMBETH_URI = "http://statistics.data.gov.uk/id/statistical-geography/E09000022"


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def exported(tmp_path, name="export.json"):
    path = tmp_path / name
    hsds_io.export_services(path)
    return json.loads(path.read_text(encoding="utf-8"))


def without(document, keys=("last_modified",)):
    """Drop timestamps that are ours by definition (the time of our last change)."""
    if isinstance(document, dict):
        return {k: without(v, keys) for k, v in document.items() if k not in keys}
    if isinstance(document, list):
        return [without(v, keys) for v in document]
    return document


def contained(original, exported_document, path="$"):
    """Assert every fact in `original` is in `exported_document` (lists matched by id where they have one)."""
    if isinstance(original, dict):
        assert isinstance(exported_document, dict), path
        for key, value in original.items():
            assert key in exported_document, f"{path}.{key} lost"
            contained(value, exported_document[key], f"{path}.{key}")
    elif isinstance(original, list):
        for i, item in enumerate(original):
            if isinstance(item, dict) and "id" in item:
                match = [x for x in exported_document if isinstance(x, dict) and x.get("id") == item["id"]]
                assert match, f"{path}[{i}] (id {item['id']}) lost"
                contained(item, match[0], f"{path}[{i}]")
            else:
                assert item in exported_document, f"{path}[{i}] lost"
    elif isinstance(original, float | int) and not isinstance(original, bool):
        assert exported_document == pytest.approx(original), path
    else:
        assert exported_document == original, f"{path}: {original!r} became {exported_document!r}"


def a_service(**overrides):
    """Return a small, valid ORUK service in Lambeth."""
    service_id, org_id, sal_id, loc_id = (str(uuid.uuid4()) for _ in range(4))
    record = {
        "id": service_id,
        "name": "Clapham chemsex drop-in",
        "description": "Peer support for men affected by chemsex.",
        "status": "active",
        "organization": {"id": org_id, "name": f"Peer Network {org_id[:8]}", "description": "A charity."},
        "service_areas": [{"id": str(uuid.uuid4()), "name": "Lambeth", "uri": LAMBETH_URI}],
        "service_at_locations": [
            {
                "id": sal_id,
                "location": {
                    "id": loc_id,
                    "location_type": "physical",
                    "name": "Community hall",
                    "addresses": [
                        {
                            "id": str(uuid.uuid4()),
                            "address_1": "1 Example Road",
                            "city": "London",
                            "state_province": "",
                            "postal_code": "sw9 8bs",
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
        "schedules": [
            {
                "id": str(uuid.uuid4()),
                "service_at_location_id": sal_id,
                "freq": "WEEKLY",
                "byday": "FR,TU",
                "opens_at": "18:00",
                "closes_at": "21:30",
                "description": "drop-in",
            }
        ],
    }
    record.update(overrides)
    return record


# --- export ------------------------------------------------------------------------------------------


def test_export_writes_every_published_service_as_valid_full_oruk(seeded_app, tmp_path, valid):
    data = exported(tmp_path)
    published = db.session.scalar(
        select(func.count())
        .select_from(Service)
        .where(Service.is_published.is_(True), Service.status == "active")
    )
    assert len(data) == published > 80
    for service in data:
        valid("service", service)


def test_csv_has_one_row_per_service_location(seeded_app, tmp_path):
    path = tmp_path / "directory.csv"
    rows_written = hsds_io.export_csv(path)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == rows_written
    published = db.session.scalars(
        select(Service).where(Service.is_published.is_(True), Service.status == "active")
    )
    assert len(rows) == sum(max(1, len(s.service_at_locations)) for s in published)
    assert set(rows[0]) == set(hsds_io.CSV_COLUMNS)
    assert any(r["borough"] == "Lambeth" for r in rows)
    assert all(r["service_types"] for r in rows)
    assert any(r["hours"] for r in rows)


def test_csv_row_content(app, make, tmp_path):
    service = make.service(
        name="Tuesday clinic",
        postcode="SW9 8BS",
        hours=[(1, "09:00", "12:30")],
        types=("sexual-health",),
        routes=("walk-in",),
    )
    path = tmp_path / "x.csv"
    hsds_io.export_csv(path)
    with open(path, newline="", encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    assert row["service"] == "Tuesday clinic" and row["service_id"] == service.id
    assert (row["postcode"], row["borough"], row["hours"]) == ("SW9 8BS", "Lambeth", "Tue 09:00-12:30")
    assert row["referral_routes"] == "Walk-in / drop-in" or "Walk" in row["referral_routes"]
    assert row["last_verified"] == ""


# --- round trips -------------------------------------------------------------------------------------


def test_seeded_round_trip_is_lossless_and_writes_nothing(seeded_app, tmp_path):
    first = exported(tmp_path, "first.json")
    revisions_before = count(Revision)
    report = hsds_io.import_records(first, source="first.json")
    assert report.rejected == []
    assert (report.created, report.updated, report.unchanged) == (0, 0, len(first))
    assert count(Revision) == revisions_before  # nothing changed, so no revision
    assert exported(tmp_path, "second.json") == first


def portable(services):
    """Drop what differs between installations by design: timestamps and our terms' local ids."""
    result = without(services)
    for service in result:
        for attribute in service["attributes"]:
            if attribute["taxonomy_term"]["taxonomy"] != "pathway":
                attribute.pop("taxonomy_term_id")
                attribute["taxonomy_term"].pop("id")
                attribute["taxonomy_term"].pop("taxonomy_id")
        service["attributes"].sort(key=lambda a: (a["taxonomy_term"]["taxonomy"], a["taxonomy_term"]["term"]))
    return result


def seeded_export(tmp_path):
    """Export the seeded directory from a separate SQLite database (PostgreSQL tests have only one)."""
    from tests.conftest import _build, make_app

    path = tmp_path / "seeded-side.db"
    side = make_app(f"sqlite:///{path}", tmp_path / "side-index")
    _build(side, seeded=True)
    with side.app_context():
        documents = json.loads(json.dumps(list(hsds_io.iter_oruk_services())))
        db.session.remove()
        db.engine.dispose()
    return documents


def test_seeded_export_imports_into_an_empty_directory_and_exports_the_same(app, tmp_path):
    first = seeded_export(tmp_path)
    report = hsds_io.import_records(first, source="first.json")
    assert report.rejected == [] and report.created == len(first) > 80
    second = json.loads(json.dumps(list(hsds_io.iter_oruk_services())))
    assert set(db.session.scalars(select(Revision.kind))) == {"import"}
    verified = select(func.count()).select_from(Service).where(Service.verified_at.isnot(None))
    assert db.session.scalar(verified) == 0  # an import is not a verification
    # Pathways do not exist in the new directory: their attributes are kept as they came, so nothing is lost.
    # Our vocabulary terms are matched by code: each installation gives them its own ids.
    assert portable(second) == portable(first)


@pytest.mark.parametrize("name", ["service_full"])
def test_oruk_example_round_trips_without_loss(app, example, valid, name):
    original = example(name)
    report = hsds_io.import_records([original], source=name)
    assert report.rejected == [] and report.created == 1
    (first,) = list(hsds_io.iter_oruk_services())
    valid("service", first)
    contained(without(original), first)
    again = hsds_io.import_records([first], source="re-export")
    assert (again.updated, again.unchanged, again.rejected) == (0, 1, [])
    (second,) = list(hsds_io.iter_oruk_services())
    assert without(second) == without(first)


def test_oruk_service_list_page_imports_and_round_trips(app, example, tmp_path):
    page = example("service_list")
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page), encoding="utf-8")
    records = hsds_io.read_records(path)
    assert records == page["contents"]
    report = hsds_io.import_records(records, source="page.json")
    assert report.rejected == [] and report.created == len(records)
    by_id = {s["id"]: s for s in hsds_io.iter_oruk_services()}
    for original in records:
        contained(without(original), by_id[original["id"]])


def test_import_is_idempotent_by_id(app):
    record = a_service()
    first = hsds_io.import_records([record])
    counts = (count(Service), count(Organisation), count(Location), count(ServiceAtLocation), count(Revision))
    second = hsds_io.import_records([copy.deepcopy(record)])
    assert (first.created, second.created, second.unchanged) == (1, 0, 1)
    assert (
        count(Service),
        count(Organisation),
        count(Location),
        count(ServiceAtLocation),
        count(Revision),
    ) == counts

    record["name"] = "Clapham chemsex drop-in (Tuesdays and Fridays)"
    third = hsds_io.import_records([record])
    assert third.updated == 1 and count(Service) == 1
    service = db.session.get(Service, record["id"])
    assert service.name.endswith("Fridays)")
    latest = db.session.scalars(
        select(Revision).where(Revision.service_id == service.id).order_by(Revision.number.desc())
    ).first()
    assert (latest.kind, latest.author_label) == ("import", "import")
    assert service.verified_at is None


def test_import_maps_postcode_areas_and_hours(app):
    record = a_service()
    hsds_io.import_records([record])
    service = db.session.get(Service, record["id"])
    assert service.catchment == "boroughs"
    assert [b.slug for b in service.catchment_boroughs] == ["lambeth"]
    location = service.locations[0]
    assert (location.postcode, location.borough.slug) == ("SW9 8BS", "lambeth")
    assert location.latitude is not None
    hours = sorted(
        (s.weekday, s.opens_at.strftime("%H:%M"), s.closes_at.strftime("%H:%M"), s.note)
        for s in service.service_at_locations[0].schedules
    )
    assert hours == [(1, "18:00", "21:30", "drop-in"), (4, "18:00", "21:30", "drop-in")]


@pytest.mark.parametrize(
    ("code", "catchment"),
    [("E12000007", "london"), ("K02000001", "national"), ("E92000001", "national")],
)
def test_wide_service_areas_map_to_catchment(app, code, catchment):
    record = a_service(
        service_areas=[
            {"id": str(uuid.uuid4()), "uri": f"http://statistics.data.gov.uk/id/statistical-geography/{code}"}
        ]
    )
    hsds_io.import_records([record])
    assert db.session.get(Service, record["id"]).catchment == catchment


def test_vocabulary_attributes_by_id_or_code_become_terms(app, client):
    record = a_service()
    term_id = client.get("/api/v1/taxonomy_terms?search=chemsex").get_json()["contents"][0]["id"]
    record["attributes"] = [
        {"id": str(uuid.uuid4()), "taxonomy_term_id": term_id},
        {
            "id": str(uuid.uuid4()),
            "taxonomy_term": {
                "id": str(uuid.uuid4()),
                "name": "LGBTQ+",
                "description": "",
                "taxonomy": "audience",
                "term": "lgbtq",
            },
        },
    ]
    hsds_io.import_records([record])
    service = db.session.get(Service, record["id"])
    assert service.term_codes("service-type") == {"chemsex-support"}
    assert service.term_codes("audience") == {"lgbtq"}


# --- validation, reports and transactions ----------------------------------------------------------


def bad_records():
    return [
        a_service(name="   "),  # our rule: a name
        a_service(status="open"),  # schema: not an ORUK status
        a_service(id="not-a-uuid"),  # schema: id format
        {**a_service(), "minimum_age": 40, "maximum_age": 18},  # our rule: ages
        a_service(
            service_at_locations=[
                {
                    "id": str(uuid.uuid4()),
                    "location": {
                        "id": str(uuid.uuid4()),
                        "location_type": "physical",
                        "addresses": [
                            {
                                "id": str(uuid.uuid4()),
                                "address_1": "x",
                                "city": "London",
                                "state_province": "",
                                "postal_code": "12345",
                                "country": "GB",
                                "address_type": "physical",
                            }
                        ],
                    },
                }
            ]
        ),
        "just a string",
    ]


def test_a_file_with_bad_records_imports_nothing_and_says_why(app):
    good = a_service()
    records = [good, *bad_records()]
    report = hsds_io.import_records(records)
    assert not report.committed
    assert count(Service) == 0 and count(Organisation) == 0
    reasons = {r.index: " ".join(r.reasons) for r in report.rejected}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7]
    assert "name" in reasons[2]
    assert "status" in reasons[3]
    assert "uuid" in reasons[4]
    assert "minimum age" in reasons[5]
    assert "not a UK postcode" in reasons[6]
    assert "not a JSON object" in reasons[7]


def test_skip_invalid_imports_only_the_good_records(app):
    good = a_service()
    report = hsds_io.import_records([good, *bad_records()], skip_invalid=True)
    assert report.committed and report.created == 1 and len(report.rejected) == 6
    assert [s.id for s in db.session.scalars(select(Service))] == [good["id"]]


def test_dry_run_changes_nothing(app):
    report = hsds_io.import_records([a_service(), a_service(name="Another")], dry_run=True)
    assert report.created == 2 and not report.committed and report.dry_run
    db.session.expire_all()
    assert count(Service) == 0 and count(Revision) == 0 and count(Organisation) == 0


def test_clash_with_stored_data_rejects_that_record(app, make):
    existing = make.organisation(name="South London Peer Network")
    record = a_service()
    record["organization"]["name"] = existing.name  # same name, another id
    report = hsds_io.import_records([record])
    assert not report.committed and "already belongs" in str(report.rejected[0])
    report = hsds_io.import_records(
        [record, a_service(organization={"id": existing.id, "name": existing.name, "description": ""})],
        skip_invalid=True,
    )
    assert report.created == 1 and len(report.rejected) == 1 and count(Service) == 1


def test_duplicate_ids_in_one_file_are_rejected(app):
    record = a_service()
    report = hsds_io.import_records([record, copy.deepcopy(record)])
    assert [r.index for r in report.rejected] == [2]
    assert count(Service) == 0


def test_read_records_refuses_what_is_not_services(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(hsds_io.ImportFileError, match="not JSON"):
        hsds_io.read_records(path)
    path.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(hsds_io.ImportFileError, match="service_list"):
        hsds_io.read_records(path)


# --- the command line ------------------------------------------------------------------------------


def test_cli_export_import_and_csv(seeded_app, tmp_path):
    runner = seeded_app.test_cli_runner()
    out = tmp_path / "all.json"
    result = runner.invoke(args=["hsds", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Exported {len(json.loads(out.read_text()))} services" in result.output
    result = runner.invoke(args=["hsds", "import", str(out), "--dry-run"])
    assert result.exit_code == 0 and "Dry run: nothing was changed." in result.output
    result = runner.invoke(args=["hsds", "import", str(out)])
    assert result.exit_code == 0 and "0 new, 0 updated" in result.output
    result = runner.invoke(args=["hsds", "export-csv", str(tmp_path / "all.csv")])
    assert result.exit_code == 0 and "rows" in result.output


def test_cli_import_reports_rejections_and_exits_non_zero(app, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([a_service(), a_service(status="open")]), encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["hsds", "import", str(path)])
    assert result.exit_code == 1
    assert "Rejected record 2" in result.output and "Nothing was imported." in result.output
    assert count(Service) == 0
    result = runner.invoke(args=["hsds", "import", str(path), "--skip-invalid"])
    assert result.exit_code == 0 and "1 new" in result.output and count(Service) == 1


def test_cli_import_of_an_unreadable_file_says_so(app, tmp_path):
    path = tmp_path / "x.json"
    path.write_text("[", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["hsds", "import", str(path)])
    assert result.exit_code != 0 and "not JSON" in result.output
    assert oruk.VERSION
