"""How long `manage.py import_residents` takes for a large register.

    .venv/bin/python bench/import_residents.py [ROWS] [--encoding cp932]

Generates ROWS residents (default 100000) into a temporary CSV, then times three imports of it into a
throwaway database: the first (every row created), the same file again (every row unchanged), and the
file with one row in ten changed (updates). Prints the seconds of each and the machine.

The database is never the one in use: SQLite in a temporary directory by default; with DATABASE_URL set,
a database named `bench_import_residents_<pid>` on that server (so runs side by side do not collide),
created and dropped.
"""

import argparse
import io
import os
import platform
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yoyaku.settings")
# A throwaway database measured with the demo's settings (DEBUG is off unless asked for).
os.environ.setdefault("DEBUG", "1")

HEADER = ("ticket_number,birth_date,family_name,given_name,family_name_kana,given_name_kana,"
          "phone,email,postal_code,address")
FAMILY = [("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("山田", "ヤマダ")]
GIVEN = [("花子", "ハナコ"), ("太郎", "タロウ"), ("一郎", "イチロウ"), ("洋子", "ヨウコ"), ("健", "ケン")]


def generate(path: Path, rows: int, *, encoding: str, changed_every: int = 0) -> None:
    rng = random.Random(2021)  # the same residents every run; `changed_every` changes some phones
    first_day = date(1920, 1, 1)
    lines = [HEADER]
    for n in range(1, rows + 1):
        family, family_kana = rng.choice(FAMILY)
        given, given_kana = rng.choice(GIVEN)
        born = first_day + timedelta(days=rng.randrange(33000))
        phone = f"0195-{rng.randrange(10000):04d}-{rng.randrange(10000):04d}"
        if changed_every and n % changed_every == 0:
            phone = f"090-{n % 10000:04d}-0000"
        email = f"r{n}@example.jp" if n % 3 == 0 else ""
        lines.append(f"{n:010d},{born:%Y-%m-%d},{family},{given},{family_kana},{given_kana},{phone},{email},"
                     f"028-{rng.randrange(10000):04d},二戸市福岡{rng.randrange(1, 100)}-{rng.randrange(1, 30)}")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


def timed_import(path: Path) -> tuple[float, str]:
    from django.core.management import call_command

    out = io.StringIO()
    started = time.perf_counter()
    call_command("import_residents", str(path), stdout=out)
    return time.perf_counter() - started, out.getvalue().strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--encoding", default="utf-8", choices=["utf-8", "utf-8-sig", "cp932"])
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False  # as in production: DEBUG also records every SQL statement, which costs time

    with tempfile.TemporaryDirectory(prefix="yoyaku-bench-") as tmp:
        tmp = Path(tmp)
        test_name = (str(tmp / "bench.sqlite3") if connection.vendor == "sqlite"
                     else f"bench_import_residents_{os.getpid()}")
        connection.settings_dict["TEST"]["NAME"] = test_name
        original_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            if connection.vendor == "sqlite":
                import sqlite3

                engine = f"SQLite {sqlite3.sqlite_version}"
            else:
                version = connection.cursor().connection.info.server_version  # e.g. 150020
                engine = f"{connection.display_name} {version // 10000}.{version % 10000}"
            print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
                  f"Django {django.get_version()}, {engine}")

            first = tmp / "residents.csv"
            changed = tmp / "residents-changed.csv"
            generate(first, args.rows, encoding=args.encoding)
            generate(changed, args.rows, encoding=args.encoding, changed_every=10)
            print(f"rows: {args.rows} ({args.encoding}, {first.stat().st_size / 1e6:.1f} MB)")

            for label, path in (("first import", first), ("same file again", first), ("1 in 10 changed", changed)):
                seconds, summary = timed_import(path)
                print(f"{label}: {seconds:.1f} s ({args.rows / seconds:,.0f} rows/s) -> {summary}")
        finally:
            connection.creation.destroy_test_db(original_name, verbosity=0)


if __name__ == "__main__":
    main()
