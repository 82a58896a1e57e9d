"""Relevance benchmark: graded queries over a fictional London fixture, beside a plain BM25 baseline.

    .venv/bin/python benchmarks/relevance_bench.py                     # every kind
    .venv/bin/python benchmarks/relevance_bench.py --kind situations --show-failures
    .venv/bin/python benchmarks/relevance_bench.py --json > relevance.json
    .venv/bin/python benchmarks/relevance_bench.py --fixture fixture-2.json --queries queries-blind-5.json

The fixture (benchmarks/relevance/fixture.json) is loaded into a fresh temporary SQLite database and
a fresh search index; every query in benchmarks/relevance/queries.json runs through `search.search()`
with its filters and 10 results a page. Metrics, per kind and overall:
  nDCG@10     gain 2 (ideal) / 1 (acceptable); must-not results count as 0. A `nothing` query
              scores 1 when there are no results at all, else 0.
  success@5   an ideal or acceptable result in the top 5 and no must-not result there
              (`nothing`: no results at all).
  must-not    how many must-not results appear in the top 10, summed over the queries.
  errors      queries that raised.
The baseline is what a developer might build in an afternoon: SQLite FTS5 (porter stemming, bm25
over name + description + eligibility, equal column weights), the query's words each quoted and
OR'ed, and the same structured filters applied in Python with the directory's own rules (who may
use a service from a borough: directory/catchment.py; opening hours: directory/hours.py). See
benchmarks/relevance/README.md for how the fixture and the grades were written.
"""

import argparse
import json
import math
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from config import TestConfig  # noqa: E402
from directory import catchment, clock, create_app, geo, hours, revisions, search  # noqa: E402
from directory.extensions import db  # noqa: E402
from directory.models import Borough, Service  # noqa: E402

HERE = ROOT / "benchmarks" / "relevance"
KINDS = ["slang", "situations", "frontline", "typos", "filters", "nothing"]
DEFAULT_NOW = "2026-03-11T14:30:00"  # a Wednesday afternoon; a query may pin another moment
IMPLIED_ROUTES = {"walk-in": "self-referral", "online-booking": "self-referral", "phone": "self-referral"}


def load_json(name):
    with open(HERE / name, encoding="utf-8") as f:
        return json.load(f)


def make_app(workdir):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{workdir}/relevance.db"
        SEARCH_INDEX_DIR = str(workdir / "search-index")
        DIRECTORY_NOW = DEFAULT_NOW

    return create_app(Config)


def load_fixture(services):
    """Create the fixture's organisations and services through the ORM, then build the index."""
    from directory.reference import load_reference_data
    from tests.factories import Factories

    db.create_all()
    load_reference_data()
    db.session.commit()
    make, organisations = Factories(), {}
    for entry in services:
        org_name = entry["organisation"]
        if org_name not in organisations:
            organisations[org_name] = make.organisation(org_name)
        make.service(
            name=entry["name"], organisation=organisations[org_name], types=entry["types"],
            audiences=entry["audiences"], routes=entry["routes"], delivery=entry["delivery"],
            catchment=entry["catchment"], catchment_boroughs=entry["catchment_boroughs"],
            postcode=entry["postcode"], hours=[tuple(h) for h in entry["hours"]],
            location_type=entry["location_type"], description=entry["description"],
            eligibility_description=entry["eligibility"], commit=False,
        )
    # One commit for the whole fixture: per-service commits would each write revisions and index changes.
    with revisions.recording(kind="system", author_label="relevance benchmark"):
        db.session.commit()
    return search.reindex()


class Baseline:
    """Plain BM25 (SQLite FTS5, porter) with the structured filters applied in Python."""

    def __init__(self):
        self.services = db.session.scalars(select(Service)).all()
        self.boroughs = {b.slug: b for b in db.session.scalars(select(Borough))}
        self.conn = sqlite3.connect(":memory:")
        self.conn.execute("CREATE VIRTUAL TABLE docs USING fts5(name, description, eligibility, "
                          "tokenize='porter unicode61')")
        self.conn.executemany("INSERT INTO docs(rowid, name, description, eligibility) VALUES (?, ?, ?, ?)",
                              [(i, s.name, s.description, s.eligibility_description)
                               for i, s in enumerate(self.services)])
        self.facts = [self._facts(s) for s in self.services]

    @staticmethod
    def _facts(service):
        routes = service.term_codes("referral-route")
        sessions = [sched for sal in service.service_at_locations for sched in sal.schedules]
        points = [(loc.latitude, loc.longitude) for loc in service.locations
                  if loc.location_type == "physical" and loc.latitude is not None]
        return {
            "service_types": service.term_codes("service-type"),
            "audiences": service.term_codes("audience"),
            "referral_routes": routes | {IMPLIED_ROUTES[r] for r in routes if r in IMPLIED_ROUTES},
            "delivery": service.term_codes("delivery"),
            "sessions": sessions, "points": points,
        }

    def search(self, text, filters):
        words = re.findall(r"\w+", text.lower())
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        rows = self.conn.execute("SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs)", (match,))
        place = geo.lookup(filters["postcode"]) if filters.get("postcode") else None
        names = []
        for (rowid,) in rows:
            if self._passes(rowid, filters, place):
                names.append(self.services[rowid].name)
                if len(names) == 10:
                    break
        return names

    def _passes(self, rowid, filters, place):
        service, facts = self.services[rowid], self.facts[rowid]
        for key in ("service_types", "audiences", "referral_routes", "delivery"):
            if filters.get(key) and not facts[key] & set(filters[key]):
                return False
        if filters.get("borough"):
            borough = self.boroughs[filters["borough"]]
            if catchment.usable_by(service, borough.ons_code, borough.name) is None:
                return False
        if filters.get("open_now") and not hours.is_open(facts["sessions"], clock.now()):
            return False
        if place is not None and filters.get("max_miles") is not None:
            return any(geo.distance_miles(place.point, p) <= filters["max_miles"] for p in facts["points"])
        return True


def ours(text, filters):
    result = search.search(search.SearchRequest(text=text, per_page=10, **filters))
    return [hit.listing.name for hit in result.hits][:10]


def score(query, names):
    """Return (nDCG@10, success@5, must-not count in the top 10) for one ranked list of names."""
    grades = query["grades"]
    if query["kind"] == "nothing":
        return (0.0 if names else 1.0), not names, 0
    gains = [max(grades.get(n, 0), 0) for n in names[:10]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((g for g in grades.values() if g > 0), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    top5 = [grades.get(n, 0) for n in names[:5]]
    success = any(g > 0 for g in top5) and -1 not in top5
    must_not = sum(1 for n in names[:10] if grades.get(n, 0) < 0)
    return (dcg / idcg if idcg else 0.0), success, must_not


def run_all(app, queries, baseline):
    """Run every query through both systems; return one record per query."""
    records = []
    for query in queries:
        app.config["DIRECTORY_NOW"] = query.get("now", DEFAULT_NOW)
        filters = query.get("filters", {})
        record = {"id": query["id"], "kind": query["kind"], "text": query["text"], "filters": filters}
        for system, run in (("ours", ours), ("baseline", baseline.search)):
            try:
                names, error = run(query["text"], filters), None
            except Exception as exc:  # an exception is a result here: it is counted, not raised
                names, error = [], f"{type(exc).__name__}: {exc}"
            ndcg, success, must_not = score(query, names)
            record[system] = {"ndcg": ndcg, "success": success if error is None else False,
                              "must_not": must_not, "top10": names, "error": error}
            if error is not None:
                record[system]["ndcg"] = 0.0
        records.append(record)
    app.config["DIRECTORY_NOW"] = DEFAULT_NOW
    return records


def summarise(records):
    groups = defaultdict(list)
    for record in records:
        groups[record["kind"]].append(record)
        groups["all"].append(record)
    summary = {}
    for kind in [k for k in KINDS if k in groups] + ["all"]:
        rows = groups[kind]
        summary[kind] = {"queries": len(rows)}
        for system in ("ours", "baseline"):
            summary[kind][system] = {
                "ndcg@10": sum(r[system]["ndcg"] for r in rows) / len(rows),
                "success@5": sum(r[system]["success"] for r in rows) / len(rows),
                "must_not@10": sum(r[system]["must_not"] for r in rows),
                "errors": sum(r[system]["error"] is not None for r in rows),
            }
    return summary


def print_table(summary):
    print(f"{'kind':12s} {'n':>4s} | {'nDCG@10':>15s} | {'success@5':>15s} | {'must-not@10':>13s} | "
          f"{'errors':>9s}")
    pair = f"{'ours':>7s} {'BM25':>7s}"
    print(f"{'':12s} {'':>4s} | {pair} | {pair} | {'ours':>6s} {'BM25':>6s} | {'ours':>4s} {'BM25':>4s}")
    for kind, row in summary.items():
        if kind == "all":
            print("-" * 79)
        o, b = row["ours"], row["baseline"]
        print(f"{kind:12s} {row['queries']:4d} | {o['ndcg@10']:7.2f} {b['ndcg@10']:7.2f} | "
              f"{o['success@5']:6.0%}  {b['success@5']:6.0%}  | "
              f"{o['must_not@10']:6d} {b['must_not@10']:6d} | {o['errors']:4d} {b['errors']:4d}")


def print_failures(records, queries):
    grades_of = {q["id"]: q["grades"] for q in queries}
    marks = {2: "ideal", 1: "ok", -1: "MUST-NOT", 0: "-"}
    failed = [r for r in records if not r["ours"]["success"]]
    print(f"\n{len(failed)} queries fail success@5 in our search:")
    for record in failed:
        grades = grades_of[record["id"]]
        filters = f"  {record['filters']}" if record["filters"] else ""
        print(f"\n[{record['id']}] {record['text']!r}{filters}  nDCG@10 {record['ours']['ndcg']:.2f}")
        if record["ours"]["error"]:
            print(f"  ERROR {record['ours']['error']}")
        for i, name in enumerate(record["ours"]["top10"][:5], 1):
            print(f"  {i}. {name}  ({marks[grades.get(name, 0)]})")
        if not record["ours"]["top10"]:
            print("  (no results)")
        expected = sorted((n for n, g in grades.items() if g > 0), key=lambda n: -grades[n])
        if expected:
            shown = ", ".join(f"{n} ({marks[grades[n]]})" for n in expected[:6])
            more = f" and {len(expected) - 6} more" if len(expected) > 6 else ""
            print(f"  expected: {shown}{more}")
        else:
            print("  expected: no results")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=KINDS, help="run only the queries of one kind")
    parser.add_argument("--show-failures", action="store_true",
                        help="print each query failing success@5 with our top 5 and the expected names")
    parser.add_argument("--json", action="store_true", help="print machine-readable results instead")
    parser.add_argument("--queries", default="queries.json",
                        help="query file in benchmarks/relevance/ (queries-heldout.json: the held-out set)")
    parser.add_argument("--fixture", default="fixture.json",
                        help="fixture in benchmarks/relevance/ (fixture-2.json: the blind one, with "
                             "queries-blind-5.json); its queries must grade names it holds")
    args = parser.parse_args()
    fixture, queries = load_json(args.fixture)["services"], load_json(args.queries)["queries"]
    if args.kind:
        queries = [q for q in queries if q["kind"] == args.kind]
    workdir = Path(tempfile.mkdtemp(prefix="relevance-bench-"))
    try:
        app = make_app(workdir)
        with app.app_context():
            started = time.perf_counter()
            count = load_fixture(fixture)
            loaded = time.perf_counter() - started
            baseline = Baseline()
            started = time.perf_counter()
            records = run_all(app, queries, baseline)
            ran = time.perf_counter() - started
            summary = summarise(records)
            if args.json:
                json.dump({"summary": summary, "queries": records}, sys.stdout, indent=1)
                print()
                return
            print(f"{count} fictional services indexed in {loaded:.1f}s; {len(queries)} queries run through "
                  f"both systems in {ran:.1f}s (clock pinned to {DEFAULT_NOW} unless a query says otherwise)")
            print_table(summary)
            if args.show_failures:
                print_failures(records, queries)
            db.session.remove()
    finally:
        from directory.search import store

        store.close_all()  # its searchers hold the index files open
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
