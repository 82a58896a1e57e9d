"""Unmet need: only aggregate counts are kept, words need k searches to show, old counts are purged."""

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from directory import unmet_need
from directory.extensions import db
from directory.models import UnmetSearch

TODAY = "2025-06-10T14:30:00"
BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def pinned(app):
    app.config["DIRECTORY_NOW"] = TODAY
    return date(2025, 6, 10)


def rows():
    db.session.expire_all()
    return db.session.scalars(select(UnmetSearch).order_by(UnmetSearch.term)).all()


def test_the_table_holds_only_day_borough_filters_words_bucket_and_count(app):
    columns = {c["name"] for c in inspect(db.engine).get_columns("unmet_search")}
    assert columns == {"day", "borough", "filters", "term", "bucket", "count"}
    day = next(c for c in inspect(db.engine).get_columns("unmet_search") if c["name"] == "day")
    assert "DATE" in str(day["type"]).upper() and "TIME" not in str(day["type"]).upper()


def test_a_search_with_no_or_few_results_is_counted_and_repeated_searches_add_up(
    app, pinned, search_request
):
    req = search_request(text="  Tina, CRYSTAL!!  ", borough="E09000022",
                         service_types=["chemsex-support"], audiences=["lgbtq", "gay-bi-msm"], open_now=True)
    assert unmet_need.record(req, 0) is True
    assert unmet_need.record(req, 0) is True
    assert unmet_need.record(req, 2) is True
    [few, zero] = sorted(rows(), key=lambda r: r.bucket)
    assert (zero.day, zero.borough, zero.term, zero.bucket, zero.count) == (
        pinned, "lambeth", "tina crystal", "zero", 2)
    assert zero.filters == "service_type=chemsex-support; audience=gay-bi-msm,lgbtq; open_now=yes"
    assert (few.bucket, few.count) == ("few", 1)


def test_searches_with_enough_results_and_later_pages_are_not_counted(app, pinned, search_request):
    assert unmet_need.record(search_request(text="pep"), 4) is False
    assert unmet_need.record(search_request(text="pep", page=2), 0) is False
    assert rows() == []


def test_the_few_threshold_is_configurable(app, pinned, search_request):
    app.config["INSIGHTS_FEW_RESULTS"] = 5
    assert unmet_need.record(search_request(text="pep"), 5) is True
    assert rows()[0].bucket == "few"


def test_words_lose_anything_that_could_identify_someone():
    assert unmet_need.normalise_term("Call me on 07700 900123 or me@example.org") == "call me on or"
    assert unmet_need.normalise_term("clinic near SW9 8BS") == "clinic near sw9"
    assert unmet_need.normalise_term("G/GHB -- help?") == "g ghb help"
    long = "word " * 60
    assert len(unmet_need.normalise_term(long)) <= 100
    assert unmet_need.normalise_term(long).split() == ["word"] * 20


def test_a_postcode_search_keeps_its_borough_not_the_postcode(app, pinned, search_request):
    unmet_need.record(search_request(postcode="SW9 8BS", max_miles=2.0), 0)
    [row] = rows()
    assert row.borough == "lambeth"
    assert "sw9" not in row.filters.lower() and "8bs" not in row.filters.lower()
    assert row.filters == "max_miles=2.0"


def test_a_term_shows_only_once_enough_searches_used_it(app, pinned, search_request):
    for _ in range(4):
        unmet_need.record(search_request(text="slamming"), 0)
    for _ in range(4):
        unmet_need.record(search_request(text="Mephedrone"), 0)
    unmet_need.record(search_request(text="mephedrone"), 1)  # the fifth, in the other bucket
    report = unmet_need.report()
    assert [(r.label, r.zero, r.few) for r in report.by_term] == [("mephedrone", 4, 1)]
    assert report.hidden_terms == 1 and report.hidden_searches == 4
    # The borough and filter tables still count every search.
    assert report.total_zero == 8 and report.total_few == 1


def test_the_threshold_sums_over_the_days_of_the_period(app, pinned, search_request):
    for day in range(5):
        app.config["DIRECTORY_NOW"] = f"2025-06-0{day + 1}T10:00:00"
        unmet_need.record(search_request(text="chems"), 0)
    app.config["DIRECTORY_NOW"] = TODAY
    assert [r.label for r in unmet_need.report().by_term] == ["chems"]
    narrow = unmet_need.Period(date(2025, 6, 2), date(2025, 6, 5))
    assert unmet_need.report(narrow).by_term == []


def test_purge_deletes_counts_older_than_the_retention_limit(app, pinned, runner):
    app.config["INSIGHTS_RETENTION_DAYS"] = 365
    for age, term in ((366, "old"), (365, "edge"), (3, "recent")):
        db.session.add(UnmetSearch(day=pinned - timedelta(days=age), borough="", filters="", term=term,
                                   bucket="zero", count=1))
    db.session.commit()
    result = runner.invoke(args=["insights", "purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1" in result.output
    assert [r.term for r in rows()] == ["edge", "recent"]


def test_the_public_search_counts_a_fruitless_search_and_nothing_else(app, pinned, client, make):
    for n in range(4):
        make.service(name=f"Lambeth drug service {n}", borough_slug="lambeth")
    response = client.get("/search?q=Zyxwv+quux&borough=lambeth&service_type=chemsex-support")
    assert response.status_code == 200
    client.get("/search?q=drug")  # found four: enough, so not counted
    [row] = rows()
    assert (row.day, row.borough, row.term, row.filters, row.bucket, row.count) == (
        pinned, "lambeth", "zyxwv quux", "service_type=chemsex-support", "zero", 1)


# -- counts wait in each process and are written together ----------------------------------------


@pytest.fixture
def waiting(app, pinned):
    app.config["UNMET_NEED_FLUSH_SECONDS"] = 3600
    return app


def test_counts_wait_in_the_process_and_are_written_together_added_up(waiting, search_request):
    tina = search_request(text="Tina", borough="lambeth")
    for _ in range(3):
        assert unmet_need.record(tina, 0) is True
    assert unmet_need.record(search_request(text="pep"), 1) is True
    assert rows() == []  # nothing written yet
    assert unmet_need.flush() == 4
    assert [(r.term, r.borough, r.bucket, r.count) for r in rows()] == [
        ("pep", "", "few", 1), ("tina", "lambeth", "zero", 3)]
    unmet_need.record(tina, 0)
    assert unmet_need.flush() == 1
    assert [r.count for r in rows()] == [1, 4]  # added to the row already there
    assert unmet_need.flush() == 0


def test_the_next_count_after_the_interval_writes_everything_waiting(waiting, search_request, monkeypatch):
    waiting.config["UNMET_NEED_FLUSH_SECONDS"] = 10
    unmet_need.record(search_request(text="tina"), 0)
    unmet_need.record(search_request(text="tina"), 0)
    assert rows() == []
    later = unmet_need.time.monotonic() + 11
    monkeypatch.setattr(unmet_need.time, "monotonic", lambda: later)
    unmet_need.record(search_request(text="tina"), 0)
    assert [(r.term, r.count) for r in rows()] == [("tina", 3)]


def test_counts_that_could_not_be_written_are_kept_for_the_next_try(waiting, search_request, monkeypatch):
    from sqlalchemy.exc import OperationalError

    unmet_need.record(search_request(text="tina"), 0)
    real = unmet_need._increment

    def database_away(counts):
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(unmet_need, "_increment", database_away)
    assert unmet_need.flush() == 0
    unmet_need.record(search_request(text="tina"), 0)
    monkeypatch.setattr(unmet_need, "_increment", real)
    assert unmet_need.flush() == 2
    assert [(r.term, r.count) for r in rows()] == [("tina", 2)]


def test_the_report_includes_this_process_s_waiting_counts(waiting, search_request):
    for _ in range(5):
        unmet_need.record(search_request(text="tina"), 0)
    assert [(r.label, r.zero) for r in unmet_need.report().by_term] == [("tina", 5)]


COUNT_AND_EXIT = """
import sys
from tests.conftest import make_app
from directory import search, unmet_need
app = make_app(sys.argv[1], sys.argv[2], UNMET_NEED_FLUSH_SECONDS=3600, DIRECTORY_NOW="2025-06-10T14:30:00")
with app.app_context():
    for _ in range(3):
        unmet_need.record(search.SearchRequest(text="ocelot"), 0)
print("counted", flush=True)
"""


def test_a_process_writes_its_waiting_counts_as_it_exits(waiting):
    env = {**os.environ, "PYTHONPATH": str(BASE_DIR)}
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", COUNT_AND_EXIT, waiting.config["SQLALCHEMY_DATABASE_URI"],
         waiting.config["SEARCH_INDEX_DIR"]],
        capture_output=True, text=True, cwd=BASE_DIR, env=env, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "counted"
    assert [(r.term, r.count) for r in rows()] == [("ocelot", 3)]
