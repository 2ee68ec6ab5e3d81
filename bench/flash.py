"""A flash crowd: many residents released at one instant for a few places, the way ticketing peers are measured.

    .venv/bin/python -m bench.flash --db postgres                 (see bench/README.md, "Flash crowd")
    .venv/bin/python -m bench.flash --db postgres --gate 25       (with the admission gate at 25 residents/s)

For each database: a throwaway database with one venue, one day, five times of ten places (50 places) and
300 residents; gunicorn with 4 sync workers (`--worker-class`, `--workers`); Redis as the cache. Then every
resident starts at the same instant, each a browser with its own cookies and its own address (sent as
X-Forwarded-For through one trusted proxy, as nginx would), doing the guide's journey with the real forms
and CSRF (bench/rush/journey.py): login → top page → booking page → a day → a venue → a time → check →
register → done. A resident is answered when they see 「予約を受け付けました。」 or are told the places
are gone (the top page's sold-out notice, or no day left to choose).

Reported: the time from the release to the 50th booking and to the last answer, bookings, residents told
"gone", errors (5xx, timeouts, connection failures, wrong pages) and, from the database afterwards,
oversold slots, double bookings and check_integrity. `--json` writes it with the per-page p50/p95/p99, the
view stack's CPU (median) and × floor: before the release, `--floor-seconds` of the framework floor (the
rush's `/bench/floor/`, 16 in flight) measure what a request costs outside the view stack.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import signal
import sys
import tempfile
import time
from pathlib import Path

from .rush.client import Session
from .rush.journey import PAGES, Stats, counted_journey
from .rush.people import address_of
from .rush.run import (
    bench_env,
    create_database,
    database_checks,
    drop_database,
    floor_costs,
    free_port,
    machine,
    measure,
    percentile,
    ratio_to_floor,
    run_floor,
    start_server,
)


async def release(port: int, residents: int, seed: int, timeout: float) -> tuple[Stats, list, list]:
    """Every resident at once; returns the stats, the booking times and the answer times (s after release)."""
    import random

    stats = Stats()
    booked_at: list[float] = []
    answered_at: list[float] = []
    start = asyncio.Event()
    rng = random.Random(seed)

    async def resident(index: int) -> None:
        session = Session("127.0.0.1", port, timeout=timeout, forwarded_for=address_of(index))
        await start.wait()
        outcome = await counted_journey(stats, session, index, rng)
        if outcome is not None:
            now = time.perf_counter() - released
            answered_at.append(now)
            if outcome == "completed":
                booked_at.append(now)

    tasks = [asyncio.create_task(resident(i)) for i in range(residents)]
    await asyncio.sleep(0.2)  # every task waiting on the start line
    released = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    return stats, sorted(booked_at), sorted(answered_at)


def one_database(db: str, args) -> dict:
    print(f"== {db}, gate {args.gate or 'off'} ==", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix=f"flash-{db}-"))
    env = bench_env(db, workdir, args)
    create_database(db, env, args, dataset=f"residents={args.residents}, venues=1, days=1, times_per_day="
                                           f"{args.times}, capacity={args.capacity}")
    places = args.times * args.capacity
    port = free_port()
    server = start_server(env, port, args)
    try:
        floor = None
        if args.floor_seconds:  # idle again before the release: the floor is over in a moment
            floor_stats, floor_cpu = measure("floor", port, server.pid, run_floor(port, 16, args.floor_seconds))
            floor = floor_costs(floor_stats, floor_cpu)
            time.sleep(0.5)
        (stats, stats_booked, stats_answered), cpu = measure(
            "flash", port, server.pid, release(port, args.residents, args.seed, args.timeout))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    checks = database_checks(env)
    drop_database(db, args)
    nth = min(args.nth, places)
    result = {
        "database": db, "machine": machine(db), "residents": args.residents, "places": places,
        "server": f"gunicorn {args.worker_class}, {args.workers} workers"
                  + (f" x {args.threads} threads" if args.worker_class == "gthread" else ""),
        "gate_rate": args.gate or None,
        "booked": stats.completed, "told_gone": stats.full, "told_gone_in_line": stats.told_in_line,
        "errors": dict(stats.errors),
        f"booking_{nth}_s": stats_booked[nth - 1] if len(stats_booked) >= nth else None,
        "last_answer_s": stats_answered[-1] if stats_answered else None,
        "answered": len(stats_answered), "waiting_room_pages": stats.waiting,
        "server_cpu_s": cpu["server_cpu_s"],
        "view_stack_cpu_s": sum(sum(values) for values in stats.cpu_ms.values()) / 1000,
        "generator_cpu_s": cpu["client_cpu_s"], "wall_s": cpu["wall_s"],
        "pages": {page: {"n": len(stats.latencies.get(page, [])),
                         "p50_ms": 1000 * percentile(stats.latencies.get(page, []), 0.5),
                         "p95_ms": 1000 * percentile(stats.latencies.get(page, []), 0.95),
                         "p99_ms": 1000 * percentile(stats.latencies.get(page, []), 0.99),
                         "cpu_p50_ms": percentile(stats.cpu_ms.get(page, []), 0.5),
                         "cpu_ratio_to_floor": ratio_to_floor(stats.cpu_ms.get(page, []), floor[0], floor[1])
                         if floor and floor[2] else None}
                  for page in PAGES if stats.latencies.get(page)},
        "after_the_run": checks,
        "floor": {"server_cpu_ms_per_request": floor[0], "outside_the_view_stack_ms": floor[1],
                  "view_stack_cpu_ms": floor[2]} if floor else None,
    }
    result["oversold"] = checks["overbooked_slots"]
    nth_time = result[f"booking_{nth}_s"]
    print(f"  {result['server']}; {args.residents} residents released at once for {places} places")
    print(f"  booked {stats.completed}, told the places are gone {stats.full} ({stats.told_in_line} in line), "
          f"errors {dict(stats.errors) or 'none'}, "
          f"waiting-room pages {stats.waiting}")
    print(f"  booking {nth}: {f'{nth_time:.2f} s' if nth_time is not None else 'never'} after the release; "
          f"last answer: {result['last_answer_s'] or float('nan'):.2f} s ({len(stats_answered)} of {args.residents} "
          f"answered); server CPU {cpu['server_cpu_s']:.1f} s "
          f"(in the view stack {result['view_stack_cpu_s']:.1f} s)")
    for page, p in result["pages"].items():
        print(f"    {page:<11}{p['n']:>6}  p50 {p['p50_ms']:7.1f}  p95 {p['p95_ms']:7.1f}  p99 {p['p99_ms']:7.1f} ms  "
              f"server CPU p50 {p['cpu_p50_ms']:5.2f} ms"
              + (f", {p['cpu_ratio_to_floor']:.1f}× floor" if p["cpu_ratio_to_floor"] else ""))
    print(f"  after the run: oversold slots {checks['overbooked_slots']}, double bookings {checks['double_bookings']}, "
          f"check_integrity {checks['check_integrity']}, active reservations {checks['reservations']}", flush=True)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--residents", type=int, default=300)
    parser.add_argument("--times", type=int, default=5, help="times of the one day")
    parser.add_argument("--capacity", type=int, default=10, help="places per time")
    parser.add_argument("--nth", type=int, default=50, help="report the time of this booking (the last place)")
    parser.add_argument("--gate", type=float, action="append",
                        help="admission gate rate (residents/s); repeat for several runs; 0 = off")
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4, help="with --worker-class gthread")
    parser.add_argument("--timeout", type=float, default=60, help="a request unanswered this long is an error")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--floor-seconds", type=float, default=3.0,
                        help="the framework floor measured this long before the release, for × floor (0: none)")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args(argv)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    results = []
    for db in args.db or ["sqlite", "postgres"]:
        for gate in args.gate or [0]:
            run_args = argparse.Namespace(**{**vars(args), "gate": gate})
            results.append(one_database(db, run_args))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    bad = any(r["oversold"] or r["after_the_run"]["double_bookings"] or r["after_the_run"]["check_integrity"] != "clean"
              or r["errors"] for r in results)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
