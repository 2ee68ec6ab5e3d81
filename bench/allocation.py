"""How long allocation mode takes at city scale: 30,000 registrations for 20,000 places (issue 15; target:
under 30 s on PostgreSQL).

    .venv/bin/python bench/allocation.py [--registrations 30000] [--places 20000] [--seed 42]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/allocation.py

Builds the city of the scale test (tests/booking/test_allocation_scale.py: build_city, the same data builder)
in a throwaway database: SQLite in a temporary directory by default; with DATABASE_URL, a database named
`bench_allocation_<pid>` on that server, created and dropped. Then times the dry run (the console's preview)
and the published run (positions written, places taken through the conditional update, reservations, audit
events and emails queued), runs check_integrity, and prints the summary line `manage.py allocate` prints.
Prints the machine (cores, Python, Django, database) and, beside each wall-clock time, this process's CPU time
(on a shared, loaded machine the wall clock waits for the CPU; the database server's own time is not in it).
Timings live here, never in tests.
"""

import argparse
import os
import sys
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yoyaku.settings")
os.environ.setdefault("DEBUG", "1")  # a throwaway database measured with the demo's settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=30_000)
    parser.add_argument("--places", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DEBUG = False  # DEBUG also records every SQL statement, which costs time and memory

    from bench.throwaway import throwaway_database

    with throwaway_database("allocation"):
        from tests.booking.test_allocation_scale import build_city
        from yoyaku.booking import services

        started = time.perf_counter()
        window = build_city(registrations=args.registrations, places=args.places)
        print(f"city built: {args.registrations:,} registrations, {args.places:,} places "
              f"in {time.perf_counter() - started:.1f} s (not part of the allocation)")

        system = services.Actor.system()
        started, cpu = time.perf_counter(), time.process_time()
        dry = services.allocation_run(actor=system, window=window, seed=args.seed, dry_run=True)
        print(f"dry run (the console's preview): {time.perf_counter() - started:.1f} s "
              f"(this process's CPU {time.process_time() - cpu:.1f} s), {dry.allocated:,} allocated")

        started, cpu = time.perf_counter(), time.process_time()
        published = services.allocation_run(actor=system, window=window, seed=args.seed)
        print(f"published run: {time.perf_counter() - started:.1f} s "
              f"(this process's CPU {time.process_time() - cpu:.1f} s)")

        out = StringIO()
        call_command("check_integrity", stdout=out)
        print(f"check_integrity: {out.getvalue().strip().splitlines()[0]}")
        assert published.assignments == dry.assignments, "the preview differs from what was published"
        print(f"allocated {published.allocated} of {published.registrations} registrations, "
              f"{published.places_left} places left, {published.overbooked} overbooked")


if __name__ == "__main__":
    main()
