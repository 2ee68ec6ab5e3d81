"""The resident site's busy pages at the size of a big city: 1,000,000 residents, 200,000 slots,
2,000,000 reservations. Are the top page and the booking calendar still under 50 ms of server time?

    .venv/bin/python bench/page_scale.py [--residents 1000000] [--slots 200000] [--reservations 2000000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/page_scale.py

Loads the data with raw multi-row inserts (SQLite) or COPY (PostgreSQL) into a throwaway database, sets
the slot counters from the reservations, then logs in a resident without a reservation with Django's test
client and times each page --runs times after a warm-up: first with the availability cache off (every
request does its queries), then at its default of 2 s (as at opening time: most requests skip them).
Prints the median, fastest and slowest, and the query count. Timings live here, never in tests.
"""

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yoyaku.settings")
from bench.console_scale import code_of  # noqa: E402 - the same reservation codes as the console benchmark


def load(cursor, vendor: str, table: str, columns: list[str], rows, batch: int = 5000) -> int:
    """Insert rows fast: COPY on PostgreSQL, multi-row executemany on SQLite."""
    count = 0
    if vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= batch:
            cursor.executemany(sql, chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        cursor.executemany(sql, chunk)
        count += len(chunk)
    return count


def build(*, residents: int, slots: int, reservations: int) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from yoyaku.booking.models import BookingWindow, Vaccine, Venue, dose_mask

    vendor = connection.vendor
    now = timezone.now()
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()
    venues_n = 200
    times = 10
    days = -(-slots // (venues_n * times))
    capacity = max(-(-reservations * 12 // 10 // slots), 1)  # ~ 20 % of places left free
    with transaction.atomic():
        pfz = Vaccine.objects.create(code="PFZ", name="ファイザー社製", min_age=12, next_dose_min_days=21,
                                     doses_per_vial=6)
        venues = Venue.objects.bulk_create([Venue(code=f"V{n:03d}", name=f"会場{n:03d}", area=f"地区{n % 8}")
                                            for n in range(venues_n)])
        for venue in venues:
            venue.vaccines.add(pfz)
        BookingWindow.objects.create(dose_mask=dose_mask([1, 2]), opens_at=now - timedelta(days=30), label="bench")
        with connection.cursor() as cursor:
            def slot_rows():
                n = 0
                for d in range(days):
                    day = today + timedelta(days=3 + d)
                    for venue in venues:
                        for t in range(times):
                            if n >= slots:
                                return
                            start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=tz) + timedelta(minutes=30 * t)
                            yield (venue.pk, pfz.pk, start, start + timedelta(minutes=30), capacity, 0, 3, None,
                                   False, day)
                            n += 1

            made_slots = load(cursor, vendor, "booking_slot", ["venue_id", "vaccine_id", "starts_at", "ends_at",
                              "capacity", "booked", "dose_mask", "bookable_from", "closed", "day"], slot_rows())
            cursor.execute("SELECT MIN(id) FROM booking_slot")
            first_slot = cursor.fetchone()[0]

            def resident_rows():
                for i in range(residents):
                    yield (f"{4_000_000_000 + i:010d}", date(1940, 1, 1) + timedelta(days=(i * 37) % 20000), "試験",
                           str(i), "シケン", "タロウ", "0195-00-0000", "", "", "", "", True, "ja", now, now,
                           "email", "")

            load(cursor, vendor, "booking_resident", ["ticket_number", "birth_date", "family_name", "given_name",
                 "family_name_kana", "given_name_kana", "phone", "email", "postal_code", "address", "groups",
                 "active", "language", "created_at", "updated_at", "contact_channel", "line_user_id"], resident_rows())
            cursor.execute("SELECT MIN(id) FROM booking_resident")
            first_resident = cursor.fetchone()[0]

            def reservation_rows():
                # Residents 1.. hold dose 1 (and dose 2 for half of them); resident 0 is the one who logs in.
                n = 0
                for i in range(1, residents):
                    for dose in (1, 2):
                        if n >= reservations:
                            return
                        slot_id = first_slot + (n % made_slots)
                        yield (code_of(n), first_resident + i, dose, slot_id, "booked", "", "", "", "", "", False,
                               "web", None, now, now, None)
                        n += 1

            made_reservations = load(cursor, vendor, "booking_reservation", ["code", "resident_id", "dose_number",
                                     "slot_id", "status", "recipient_phone", "booker_name", "booker_relation",
                                     "booker_phone", "email", "wants_move_up", "channel", "request_key",
                                     "created_at", "updated_at", "cancelled_at"], reservation_rows())
            cursor.execute(
                "UPDATE booking_slot SET booked = (SELECT COUNT(*) FROM booking_reservation r "
                "WHERE r.slot_id = booking_slot.id AND r.status <> 'cancelled')"
            )
            if vendor == "postgresql":
                cursor.execute("ANALYZE")
            else:
                cursor.execute("ANALYZE")
    return {"residents": residents, "slots": made_slots, "reservations": made_reservations, "capacity": capacity}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--slots", type=int, default=200_000)
    parser.add_argument("--reservations", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    results = []

    workdir = tempfile.mkdtemp(prefix="page-scale-")
    base_url = os.environ.get("DATABASE_URL", "")
    db_name = f"bench_page_scale_{os.getpid()}"
    if base_url:
        import psycopg

        with psycopg.connect(base_url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {db_name}")
        os.environ["DATABASE_URL"] = base_url.rsplit("/", 1)[0] + "/" + db_name
    os.environ.update({"YOYAKU_VAR_DIR": workdir, "DEBUG": "0", "SECRET_KEY": "s" * 50, "ALLOWED_HOSTS": "testserver",
                       "SECURE_SSL_REDIRECT": "0", "STATIC_ROOT": os.path.join(workdir, "static"),
                       "YOYAKU_AVAILABILITY_CACHE_SECONDS": "0"})
    os.environ.pop("REDIS_URL", None)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, reset_queries
        from django.test import Client
        from django.test.utils import CaptureQueriesContext, setup_test_environment

        setup_test_environment()  # so that the query log counts queries with DEBUG off

        call_command("migrate", verbosity=0)
        call_command("collectstatic", verbosity=0, interactive=False)
        started = time.perf_counter()
        made = build(residents=args.residents, slots=args.slots, reservations=args.reservations)
        print(f"built in {time.perf_counter() - started:.0f} s: {made}", flush=True)
        client = Client()
        response = client.post("/login/", {"ticket_number": "4000000000", "password": "19400101"})
        assert response.status_code == 302, response.status_code
        import re

        day = re.search(r"day=(\d{4}-\d{2}-\d{2})#times", client.get("/book/1/").content.decode()).group(1)
        pages = {"top page": "/", "booking page (calendar + first day's times)": "/book/1/",
                 "calendar, a chosen day": f"/book/1/?day={day}"}
        print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
              f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else ''}")
        from django.conf import settings

        for cache_seconds in (0, 2):
            # 0: every request does its queries; 2: the default, as at opening time (availability kept 2 s).
            settings.YOYAKU["AVAILABILITY_CACHE_SECONDS"] = cache_seconds
            print(f" availability cache {'off' if not cache_seconds else f'{cache_seconds} s (the default)'}:")
            for name, url in pages.items():
                connection.queries_log.clear()  # a full log (its length is capped at 9,000) would count nothing
                with CaptureQueriesContext(connection) as queries:
                    client.get(url)
                query_count = len(queries)  # now: the timing loop's reset_queries() empties the log it reads
                times = []
                for _ in range(args.runs):
                    reset_queries()
                    t = time.perf_counter()
                    assert client.get(url).status_code == 200
                    times.append(1000 * (time.perf_counter() - t))
                print(f"  {name:<46} median {statistics.median(times):6.1f} ms  "
                      f"({min(times):.1f}–{max(times):.1f})  {query_count} queries")
                results.append({"database": connection.vendor, "page": name, "cache_seconds": cache_seconds,
                                "median_ms": statistics.median(times), "fastest_ms": min(times),
                                "slowest_ms": max(times), "queries": query_count, "runs": args.runs, **made})
        if args.json:
            import json

            Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    finally:
        if base_url:
            from django.db import connections

            connections.close_all()
            import psycopg

            with psycopg.connect(base_url, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
