"""Importing many records at once: batched writes that still keep a revision per listing and reach search."""

import json

from sqlalchemy import func, select

from directory import search
from directory.extensions import db
from directory.interchange import apply
from directory.models import Revision, Service
from tests.interchange.oruk_records import a_service, count


def _records(n):
    return [a_service(name=f"Quokkaberry clinic {i:04d}") for i in range(n)]


def test_an_import_larger_than_a_batch_keeps_a_revision_for_every_listing(app, tmp_path, monkeypatch):
    monkeypatch.setattr(apply, "BATCH", 7)  # several flushes, and a last short batch
    records = _records(25)
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["hsds", "import", str(path)])
    assert result.exit_code == 0 and "25 new" in result.output, result.output
    numbers = db.session.execute(
        select(Revision.service_id, func.count(), func.max(Revision.number)).group_by(Revision.service_id)
    ).all()
    assert len(numbers) == 25 and all((n, top) == (1, 1) for _, n, top in numbers)

    records[3]["name"] = "Quokkaberry clinic renamed"
    records[20]["description"] = "Now on Saturdays too."
    path.write_text(json.dumps(records), encoding="utf-8")
    result = runner.invoke(args=["hsds", "import", str(path)])
    assert "0 new, 2 updated, 23 unchanged" in result.output, result.output
    assert count(Revision) == 27
    for record in (records[3], records[20]):
        newest = select(func.max(Revision.number)).where(Revision.service_id == record["id"])
        latest = db.session.scalar(newest)
        assert latest == 2


def test_imported_listings_are_searchable_straight_after_the_import(app, tmp_path):
    records = _records(3)
    records[1]["description"] = "Zorbleflax peer support on Thursdays."
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    assert app.test_cli_runner().invoke(args=["hsds", "import", str(path)]).exit_code == 0
    result = search.search(search.SearchRequest(text="zorbleflax", per_page=None))
    assert [hit.listing.id for hit in result.hits] == [records[1]["id"]]
    assert db.session.get(Service, records[1]["id"]).is_listed


def test_a_row_an_earlier_record_in_the_same_batch_created_is_not_taken_by_a_later_one(app, monkeypatch):
    from directory.commands.hsds import import_records

    monkeypatch.setattr(apply, "BATCH", 50)
    records = _records(6)
    # Both records are in one unflushed batch: the second must still see the first one's phone.
    records[4]["phones"] = [{"id": "8b0e1c52-6a43-4e0b-9a53-8d5c3f0c1a11", "number": "020 7946 0000"}]
    records[5]["phones"] = [{"id": "8b0e1c52-6a43-4e0b-9a53-8d5c3f0c1a11", "number": "020 7946 0001"}]
    report = import_records(records)
    assert not report.committed and count(Service) == 0
    assert [r.index for r in report.rejected] == [6]
    assert "phone 8b0e1c52-6a43-4e0b-9a53-8d5c3f0c1a11 belongs to another service" in str(report.rejected[0])
