"""Throughput of both doors under gunicorn: `GET /api/v1/`, the site's `/search` and the API's search.

    .venv/bin/python benchmarks/throughput.py                    # 10,000 listings, SQLite, 4 workers
    .venv/bin/python benchmarks/throughput.py --postgres         # a throwaway PostgreSQL database
    .venv/bin/python benchmarks/throughput.py --profile /tmp/p   # also py-spy each door (if installed)

Builds a throwaway database of synthetic listings (the load benchmark's generator) and its index,
starts gunicorn on 127.0.0.1 with 4 workers, warms every worker, then drives each door in turn with
wrk (Debian's `wrk`; 2 threads, 16 connections) over the same mixed questions (words, borough,
postcode, and the same again as API parameters), and repeats the rounds so each door is measured
at several moments of this noisy machine. Prints requests per second per door, per round and as a
median, and each door's figure as a fraction of `GET /api/v1/`; and, where /proc tells, the CPU time
each request cost the server and wrk together, whose ratio to `GET /api/v1/`'s is the fraction a
quiet machine would show (it swings far less than requests per second while other work runs).
Targets (issue 18): API search at least 0.5 x and `/search` at least 0.4 x of `GET /api/v1/`.

With --profile DIR, one extra round records each door with py-spy (`pip install py-spy`; it samples
every worker, subprocesses included) and writes DIR/<door>.txt, the hottest functions first.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from load import build, free_port, get, make_app, start_gunicorn, stop, throwaway_database  # noqa: E402

WORDS = ["sexual health", "tina", "chemsex", "PEP", "counselling", "needle exchange", "G", "peer support",
         "hepatitis testing", "crystal meth", "trans", "helpline"]
BOROUGHS = ["lambeth", "southwark", "hackney", "camden", "westminster", "lewisham", "islington", "barnet"]
POSTCODES = ["SW9 8BS", "E1 6AN", "N1 9GU", "SE5 9RS"]


def questions() -> list[dict]:
    """Return the mixed questions both doors are asked: words, words + borough, words + postcode."""
    asked = []
    for i, words in enumerate(WORDS):
        asked.append({"words": words})
        asked.append({"words": words, "borough": BOROUGHS[i % len(BOROUGHS)]})
        asked.append({"words": words, "postcode": POSTCODES[i % len(POSTCODES)]})
    return asked


def site_path(q: dict) -> str:
    from urllib.parse import urlencode

    return "/search?" + urlencode({"q": q["words"], **{k: v for k, v in q.items() if k != "words"}})


def api_path(q: dict) -> str:
    from urllib.parse import urlencode

    params = {"search": q["words"], "per_page": 20, **{k: v for k, v in q.items() if k != "words"}}
    return "/api/v1/services?" + urlencode(params)


DOORS = {
    "GET /api/v1/": lambda: ["/api/v1/"],
    "/search": lambda: [site_path(q) for q in questions()],
    "API search": lambda: [api_path(q) for q in questions()],
}

# wrk takes one path per connection unless a script chooses; this one walks the list, each thread
# starting at its own place, so every question is asked about equally often.
WRK_SCRIPT = """
local paths = {%s}
local i = 0
init = function(args) i = math.random(#paths) end
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], {["Host"] = "127.0.0.1"})
end
response = function(status, headers, body)
  if status ~= 200 then errors = (errors or 0) + 1 end
end
"""


def wrk(port: int, paths: list[str], seconds: float, workdir: Path, server_pid: int | None = None
        ) -> tuple[float, str, float | None]:
    """Drive `paths` with wrk; return (requests per second, its non-2xx line or "", CPU milliseconds
    per request of the server's processes and wrk together, when /proc tells)."""
    script = workdir / "paths.lua"
    script.write_text(WRK_SCRIPT % ", ".join(f'"{p}"' for p in paths))
    before, started = _server_cpu(server_pid), os.times()
    out = subprocess.run(  # noqa: S603
        ["wrk", "-t2", "-c16", f"-d{seconds:g}s", "-s", str(script), f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True,
    ).stdout
    after, ended = _server_cpu(server_pid), os.times()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    cpu = None
    if before is not None and after is not None and requests:
        client = ended.children_user - started.children_user + ended.children_system - started.children_system
        cpu = (after - before + client) * 1000 / requests
    return rate, (f"{bad.group(1)} non-2xx" if bad else ""), cpu


def _server_cpu(pid: int | None) -> float | None:
    """Return the CPU seconds (user and system) gunicorn's master and workers have used, or None
    where /proc does not say. Workers that a run replaces take theirs with them: max_requests is far
    above what a round sends, so none is."""
    if pid is None or not Path(f"/proc/{pid}/stat").exists():
        return None
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in [Path(f"/proc/{pid}/stat"), *Path("/proc").glob("[0-9]*/stat")]:
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone since it was listed
        # fields[1] is the parent's pid, [11] and [12] user and system time in clock ticks
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def profile(port: int, pid: int, paths: list[str], seconds: float, workdir: Path, out: Path) -> None:
    """Record every worker with py-spy while wrk drives `paths`; write the hottest functions to `out`."""
    raw = workdir / "profile.raw"
    spy = subprocess.Popen(  # noqa: S603
        ["py-spy", "record", "--subprocesses", "--nonblocking", "-r", "200", "-d", str(int(seconds)),
         "-f", "raw", "-o", str(raw), "--pid", str(pid)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    time.sleep(1)
    wrk(port, paths, seconds - 2, workdir)
    spy.wait()
    own: dict[str, int] = {}
    total: dict[str, int] = {}
    samples = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [f for f in stack.split(";") if f]
        n = int(count)
        samples += n
        if frames:
            own[frames[-1]] = own.get(frames[-1], 0) + n
        for frame in set(frames):
            total[frame] = total.get(frame, 0) + n
    lines = [f"{samples} samples; self% / total% per function\n"]
    for frame, n in sorted(own.items(), key=lambda kv: -kv[1])[:40]:
        lines.append(f"self {100 * n / samples:5.1f}%  total {100 * total[frame] / samples:5.1f}%  {frame}\n")
    lines.append("\nby total time (project code)\n")
    ours = [(f, n) for f, n in total.items() if "directory/" in f or "templates/" in f]
    for frame, n in sorted(ours, key=lambda kv: -kv[1])[:60]:
        lines.append(f"total {100 * n / samples:5.1f}%  {frame}\n")
    out.write_text("".join(lines))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--listings", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10, help="per door per round (10)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL database")
    parser.add_argument("--profile", metavar="DIR", help="also write a py-spy profile of each door to DIR")
    parser.add_argument("--keep", metavar="DIR", help="build in DIR, or reuse what an earlier run left there")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk): it drives the server from C, "
                         "so the load generator does not take the server's cores")
    sys.stdout.reconfigure(line_buffering=True)
    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="directory-throughput-"))
    workdir.mkdir(parents=True, exist_ok=True)
    index_dir = workdir / "search-index"
    reuse = args.keep and (workdir / "built").exists()
    if reuse:
        database_url, drop = (workdir / "built").read_text().strip(), (lambda: None)
    else:
        options = argparse.Namespace(database_url=None, sqlite=not args.postgres)
        database_url, drop = throwaway_database(options, workdir)
    proc = None
    try:
        if not reuse:
            app = make_app(database_url, index_dir)
            with app.app_context():
                from directory import search

                build(app, args.listings)
                search.reindex()
            if args.keep:
                (workdir / "built").write_text(database_url)
                drop = lambda: None  # noqa: E731  (kept for the next run)
        port = free_port()
        proc, _ = start_gunicorn(database_url, index_dir, args.workers, port, workdir / "gunicorn.log")
        print(f"{args.listings:,} listings; gunicorn {args.workers} workers; wrk 2 threads, 16 connections, "
              f"{args.seconds:g} s per door per round")
        for paths in (f() for f in DOORS.values()):  # every worker answers every question once or more
            for path in paths * args.workers:
                status, body = get(port, path)
                if status != 200:
                    raise SystemExit(f"{path}: {status} {body[:200]}")
        rates: dict[str, list[float]] = {door: [] for door in DOORS}
        cpus: dict[str, list[float]] = {door: [] for door in DOORS}
        for n in range(1, args.rounds + 1):
            row = []
            for door, paths in DOORS.items():
                rate, bad, cpu = wrk(port, paths(), args.seconds, workdir, proc.pid)
                rates[door].append(rate)
                if cpu is not None:
                    cpus[door].append(cpu)
                row.append(f"{door} {rate:,.0f}/s{' (' + bad + ')' if bad else ''}"
                           f"{f' {cpu:.2f} ms CPU' if cpu is not None else ''}")
            print(f"round {n}: " + "; ".join(row))
        base = statistics.median(rates["GET /api/v1/"])
        base_cpu = statistics.median(cpus["GET /api/v1/"]) if cpus["GET /api/v1/"] else None
        # Requests per second swing with whatever else the machine runs; the CPU time a request costs
        # (server and wrk together, as they share the cores) swings less, and its ratio is the one a
        # quiet machine's requests per second would show.
        print("\ndoor            median req/s   x GET /api/v1/   CPU ms/request   x by CPU   target")
        targets = {"/search": 0.4, "API search": 0.5}
        for door, values in rates.items():
            median = statistics.median(values)
            target = f">= {targets[door]}" if door in targets else ""
            cpu = statistics.median(cpus[door]) if cpus[door] else None
            by_cpu = f"{cpu:>14.3f}   {base_cpu / cpu:>8.2f}" if cpu and base_cpu else f"{'':>14}   {'':>8}"
            print(f"{door:<15} {median:>12,.0f}   {median / base:>14.2f}   {by_cpu}   {target}")
        if args.profile:
            out = Path(args.profile)
            out.mkdir(parents=True, exist_ok=True)
            if shutil.which("py-spy") is None and not Path(sys.executable).with_name("py-spy").exists():
                print("py-spy is not installed: no profile (pip install py-spy)")
            else:
                os.environ["PATH"] = f"{Path(sys.executable).parent}:{os.environ['PATH']}"
                for door, paths in DOORS.items():
                    name = re.sub(r"\W+", "-", door).strip("-")
                    profile(port, proc.pid, paths(), max(args.seconds, 8), workdir, out / f"{name}.txt")
                    print(f"profile of {door}: {out / (name + '.txt')}")
    finally:
        if proc is not None:
            stop(proc)
        drop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
