"""ORUK import: validation first, one transaction, idempotent by id, mapped onto our model."""

import copy
import uuid

import pytest
from sqlalchemy import select

from directory.commands.hsds import import_records
from directory.extensions import db
from directory.interchange.records import ImportFileError, read_records
from directory.models import Location, Organisation, Revision, Service, ServiceAtLocation
from tests.interchange.oruk_records import a_service, count


def test_import_is_idempotent_by_id(app):
    record = a_service()
    first = import_records([record])
    counts = (count(Service), count(Organisation), count(Location), count(ServiceAtLocation), count(Revision))
    second = import_records([copy.deepcopy(record)])
    assert (first.created, second.created, second.unchanged) == (1, 0, 1)
    assert (
        count(Service),
        count(Organisation),
        count(Location),
        count(ServiceAtLocation),
        count(Revision),
    ) == counts

    record["name"] = "Clapham chemsex drop-in (Tuesdays and Fridays)"
    third = import_records([record])
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
    import_records([record])
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
    import_records([record])
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
    import_records([record])
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
    report = import_records(records)
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
    report = import_records([good, *bad_records()], skip_invalid=True)
    assert report.committed and report.created == 1 and len(report.rejected) == 6
    assert [s.id for s in db.session.scalars(select(Service))] == [good["id"]]


def test_dry_run_changes_nothing(app):
    report = import_records([a_service(), a_service(name="Another")], dry_run=True)
    assert report.created == 2 and not report.committed and report.dry_run
    db.session.expire_all()
    assert count(Service) == 0 and count(Revision) == 0 and count(Organisation) == 0


def test_clash_with_stored_data_rejects_that_record(app, make):
    existing = make.organisation(name="South London Peer Network")
    record = a_service()
    record["organization"]["name"] = existing.name  # same name, another id
    report = import_records([record])
    assert not report.committed and "already belongs" in str(report.rejected[0])
    report = import_records(
        [record, a_service(organization={"id": existing.id, "name": existing.name, "description": ""})],
        skip_invalid=True,
    )
    assert report.created == 1 and len(report.rejected) == 1 and count(Service) == 1


def test_duplicate_ids_in_one_file_are_rejected(app):
    record = a_service()
    report = import_records([record, copy.deepcopy(record)])
    assert [r.index for r in report.rejected] == [2]
    assert count(Service) == 0


def test_read_records_refuses_what_is_not_services(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ImportFileError, match="not JSON"):
        read_records(path)
    path.write_text('{"hello": 1}', encoding="utf-8")
    with pytest.raises(ImportFileError, match="service_list"):
        read_records(path)

