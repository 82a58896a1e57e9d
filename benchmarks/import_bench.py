"""Import benchmark: `flask hsds import` of synthetic ORUK services into a fresh SQLite database.

    .venv/bin/python benchmarks/import_bench.py                     # 10,000 records, then a re-import
    .venv/bin/python benchmarks/import_bench.py --records 100000
    .venv/bin/python benchmarks/import_bench.py --write records.json --records 500   # only write a file

The records are the load benchmark's synthetic listings (`load.synthetic_listings`) as ORUK 3.0
services: an organisation per 20 services, one location with a postcode from our sector data,
weekly sessions, taxonomy attributes and the service area their catchment gives (none for open
access, so about a quarter carry the "no service area" warning). The command runs in-process
through Flask's CLI runner, as `flask hsds import` would, and the figures include reading the file.
Target (issue 18, this 2-core machine): 10,000 records < 15 s, 100,000 < 150 s.
"""

import argparse
import json
import random
import resource
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from load import synthetic_listings  # noqa: E402

ONS_URI = "http://statistics.data.gov.uk/id/statistical-geography/{code}"
AREA_CODES = {"london": "E12000007", "national": "K02000001"}
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def oruk_records(count: int, seed: int = 18) -> list[dict]:
    """Return `count` synthetic ORUK services, the same ones for the same seed."""
    rng = random.Random(seed)

    def an_id():
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    organisations: dict[str, str] = {}
    records = []
    for item in synthetic_listings(count, seed=seed):
        org_id = organisations.setdefault(item["organisation"], an_id())
        service_id, sal_id, loc_id = an_id(), an_id(), an_id()
        code = {"boroughs": item["borough_code"]}.get(item["catchment"], AREA_CODES.get(item["catchment"]))
        areas = [{"id": an_id(), "name": item["catchment"], "uri": ONS_URI.format(code=code)}] if code else []
        records.append(
            {
                "id": service_id,
                "name": item["name"],
                "description": item["description"],
                "status": "active",
                "organization": {"id": org_id, "name": item["organisation"], "description": "A charity."},
                "service_areas": areas,
                "attributes": [
                    {
                        "id": an_id(),
                        "taxonomy_term": {"id": an_id(), "name": term, "description": term,
                                          "taxonomy": taxonomy, "term": term},
                    }
                    for taxonomy, term in dict.fromkeys(item["terms"])
                ],
                "phones": [{"id": an_id(), "number": f"020 7946 {rng.randint(0, 9999):04d}"}],
                "service_at_locations": [
                    {
                        "id": sal_id,
                        "location": {
                            "id": loc_id,
                            "location_type": "physical",
                            "name": f"{item['name']} centre",
                            "addresses": [
                                {
                                    "id": an_id(),
                                    "address_1": f"{len(records) + 1} Synthetic Street",
                                    "city": "London",
                                    "state_province": "",
                                    "postal_code": item["postcode"],
                                    "address_type": "physical",
                                    "country": "GB",
                                }
                            ],
                        },
                    }
                ],
                "schedules": [
                    {
                        "id": an_id(),
                        "service_at_location_id": sal_id,
                        "freq": "WEEKLY",
                        "byday": DAY_CODES[day],
                        "opens_at": opens.strftime("%H:%M"),
                        "closes_at": closes.strftime("%H:%M"),
                    }
                    for day, opens, closes in item["hours"]
                ],
            }
        )
    return records


def make_app(workdir: Path):
    """Return an app on a fresh SQLite database (schema and reference data) and index in `workdir`."""
    from config import TestConfig
    from directory import create_app
    from directory.extensions import db
    from directory.reference import load_reference_data

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{workdir}/import.db"
        SEARCH_INDEX_DIR = str(workdir / "search-index")

    app = create_app(BenchConfig)
    with app.app_context():
        db.create_all()
        load_reference_data()
        db.session.commit()
    return app


def _cpu_seconds() -> float:
    # This process's and its finished children's (the index build's workers): on a shared machine
    # the wall time also counts other people's work, the CPU time only ours.
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed_import(app, path: Path, extra=()) -> tuple[float, str, int]:
    """Run `flask hsds import PATH`; return (seconds, its output, exit code)."""
    seconds, _, output, code = measured_import(app, path, extra)
    return seconds, output, code


def measured_import(app, path: Path, extra=()) -> tuple[float, float, str, int]:
    """Run `flask hsds import PATH`; return (wall seconds, CPU seconds, its output, exit code)."""
    runner = app.test_cli_runner()
    with app.app_context():
        start, cpu = time.perf_counter(), _cpu_seconds()
        result = runner.invoke(args=["hsds", "import", str(path), *extra])
        seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return seconds, cpu, result.output, result.exit_code


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=10_000, help="synthetic records to import (10000)")
    parser.add_argument("--write", metavar="PATH", help="only write the records to PATH as a JSON array")
    parser.add_argument("--no-reimport", action="store_true", help="skip the second, no-op import")
    args = parser.parse_args()
    records = oruk_records(args.records)
    if args.write:
        Path(args.write).write_text(json.dumps(records), encoding="utf-8")
        print(f"Wrote {len(records):,} records to {args.write}.")
        return
    workdir = Path(tempfile.mkdtemp(prefix="import-bench-"))
    try:
        path = workdir / "records.json"
        path.write_text(json.dumps(records), encoding="utf-8")
        app = make_app(workdir)
        seconds, cpu, output, code = measured_import(app, path)
        lines = output.splitlines()
        rate = len(records) / seconds
        print(f"import of {len(records):,} records: {seconds:.1f} s ({rate:,.0f} a second; "
              f"{cpu:.1f} s of CPU), exit {code}, {len(lines)} lines of output")
        for line in lines[-8:]:
            print(f"  | {line[:160]}")
        if not args.no_reimport:
            seconds, cpu, output, code = measured_import(app, path)
            lines = output.splitlines()
            print(f"re-import of the same file: {seconds:.1f} s ({cpu:.1f} s of CPU), exit {code}, "
                  f"{len(lines)} lines of output")
            for line in lines[-3:]:
                print(f"  | {line[:160]}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
