"""Both doors side by side: the site's `/search` and the API's `/api/v1/services` for the same questions.

    .venv/bin/python benchmarks/api_vs_site.py                  # 10,000 synthetic listings
    .venv/bin/python benchmarks/api_vs_site.py --listings 1000 --repeat 40
    .venv/bin/python benchmarks/api_vs_site.py --document-cache 0   # every ORUK document built per request

Builds a throwaway SQLite database of synthetic listings (the generator of `search_bench.py`) and its
index, then asks each door the same mixed questions (words, borough, postcode) through Flask's test
client, in alternation, so both see the same machine at the same moment: once to warm, once measured.
Prints median / p95 / max milliseconds per door and per kind of question. Target (issue 18): API
search p95 within 2 x the site's p95 and under 20 ms at 10,000 listings.
"""

import argparse
import logging
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_bench import TEXT_QUERIES, generate, make_app, percentile  # noqa: E402

from directory import search  # noqa: E402
from directory.logging import logger as request_log  # noqa: E402

BOROUGHS = ["lambeth", "southwark", "hackney", "camden", "westminster", "lewisham", "islington"]
POSTCODES = ["SW9 8BS", "E1 6AN", "N1 9GU"]
PER_PAGE = "20"


def questions(i: int) -> list[tuple[str, dict, dict]]:
    """Return this round's questions as (kind, site parameters, API parameters)."""
    words = TEXT_QUERIES[i % len(TEXT_QUERIES)]
    borough = BOROUGHS[i % len(BOROUGHS)]
    postcode = POSTCODES[i % len(POSTCODES)]
    return [
        ("words", {"q": words}, {"search": words}),
        ("words + borough", {"q": words, "borough": borough}, {"search": words, "borough": borough}),
        ("words + postcode", {"q": words, "postcode": postcode}, {"search": words, "postcode": postcode}),
        ("borough only", {"borough": borough}, {"borough": borough}),
        ("no filter", {}, {}),
    ]


def ask(client, path: str, params: dict) -> float:
    started = time.perf_counter()
    response = client.get(path, query_string=params)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{path} {params}: {response.status_code} {response.get_data(as_text=True)[:200]}")
    return elapsed


def figures(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} / {percentile(values, 95):6.2f} / {max(values):6.2f}"


def run(listings: int, repeat: int, document_cache: int | None, with_sal: bool) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="api-vs-site-"))
    try:
        app = make_app(workdir)
        request_log.setLevel(logging.WARNING)  # one line per request would drown the figures
        if document_cache is not None:
            app.config["API_DOCUMENT_CACHE"] = document_cache
        with app.app_context():
            started = time.perf_counter()
            generate(listings, random.Random(listings))
            count = search.reindex()
            print(f"{count:,} listings indexed in {time.perf_counter() - started:.1f}s")
        client = app.test_client()
        doors = {"site": "/search", "api": "/api/v1/services"}
        if with_sal:
            doors["api sal"] = "/api/v1/service_at_locations"
        times: dict[tuple[str, str], list[float]] = {}
        # The first pass asks every question once, unmeasured, as search_bench.py warms its query mix:
        # the figures are a warm node's (each door's caches hold what this mix needs).
        for measured in (False, True):
            for rnd in range(repeat):
                for kind, site_params, api_params in questions(rnd):
                    for door, path in doors.items():
                        params = site_params if door == "site" else {**api_params, "per_page": PER_PAGE}
                        elapsed = ask(client, path, params)
                        if measured:
                            times.setdefault((door, kind), []).append(elapsed)
        kinds = list(dict.fromkeys(kind for _, kind in times))
        print(f"\n{repeat} rounds; milliseconds, median / p95 / max (in-process test client)")
        print(f"{'question':18s} | " + " | ".join(f"{door:^24s}" for door in doors))
        for kind in kinds:
            print(f"{kind:18s} | " + " | ".join(figures(times[(door, kind)]) for door in doors))
        searched = [k for k in kinds if k != "no filter"]
        for door in doors:
            every = [t for k in searched for t in times[(door, k)]]
            print(f"all searches, {door:8s}: {figures(every)}")
        site = percentile([t for k in searched for t in times[("site", k)]], 95)
        api = percentile([t for k in searched for t in times[("api", k)]], 95)
        verdict = "met" if api <= 2 * site and api < 20 else "NOT met"
        print(f"API search p95 {api:.2f} ms vs site p95 {site:.2f} ms ({api / site:.2f}x): target {verdict}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=10_000, help="synthetic listings (10000)")
    parser.add_argument("--repeat", type=int, default=30, help="rounds of every question (30)")
    parser.add_argument("--document-cache", type=int, help="API_DOCUMENT_CACHE entries (0 turns it off)")
    parser.add_argument("--with-sal", action="store_true", help="also time /api/v1/service_at_locations")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    run(args.listings, args.repeat, args.document_cache, args.with_sal)


if __name__ == "__main__":
    main()
