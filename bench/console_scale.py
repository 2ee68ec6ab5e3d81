"""How fast the console's move-up list and dashboard are with a whole city: 100,000 residents, 20,000 slots.

    .venv/bin/python bench/console_scale.py [--residents 100000] [--slots 20000] [--runs 7]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/console_scale.py

Builds the city with bulk_create in a throwaway database (SQLite in a temporary directory by default; with
DATABASE_URL, a database named `bench_console_scale_<pid>` on that server, created and dropped): vaccines,
50 venues, the slots over the coming days, the residents, dose-1 reservations for six in ten of them (a
third asking for an earlier date), dose 2 for some, a few cancellations, doses given before, and an audit
event per booking. The slot counters are set from the reservations, so `check_integrity` holds.

Then logs a city admin in (password and TOTP) with Django's test client and times each page over --runs runs
after a warm-up: the median (and the fastest and slowest), with the page's query count. Prints the machine
(cores, Python, Django, database). Timings live here, never in tests; the tests pin the query counts.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yoyaku.settings")
# A throwaway database measured with the demo's settings (DEBUG is off unless asked for).
os.environ.setdefault("DEBUG", "1")

VENUES = 50
TIMES = ["09:30", "10:30", "14:00", "15:30"]
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def code_of(n: int) -> str:
    """A unique reservation code (予約ID) for row n: n in base 31 on the code alphabet, 8 characters."""
    chars = []
    for _ in range(8):
        n, digit = divmod(n, len(ALPHABET))
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def build(*, residents: int, slots: int, seed: int = 2021) -> dict:
    """The city, in bulk. Returns what was made, for the report."""
    from django.db import connection, transaction
    from django.utils import timezone

    from yoyaku.booking.models import (
        AuditEvent,
        BookingWindow,
        DoseRecord,
        Reservation,
        Resident,
        Slot,
        Vaccine,
        Venue,
        dose_mask,
    )

    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()
    with transaction.atomic():
        pfz = Vaccine.objects.create(code="PFZ", name="ファイザー社製", min_age=12, next_dose_min_days=21,
                                     doses_per_vial=6)
        mdn = Vaccine.objects.create(code="MDN", name="武田/モデルナ社製", min_age=18, next_dose_min_days=28,
                                     doses_per_vial=10)
        venues = Venue.objects.bulk_create([
            Venue(code=f"V{n:03d}", name=f"会場{n:03d}", kind="group" if n % 10 == 0 else "clinic",
                  area=f"地区{n % 5}") for n in range(VENUES)
        ])
        for venue in venues:
            venue.vaccines.set([pfz, mdn] if venue.kind == "group" else [pfz])
        BookingWindow.objects.create(dose_mask=dose_mask([1, 2]), opens_at=now - timedelta(days=30), label="bench")

        days = -(-slots // (VENUES * len(TIMES)))
        slot_rows = []
        for day_offset in range(days):
            day = today + timedelta(days=day_offset + 1)
            for venue in venues:
                for clock in TIMES:
                    if len(slot_rows) == slots:
                        break
                    hour, minute = map(int, clock.split(":"))
                    starts = timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute), tz)
                    vaccine = mdn if venue.kind == "group" and hour >= 14 else pfz
                    slot_rows.append(Slot(venue=venue, vaccine=vaccine, starts_at=starts,
                                          ends_at=starts + timedelta(minutes=30),
                                          capacity=10 if vaccine is mdn else 6, dose_mask=dose_mask([1, 2])))
        Slot.objects.bulk_create(slot_rows, batch_size=2000)
        slot_list = list(Slot.objects.select_related("vaccine").order_by("starts_at", "pk"))

        people = []
        for n in range(residents):
            born = date(1930, 1, 1) + timedelta(days=rng.randrange(29000))
            people.append(Resident(ticket_number=f"{n + 1:010d}", birth_date=born, family_name="住民",
                                   given_name=f"{n + 1}", family_name_kana="ジュウミン", given_name_kana="テスト",
                                   phone=f"0195-{n // 10000:02d}-{n % 10000:04d}"))
        Resident.objects.bulk_create(people, batch_size=5000)
        people = list(Resident.objects.order_by("pk").values_list("pk", "birth_date"))

        free = {slot.pk: slot.capacity for slot in slot_list}
        reservations, records, n_code = [], [], 0

        def take(candidates):
            for _ in range(8):
                slot = rng.choice(candidates)
                if free[slot.pk] > 0:
                    free[slot.pk] -= 1
                    return slot
            return None

        first_days = slot_list[: len(slot_list) * 2 // 3]  # dose 1 in the first two thirds of the days
        # Dose 2 after a dose given at most 20 days ago and at least 5: from 16 days on, the interval holds.
        late_pfz = [s for s in slot_list if s.vaccine_id == pfz.pk and s.day >= today + timedelta(days=16)]
        for resident_id, born in people:
            roll = rng.random()
            if roll < 0.02 and born.year < 2000:  # dose 1 given before: dose 2 booked
                given_on = today - timedelta(days=rng.randint(5, 20))
                records.append(DoseRecord(resident_id=resident_id, dose_number=1, vaccine=pfz, given_on=given_on,
                                          lot="BENCH1", source=DoseRecord.Source.IMPORT))
                slot = take(late_pfz) if late_pfz else None
                if slot is not None:
                    n_code += 1
                    reservations.append((resident_id, 2, slot, rng.random() < 0.33))
            elif roll < 0.60:
                slot = take(first_days)
                if slot is None or (slot.vaccine_id == mdn.pk and born.year > 2004):
                    if slot is not None:
                        free[slot.pk] += 1
                    continue
                reservations.append((resident_id, 1, slot, rng.random() < 0.33))
        rows = []
        for index, (resident_id, dose, slot, wants) in enumerate(reservations):
            cancelled = rng.random() < 0.04
            created = now - timedelta(minutes=rng.randrange(7 * 24 * 60))
            rows.append(Reservation(
                code=code_of(index + 1), resident_id=resident_id, dose_number=dose, slot_id=slot.pk,
                status=Reservation.Status.CANCELLED if cancelled else Reservation.Status.BOOKED,
                wants_move_up=wants, channel="web", created_at=created, cancelled_at=now if cancelled else None,
                recipient_phone="0195-00-0000",
            ))
        Reservation.objects.bulk_create(rows, batch_size=5000)
        DoseRecord.objects.bulk_create(records, batch_size=5000)
        # The counters from the reservations holding a place (as every service keeps them).
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE booking_slot SET booked = (SELECT COUNT(*) FROM booking_reservation r "
                "WHERE r.slot_id = booking_slot.id AND r.status <> 'cancelled')"
            )
        events = [AuditEvent(created_at=r.created_at, actor_kind="resident", actor_resident_id=r.resident_id,
                             action="reservation.book", resident_id=r.resident_id, object_type="reservation",
                             data={"dose": r.dose_number}) for r in rows]
        AuditEvent.objects.bulk_create(events, batch_size=5000)
    return {
        "residents": Resident.objects.count(), "slots": Slot.objects.count(), "days": days,
        "reservations": Reservation.objects.count(), "active": Reservation.objects.active().count(),
        "wanting move-up": Reservation.objects.active().filter(wants_move_up=True).count(),
        "doses given": DoseRecord.objects.count(), "audit events": AuditEvent.objects.count(),
    }


def admin_client():
    """A city admin, logged in with password and TOTP, in Django's test client."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    password = "bench-password-0123"  # noqa: S105 (a throwaway database)
    user = get_user_model().objects.create_user("bench-admin", password=password, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="city_admin")[0])
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client()
    assert client.post("/console/login/", {"username": "bench-admin", "password": password}).status_code == 302
    token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post("/console/otp/", {"token": token}).status_code == 302
    return client


def timed(client, url: str, runs: int) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()  # a full log (its length is capped) would count nothing
    with CaptureQueriesContext(connection) as queries:  # the warm-up run, counted
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    count = len(queries)  # now: every request starts with an empty query log
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        seconds.append(time.perf_counter() - started)
    return seconds, count, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--slots", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False  # as in production: DEBUG also records every SQL statement, which costs time
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the login is not measured
    settings.YOYAKU = {**settings.YOYAKU, "GATE_RATE": 0}

    with tempfile.TemporaryDirectory(prefix="yoyaku-bench-") as tmp:
        test_name = (str(Path(tmp) / "bench.sqlite3") if connection.vendor == "sqlite"
                     else f"bench_console_scale_{os.getpid()}")
        connection.settings_dict["TEST"]["NAME"] = test_name
        original_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            if connection.vendor == "sqlite":
                import sqlite3

                engine = f"SQLite {sqlite3.sqlite_version}"
            else:
                version = connection.cursor().connection.info.server_version
                engine = f"{connection.display_name} {version // 10000}.{version % 10000}"
            print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
                  f"Django {django.get_version()}, {engine}")
            started = time.perf_counter()
            made = build(residents=args.residents, slots=args.slots)
            print(f"built in {time.perf_counter() - started:.0f} s: "
                  + ", ".join(f"{value:,} {name}" for name, value in made.items()))

            from io import StringIO

            from django.core.management import call_command

            from yoyaku.booking import move_up

            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")  # what autovacuum does soon after a bulk load in production

            out = StringIO()
            call_command("check_integrity", stdout=out)
            print(out.getvalue().strip())

            client = admin_client()
            first_free = move_up.free_slots(days=7).first()
            pages = [
                ("move-up list, 7 days (20 slots, 3 candidates each)", "/console/move-up/?days=7"),
                ("move-up list, 31 days, page 5", "/console/move-up/?days=31&page=5"),
                ("move-up slot page (20 candidates)", f"/console/move-up/slots/{first_free.pk}/"),
                ("dashboard, 7 days x 50 venues", "/console/dashboard/?days=7"),
                ("dashboard, 31 days x 50 venues", "/console/dashboard/?days=31"),
            ]
            print(f"{'page':<52} {'median':>8} {'fastest':>8} {'slowest':>8} {'queries':>8}")
            for label, url in pages:
                seconds, queries, size = timed(client, url, args.runs)
                print(f"{label:<52} {statistics.median(seconds) * 1000:>6.0f}ms {min(seconds) * 1000:>6.0f}ms "
                      f"{max(seconds) * 1000:>6.0f}ms {queries:>8}")
        finally:
            connection.creation.destroy_test_db(original_name, verbosity=0)


if __name__ == "__main__":
    main()
