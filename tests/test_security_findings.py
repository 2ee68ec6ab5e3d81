"""Issue 18's findings, one test each (each failed on main before the fix): parallel guessing, the admin's
door, the gate's pass and line, the pre-opening shuffle, the proxy warning, failed logins in the audit log,
cookies, the staff idle expiry. The far-date 500s are in tests/test_security_urls.py."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories as f
from tests.concurrent import at_once
from tests.console.conftest import PASSWORD, code_for, log_in_staff, make_staff
from yoyaku import gate
from yoyaku.booking import services
from yoyaku.booking.models import AuditEvent
from yoyaku.console.roles import CALL_CENTRE, CITY_ADMIN
from yoyaku.web import throttle

ROOT = Path(__file__).resolve().parent.parent
TICKET, BIRTH = "1234567890", "19450101"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


# --- 3. Parallel guesses: counted first, then decided ------------------------------------------------------


def test_thirty_simultaneous_attempts_evaluate_at_most_the_limit():
    verdicts = at_once(30, lambda: throttle.attempt(ticket=TICKET, address="192.0.2.30"))
    allowed = [v for v in verdicts if v.allowed]
    assert len(allowed) <= throttle.TICKET_LIMIT
    for _ in allowed:
        throttle.failed(ticket=TICKET, address="192.0.2.30", counted=True)
    verdict = throttle.attempt(ticket=TICKET, address="192.0.2.31")  # the right date, sent last
    assert not verdict.allowed and verdict.scope == "ticket"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_thirty_simultaneous_wrong_birth_dates_then_the_right_one_is_refused(monkeypatch):
    from yoyaku.booking import selectors

    f.resident(ticket_number=TICKET, birth_date=date(1945, 1, 1))
    wrong = [f"1945{month:02d}{day:02d}" for month in range(2, 12) for day in (1, 2, 3)][:30]
    guesses = iter(wrong)
    lock = threading.Lock()
    evaluated = []
    lookup = selectors.resident_by_ticket

    def counted_lookup(ticket):  # the login view looks the ticket up only to compare the birth date
        with lock:
            evaluated.append(ticket)
        time.sleep(0.05)  # a slow database: the window a check-then-count throttle leaves open
        return lookup(ticket)

    monkeypatch.setattr(selectors, "resident_by_ticket", counted_lookup)

    def guess():
        with lock:
            birth = next(guesses)
        return Client().post("/login/", {"ticket_number": TICKET, "password": birth}).status_code

    codes = at_once(30, guess)
    assert set(codes) == {200}
    assert 1 <= len(evaluated) <= throttle.TICKET_LIMIT, f"{len(evaluated)} of 30 guesses evaluated"
    right = Client()
    right.post("/login/", {"ticket_number": TICKET, "password": BIRTH})
    assert right.get("/").status_code == 302  # not logged in: the ticket is locked
    assert AuditEvent.objects.filter(action="resident.login_locked", data__scope="ticket").exists()


def test_the_address_count_outlives_a_pause(settings, monkeypatch):
    """The per-address count lasts ADDRESS_WINDOW after the last failure: waiting 15 minutes is no reset."""
    settings.YOYAKU = {**settings.YOYAKU, "LOGIN_THROTTLE": {"ADDRESS_SLOW": 3, "ADDRESS_LIMIT": 100}}
    for i in range(3):
        throttle.failed(ticket=f"{i:010d}", address="192.0.2.40")
    clock = {"t": time.time() + 16 * 60}  # after the old 15-minute window
    monkeypatch.setattr(throttle.time, "time", lambda: clock["t"])
    cache.delete(f"{throttle._address_key('192.0.2.40')}:gap")  # the delay itself has passed
    assert throttle._count(throttle._address_key("192.0.2.40")) == 3
    assert throttle.attempt(ticket="0000000099", address="192.0.2.40").allowed  # one, after the delay
    throttle.failed(ticket="0000000099", address="192.0.2.40", counted=True)
    assert not throttle.attempt(ticket="0000000098", address="192.0.2.40").allowed  # slowed still


# --- 1. The admin: superusers through the console's throttled login and second factor --------------------


@pytest.mark.django_db
def test_twelve_wrong_admin_passwords_lock_like_the_console(client):
    make_staff("root", superuser=True)
    login_page = client.get("/admin/login/")
    assert login_page.status_code == 302 and login_page["Location"].startswith("/console/login/")
    for _ in range(12):
        client.post("/admin/login/?next=/admin/", {"username": "root", "password": "wrong-password-123"})
        client.post("/console/login/", {"username": "root", "password": "wrong-password-123"})
    right = client.post("/console/login/", {"username": "root", "password": PASSWORD})
    assert right.status_code == 200 and "_auth_user_id" not in client.session  # locked
    assert AuditEvent.objects.filter(action="staff.login_locked").exists()


@pytest.mark.django_db
def test_the_admin_says_nothing_about_the_account_or_its_device(client):
    make_staff("root", superuser=True)
    response = client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/console/login/")
    assert "OTP" not in response.content.decode() and "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_staff_without_the_superuser_flag_cannot_open_the_admin():
    staff = Client()
    log_in_staff(staff, make_staff("admin-role", CITY_ADMIN))
    user = staff.session["_auth_user_id"]
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk=user).update(is_staff=True)
    assert staff.get("/admin/").status_code == 302
    superuser = Client()
    log_in_staff(superuser, make_staff("root", superuser=True))
    assert superuser.get("/admin/").status_code == 200


# --- 2. The gate: one browser per pass, a bounded share of numbers per client ----------------------------


@pytest.fixture
def gate_on(settings, monkeypatch):
    now = {"t": float(int(time.time()))}
    monkeypatch.setattr(gate.time, "time", lambda: now["t"])
    settings.YOYAKU = {**settings.YOYAKU, "GATE_RATE": 1.0, "GATE_BURST": 1.0}
    gate._local.__init__()
    gate._script = None
    gate._seen.update(at=0.0, released=0.0)
    yield now
    gate._local.__init__()
    gate._seen.update(at=0.0, released=0.0)


@pytest.mark.slow  # over a second: left out of make test-fast
@pytest.mark.django_db
def test_a_copied_pass_admits_no_second_browser(gate_on):
    f.resident(ticket_number=TICKET, birth_date=date(1945, 1, 1))
    owner = Client()
    assert owner.get("/login/").get("X-Yoyaku-Waiting-Room") is None  # let in
    assert owner.post("/login/", {"ticket_number": TICKET, "password": BIRTH}).status_code == 302
    copies = []
    for _ in range(20):
        copy = Client()
        copy.cookies[gate.COOKIE] = owner.cookies[gate.COOKIE].value
        copies.append(copy.get("/login/").get("X-Yoyaku-Waiting-Room"))
    assert copies == ["1"] * 20
    assert owner.get("/").get("X-Yoyaku-Waiting-Room") is None  # the owner goes on


@pytest.mark.django_db
def test_a_copied_number_lets_in_one_browser(gate_on):
    Client().get("/login/")  # the burst
    holder = Client()
    assert holder.get("/login/")["X-Yoyaku-Waiting-Room"] == "1"
    copy = Client()
    copy.cookies[gate.COOKIE] = holder.cookies[gate.COOKIE].value
    gate_on["t"] += 1.0  # the number's turn
    assert holder.get("/login/").get("X-Yoyaku-Waiting-Room") is None
    assert copy.get("/login/")["X-Yoyaku-Waiting-Room"] == "1"  # to the back


@pytest.mark.slow  # over a second: left out of make test-fast
@pytest.mark.django_db
def test_two_hundred_draws_from_one_client_move_a_newcomer_back_by_at_most_the_allowance(gate_on, settings):
    settings.YOYAKU = {**settings.YOYAKU, "GATE_RATE": 0.001}
    Client().get("/login/")  # the burst
    for _ in range(8):
        Client(REMOTE_ADDR=f"198.51.100.{_ + 1}").get("/login/")  # eight residents waiting
    refused = sum(Client(REMOTE_ADDR="203.0.113.66").get("/login/").status_code == 429 for _ in range(200))
    newcomer = Client(REMOTE_ADDR="198.51.100.200")
    newcomer.cookies["django_language"] = "en"
    ahead = _ahead(newcomer.get("/login/"))
    assert ahead <= 8 + gate.DRAWS_PER_ADDRESS
    assert refused == 200 - gate.DRAWS_PER_ADDRESS


def _ahead(response) -> int:
    """People ahead, as the (English) waiting page says; -1 for a resident let in."""
    if response.get("X-Yoyaku-Waiting-Room") != "1":
        return -1
    return int(re.search(r"People ahead of you: <strong>(\d+)</strong>", response.content.decode()).group(1))


# --- The opening hour: the pre-line in a random order -----------------------------------------------------


def _spearman(xs, ys) -> float:
    n = len(xs)
    rank_x = {v: i for i, v in enumerate(sorted(xs))}
    rank_y = {v: i for i, v in enumerate(sorted(ys))}
    d2 = sum((rank_x[x] - rank_y[y]) ** 2 for x, y in zip(xs, ys, strict=True))
    return 1 - 6 * d2 / (n * (n * n - 1))


def test_the_shuffle_is_a_permutation_uncorrelated_with_arrival():
    for size in (1, 2, 3, 17, 1000, 4097):
        places = [gate.shuffled_place(k, size, b"key") for k in range(1, size + 1)]
        assert sorted(places) == list(range(1, size + 1))
    arrivals = list(range(1, 2001))
    rho = _spearman(arrivals, [gate.shuffled_place(k, 2000, gate._shuffle_key(1.0)) for k in arrivals])
    assert abs(rho) < 0.08  # near zero: 2,000 arrivals, |rho| of a random order is below 0.06 in 99 %


@pytest.mark.slow  # over a second: left out of make test-fast
@pytest.mark.django_db
def test_arrivals_before_the_opening_wait_then_get_a_random_place(gate_on, settings):
    opens = gate_on["t"] + 600
    settings.YOYAKU = {**settings.YOYAKU, "GATE_RATE": 0.01, "GATE_OPENS_AT": opens,
                       "GATE_DRAWS_PER_ADDRESS": 1000}
    early = [Client() for _ in range(60)]
    for client in early:
        client.cookies["django_language"] = "en"
        page = client.get("/login/")
        assert page["X-Yoyaku-Waiting-Room"] == "1" and "random order" in page.content.decode()
    gate_on["t"] = opens + 1
    late = Client()
    late.cookies["django_language"] = "en"
    late_ahead = _ahead(late.get("/login/"))
    places = [_ahead(client.get("/login/")) for client in early]
    assert late_ahead >= 60 - 2  # after the whole pre-line (less the burst let in)
    assert abs(_spearman(list(range(60)), places)) < 0.5  # not the arrival order


# --- 4. The proxy count: a startup and a deploy-check warning ---------------------------------------------


def _manage(*args, **env):
    full = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    full.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=full, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.slow
def test_proxy_count_is_warned_about_at_startup_and_in_check_deploy():
    production = {"DEBUG": "0", "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-value",
                  "ALLOWED_HOSTS": "yoyaku.example.jp"}
    result = _manage("check", "--deploy", YOYAKU_PROXY_COUNT="1", **production)
    assert "yoyaku.W001" in result.stdout + result.stderr
    assert "YOYAKU_PROXY_COUNT=1" in result.stderr  # the startup warning, in the log
    quiet = _manage("check", "--deploy", **production)
    assert "yoyaku.W001" not in quiet.stdout + quiet.stderr


# --- 5. Failed logins, lockouts and second-factor failures in the audit trail -----------------------------


@pytest.mark.django_db
def test_failed_logins_lockouts_and_second_factor_failures_are_audited(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    resident = f.resident(ticket_number=TICKET, birth_date=date(1945, 1, 1))
    for _ in range(throttle.TICKET_LIMIT):
        Client().post("/login/", {"ticket_number": TICKET, "password": "19000101"})
    failed = AuditEvent.objects.filter(action="resident.login_failed")
    assert failed.count() == throttle.TICKET_LIMIT
    event = failed.first()
    assert event.resident == resident and event.client_address == "127.0.0.1"
    assert event.data["subject"] == throttle.ticket_hash(TICKET) and TICKET not in str(event.data)
    assert "19000101" not in str(event.data) and "1900" not in str(event.data)
    assert AuditEvent.objects.filter(action="resident.login_locked", data__scope="ticket").count() == 1

    user = make_staff("op", CALL_CENTRE)
    Client().post("/console/login/", {"username": "op", "password": "typed-secret-999"})
    Client().post("/console/login/", {"username": "nobody", "password": "typed-secret-999"})
    staff_failures = AuditEvent.objects.filter(action="staff.login_failed")
    assert staff_failures.filter(actor_user=user).count() == 1
    assert staff_failures.filter(actor_user=None).count() == 1
    assert "typed-secret-999" not in str(list(staff_failures.values_list("data", flat=True)))

    client.post("/console/login/", {"username": "op", "password": PASSWORD})
    client.post("/console/otp/", {"token": "000000"})
    assert AuditEvent.objects.filter(action="staff.second_factor_failed", actor_user=user).count() == 1
    assert client.post("/console/otp/", {"token": code_for(TOTPDevice.objects.get(user=user))}).status_code == 302


@pytest.mark.django_db
def test_the_console_audit_log_filters_the_security_events(client):
    admin = make_staff("boss", CITY_ADMIN)
    log_in_staff(client, admin)
    services.login_failed(actor=services.Actor.unknown_resident(client_address="192.0.2.9"),
                          subject_hash="abc", reason="wrong_password", locked="ticket")
    services.audit_record(actor=services.Actor.system(), action="slot.generate")
    html = client.get("/console/audit/", {"action": "security"}).content.decode()
    assert "192.0.2.9" in html or "login" in html.lower()
    events = client.get("/console/audit/", {"action": "security"}).context["events"]
    assert {e.action for e in events} == {"resident.login_failed", "resident.login_locked"}


# --- 7. Cookies in production; staff idle expiry ----------------------------------------------------------


@pytest.mark.slow
def test_every_cookie_is_secure_and_samesite_in_production():
    code = ("from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
            "s.LANGUAGE_COOKIE_SECURE, s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE, s.LANGUAGE_COOKIE_SAMESITE)")
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    env.update(DEBUG="0", SECRET_KEY="y" * 50, DJANGO_SETTINGS_MODULE="yoyaku.settings",
               ALLOWED_HOSTS="yoyaku.example.jp")
    result = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["True", "True", "True", "Lax", "Lax", "Lax"], result.stderr


@pytest.mark.django_db
def test_gate_and_text_size_cookies_are_secure_when_debug_is_off(settings, gate_on):
    settings.DEBUG = False
    response = Client().get("/login/")
    assert response.cookies[gate.COOKIE]["secure"] and response.cookies[gate.COOKIE]["samesite"] == "Lax"
    size = Client().post("/text-size/", {"size": "l"})
    assert size.cookies["text_size"]["secure"] if "text_size" in size.cookies else True


@pytest.mark.slow
@pytest.mark.django_db
def test_staff_sessions_last_while_staff_work_and_end_when_they_stop(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    settings.SESSION_COOKIE_AGE = 2
    staff = Client()
    log_in_staff(staff, make_staff("worker", CALL_CENTRE))
    for _ in range(4):  # 4 s of work, a page every second: longer than the idle time
        assert staff.get("/console/").status_code == 200
        time.sleep(1)
    assert staff.get("/console/").status_code == 200
    time.sleep(2.5)  # stops working
    assert staff.get("/console/")["Location"].startswith("/console/login/")
