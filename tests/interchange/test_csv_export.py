"""CSV export: one row per service and location, with the columns a spreadsheet needs."""

import csv

from sqlalchemy import select

from directory.extensions import db
from directory.interchange.csv_export import CSV_COLUMNS, export_csv
from directory.models import Phone, Service


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



FORMULAS = ("=HYPERLINK(\"https://evil.example\",\"Click\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)",
            "\tcell", "\rcell")


def test_a_spreadsheet_opening_the_csv_runs_no_formula(app, make, tmp_path):
    """OWASP's rule: a cell starting with = + - @ tab or CR gets a leading quote, so it stays text."""
    organisation = make.organisation(name="=HYPERLINK(\"https://evil.example\")")
    for i, formula in enumerate(FORMULAS):
        service = make.service(name=f"{formula} {i}", organisation=organisation, postcode="SW9 8BS",
                               alert="", email=None, commit=False)
        db.session.flush()
        service.service_at_locations[0].hours_note = formula
        service.service_at_locations[0].location.name = formula
    db.session.commit()
    path = tmp_path / "x.csv"
    export_csv(path)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(FORMULAS)
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)
    assert {r["service"] for r in rows} == {f"'{formula} {i}" for i, formula in enumerate(FORMULAS)}
    assert rows[0]["organisation"] == "'=HYPERLINK(\"https://evil.example\")"
    assert {r["hours_note"] for r in rows} == {f"'{formula}" for formula in FORMULAS}


def test_uk_phone_numbers_in_the_csv_are_written_nationally_others_kept_as_text(app, make, tmp_path):
    service = make.service(name="Helpline")
    service.phones = [
        Phone(number="+44 20 7946 0000"),
        Phone(number="+33 1 23 45 67 89", description="Paris"),
    ]
    other = make.service(name="Other helpline")
    other.phones = [Phone(number="+33 1 23 45 67 89")]
    db.session.commit()
    path = tmp_path / "x.csv"
    export_csv(path)
    with open(path, newline="", encoding="utf-8") as f:
        rows = {r["service"]: r for r in csv.DictReader(f)}
    assert rows["Helpline"]["phones"] == "020 7946 0000; +33 1 23 45 67 89 (Paris)"
    assert rows["Other helpline"]["phones"] == "'+33 1 23 45 67 89"
