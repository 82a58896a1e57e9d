"""Insights benchmark: coverage matrix, pathway completeness, freshness and unmet-need counting.

    .venv/bin/python benchmarks/insights_bench.py                # seeded data, then x10 and x50 copies
    .venv/bin/python benchmarks/insights_bench.py --copies 1,20

Each size is the seeded London services copied N times (new ids and names, same terms, places,
catchments and pathway stages) in a fresh SQLite database. Prints milliseconds per call (median
of several runs) and how many SQL statements one coverage matrix takes: it must not grow with size.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert, select  # noqa: E402

from config import TestConfig  # noqa: E402
from directory import coverage, create_app, unmet_need  # noqa: E402
from directory.extensions import db  # noqa: E402
from directory.models import (  # noqa: E402
    Location,
    Service,
    ServiceAtLocation,
    pathway_stage_services,
    service_catchment,
    service_terms,
)
from directory.models.base import new_id  # noqa: E402
from directory.search import SearchRequest  # noqa: E402

COLUMNS = ("organisation_id", "description", "status", "is_published", "catchment", "verified_at")


def build(copies: int, workdir: Path):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{workdir / 'bench.db'}"
        SEARCH_INDEX_DIR = str(workdir / "index")

    app = create_app(Config)
    with app.app_context():
        from directory.reference import load_reference_data
        from directory.seed import seed_services

        db.create_all()
        load_reference_data()
        seed_services()
        db.session.commit()
        originals = db.session.scalars(select(Service)).all()
        for n in range(1, copies):
            for s in originals:
                sid = new_id()
                db.session.execute(insert(Service).values(id=sid, name=f"{s.name} #{n}",
                                                          **{c: getattr(s, c) for c in COLUMNS}))
                rows = (
                    [(service_terms, {"taxonomy_term_id": t.id}) for t in s.terms]
                    + [(service_catchment, {"borough_code": b.ons_code}) for b in s.catchment_boroughs]
                    + [(pathway_stage_services, {"stage_id": stage.id}) for stage in s.pathway_stages]
                )
                for table, values in rows:
                    db.session.execute(insert(table).values(service_id=sid, **values))
                for sal in s.service_at_locations:
                    lid = new_id()
                    loc = sal.location
                    db.session.execute(insert(Location).values(
                        id=lid, location_type=loc.location_type, borough_code=loc.borough_code))
                    db.session.execute(
                        insert(ServiceAtLocation).values(id=new_id(), service_id=sid, location_id=lid))
        db.session.commit()
    return app


def timed(fn, runs=5) -> float:
    samples = []
    for _ in range(runs):
        db.session.expunge_all()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", default="1,10,50")
    args = parser.parse_args()
    print(f"{'services':>9} {'matrix ms':>10} {'statements':>10} {'pathways ms':>12} {'freshness ms':>13} "
          f"{'record ms':>10}")
    for copies in (int(c) for c in args.copies.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            app = build(copies, Path(tmp))
            with app.app_context():
                total = db.session.query(Service).count()
                statements = []
                count_statement = lambda *args: statements.append(args)  # noqa: E731, B023

                event.listen(db.engine, "before_cursor_execute", count_statement)
                db.session.expunge_all()
                coverage.coverage_matrix()
                event.remove(db.engine, "before_cursor_execute", count_statement)
                count = len(statements)
                matrix_ms = timed(coverage.coverage_matrix)
                pathways_ms = timed(coverage.pathway_completeness)
                fresh_ms = timed(coverage.freshness_report)
                req = SearchRequest(text="crystal meth help", borough="lambeth",
                                    service_types=["chemsex-support"])
                record_ms = timed(lambda: unmet_need.record(req, 0), runs=50)  # noqa: B023
                print(f"{total:>9} {matrix_ms:>10.1f} {count:>10} {pathways_ms:>12.1f} {fresh_ms:>13.1f} "
                      f"{record_ms:>10.2f}")
                db.session.remove()
                db.engine.dispose()


if __name__ == "__main__":
    main()
