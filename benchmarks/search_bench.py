"""Search benchmark: build time and query latency at 1,000 / 10,000 / 100,000 synthetic listings.

    .venv/bin/python benchmarks/search_bench.py                 # all three sizes (100,000 takes a while)
    .venv/bin/python benchmarks/search_bench.py --sizes 1000,10000

Each size gets a fresh SQLite database (reference data, the seeded pathways, synthetic listings
with realistic text, locations, opening hours and catchments, inserted in bulk) and a fresh index
directory. Latencies are for the whole `search.search()` call a page makes: matching, filters,
every facet count, ranking one page of 20 and loading its rows from the database.
Targets (issue 15, one core): at 10,000 text + all filters + facets < 5 ms p95, typo < 25 ms p95.
Targets (issue 3, one core): at 10,000 filtered search with all facets < 20 ms p95, typo < 40 ms p95,
full reindex < 15 s, an edit searchable < 1 s; at 100,000 filtered search with facets < 150 ms p95.
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from config import TestConfig  # noqa: E402
from directory import create_app, search  # noqa: E402
from directory.extensions import db  # noqa: E402
from directory.models import (  # noqa: E402
    Borough,
    Location,
    Organisation,
    PathwayStage,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    pathway_stage_services,
    service_catchment,
    service_terms,
)

KINDS = [
    ("Sexual Health Clinic", ["sexual-health", "hiv-hepatitis-testing"]),
    ("GUM Clinic", ["sexual-health"]),
    ("Drug and Alcohol Service", ["drug-alcohol-treatment"]),
    ("Recovery Hub", ["drug-alcohol-treatment", "peer-support"]),
    ("Chemsex Support", ["chemsex-support", "harm-reduction"]),
    ("Needle Exchange", ["harm-reduction"]),
    ("Counselling Service", ["counselling", "mental-health"]),
    ("Talking Therapies", ["counselling"]),
    ("LGBT+ Wellbeing Centre", ["mental-health", "peer-support"]),
    ("Trans Health Clinic", ["trans-health", "sexual-health"]),
    ("Helpline", ["helpline"]),
    ("Emergency Department", ["emergency-care"]),
    ("Domestic Abuse Service", ["abuse-support"]),
]
SENTENCES = [
    "Free and confidential support for gay, bisexual and other men who have sex with men.",
    "We offer HIV and STI testing, PrEP and PEP (post-exposure prophylaxis) without an appointment.",
    "Specialist help for people who use G, crystal meth or mephedrone in a sexual context (chemsex).",
    "Structured drug and alcohol treatment, detox referrals and aftercare groups.",
    "Needle and syringe programme with safer injecting advice and naloxone training.",
    "One-to-one counselling and group therapy with LGBTQ+ affirming counsellors.",
    "Walk in during opening hours or refer yourself online; professionals can also refer.",
    "Hepatitis B vaccination and hepatitis C testing and treatment for people who inject drugs.",
    "Peer support from volunteers with lived experience of recovery.",
    "A safe space for trans and non-binary people, with gender-affirming sexual health care.",
    "Advice for families and friends, and information in several languages.",
    "Emergency care around the clock; ask about PEP if you had a risk in the last 72 hours.",
    "Support after sexual assault, including forensic examination and counselling.",
    "Harm reduction information about ketamine, cocaine and alcohol.",
    "Mental health and wellbeing groups, mindfulness and social evenings.",
    "Contraception, emergency contraception and cervical screening.",
]
ADJECTIVES = ["Community", "Central", "North", "South", "East", "West", "Riverside", "Park", "Market", "Hill"]
TEXT_QUERIES = ["chemsex", "sexual health", "counselling", "tina", "needle exchange", "PEP", "drug treatment",
                "trans", "hepatitis", "peer support"]
TYPO_QUERIES = ["councelling", "sexual helth", "chemsx support", "hepatits", "needel exchange", "theraphy"]
# Situations in people's own words (issue 15): read through the needs layer, emergencies first.
SITUATION_QUERIES = ["my mate took too much G and wont wake up", "condom split last night",
                     "burning when i pee", "kicked out by my parents", "i dont want to be alive anymore",
                     "been up since friday cant stop", "my boyfriend hits me",
                     "worried my son is taking drugs"]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(fn, repeat):
    """Return median and p95 ms of: the index part (match, filter, facets, rank), the whole call
    (plus loading 20 rows through the ORM), and the whole call's CPU time (the machine may be shared)."""
    index, wall, cpu = [], [], []
    for i in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = fn(i)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        index.append(result.timings["index"])
    def p95(values):
        return percentile(values, 95)

    return [f(values) for values in (index, wall, cpu) for f in (statistics.median, p95)]


def make_app(workdir):
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{workdir}/bench.db"
        SEARCH_INDEX_DIR = str(workdir / "search-index")
        DIRECTORY_NOW = "2025-03-12T14:30:00"  # a Wednesday afternoon

    return create_app(Config)


def generate(size, rng):
    """Insert `size` synthetic listings in bulk (bypassing revisions: generation is not measured)."""
    from directory.geo import _sectors
    from directory.reference import load_reference_data
    from directory.seed import seed_services

    db.create_all()
    load_reference_data()
    seed_services()  # the real pathways (and 84 real listings) so pathway filters have something to find
    db.session.commit()
    terms = {
        (vocab, code): term_id
        for vocab, code, term_id in db.session.execute(
            select(Taxonomy.code, TaxonomyTerm.code, TaxonomyTerm.id).join(Taxonomy)
        )
    }
    boroughs = {code: name for code, name in db.session.execute(select(Borough.ons_code, Borough.name))}
    sectors = [
        (key, float(row["latitude"]), float(row["longitude"]), row["primary_borough_code"])
        for key, row in _sectors().items()
        if float(row["london_share"]) >= 0.5 and row["primary_borough_code"] in boroughs
    ]
    stages = db.session.scalars(select(PathwayStage.id)).all()
    now = datetime.now(UTC)
    orgs = [{"id": str(uuid.uuid4()), "name": f"Synthetic Trust {i}", "description": "", "created_at": now}
            for i in range(max(1, size // 5))]
    db.session.execute(insert(Organisation), orgs)
    services, attributes, areas, locations, sals, schedules, stage_rows = [], [], [], [], [], [], []
    timetables = [
        [(d, "09:00", "17:00") for d in range(5)],
        [(d, "10:00", "19:00") for d in range(6)],
        [(d, "00:00", "00:00") for d in range(7)],
        [(0, "18:00", "21:00"), (3, "18:00", "21:00")],
        [(4, "22:00", "02:00"), (5, "22:00", "02:00")],
        [],
    ]
    for i in range(size):
        kind, types = rng.choice(KINDS)
        sector, lat, lon, borough_code = rng.choice(sectors)
        service_id = str(uuid.uuid4())
        catchment = rng.choices(["open_access", "boroughs", "london", "national"], [5, 3, 1, 1])[0]
        remote = kind == "Helpline"
        services.append({
            "id": service_id, "organisation_id": rng.choice(orgs)["id"],
            "name": f"{boroughs[borough_code]} {rng.choice(ADJECTIVES)} {kind} {i}",
            "description": " ".join(rng.sample(SENTENCES, rng.randint(2, 4))),
            "status": "active", "is_published": True, "catchment": catchment, "created_at": now,
            "last_modified": now, "version": 1, "confidence": "medium", "seeded": False,
            "fees_description": "Free", "languages": "English", "alert": "", "application_process": "",
            "eligibility_description": "", "accessibility": "", "source_urls": "", "source_notes": "",
        })
        codes = [("service-type", t) for t in types]
        codes += [("audience", a) for a in rng.sample(["everyone", "lgbtq", "gay-bi-msm", "trans-non-binary",
                                                        "young-people"], rng.randint(1, 2))]
        routes = ["self-referral", "walk-in", "professional-referral", "gp-referral", "online-booking"]
        codes += [("referral-route", r) for r in rng.sample(routes, rng.randint(1, 2))]
        codes += [("delivery", "phone")] if remote else [("delivery", "in-person")]
        attributes += [{"service_id": service_id, "taxonomy_term_id": terms[c]} for c in codes]
        if catchment == "boroughs":
            areas += [{"service_id": service_id, "borough_code": b}
                      for b in {borough_code, rng.choice(list(boroughs))}]
        location_id, sal_id = str(uuid.uuid4()), str(uuid.uuid4())
        locations.append({
            "id": location_id, "location_type": "virtual" if remote else "physical", "name": "",
            "description": "", "address_1": f"{i} High Street", "address_2": "", "city": "London",
            "postcode": None if remote else f"{sector}AA", "borough_code": None if remote else borough_code,
            "latitude": None if remote else lat + rng.uniform(-0.004, 0.004),
            "longitude": None if remote else lon + rng.uniform(-0.006, 0.006), "url": None,
        })
        sals.append({"id": sal_id, "service_id": service_id, "location_id": location_id, "description": "",
                     "hours_note": "", "position": 0})
        for weekday, opens, closes in rng.choice(timetables):
            schedules.append({"id": str(uuid.uuid4()), "service_at_location_id": sal_id, "weekday": weekday,
                              "opens_at": dtime.fromisoformat(opens),
                              "closes_at": dtime.fromisoformat(closes),
                              "note": ""})
        if stages and rng.random() < 0.2:
            stage_rows.append({"stage_id": rng.choice(stages), "service_id": service_id})
    for table, rows in ((Service, services), (service_terms, attributes), (service_catchment, areas),
                        (Location, locations), (ServiceAtLocation, sals), (Schedule, schedules),
                        (pathway_stage_services, stage_rows)):
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(table), rows[start : start + 5000])
    db.session.commit()


def bench_size(size, repeat):
    rng = random.Random(size)
    workdir = Path(tempfile.mkdtemp(prefix=f"search-bench-{size}-"))
    try:
        app = make_app(workdir)
        with app.app_context():
            started = time.perf_counter()
            generate(size, rng)
            generated = time.perf_counter() - started
            started, started_cpu = time.perf_counter(), time.process_time()
            count = search.reindex()
            build, build_cpu = time.perf_counter() - started, time.process_time() - started_cpu
            index_mb = sum(f.stat().st_size for f in (workdir / "search-index").iterdir()) / 1e6
            print(f"\n== {count:,} listings (generated in {generated:.1f}s) ==")
            print(f"full reindex: {build:.1f}s wall, {build_cpu:.1f}s CPU "
                  f"({count / build_cpu:,.0f} listings/CPU-s), "
                  f"index {index_mb:.0f} MB")
            started = time.perf_counter()
            search.search(search.SearchRequest(text="chemsex", borough="lambeth"))
            first = (time.perf_counter() - started) * 1000
            print(f"first search after (re)start (opens index, builds caches): {first:.0f} ms")

            def run(request_for):
                return timed(lambda i: search.search(request_for(i)), repeat)

            boroughs = ["lambeth", "southwark", "hackney", "camden", "westminster", "lewisham", "islington"]
            cases = [
                ("plain text", lambda i: search.SearchRequest(text=TEXT_QUERIES[i % len(TEXT_QUERIES)])),
                ("text + borough + type", lambda i: search.SearchRequest(
                    text=TEXT_QUERIES[i % len(TEXT_QUERIES)], borough=boroughs[i % len(boroughs)],
                    service_types=["drug-alcohol-treatment", "chemsex-support"])),
                ("text + all filters + facets", lambda i: search.SearchRequest(
                    text=TEXT_QUERIES[i % len(TEXT_QUERIES)], borough=boroughs[i % len(boroughs)],
                    service_types=["sexual-health", "chemsex-support"], audiences=["gay-bi-msm", "lgbtq"],
                    referral_routes=["self-referral"], delivery=["in-person"], open_now=True)),
                ("text + borough + open now", lambda i: search.SearchRequest(
                    text=TEXT_QUERIES[i % len(TEXT_QUERIES)], borough=boroughs[i % len(boroughs)],
                    open_now=True)),
                ("... and no listed hours too", lambda i: search.SearchRequest(
                    text=TEXT_QUERIES[i % len(TEXT_QUERIES)], borough=boroughs[i % len(boroughs)],
                    open_now=True, include_unlisted_hours=True)),
                ("no text, borough only (browse)", lambda i: search.SearchRequest(borough=boroughs[i % 7])),
                ("typo", lambda i: search.SearchRequest(text=TYPO_QUERIES[i % len(TYPO_QUERIES)])),
                ("situation in own words", lambda i: search.SearchRequest(
                    text=SITUATION_QUERIES[i % len(SITUATION_QUERIES)])),
                ("situation + borough + facets", lambda i: search.SearchRequest(
                    text=SITUATION_QUERIES[i % len(SITUATION_QUERIES)], borough=boroughs[i % len(boroughs)],
                    open_now=True)),
                ("distance sort (postcode)", lambda i: search.SearchRequest(
                    text=TEXT_QUERIES[i % len(TEXT_QUERIES)], postcode=["SW9 8BS", "E1 6AN", "N1 9GU"][i % 3],
                    sort="distance")),
                ("within 2 miles, by distance", lambda i: search.SearchRequest(
                    postcode=["SW9 8BS", "E1 6AN", "N1 9GU"][i % 3], max_miles=2, sort="distance")),
            ]
            # Facet counts are part of every search(): the facet case above is the full page query.
            for label, request_for in cases:
                run(request_for)  # warm the per-term caches for this query mix once
                figures = run(request_for)
                # Two decimals: a refactor's cost is a few hundredths of a millisecond per search.
                print(f"{label:30s} index {figures[0]:6.2f} / {figures[1]:6.2f} | "
                      f"whole call {figures[2]:6.2f} / "
                      f"{figures[3]:6.2f} | CPU {figures[4]:6.2f} / {figures[5]:6.2f}   (ms, median / p95)")
            print(f"commit-to-searchable: {commit_to_searchable(rng):.0f} ms (median of 10 edits)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def commit_to_searchable(rng):
    """Edit a listing through the ORM, commit, and time until a search finds the new word."""
    times = []
    ids = db.session.scalars(select(Service.id).where(Service.seeded.is_(False)).limit(200)).all()
    for n in range(10):
        service = db.session.get(Service, rng.choice(ids))
        word = f"zebrafinch{n}"
        started = time.perf_counter()
        service.description = f"{service.description} Now with {word}."
        db.session.commit()
        while search.search(search.SearchRequest(text=word)).total != 1:
            if time.perf_counter() - started > 10:
                raise SystemExit(f"edit not searchable after 10s ({word})")
            time.sleep(0.005)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated listing counts")
    parser.add_argument("--repeat", type=int, default=60, help="queries per case")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}; latencies are whole search() calls "
          "(20 results with their stored listings and snippets)")
    print(f"load average now: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs "
          "(CPU figures are this process only; wall figures include waiting for a shared CPU)")
    for size in (int(s) for s in args.sizes.split(",")):
        bench_size(size, args.repeat)


if __name__ == "__main__":
    main()
