"""Copy the SQLite database to a new file while the app keeps running (docs/deploy.md, "Backups").

A plain `cp` of a database in WAL mode can miss the latest bookings (they may still be in the -wal file)
or copy a half-written page. SQLite's online backup API copies a consistent snapshot instead: it reads
in one step under a read transaction, and in WAL mode writers are not blocked meanwhile.
"""

import re
import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def _regexp(pattern, value) -> bool:
    return value is not None and re.search(pattern, str(value)) is not None


class Command(BaseCommand):
    help = "Back up the SQLite database to DESTINATION (a new file) while the app runs. PostgreSQL: use pg_dump -Fc."

    def add_arguments(self, parser):
        parser.add_argument("destination", help="the backup file to create; it must not exist yet")

    def handle(self, *args, destination, **options):
        if connection.vendor != "sqlite":
            raise CommandError("backup_sqlite is for SQLite; on PostgreSQL use pg_dump -Fc (docs/deploy.md).")
        target_path = Path(destination)
        if target_path.exists():
            raise CommandError(f"{target_path} exists: a backup never overwrites another.")
        if not target_path.parent.is_dir():
            raise CommandError(f"{target_path.parent} is not a folder.")
        # Written under a temporary name and renamed when complete and checked, so that a file with the
        # final name is always a whole backup (a full disk or a kill leaves only the .part file).
        partial = target_path.with_name(target_path.name + ".part")
        partial.unlink(missing_ok=True)
        connection.ensure_connection()
        target = sqlite3.connect(partial)
        try:
            connection.connection.backup(target)  # pages=-1: everything in one step, one consistent snapshot
            # The CHECK constraints use REGEXP, which Django defines on its own connections only.
            target.create_function("REGEXP", 2, _regexp, deterministic=True)
            (result,) = target.execute("PRAGMA integrity_check").fetchone()
            if result != "ok":
                raise CommandError(f"the copy failed SQLite's integrity check: {result}")
            # A single self-contained file: the copy keeps no -wal beside it.
            target.execute("PRAGMA journal_mode=DELETE")
        except BaseException:
            target.close()
            partial.unlink(missing_ok=True)
            raise
        target.close()
        partial.rename(target_path)
        self.stdout.write(f"ok: {target_path} ({target_path.stat().st_size} bytes)")
