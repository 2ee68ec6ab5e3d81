"""Login (ログイン): normalised input, an error that never says which field was wrong, throttling, sessions."""

import re
import time
from datetime import date

import pytest

from tests import factories as f
from yoyaku.booking.models import AuditEvent
from yoyaku.portal import session as resident_session
from yoyaku.web import throttle

pytestmark = pytest.mark.django_db

WRONG = "接種券番号またはパスワード（生年月日）が正しくありません"


def login(client, ticket, password, **extra):
    return client.post("/login/", {"ticket_number": ticket, "password": password}, **extra)


def body(response) -> str:
    # The page without its per-request CSRF token and the echoed ticket number, to compare two answers.
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'(name="ticket_number") value="[^"]*"', r"\1", html)


def test_login_page_uses_the_guides_labels(client):
    html = client.get("/login/").content.decode()
    for label in ["接種券番号", "パスワード", "ログイン", "ログインできない場合はご確認ください"]:
        assert label in html
    assert "required" not in re.findall(r"<input[^>]*>", html)[1]  # server-side validation only


@pytest.mark.parametrize("ticket,password", [
    ("1234567890", "19450101"),
    ("１２３４５６７８９０", "１９４５０１０１"),
    ("12-3456-7890", "1945/1/1"),
    ("1234 5678 90", "昭和20年1月1日"),
    ("1234567890", "S20.1.1"),
])
def test_login_accepts_full_width_hyphens_and_eras(client, resident, ticket, password):
    response = login(client, ticket, password)
    assert response.status_code == 302 and response["Location"] == "/"
    assert AuditEvent.objects.filter(action="resident.login", resident=resident).count() == 1


def test_format_errors_say_precisely_what_to_fix(client, resident):
    html = login(client, "12345", "1945131").content.decode()
    assert "入力された数字は5桁です" in html
    assert "8桁で入力してください" in html
    assert 'href="#id_ticket_number"' in html  # the error summary links to the field
    assert "<title>エラー：" in html


def test_wrong_birth_date_and_unknown_ticket_get_the_same_answer(client, resident):
    wrong_birth = login(client, "1234567890", "19450102")
    unknown = login(client, "9999999999", "19450102")
    assert WRONG in wrong_birth.content.decode()
    assert body(wrong_birth) == body(unknown)


def test_inactive_ticket_behaves_like_a_wrong_birth_date(client):
    f.resident(ticket_number="5555555555", birth_date=date(1950, 5, 5), active=False)
    inactive = login(client, "5555555555", "19500505")
    unknown = login(client, "5555555556", "19500505")
    assert inactive.status_code == 200
    assert body(inactive) == body(unknown)


def test_five_failures_lock_the_ticket_even_for_the_right_password(client, resident):
    for _ in range(throttle.TICKET_LIMIT):
        assert WRONG in login(client, "1234567890", "19000101").content.decode()
    locked = login(client, "1234567890", "19450101").content.decode()
    assert "一時停止" in locked and "0120-000-000" in locked  # the call centre's number
    assert WRONG not in locked
    assert "_auth" not in client.session and resident_session.RESIDENT_KEY not in client.session


def test_lock_on_an_unknown_ticket_looks_the_same(client, resident):
    for ticket in ("1234567890", "9999999999"):
        for _ in range(throttle.TICKET_LIMIT):
            login(client, ticket, "19000101")
    assert body(login(client, "1234567890", "19000101")) == body(login(client, "9999999999", "19000101"))


def test_one_address_trying_many_tickets_is_slowed_then_locked(client, settings):
    settings.YOYAKU = {**settings.YOYAKU, "LOGIN_THROTTLE": {"ADDRESS_SLOW": 3, "ADDRESS_LIMIT": 6}}
    for i in range(3):
        login(client, f"{i:010d}", "19000101")
    slowed = login(client, "0000000099", "19000101").content.decode()
    assert "お使いの接続" in slowed
    verdict = throttle.check(ticket="0000000098", address="127.0.0.1")
    assert not verdict.allowed and verdict.scope == "address"


def test_address_lock_after_the_limit(settings):
    settings.YOYAKU = {**settings.YOYAKU, "LOGIN_THROTTLE": {"ADDRESS_SLOW": 1000, "ADDRESS_LIMIT": 4}}
    for i in range(4):
        throttle.failed(ticket=f"{i:010d}", address="192.0.2.7")
    verdict = throttle.check(ticket="0000000099", address="192.0.2.7")
    assert (verdict.allowed, verdict.scope) == (False, "address")
    assert verdict.retry_after > 14 * 60
    assert throttle.check(ticket="0000000099", address="192.0.2.8").allowed


def test_cache_keys_hold_no_ticket_number():
    key = throttle._ticket_key("1234567890")
    assert "1234567890" not in key
    assert key == throttle._ticket_key("1234567890") != throttle._ticket_key("1234567891")


def test_login_rotates_the_session_key(client, resident):
    client.get("/login/")
    client.session.save()
    before = client.session.session_key
    login(client, "1234567890", "19450101")
    assert client.session.session_key != before
    assert client.session[resident_session.RESIDENT_KEY] == resident.pk


def test_idle_session_expires(logged_in, settings):
    session = logged_in.session
    session[resident_session.SEEN_KEY] = int(time.time()) - settings.SESSION_COOKIE_AGE - 5
    session.save()
    response = logged_in.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_logout_ends_the_session(logged_in):
    logged_in.post("/logout/")
    assert logged_in.get("/").status_code == 302


def test_logout_needs_post(logged_in):
    assert logged_in.get("/logout/").status_code == 405


def test_login_redirects_to_a_safe_next_only(client, resident):
    assert login(client, "1234567890", "19450101", QUERY_STRING="next=/reservations/")["Location"] == "/reservations/"
    client.post("/logout/")
    response = client.post("/login/?next=https://evil.example/", {"ticket_number": "1234567890",
                                                                 "password": "19450101"})
    assert response["Location"] == "/"


def test_pages_need_login(client, db):
    for url in ["/", "/book/1/", "/reservations/", "/reservations/ABCDEFGH/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


@pytest.fixture
def redis_round_trips(monkeypatch):
    """Counts the round trips to Redis (a pipeline's or a script's commands go out together: one each)."""
    from django.conf import settings
    from redis.connection import AbstractConnection

    if not settings.REDIS_URL:
        pytest.skip("Redis' round trips: the run with REDIS_URL")
    sent = []
    original = AbstractConnection.send_packed_command

    def counted(self, command, *args, **kwargs):
        packed = b"".join(command) if isinstance(command, list | tuple) else command
        sent.append(re.search(rb"\r\n\$\d+\r\n([A-Z]+)\r\n", packed).group(1).decode())  # the command's name
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    return sent


def test_a_login_costs_the_throttle_two_redis_round_trips(client, resident, redis_round_trips):
    """Issue 11: a successful login's throttle was 13 round trips (GET, GET, SET NX + EXISTS + INCRBY twice, GET,
    GET; DEL, EXISTS + INCRBY); now one Lua script counts the attempt, one forgives it."""
    throttle.succeeded(ticket="0000000000", address="192.0.2.7")  # the scripts loaded into Redis once
    assert throttle.attempt(ticket="0000000000", address="192.0.2.7").allowed
    redis_round_trips.clear()
    assert throttle.attempt(ticket="1234567890", address="192.0.2.8").allowed
    assert len(redis_round_trips) == 1
    throttle.succeeded(ticket="1234567890", address="192.0.2.8")
    assert len(redis_round_trips) == 2
    assert throttle.check(ticket="1234567890", address="192.0.2.8").allowed
    from django.core.cache import cache
    assert cache.get(f"{throttle._ticket_key('1234567890')}:n") is None  # forgiven
    assert cache.get(f"{throttle._address_key('192.0.2.8')}:n") == 0  # its number given back


def test_a_whole_login_costs_five_redis_round_trips(client, resident, redis_round_trips):
    """The login POST (was 17): the throttle's two scripts, and the new session's three: its key reserved with SET
    NX, then, with the resident in it, looked up (it must still exist) and written. Django's cache sessions also
    asked whether a new random key existed (web/sessions.py)."""
    assert login(client, "1234567890", "19450101").status_code == 302
    client.post("/logout/")
    redis_round_trips.clear()
    assert login(client, "1234567890", "19450101").status_code == 302
    assert redis_round_trips == ["EVALSHA", "EVALSHA", "SET", "GET", "SET"]
    assert client.get("/").status_code == 200  # logged in


def test_a_new_session_key_already_taken_is_never_shared(monkeypatch):
    """web/sessions.py no longer asks whether a new key is taken: `create`'s SET NX refuses a taken key and draws
    another, so two residents never share a session."""
    from yoyaku.web import sessions

    taken = sessions.SessionStore()
    taken["resident_id"] = 1
    taken.create()
    taken.save()
    keys = iter([taken.session_key, "n" * 32])
    monkeypatch.setattr(sessions, "get_random_string", lambda length, chars: next(keys))
    fresh = sessions.SessionStore()
    fresh["resident_id"] = 2
    fresh.cycle_key()
    fresh.save()
    assert fresh.session_key == "n" * 32
    assert sessions.SessionStore(taken.session_key).load() == {"resident_id": 1}
    assert sessions.SessionStore("n" * 32).load() == {"resident_id": 2}
