"""Load benchmark: many people searching while agencies edit and an admin approves.

Builds a throwaway database with synthetic listings (10,000 by default) and its search index, starts
gunicorn on 127.0.0.1 with 4 workers, lets 50 concurrent clients search for 5 seconds (not measured:
a server just started reads its index as the first searches need it), then for 30 seconds runs them
searching with mixed filters while an editor proposes a change every second and an admin approves it
at once (through the moderation functions, in a process of their own: another "node" writing to the
same database and index).
Prints requests per second, latency percentiles and errors, then checks that every approved edit is in
the database and can be found through the running server.

    .venv/bin/python benchmarks/load.py                       # PostgreSQL if it answers locally, else SQLite
    .venv/bin/python benchmarks/load.py --seconds 10 --listings 2000 --sqlite

Loopback only; nothing is left behind (the database and index are removed unless --keep).
"""

import argparse
import csv
import json
import multiprocessing
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import closing
from datetime import time as clock_time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TAXONOMIES = json.loads((ROOT / "directory/data/taxonomies.json").read_text())["taxonomies"]
CODES = {t["code"]: [term["code"] for term in t["terms"]] for t in TAXONOMIES}
WORDS = ("support", "advice", "clinic", "testing", "treatment", "counselling", "group", "drop-in",
         "confidential", "free", "harm", "reduction", "recovery", "peer", "chemsex", "sexual", "health",
         "PEP", "PrEP", "HIV", "hepatitis", "needle", "exchange", "naloxone", "GHB", "GBL", "crystal",
         "methamphetamine", "mephedrone", "ketamine", "trans", "non-binary", "LGBTQ", "gay", "bisexual",
         "MSM", "young", "people", "women", "therapy", "talking", "mental", "wellbeing", "helpline",
         "online", "appointments", "walk-in", "evening", "weekend")
QUERY_TEXTS = ["", "", "tina", "G", "PEP", "counselling", "sexual health", "needle exchange", "chemsex",
               "crystal meth", "trans", "peer support", "hepatitis testing", "helpline", "naloxone"]
# Letters a stemmer leaves alone, so each edit's marker is one searchable word.
MARK_LETTERS = "bcdfghjklmnpqrtvwxz"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--listings", type=int, default=10_000, help="synthetic listings to create (10000)")
    p.add_argument("--seconds", type=float, default=30, help="how long clients search (30)")
    p.add_argument("--clients", type=int, default=50, help="concurrent searching clients (50)")
    p.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    p.add_argument("--edit-every", type=float, default=1.0, help="seconds between edits (1)")
    p.add_argument("--warmup", type=float, default=5.0,
                   help="seconds the clients search first, not measured: a server just started reads its "
                        "index as the first searches need it (5; 0 to measure from the first request)")
    p.add_argument("--think", type=float, default=0.0,
                   help="seconds each client waits between searches (0: as fast as the server answers)")
    p.add_argument("--database-url", help="use this (empty) database instead of a throwaway one")
    p.add_argument("--sqlite", action="store_true",
                   help="use a throwaway SQLite file even if PostgreSQL answers")
    p.add_argument("--keep", action="store_true", help="keep the database and index afterwards")
    return p.parse_args()


# --- The throwaway database ---------------------------------------------------------------------


def throwaway_database(args, workdir: Path) -> tuple[str, callable]:
    """Return a database URL for this run and a function that removes the database."""
    if args.database_url:
        return args.database_url, lambda: None
    if not args.sqlite:
        try:
            import psycopg

            name = f"directory_load_{secrets.token_hex(4)}"
            with closing(psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=2)) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')

            def drop():
                with closing(psycopg.connect(PG_ADMIN_URL, autocommit=True)) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

            return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name, drop
        except Exception as exc:  # noqa: BLE001  (no PostgreSQL here: fall back to SQLite)
            print(f"PostgreSQL not available ({type(exc).__name__}); using SQLite")
    return f"sqlite:///{workdir / 'load.db'}", lambda: None


def sqlalchemy_url(url: str) -> str:
    return "postgresql+psycopg://" + url[len("postgresql://"):] if url.startswith("postgresql://") else url


def make_app(database_url: str, index_dir: Path):
    from config import Config
    from directory import create_app

    class LoadConfig(Config):
        SECRET_KEY = secrets.token_hex(16)
        SQLALCHEMY_DATABASE_URI = sqlalchemy_url(database_url)
        SEARCH_INDEX_DIR = str(index_dir)
        SEARCH_POLL_SECONDS = 1
        RATELIMIT_ENABLED = False

    return create_app(LoadConfig)


def synthetic_listings(count: int, seed: int = 8):
    """Yield (organisation name, service fields, terms, borough slugs, location) for `count` listings."""
    from directory.models import Catchment

    rng = random.Random(seed)
    with (ROOT / "directory/data/geo/london-sectors.csv").open() as f:
        sectors = [row for row in csv.DictReader(f) if row["primary_borough_code"]]
    for i in range(count):
        sector = rng.choice(sectors)
        kind = rng.choice(CODES["service-type"])
        catchment = rng.choice(Catchment.ALL)
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60)))
        yield {
            "organisation": f"Synthetic agency {i // 20:04d}",
            "name": f"{kind.replace('-', ' ').title()} service {i:05d}",
            "description": f"{words}.",
            "catchment": catchment,
            "terms": [("service-type", kind), ("service-type", rng.choice(CODES["service-type"])),
                      ("audience", rng.choice(CODES["audience"])),
                      ("referral-route", rng.choice(CODES["referral-route"])),
                      ("delivery", rng.choice(CODES["delivery"]))],
            "borough_code": sector["primary_borough_code"],
            "postcode": sector["sector"] + "AA",
            "latitude": float(sector["latitude"]),
            "longitude": float(sector["longitude"]),
            "hours": [(d, clock_time(rng.choice([8, 9, 10]), 0), clock_time(rng.choice([17, 18, 20]), 0))
                      for d in range(7) if rng.random() < 0.7],
        }


def build(app, count: int) -> None:
    """Create the schema, reference data and `count` listings, written through the ORM (with revisions)."""
    from sqlalchemy import select, text

    from directory import revisions
    from directory.extensions import db
    from directory.models import (
        Borough,
        Location,
        Organisation,
        Schedule,
        Service,
        ServiceAtLocation,
        Taxonomy,
        TaxonomyTerm,
    )
    from directory.models.base import new_id
    from directory.reference import load_reference_data

    db.create_all()
    load_reference_data()
    db.session.commit()
    terms = {(t.taxonomy.code, t.code): t for t in db.session.scalars(select(TaxonomyTerm).join(Taxonomy))}
    boroughs = {b.ons_code: b for b in db.session.scalars(select(Borough))}
    organisations: dict[str, Organisation] = {}
    with revisions.recording(kind="import", author_label="load benchmark"):
        for n, item in enumerate(synthetic_listings(count), 1):
            org = organisations.get(item["organisation"])
            if org is None:
                org = Organisation(id=new_id(), name=item["organisation"])
                organisations[item["organisation"]] = org
                db.session.add(org)
            service = Service(name=item["name"], description=item["description"], catchment=item["catchment"],
                              organisation=org)
            service.terms = list(dict.fromkeys(terms[t] for t in item["terms"]))
            if item["catchment"] == "boroughs":
                service.catchment_boroughs = [boroughs[item["borough_code"]]]
            location = Location(organisation_id=org.id, address_1=f"{n} Synthetic Street",
                                postcode=item["postcode"],
                                borough_code=item["borough_code"], latitude=item["latitude"],
                                longitude=item["longitude"])
            sal = ServiceAtLocation(location=location)
            sal.schedules = [Schedule(weekday=d, opens_at=o, closes_at=c) for d, o, c in item["hours"]]
            service.service_at_locations = [sal]
            db.session.add(service)
            if n % 500 == 0:
                db.session.commit()
                db.session.expunge_all()
                organisations.clear()
                terms = {k: db.session.merge(t, load=False) for k, t in terms.items()}
                boroughs = {k: db.session.merge(b, load=False) for k, b in boroughs.items()}
                print(f"  {n} listings", flush=True)
        db.session.commit()
    # Fresh planner statistics, as autovacuum would gather within minutes of a bulk load: without them
    # PostgreSQL guesses the tables are small and scans them whole.
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def make_people():
    """Create an admin and an editor of the first synthetic agency; return their ids."""
    from werkzeug.security import generate_password_hash

    from directory.extensions import db
    from directory.models import Membership, Organisation, User

    org = db.session.query(Organisation).order_by(Organisation.name).first()
    admin = User(email="admin@load.test", name="Load admin", is_admin=True,
                 password_hash=generate_password_hash(secrets.token_hex(8)))
    editor = User(email="editor@load.test", name="Load editor",
                  password_hash=generate_password_hash(secrets.token_hex(8)))
    editor.memberships = [Membership(organisation=org)]
    db.session.add_all([admin, editor])
    db.session.commit()
    return admin.id, editor.id, org.id


# --- The server ---------------------------------------------------------------------------------


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(database_url: str, index_dir: Path, workers: int, port: int, log: Path):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SEARCH_INDEX_DIR": str(index_dir),
        "SECRET_KEY": secrets.token_hex(16),
        "APP_ENV": "production",
        "WEB_CONCURRENCY": str(workers),
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "SEARCH_POLL_SECONDS": "1",
        "RATELIMIT_ENABLED": "0",
        # Production builds links on its public address and answers only the hosts it is told.
        "DIRECTORY_BASE_URL": "https://directory.example.org",
        "TRUSTED_HOSTS": "127.0.0.1,localhost",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log.open("w") as out:
        proc = subprocess.Popen(  # noqa: S603
            [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}; see {log}")
        try:
            status, body = get(port, "/healthz", timeout=2)
            if status == 200:
                return proc, json.loads(body)
        except OSError:
            pass
        time.sleep(0.5)
    stop(proc)
    raise SystemExit(f"gunicorn did not become healthy in 120 s; see {log}")


def stop(proc) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def get(port: int, path: str, timeout: float = 10) -> tuple[int, str]:
    """GET a path with a bare socket: the clients share this machine's cores with the server, and
    http.client took about three times the CPU per request."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while data := sock.recv(65536):  # the server closes the connection after its response
            chunks.append(data)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1."):
        raise OSError("no HTTP response")
    return int(head.split(b" ", 2)[1]), body.decode("utf-8", "replace")


# --- Traffic ------------------------------------------------------------------------------------


def random_search(rng: random.Random, boroughs: list[str], postcodes: list[str]) -> str:
    """Return a /search URL with a realistic mix of words and filters."""
    params = [("q", rng.choice(QUERY_TEXTS))]
    if rng.random() < 0.5:
        params.append(("borough", rng.choice(boroughs)))
    if rng.random() < 0.2:
        params.append(("postcode", rng.choice(postcodes)))
        params.append(("sort", "distance"))
    for name, vocabulary in (("service_type", "service-type"), ("audience", "audience"),
                             ("referral_route", "referral-route"), ("delivery", "delivery")):
        if rng.random() < 0.25:
            params.append((name, rng.choice(CODES[vocabulary])))
    if rng.random() < 0.2:
        params.append(("open", "1"))
    if rng.random() < 0.1:
        params.append(("page", str(rng.randint(2, 5))))
    return "/search?" + urllib.parse.urlencode(params)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}

    def ok(self, seconds: float):
        with self.lock:
            self.latencies.append(seconds)

    def error(self, what: str):
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1


def client(port: int, deadline: float, stats: Stats, seed: int, boroughs, postcodes, think: float = 0.0):
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        if think:
            time.sleep(rng.uniform(0.5, 1.5) * think)
        path = random_search(rng, boroughs, postcodes)
        started = time.perf_counter()
        try:
            status, body = get(port, path)
        except OSError as exc:
            stats.error(type(exc).__name__)
            continue
        elapsed = time.perf_counter() - started
        if status == 200 and "</html>" in body:
            stats.ok(elapsed)
        else:
            stats.error(f"HTTP {status}")


def run_clients(args, port, seconds, stats, first_seed, boroughs, postcodes) -> None:
    """Run `args.clients` clients for `seconds`; client n draws its searches from seed first_seed + n."""
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=client, args=(port, deadline, stats, first_seed + n, boroughs,
                                                     postcodes, args.think))
               for n in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)


def editor_process(database_url, index_dir, people, every, orders, results) -> None:
    """The agency editor and the admin, in their own process (as they would be on their own node):
    sharing the searching clients' process, their work would hold up the clients' measurements."""
    app = make_app(database_url, index_dir)
    edits, problems = [], []
    results.put("ready")
    start, deadline = orders.get()
    time.sleep(max(0.0, start - time.monotonic()))
    editor_loop(app, *people, deadline, every, edits, problems)
    results.put((edits, problems))


def editor_loop(app, admin_id, editor_id, org_id, deadline, every, edits, problems):
    """Propose an edit to one of the agency's listings every `every` seconds; approve each at once."""
    from sqlalchemy import select

    from directory import moderation
    from directory.extensions import db
    from directory.models import Service, User

    rng = random.Random(42)
    n = 0
    with app.app_context():
        service_ids = list(db.session.scalars(select(Service.id).where(Service.organisation_id == org_id)))
        while time.monotonic() < deadline:
            tick = time.monotonic()
            n += 1
            mark = "xq" + "".join(rng.choice(MARK_LETTERS) for _ in range(8)) + "z"
            try:
                service = db.session.get(Service, rng.choice(service_ids))
                editor, admin = db.session.get(User, editor_id), db.session.get(User, admin_id)
                data, version, pending_id = moderation.starting_point(service)
                data = {**data, "description": f"{data['description']} Updated {mark}."}
                revision = moderation.propose_change(
                    service, data, editor, f"load edit {n}", version, pending_id)
                db.session.commit()
                moderation.approve(revision, admin)
                db.session.commit()
                edits.append((service.id, mark))
            except Exception as exc:  # noqa: BLE001  (counted and reported, never hidden)
                db.session.rollback()
                problems.append(f"edit {n}: {type(exc).__name__}: {exc}")
            finally:
                db.session.remove()
            time.sleep(max(0.0, min(every - (time.monotonic() - tick), deadline - time.monotonic())))


def verify_edits(app, port: int, edits, wait_seconds: float = 15) -> tuple[list, list]:
    """Return (edits missing from the database, edits the server cannot find by their marker)."""
    from directory.extensions import db
    from directory.models import Service

    with app.app_context():
        not_saved = [(sid, mark) for sid, mark in edits
                     if mark not in db.session.get(Service, sid).description]
        db.session.remove()
    deadline = time.monotonic() + wait_seconds
    unfound = list(edits)
    while unfound and time.monotonic() < deadline:
        # Every worker must find it: ask several times, so the request lands on different workers.
        unfound = [(sid, mark) for sid, mark in unfound
                   if not all(f"/services/{sid}" in get(port, f"/search?q={mark}")[1] for _ in range(6))]
        if unfound:
            time.sleep(1)
    return not_saved, unfound


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def main():
    args = parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    workdir = Path(tempfile.mkdtemp(prefix="directory-load-"))
    index_dir = workdir / "search-index"
    database_url, drop_database = throwaway_database(args, workdir)
    proc = None
    try:
        print(f"Database: {database_url.split('@')[-1]}; work directory {workdir}")
        app = make_app(database_url, index_dir)
        started = time.perf_counter()
        with app.app_context():
            from directory import search
            from directory.extensions import db
            from directory.models import Borough

            build(app, args.listings)
            print(f"Built {args.listings} listings in {time.perf_counter() - started:.0f} s")
            started = time.perf_counter()
            search.reindex()
            print(f"Indexed them in {time.perf_counter() - started:.0f} s")
            admin_id, editor_id, org_id = make_people()
            boroughs = [b.slug for b in db.session.query(Borough)]
            db.session.remove()
        with (ROOT / "directory/data/geo/london-sectors.csv").open() as f:
            rows = [row for row in csv.DictReader(f) if row["primary_borough_code"]]
            postcodes = [row["sector"] + "AA" for row in rows[::50]]

        port = free_port()
        proc, health = start_gunicorn(database_url, index_dir, args.workers, port, workdir / "gunicorn.log")
        print(f"gunicorn: {args.workers} workers on 127.0.0.1:{port}; health {health}")
        for path in ("/", "/search?q=tina", "/search?borough=lambeth"):  # warm every worker a little
            for _ in range(args.workers * 2):
                get(port, path)

        stats = Stats()
        spawn = multiprocessing.get_context("spawn")  # a fresh process: no connection or file shared
        editor_orders, editor_results = spawn.Queue(), spawn.Queue()
        editor = spawn.Process(target=editor_process, args=(
            database_url, index_dir, (admin_id, editor_id, org_id), args.edit_every, editor_orders,
            editor_results))
        editor.start()
        if editor_results.get(timeout=60) != "ready":
            raise SystemExit("the editor's process did not start")
        warmup = Stats()
        if args.warmup > 0:
            # Other searches than the measured ones (other seeds), so none is answered from the warm-up.
            run_clients(args, port, args.warmup, warmup, 1000, boroughs, postcodes)
            p95 = f"{percentile(warmup.latencies, 95) * 1000:.0f} ms" if warmup.latencies else "-"
            print(f"Warm-up (not measured): {len(warmup.latencies)} requests in {args.warmup:g} s, "
                  f"p95 {p95}, errors {sum(warmup.errors.values())} {warmup.errors or ''}")
        begin = time.monotonic() + 0.5
        editor_orders.put((begin, begin + args.seconds))
        time.sleep(max(0.0, begin - time.monotonic()))
        run_clients(args, port, args.seconds, stats, 0, boroughs, postcodes)
        edits, problems = editor_results.get(timeout=60)
        editor.join(timeout=30)
        duration = time.monotonic() - begin

        not_saved, unfound = verify_edits(app, port, edits)
        _, final_health = get(port, "/healthz")
        lat = stats.latencies
        errors = sum(stats.errors.values()) + sum(warmup.errors.values())
        print()
        print(f"{len(lat) + errors} requests in {duration:.1f} s from {args.clients} clients, "
              f"{args.workers} workers, {args.listings} listings")
        print(f"  throughput {len(lat) / duration:.1f} req/s")
        if lat:
            print(f"  latency p50 {percentile(lat, 50) * 1000:.0f} ms, "
                  f"p95 {percentile(lat, 95) * 1000:.0f} ms, "
                  f"p99 {percentile(lat, 99) * 1000:.0f} ms, max {max(lat) * 1000:.0f} ms, "
                  f"mean {statistics.fmean(lat) * 1000:.0f} ms")
        print(f"  errors {errors} {stats.errors or ''}")
        print(f"  edits approved {len(edits)}, failed {len(problems)}, "
              f"missing from database {len(not_saved)}, "
              f"not searchable through the server {len(unfound)}")
        for p in problems[:5]:
            print(f"    {p}")
        print(f"  health at the end: {final_health}")
        target_met = (errors == 0 and not problems and not not_saved and not unfound and lat
                      and percentile(lat, 95) < 0.200)
        print("Target (0 errors, 0 lost edits, p95 < 200 ms):", "met" if target_met else "NOT met")
        return 0 if target_met else 1
    finally:
        if proc is not None:
            stop(proc)
        if not args.keep:
            drop_database()
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"Kept {workdir} and {database_url}")


if __name__ == "__main__":
    sys.exit(main())
