"""The opening rush, measured: gunicorn serving the real pages, residents arriving in a burst.

    .venv/bin/python -m bench.rush.run --db sqlite --db postgres     (see bench/README.md)

For each database: a throwaway database and data set, gunicorn started with the stated worker model,
a framework-floor run (a minimal Django view behind the same server and middleware), then the rush:
`--concurrency` residents in flight, each doing the whole journey, for `--duration` seconds. After the
run: overbooked slots, double bookings and check_integrity, read from the database. The report gives
journeys per second, p50/p95/p99 per page, errors by kind, each page's cost as a ratio to the floor,
and the CPU milliseconds per journey of the server and of this generator, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .client import Session
from .journey import PAGES, Stats, counted_journey, floor_loop
from .people import address_of

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- Processes and CPU ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_tree(pid: int) -> list[int]:
    pids = [pid]
    for child in Path("/proc").iterdir():
        if child.name.isdigit():
            try:
                fields = (child / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                pids.append(int(child.name))
    return pids


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])  # utime stime cutime cstime
    return total / CLK_TCK


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- The database -------------------------------------------------------------------------------------


def bench_env(db: str, workdir: Path, args) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TEST_DATABASE_NAME"}}
    env.update({
        "DEBUG": "0", "SECRET_KEY": "bench-" + "x" * 50, "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0", "YOYAKU_VAR_DIR": str(workdir),
        "STATIC_ROOT": str(workdir / "static"), "YOYAKU_BENCH_FLOOR": "1", "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "yoyaku.settings", "PYTHONPATH": str(ROOT),
        "YOYAKU_PROXY_COUNT": "1",  # each resident's own address in X-Forwarded-For (people.address_of)
    })
    if args.redis:
        env["REDIS_URL"] = args.redis
        env["CACHE_KEY_PREFIX"] = f"rush{os.getpid()}{db}"  # a fresh line and fresh throttles per run
    if args.gate:
        env["YOYAKU_GATE_RATE"] = str(args.gate)
    if db == "postgres":
        env["DATABASE_URL"] = f"{args.postgres}/bench_rush_{os.getpid()}"
    return env


def manage(env: dict, *argv: str, check=True) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, str(ROOT / "manage.py"), *argv], env=env, cwd=ROOT, capture_output=True,
                          text=True, check=check)


def create_database(db: str, env: dict, args, dataset: str = "") -> None:
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE bench_rush_{os.getpid()}")
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "collectstatic", "--no-input", "-v0")
    code = (
        "import django, json; django.setup();"
        "from bench.rush.dataset import build;"
        f"print(json.dumps(build({dataset or f'residents={args.residents}, capacity={args.capacity}'})))"
    )
    out = subprocess.run([PYTHON, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    print("  data set:", out.stdout.strip(), flush=True)


def drop_database(db: str, args) -> None:
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS bench_rush_{os.getpid()} WITH (FORCE)")


def database_checks(env: dict) -> dict:
    code = (
        "import django, json; django.setup();"
        "from django.db.models import F;"
        "from yoyaku.booking import selectors; from yoyaku.booking.models import Slot, Reservation;"
        "print(json.dumps({'overbooked_slots': Slot.objects.filter(booked__gt=F('capacity')).count(),"
        "'double_bookings': len(list(selectors.double_bookings())),"
        "'counter_mismatches': selectors.integrity_mismatches().count(),"
        "'reservations': Reservation.objects.active().count()}))"
    )
    out = subprocess.run([PYTHON, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    integrity = manage(env, "check_integrity", check=False)
    result["check_integrity"] = "clean" if integrity.returncode == 0 else integrity.stderr.strip()[-300:]
    return result


# --- Load -----------------------------------------------------------------------------------------------


async def run_floor(port: int, concurrency: int, duration: float) -> Stats:
    stats = Stats()
    deadline = time.perf_counter() + duration
    sessions = [Session("127.0.0.1", port) for _ in range(concurrency)]
    await asyncio.gather(*(floor_loop(stats, s, deadline) for s in sessions), return_exceptions=True)
    for s in sessions:
        await s.close()
    return stats


async def one_resident(stats: Stats, port: int, index: int, rng: random.Random) -> None:
    await counted_journey(stats, Session("127.0.0.1", port, forwarded_for=address_of(index)), index, rng)


async def run_arrivals(port: int, rate: float, duration: float, residents: int, seed: int, grace: float) -> Stats:
    """Open loop: a new resident arrives every 1/rate seconds for `duration`, whatever the server does
    (the overload test). Residents still in line `grace` seconds after the last arrival are counted, not
    waited for."""
    stats = Stats()
    order = list(range(residents))
    random.Random(seed).shuffle(order)
    rng = random.Random(seed + 1)
    tasks = []
    started = time.perf_counter()
    for n, index in enumerate(order):
        at = started + n / rate
        if at - started > duration:
            break
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one_resident(stats, port, index, rng)))
    done, pending = await asyncio.wait(tasks, timeout=grace) if tasks else (set(), set())
    for task in pending:
        task.cancel()
    stats.errors.pop("cancelled", None)
    stats.still_waiting = len(pending)
    stats.arrived = len(tasks)
    return stats


async def run_rush(port: int, concurrency: int, duration: float, residents: int, seed: int) -> Stats:
    stats = Stats()
    order = list(range(residents))
    random.Random(seed).shuffle(order)
    queue = iter(order)
    deadline = time.perf_counter() + duration
    rng = random.Random(seed + 1)

    async def browser():
        while time.perf_counter() < deadline:
            index = next(queue, None)
            if index is None:
                return
            await one_resident(stats, port, index, rng)

    await asyncio.gather(*(browser() for _ in range(concurrency)))
    return stats


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(label: str, port: int, server_pid: int, coroutine) -> tuple[Stats, dict]:
    pids = process_tree(server_pid)
    server_before, client_before, wall_before = cpu_seconds(pids), own_cpu(), time.perf_counter()
    stats = asyncio.run(coroutine)
    wall = time.perf_counter() - wall_before
    server_cpu = cpu_seconds(pids) - server_before
    client_cpu = own_cpu() - client_before
    return stats, {"label": label, "wall_s": wall, "server_cpu_s": server_cpu, "client_cpu_s": client_cpu}


def start_server(env: dict, port: int, args) -> subprocess.Popen:
    worker = getattr(args, "worker_class", "gthread")
    threads = ["--threads", str(args.threads)] if worker == "gthread" else []
    command = [GUNICORN, "yoyaku.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(args.workers),
               "-k", worker, *threads, "--keep-alive", "5", "--backlog", "2048", "--graceful-timeout", "5",
               "--no-control-socket"]  # gunicorn 27 shares one control socket per user otherwise
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    wait_until_booted(server.pid, getattr(args, "workers", 1))
    return server


def wait_until_booted(pid: int, workers: int, limit: float = 60.0) -> None:
    """Until every worker has started and the server is idle: each worker warms itself before it accepts
    (yoyaku/web/warm.py), so a run that starts earlier would time the boot, not the pages."""
    deadline = time.monotonic() + limit
    last, quiet = None, 0
    while time.monotonic() < deadline and quiet < 2:
        time.sleep(0.25)
        pids = process_tree(pid)
        used = cpu_seconds(pids)
        quiet = quiet + 1 if len(pids) > workers and last is not None and used - last < 0.02 else 0
        last = used


def one_database(db: str, args) -> dict:
    print(f"== {db} ==", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix=f"rush-{db}-"))
    env = bench_env(db, workdir, args)
    create_database(db, env, args)
    port = free_port()
    server = start_server(env, port, args)
    try:
        asyncio.run(run_floor(port, 4, 2.0))  # warm up every worker and connection
        floor_stats, floor_cpu = measure("floor", port, server.pid,
                                         run_floor(port, args.concurrency, args.floor_duration))
        if args.arrival_rate:
            load = run_arrivals(port, args.arrival_rate, args.duration, args.residents, args.seed, args.grace)
        else:
            load = run_rush(port, args.concurrency, args.duration, args.residents, args.seed)
        rush_stats, rush_cpu = measure("rush", port, server.pid, load)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    checks = database_checks(env)
    drop_database(db, args)
    return report(db, args, floor_stats, floor_cpu, rush_stats, rush_cpu, checks)


def floor_costs(floor_stats: Stats, floor_cpu: dict) -> tuple[float, float, float | None]:
    """The floor's process CPU per request, the part of it outside the view stack (WSGI, gunicorn) and the
    view stack's median (None without X-Cpu-Ms), in ms."""
    floor = floor_stats.latencies["floor"]
    floor_cpu_median = statistics.median(floor_stats.cpu_ms["floor"]) if floor_stats.cpu_ms["floor"] else None
    floor_cpu_ms = 1000 * floor_cpu["server_cpu_s"] / max(len(floor), 1)
    return floor_cpu_ms, max(floor_cpu_ms - (floor_cpu_median or 0), 0), floor_cpu_median


def ratio_to_floor(page_cpu_ms: list[float], floor_cpu_ms: float, floor_outside: float) -> float | None:
    """A page's whole request against the floor's whole request: the view stack's CPU (X-Cpu-Ms, median) plus
    what every request costs outside it, which is the floor's process CPU per request minus its view stack."""
    return (statistics.median(page_cpu_ms) + floor_outside) / floor_cpu_ms if page_cpu_ms else None


def report(db, args, floor_stats, floor_cpu, rush_stats, rush_cpu, checks) -> dict:
    floor = floor_stats.latencies["floor"]
    floor_rps = len(floor) / floor_cpu["wall_s"]
    floor_cpu_ms, floor_outside, floor_cpu_median = floor_costs(floor_stats, floor_cpu)
    journeys = rush_stats.completed
    requests = sum(len(v) for v in rush_stats.latencies.values())
    pages = {}
    for page in PAGES:
        values = rush_stats.latencies.get(page, [])
        pages[page] = {"n": len(values), "p50_ms": 1000 * percentile(values, 0.50),
                       "p95_ms": 1000 * percentile(values, 0.95), "p99_ms": 1000 * percentile(values, 0.99),
                       "cpu_ms_median": statistics.median(rush_stats.cpu_ms[page]) if rush_stats.cpu_ms[page] else None,
                       "cpu_ratio_to_floor": ratio_to_floor(rush_stats.cpu_ms[page], floor_cpu_ms, floor_outside)
                       if floor_cpu_median else None}
    result = {
        "database": db, "machine": machine(db),
        "server": f"gunicorn gthread, {args.workers} workers x {args.threads} threads",
        "concurrency": args.concurrency, "duration_s": rush_cpu["wall_s"], "residents": args.residents,
        "journeys_completed": journeys, "journeys_per_s": journeys / rush_cpu["wall_s"],
        "found_full": rush_stats.full, "chose_again_after_full": rush_stats.retries_full,
        "waiting_room_pages": rush_stats.waiting,
        "arrival_rate": args.arrival_rate or None, "arrived": getattr(rush_stats, "arrived", None),
        "still_in_line_at_end": getattr(rush_stats, "still_waiting", None),
        "errors": dict(rush_stats.errors), "requests": requests,
        "pages": pages,
        "floor": {"requests_per_s": floor_rps, "p50_ms": 1000 * percentile(floor, 0.5),
                  "cpu_ms_median": floor_cpu_median,
                  "p99_ms": 1000 * percentile(floor, 0.99), "server_cpu_ms_per_request": floor_cpu_ms},
        "server_cpu_ms_per_journey": 1000 * rush_cpu["server_cpu_s"] / max(journeys, 1),
        "server_cpu_ms_per_request": 1000 * rush_cpu["server_cpu_s"] / max(requests, 1),
        "generator_cpu_ms_per_journey": 1000 * rush_cpu["client_cpu_s"] / max(journeys, 1),
        "generator_cpu_ms_per_request": 1000 * rush_cpu["client_cpu_s"] / max(requests, 1),
        "generator_cpu_share": rush_cpu["client_cpu_s"]
        / max(rush_cpu["client_cpu_s"] + rush_cpu["server_cpu_s"], 1e-9),
        "after_the_run": checks,
    }
    print_report(result)
    return result


def machine(db: str) -> str:
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, {db}, {platform.machine()}"


def print_report(r: dict) -> None:
    print(f"  machine: {r['machine']}; server: {r['server']}; {r['concurrency']} residents in flight, "
          f"{r['duration_s']:.0f} s")
    print(f"  journeys completed: {r['journeys_completed']} ({r['journeys_per_s']:.1f}/s); found full: "
          f"{r['found_full']}; chose again after a time filled: {r['chose_again_after_full']}; "
          f"waiting-room pages: {r['waiting_room_pages']}")
    if r.get("arrival_rate"):
        print(f"  open loop: {r['arrival_rate']:.0f} arrivals/s, {r['arrived']} arrived, "
              f"{r['still_in_line_at_end']} still in line at the end")
    print(f"  errors: {r['errors'] or 'none'}")
    print(f"  floor: {r['floor']['requests_per_s']:.0f} req/s, p50 {r['floor']['p50_ms']:.1f} ms, "
          f"server CPU {r['floor']['server_cpu_ms_per_request']:.2f} ms/request (process), "
          f"{r['floor']['cpu_ms_median'] or 0:.2f} ms in the view stack (median)")
    print(f"  {'page':<11}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'cpu ms':>9}{'x floor':>9}")
    print("  (cpu ms: the view stack's CPU per request, median; x floor: the whole request against the floor's)")
    for page, p in r["pages"].items():
        if not p["n"]:
            continue
        ratio = f"{p['cpu_ratio_to_floor']:.1f}" if p["cpu_ratio_to_floor"] else "-"
        cpu = f"{p['cpu_ms_median']:.2f}" if p["cpu_ms_median"] is not None else "-"
        print(f"  {page:<11}{p['n']:>7}{p['p50_ms']:>9.1f}{p['p95_ms']:>9.1f}{p['p99_ms']:>9.1f}{cpu:>9}{ratio:>9}")
    print(f"  CPU per journey: server {r['server_cpu_ms_per_journey']:.1f} ms, generator "
          f"{r['generator_cpu_ms_per_journey']:.1f} ms (generator share {100 * r['generator_cpu_share']:.0f} %; "
          f"{r['generator_cpu_ms_per_request']:.2f} ms per request)")
    c = r["after_the_run"]
    print(f"  after the run: overbooked slots {c['overbooked_slots']}, double bookings {c['double_bookings']}, "
          f"counter mismatches {c['counter_mismatches']}, check_integrity {c['check_integrity']}, "
          f"active reservations {c['reservations']}", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--residents", type=int, default=20000)
    parser.add_argument("--capacity", type=int, default=8, help="places per slot (10 venues x 10 days x 16 times)")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--floor-duration", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12", help="'' for no Redis")
    parser.add_argument("--gate", type=float, default=0, help="admission gate rate (residents let in per second)")
    parser.add_argument("--arrival-rate", type=float, default=0,
                        help="open loop: residents arriving per second (the overload test) instead of --concurrency")
    parser.add_argument("--grace", type=float, default=60, help="with --arrival-rate: wait this long after the last")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args(argv)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # thousands of residents in line at once
    results = [one_database(db, args) for db in (args.db or ["sqlite", "postgres"])]
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    bad = any(r["after_the_run"]["overbooked_slots"] or r["after_the_run"]["double_bookings"]
              or r["after_the_run"]["check_integrity"] != "clean" for r in results)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
