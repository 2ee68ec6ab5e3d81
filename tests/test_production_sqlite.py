"""One SQLite configuration however the file is named: the default file under var/ and DATABASE_URL=sqlite:///…
get the same options (IMMEDIATE transactions, WAL, the busy timeout) and the same test database handling.

The storm: twelve residents press 「予約を登録する」 for a 6-place time at once, through gunicorn (several
processes and threads), with each configuration: 6 booked, 6 told the time is full, no error.
"""

import json
import subprocess
import sys
import threading

import pytest

from tests.web.servers import (
    DETAILS,
    ROOT,
    Browser,
    Server,
    collect_static,
    django_python,
    manage,
    production_env,
    request_key,
    seed_city,
)

CONFIGURATIONS = ["default", "database_url"]


def sqlite_env(config: str, tmp_path, static_root) -> dict:
    extra = {"DATABASE_URL": f"sqlite:///{tmp_path}/named-by-url.sqlite3"} if config == "database_url" else {}
    return production_env(tmp_path, static_root, **extra)


def database_settings(**env) -> dict:
    code = "import json, yoyaku.settings as s; print(json.dumps(s.DATABASES['default'], default=str))"
    base = {k: v for k, v in production_env(ROOT / "var", ROOT / "var" / "static").items()}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**base, **env}, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_database_url_sqlite_gets_the_same_options_and_test_name_as_the_default(tmp_path):
    path = tmp_path / "yoyaku.sqlite3"
    default = database_settings(SQLITE_PATH=str(path), TEST_DATABASE_NAME=str(tmp_path / "t.sqlite3"))
    named = database_settings(DATABASE_URL=f"sqlite:///{path}", TEST_DATABASE_NAME=str(tmp_path / "t.sqlite3"))
    for key in ("ENGINE", "NAME", "OPTIONS", "TEST", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS"):
        assert named[key] == default[key], key
    assert default["OPTIONS"]["transaction_mode"] == "IMMEDIATE" and default["OPTIONS"]["timeout"] == 30
    assert "journal_mode=WAL" in default["OPTIONS"]["init_command"]
    assert default["TEST"]["NAME"] == str(tmp_path / "t.sqlite3")


def test_database_url_sqlite_without_a_test_name_uses_the_var_test_file(tmp_path):
    named = database_settings(DATABASE_URL=f"sqlite:///{tmp_path}/x.sqlite3", YOYAKU_VAR_DIR=str(tmp_path))
    assert named["TEST"]["NAME"] == str(tmp_path / "test.sqlite3")  # a file: threads in tests share it


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    collect_static(root, tmp_path_factory.mktemp("var"))
    return root


@pytest.mark.slow
@pytest.mark.concurrency
@pytest.mark.parametrize("config", CONFIGURATIONS)
def test_twelve_residents_register_six_places_at_once_through_gunicorn(tmp_path, static_root, config):
    env = sqlite_env(config, tmp_path, static_root)
    manage(env, "migrate", "--no-input", "-v0")
    city = seed_city(env, capacity=6, residents=12)
    with Server(env, tmp_path / "gunicorn.log", workers=1, threads=12) as server:
        ready = []
        for ticket in city["tickets"]:
            browser = Browser(server.port)
            assert browser.log_in(ticket).status == 302
            chosen = browser.post("/book/1/", {"slot": city["slot"], **DETAILS})
            assert chosen.status == 302 and chosen.location.endswith("/book/1/check/"), chosen.text[:1000]
            ready.append((browser, request_key(browser.get("/book/1/check/").text)))

        barrier = threading.Barrier(len(ready))
        results = [None] * len(ready)

        def press(index):
            browser, key = ready[index]
            barrier.wait()
            try:
                results[index] = browser.post("/book/1/check/", {"request_key": key})
            except Exception as error:  # noqa: BLE001 - counted below
                results[index] = error

        threads = [threading.Thread(target=press, args=(i,)) for i in range(len(ready))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)

        problems = [r if isinstance(r, Exception) else (r.status, r.text[:300]) for r in results
                    if isinstance(r, Exception) or r.status not in (302, 303)]
        answered = [(i, r.location) for i, r in enumerate(results) if not isinstance(r, Exception)]
        booked = [i for i, location in answered if "/done/" in location]
        full = [i for i, location in answered if location.endswith("/book/1/#time")]
        assert problems == [], (problems, (tmp_path / "gunicorn.log").read_text()[-3000:])
        assert (len(booked), len(full)) == (6, 6)
        for index in full:
            browser, _ = ready[index]
            told = browser.get("/book/1/")
            assert "満員" in told.text  # 「この時間はちょうど満員になりました」
        for index in booked:
            browser, _ = ready[index]
            assert browser.follow(results[index]).status == 200

    counts = django_python(env, "from yoyaku.booking.models import Slot, Reservation\n"
                                f"s = Slot.objects.get(pk={city['slot']})\n"
                                "print(json.dumps([s.booked, Reservation.objects.count()]))")
    assert counts == [6, 6]
    manage(env, "check_integrity")
