"""The backup drill of docs/deploy.md ("Backups"): back up with the documented command, restore into a fresh
database, and find the same rows and a clean check_integrity there.

Each database has its own test; the one for the other database skips. The data is committed
(transaction=True) because the backup reads the database from outside the test's connection.
"""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from tests import factories as f
from yoyaku.booking import services

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)

# Every table's row count, read by a separate process pointed at the restored database.
COUNT_ROWS = (
    "import json, django; django.setup();"
    "from django.apps import apps;"
    "print(json.dumps({m._meta.label: m._base_manager.count() for m in apps.get_models()}))"
)


def build_city() -> None:
    """Bookings, a change and a cancellation through the services: reservations, counters, audit events and
    notifications, the tables a restore must bring back consistent with each other."""
    f.open_window()
    vaccine = f.vaccine(code="PFZ")
    venue = f.venue(vaccines=[vaccine])
    slots = [f.slot(venue=venue, vaccine=vaccine, starts_at=f.at(10, hour), capacity=3) for hour in (9, 10, 11)]
    reservations = []
    for n in range(7):
        resident = f.resident(email=f"r{n}@example.com")
        actor = services.Actor.for_resident(resident, client_address="127.0.0.1")
        reservations.append(services.reservation_book(actor=actor, resident=resident, slot_id=slots[n % 3].pk,
                                                      dose_number=1, email=resident.email))
    first, second = reservations[0], reservations[1]
    services.reservation_change(actor=services.Actor.for_resident(first.resident, client_address="127.0.0.1"),
                                reservation=first, slot_id=slots[2].pk)
    services.reservation_cancel(actor=services.Actor.for_resident(second.resident, client_address="127.0.0.1"),
                                reservation=second)


def row_counts() -> dict:
    from django.apps import apps

    return {m._meta.label: m._base_manager.count() for m in apps.get_models()}


def manage_env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TEST_DATABASE_NAME", "SQLITE_PATH"}}
    # A check run by hand on the restored copy: the development settings are enough (no secrets needed).
    env.update(DATABASE_URL=database_url, DEBUG="1")
    return env


def assert_restored_matches(database_url: str, expected: dict) -> None:
    env = manage_env(database_url)
    counted = subprocess.run([sys.executable, "-c", COUNT_ROWS], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=120)
    assert counted.returncode == 0, counted.stderr
    assert json.loads(counted.stdout.strip().splitlines()[-1]) == expected
    integrity = subprocess.run([sys.executable, "manage.py", "check_integrity"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=120)
    assert integrity.returncode == 0, integrity.stdout + integrity.stderr
    assert integrity.stdout.startswith("ok: 3 slots checked")


@pytest.mark.slow
def test_sqlite_online_backup_restores_into_a_new_file(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backup drill; this run is on PostgreSQL")
    build_city()
    expected = row_counts()
    assert expected["booking.Reservation"] == 7 and expected["notify.Notification"] >= 7

    # The documented command, run while the app's connection is open (the database is in WAL mode, so
    # recent writes may still be in the -wal file: a plain copy of the main file could miss them).
    backup = tmp_path / "yoyaku-backup.sqlite3"
    call_command("backup_sqlite", str(backup))
    assert backup.exists() and not Path(f"{backup}.part").exists()

    # Restore: the backup copied into place as a new database file.
    restored = tmp_path / "restored.sqlite3"
    shutil.copyfile(backup, restored)
    assert_restored_matches(f"sqlite:///{restored}", expected)


def test_sqlite_backup_never_overwrites_a_file(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backup drill; this run is on PostgreSQL")
    existing = tmp_path / "yoyaku-backup.sqlite3"
    existing.write_text("an older backup")
    with pytest.raises(Exception, match="never overwrites"):
        call_command("backup_sqlite", str(existing))
    assert existing.read_text() == "an older backup"


def postgres_url(settings_dict: dict, name: str) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name}"


@pytest.mark.slow
def test_postgresql_dump_restores_into_a_new_database(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backup drill; this run is on SQLite")
    tool = {name: shutil.which(name) for name in ("pg_dump", "pg_restore", "createdb", "dropdb")}
    for name, path in tool.items():
        if not path:
            pytest.fail(f"{name} is missing: apt-get install postgresql-client")
    build_city()
    expected = row_counts()
    assert expected["booking.Reservation"] == 7 and expected["notify.Notification"] >= 7

    source = postgres_url(connection.settings_dict, connection.settings_dict["NAME"])
    dump = tmp_path / "yoyaku.dump"
    # The documented commands (docs/deploy.md), with the test server's address instead of the local socket.
    subprocess.run([tool["pg_dump"], "-Fc", "-f", str(dump), "-d", source], check=True, timeout=120)
    restored_name = f"restore_drill_{uuid.uuid4().hex[:8]}"
    server = postgres_url(connection.settings_dict, "postgres")
    subprocess.run([tool["createdb"], "--maintenance-db", server, restored_name], check=True, timeout=60)
    try:
        subprocess.run([tool["pg_restore"], "--no-owner", "--exit-on-error", "-d",
                        postgres_url(connection.settings_dict, restored_name), str(dump)], check=True, timeout=120)
        assert_restored_matches(postgres_url(connection.settings_dict, restored_name), expected)
    finally:
        subprocess.run([tool["dropdb"], "--force", "--maintenance-db", server, restored_name], check=True, timeout=60)
