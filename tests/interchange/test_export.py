"""ORUK export: every published service as valid, full ORUK; round trips through import lose nothing."""

import json

import pytest
from sqlalchemy import func, select

from directory.commands.hsds import import_records
from directory.extensions import db
from directory.interchange.export import iter_oruk_services
from directory.interchange.records import read_records
from directory.models import Revision, Service
from tests.interchange.oruk_records import contained, count, exported, without

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


# --- round trips -------------------------------------------------------------------------------------


def test_seeded_round_trip_is_lossless_and_writes_nothing(seeded_app, tmp_path):
    first = exported(tmp_path, "first.json")
    revisions_before = count(Revision)
    report = import_records(first, source="first.json")
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
        documents = json.loads(json.dumps(list(iter_oruk_services())))
        db.session.remove()
        db.engine.dispose()
    return documents


def test_seeded_export_imports_into_an_empty_directory_and_exports_the_same(app, tmp_path):
    first = seeded_export(tmp_path)
    report = import_records(first, source="first.json")
    assert report.rejected == [] and report.created == len(first) > 80
    second = json.loads(json.dumps(list(iter_oruk_services())))
    assert set(db.session.scalars(select(Revision.kind))) == {"import"}
    verified = select(func.count()).select_from(Service).where(Service.verified_at.isnot(None))
    assert db.session.scalar(verified) == 0  # an import is not a verification
    # Pathways do not exist in the new directory: their attributes are kept as they came, so nothing is lost.
    # Our vocabulary terms are matched by code: each installation gives them its own ids.
    assert portable(second) == portable(first)


@pytest.mark.parametrize("name", ["service_full"])
def test_oruk_example_round_trips_without_loss(app, example, valid, name):
    original = example(name)
    report = import_records([original], source=name)
    assert report.rejected == [] and report.created == 1
    (first,) = list(iter_oruk_services())
    valid("service", first)
    contained(without(original), first)
    again = import_records([first], source="re-export")
    assert (again.updated, again.unchanged, again.rejected) == (0, 1, [])
    (second,) = list(iter_oruk_services())
    assert without(second) == without(first)


def test_oruk_service_list_page_imports_and_round_trips(app, example, tmp_path):
    page = example("service_list")
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page), encoding="utf-8")
    records = read_records(path)
    assert records == page["contents"]
    report = import_records(records, source="page.json")
    assert report.rejected == [] and report.created == len(records)
    by_id = {s["id"]: s for s in iter_oruk_services()}
    for original in records:
        contained(without(original), by_id[original["id"]])

