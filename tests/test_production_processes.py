"""Several app processes without Redis on one machine: two gunicorn servers (one worker process each, so that
"server A" is always the same process) on one database, and a browser that alternates between them: each
step is surely served by another process than the one before, and the first process sees the resident
again after the second one changed something. The resident's form, the login throttle and the admission
gate's line must be shared: sessions in the database, counters and the line in Django's database cache.
The servers' database is SQLite, or PostgreSQL on the PostgreSQL test run (tests/web/servers.py).
"""

import pytest

from tests.web.servers import (
    DETAILS,
    Browser,
    Server,
    collect_static,
    manage,
    production_env,
    request_key,
    seed_city,
    server_database,
)

pytestmark = [pytest.mark.slow]

LOCKED = "この接種券番号でのログインを一時停止しています"  # "Login with this ticket number is paused…"
WRONG = "接種券番号またはパスワード"  # the page of a wrong pair (ticket number or password)


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    collect_static(root, tmp_path_factory.mktemp("var"))
    return root


def start_pair(tmp_path, static_root, request, **extra):
    database, drop = server_database("procs")
    request.addfinalizer(drop)
    env = production_env(tmp_path, static_root, **database, **extra)
    assert "REDIS_URL" not in env
    manage(env, "migrate", "--no-input", "-v0")
    city = seed_city(env, capacity=6, residents=3)
    first = Server(env, tmp_path / "a.log", workers=1, threads=2)
    try:
        second = Server(env, tmp_path / "b.log", workers=1, threads=2)
    except Exception:
        first.stop()
        raise
    return city, first, second


@pytest.fixture
def pair(tmp_path, static_root, request):
    city, first, second = start_pair(tmp_path, static_root, request)
    yield city, first.port, second.port
    first.stop()
    second.stop()


def test_the_booking_form_reaches_the_check_page_served_by_another_process(pair):
    city, a, b = pair
    browser = Browser(a)
    assert browser.log_in(city["tickets"][0], port=a).status == 302
    chosen = browser.post("/book/1/", {"slot": city["slot"], **DETAILS}, port=b)
    assert chosen.status == 302 and chosen.location.endswith("/book/1/check/")
    check = browser.get("/book/1/check/", port=a)
    assert check.status == 200, f"sent back to {check.location or check.status}: the form was lost"
    assert "North Clinic" in check.text
    registered = browser.post("/book/1/check/", {"request_key": request_key(check.text)}, port=b)
    assert registered.status == 302 and "/done/" in registered.location
    done = browser.follow(registered, port=a)
    assert done.status == 200 and "予約を受け付けました" in done.text


def test_a_ticket_gets_five_guesses_in_all_not_five_per_process(pair):
    city, a, b = pair
    browser = Browser(a)
    ticket = city["tickets"][1]
    for attempt in range(5):
        page = browser.log_in(ticket, "19990909", port=(a, b)[attempt % 2])
        assert page.status == 200 and WRONG in page.text and LOCKED not in page.text, attempt
    for port in (a, b):
        refused = browser.log_in(ticket, "19990909", port=port)
        assert LOCKED in refused.text, "a sixth guess was allowed by another process"
    right = browser.log_in(ticket, "19500101", port=b)
    assert right.status == 200 and LOCKED in right.text  # locked means locked, even with the right birth date


def test_the_admission_gates_line_is_one_line_for_every_process(tmp_path, static_root, request):
    city, first, second = start_pair(tmp_path, static_root, request, YOYAKU_GATE_RATE="0.001",
                                     YOYAKU_GATE_BURST="1")
    try:
        early = Browser(first.port).get("/login/")
        assert early.status == 200 and "x-yoyaku-waiting-room" not in early.headers  # the burst: one place
        for server in (second, first):
            late = Browser(server.port).get("/login/")
            assert late.headers.get("x-yoyaku-waiting-room") == "1", "another process let a second resident in"
    finally:
        first.stop()
        second.stop()
