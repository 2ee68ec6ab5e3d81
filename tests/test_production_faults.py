"""Real faults against gunicorn with DEBUG off: the database not there, a read-only SQLite file, SQLite locked
beyond its busy timeout, PostgreSQL connections killed (between two requests, and again and again while
residents press 「予約を登録する」), Redis stopped. Never a 500: the 503 page in the page's language with
Retry-After, after 「予約を登録する」 the advice to check 予約履歴, and once the fault is over, the booking is
there (once) and its done page works.

Only our own things are broken: throwaway databases (pg_terminate_backend filtered by their name), a Redis
of our own on a free port, files under the test's tmp_path.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import threading
import time

import pytest

from tests.web.servers import (
    DETAILS,
    Browser,
    Server,
    collect_static,
    django_python,
    free_port,
    manage,
    on_postgresql,
    production_env,
    request_key,
    seed_city,
    server_database,
    terminate_backends,
)

pytestmark = [pytest.mark.slow]

CHATTR = shutil.which("chattr") or "/usr/bin/chattr"
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
TITLE = {"ja": "ただいまサービスをご利用いただけません", "en": "Sorry, the service cannot answer right now"}
CHECK_HISTORY = "予約履歴をご確認ください"
needs_postgresql = pytest.mark.skipif(not on_postgresql(), reason="PostgreSQL faults: the PostgreSQL run")


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    collect_static(root, tmp_path_factory.mktemp("var"))
    return root


def assert_fault_page(response, language="ja", *, after_write=False):
    assert response.status == 503, (response.status, response.text[:500])
    assert response.headers.get("retry-after") == "30"
    assert TITLE[language] in response.text
    assert (CHECK_HISTORY in response.text) is (after_write and language == "ja")


def at_check_page(browser: Browser, city: dict, ticket: str) -> str:
    assert browser.log_in(ticket).status == 302
    chosen = browser.post("/book/1/", {"slot": city["slot"], **DETAILS})
    assert chosen.status == 302, chosen.text[:500]
    return request_key(browser.get("/book/1/check/").text)


def booked(env: dict) -> list:
    return django_python(env, "from yoyaku.booking.models import Reservation\n"
                              "print(json.dumps(sorted(Reservation.objects.values_list('code', flat=True))))")


# --- The database not there -------------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["postgresql", "sqlite"])
def test_a_database_that_is_not_there_gives_the_503_page_and_an_unhealthy_healthz(tmp_path, static_root, engine):
    url = (f"postgres://postgres@127.0.0.1:{free_port()}/nowhere" if engine == "postgresql"
           else f"sqlite:///{tmp_path}/no-such-folder/yoyaku.sqlite3")
    env = production_env(tmp_path, static_root, DATABASE_URL=url)
    with Server(env, tmp_path / "gunicorn.log", workers=1, threads=2) as server:
        for language in ("ja", "en"):
            browser = Browser(server.port, language=language)
            browser.get("/login/")
            assert_fault_page(browser.log_in("9000000000"), language)
        health = Browser(server.port).get("/healthz")
        assert health.status == 503
        report = json.loads(health.text)
        assert report["status"] == "error" and report["database"].startswith("error: OperationalError")
    assert "Traceback" not in (tmp_path / "gunicorn.log").read_text()


# --- SQLite: read-only, locked beyond the timeout ---------------------------------------------------------


@pytest.fixture
def sqlite_city(tmp_path, static_root):
    # A new connection per request (CONN_MAX_AGE=0), so that the file made read-only mid-way is seen at once.
    env = production_env(tmp_path, static_root, CONN_MAX_AGE="0", SQLITE_TIMEOUT="1")
    manage(env, "migrate", "--no-input", "-v0")
    return env, seed_city(env, capacity=6, residents=3)


def test_a_read_only_sqlite_file_gives_the_503_page_and_the_booking_goes_through_afterwards(tmp_path, sqlite_city):
    env, city = sqlite_city
    database = str(tmp_path / "yoyaku.sqlite3")
    with Server(env, tmp_path / "gunicorn.log", workers=1, threads=2) as server:
        resident = Browser(server.port)
        key = at_check_page(resident, city, city["tickets"][0])
        guesser = Browser(server.port)
        guesser.get("/login/")
        subprocess.run([CHATTR, "+i", database], check=True)  # root ignores chmod, not the immutable flag
        try:
            assert_fault_page(resident.post("/book/1/check/", {"request_key": key}), after_write=True)
            # A failed login that cannot be counted is not answered (else: unlimited guesses, right one told apart).
            assert_fault_page(guesser.log_in(city["tickets"][1], "19991231"))
            assert json.loads(Browser(server.port).get("/healthz").text)["cache"] != "ok"
        finally:
            subprocess.run([CHATTR, "-i", database], check=True)
        again = resident.post("/book/1/check/", {"request_key": key})
        assert again.status == 302 and "/done/" in again.location
        assert resident.follow(again).status == 200
    assert len(booked(env)) == 1


def test_sqlite_locked_beyond_the_busy_timeout_gives_the_503_page_then_works(tmp_path, sqlite_city):
    env, city = sqlite_city  # SQLITE_TIMEOUT=1: a second of waiting for the lock, then the fault
    with Server(env, tmp_path / "gunicorn.log", workers=1, threads=2) as server:
        resident = Browser(server.port)
        key = at_check_page(resident, city, city["tickets"][0])
        holder = sqlite3.connect(tmp_path / "yoyaku.sqlite3", isolation_level=None, timeout=5)
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the write lock, longer than the timeout
        try:
            started = time.monotonic()
            assert_fault_page(resident.post("/book/1/check/", {"request_key": key}), after_write=True)
            assert time.monotonic() - started < 10
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        again = resident.post("/book/1/check/", {"request_key": key})
        assert again.status == 302 and "/done/" in again.location
        history = resident.get("/reservations/")
        assert history.status == 200 and again.location.split("/")[2] in history.text
    assert len(booked(env)) == 1


# --- PostgreSQL: connections killed -----------------------------------------------------------------------


@pytest.fixture
def postgres_city(tmp_path, static_root, request):
    database, drop = server_database("faults")
    request.addfinalizer(drop)
    env = production_env(tmp_path, static_root, **database)
    manage(env, "migrate", "--no-input", "-v0")
    return env, database["YOYAKU_TEST_DATABASE"]


@needs_postgresql
def test_a_connection_killed_between_two_requests_is_replaced_before_the_next_uses_it(tmp_path, postgres_city):
    env, name = postgres_city
    city = seed_city(env, capacity=6, residents=1)
    with Server(env, tmp_path / "gunicorn.log", workers=1, threads=1) as server:  # one persistent connection
        resident = Browser(server.port)
        assert resident.log_in(city["tickets"][0]).status == 302
        assert resident.get("/").status == 200
        assert terminate_backends(name) >= 1
        assert resident.get("/").status == 200  # CONN_HEALTH_CHECKS: a new connection, not a 503 (nor a 500)
        assert terminate_backends(name) >= 1
        chosen = resident.post("/book/1/", {"slot": city["slot"], **DETAILS})
        assert chosen.status == 302 and chosen.location.endswith("/book/1/check/")


@needs_postgresql
@pytest.mark.concurrency
def test_connections_killed_again_and_again_while_residents_register_never_give_a_500(tmp_path, postgres_city):
    env, name = postgres_city
    residents, places = 16, 8
    city = seed_city(env, capacity=places, residents=residents)
    with Server(env, tmp_path / "gunicorn.log", workers=2, threads=4) as server:
        ready = []
        for ticket in city["tickets"]:
            browser = Browser(server.port)
            ready.append((browser, at_check_page(browser, city, ticket)))
        barrier = threading.Barrier(residents + 1)
        answers = [None] * residents
        killed = []

        def press(index):
            browser, key = ready[index]
            barrier.wait()
            answers[index] = browser.post("/book/1/check/", {"request_key": key})

        def killer():
            barrier.wait()
            until = time.monotonic() + 1.5
            while time.monotonic() < until:
                killed.append(terminate_backends(name))
                time.sleep(0.15)

        threads = [threading.Thread(target=press, args=(i,)) for i in range(residents)]
        threads.append(threading.Thread(target=killer))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)

        statuses = sorted(answer.status for answer in answers)
        assert set(statuses) <= {302, 503}, statuses
        for answer in answers:
            if answer.status == 503:
                assert_fault_page(answer, after_write=True)
        # As the page says: look at the history, then try again if the booking is not there.
        for (browser, key), answer in zip(ready, answers, strict=True):
            history = browser.get("/reservations/")
            assert history.status == 200
            if answer.status == 503:
                answer = browser.post("/book/1/check/", {"request_key": key})
                assert answer.status == 302
            if "/done/" in answer.location:
                code = answer.location.split("/")[2]
                assert browser.follow(answer).status == 200 and code in browser.get("/reservations/").text
        print(f"\n  answers to 「予約を登録する」: {statuses.count(302)} x 302, {statuses.count(503)} x 503; "
              f"backends terminated: {sum(killed)}")
    assert sum(killed) > 0
    assert len(booked(env)) == places
    manage(env, "check_integrity")
    assert " 500 " not in (tmp_path / "gunicorn.log").read_text()


# --- Redis stopped ---------------------------------------------------------------------------------------


class OwnRedis:
    """A redis-server of this test's own, on a free port, without persistence."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.tmp_path = tmp_path
        self.process = None

    def start(self):
        self.process = subprocess.Popen([REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no", "--dir", str(self.tmp_path)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        for _ in range(50):
            try:
                if client.ping():
                    return
            except redis.exceptions.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def own_redis(tmp_path):
    redis = OwnRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


def test_redis_stopped_gives_the_503_page_logins_are_refused_and_it_comes_back(tmp_path, static_root, own_redis,
                                                                               request):
    database, drop = server_database("redis")
    request.addfinalizer(drop)
    env = production_env(tmp_path, static_root, REDIS_URL=f"redis://127.0.0.1:{own_redis.port}/0",
                         YOYAKU_GATE_RATE="1000", YOYAKU_GATE_BURST="1000", **database)
    manage(env, "migrate", "--no-input", "-v0")
    city = seed_city(env, capacity=6, residents=2)
    with Server(env, tmp_path / "gunicorn.log", workers=1, threads=2) as server:
        resident = Browser(server.port)
        assert resident.log_in(city["tickets"][0]).status == 302 and resident.get("/").status == 200
        with_pass = Browser(server.port)
        assert with_pass.get("/login/").status == 200  # let in by the gate: holds a pass
        own_redis.stop()

        assert_fault_page(resident.get("/"))  # the session lives in Redis
        assert_fault_page(Browser(server.port, language="en").get("/login/"), "en")  # the gate's line too
        assert with_pass.get("/login/").status == 200  # a pass needs no Redis; the login page no session
        assert_fault_page(with_pass.log_in(city["tickets"][1]))  # the throttle refuses: no unlimited guessing
        health = Browser(server.port).get("/healthz")
        assert health.status == 503 and json.loads(health.text)["cache"].startswith("error: ")

        own_redis.start()  # back (empty: sessions and passes are gone, the line starts again)
        assert Browser(server.port).get("/healthz").status == 200
        again = Browser(server.port)
        assert again.get("/login/").status == 200
        assert again.log_in(city["tickets"][1]).status == 302
    assert " 500 " not in (tmp_path / "gunicorn.log").read_text()
