"""The throwaway database every benchmark builds its data in (bench/README.md): SQLite in a temporary directory,
or with DATABASE_URL a database named `bench_<script>_<pid>` on that server, created and dropped. Call after
django.setup():

    with throwaway_database("allocation"):   # prints the machine line (cores, Python, Django, database)
        ...

(console_scale.py and import_residents.py still carry their own copy of this; new scripts use this one.)
"""

from __future__ import annotations

import os
import platform
import tempfile
from contextlib import contextmanager
from pathlib import Path


def engine_name(connection) -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    version = connection.cursor().connection.info.server_version  # e.g. 150020
    return f"{connection.display_name} {version // 10000}.{version % 10000}"


@contextmanager
def throwaway_database(script: str):
    import django
    from django.db import connection

    with tempfile.TemporaryDirectory(prefix="yoyaku-bench-") as tmp:
        connection.settings_dict["TEST"]["NAME"] = (str(Path(tmp) / "bench.sqlite3") if connection.vendor == "sqlite"
                                                    else f"bench_{script}_{os.getpid()}")
        original_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
                  f"Django {django.get_version()}, {engine_name(connection)}")
            yield connection
        finally:
            connection.creation.destroy_test_db(original_name, verbosity=0)
