"""CSV export: one row per service and location, with the columns a spreadsheet needs."""

import csv

from sqlalchemy import select

from directory.extensions import db
from directory.interchange.csv_export import CSV_COLUMNS, export_csv
from directory.models import Service


def test_csv_has_one_row_per_service_location(seeded_app, tmp_path):
    path = tmp_path / "directory.csv"
    rows_written = export_csv(path)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == rows_written
    published = db.session.scalars(
        select(Service).where(Service.is_published.is_(True), Service.status == "active")
    )
    assert len(rows) == sum(max(1, len(s.service_at_locations)) for s in published)
    assert set(rows[0]) == set(CSV_COLUMNS)
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
    export_csv(path)
    with open(path, newline="", encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    assert row["service"] == "Tuesday clinic" and row["service_id"] == service.id
    assert (row["postcode"], row["borough"], row["hours"]) == ("SW9 8BS", "Lambeth", "Tue 09:00-12:30")
    assert row["referral_routes"] == "Walk-in / drop-in" or "Walk" in row["referral_routes"]
    assert row["last_verified"] == ""


