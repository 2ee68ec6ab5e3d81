"""Faults answered, never a bare 500 (web/faults.py), in this process: the database made to fail at the cursor
(every query, or one table's INSERT), the session store failing after a booking committed, Redis errors
raised where the gate, the throttle and the session meet the cache. Real faults (a database that is not
there, killed connections, a read-only or locked SQLite file, Redis stopped) are in
tests/test_production_faults.py.

Transactional tests: a fault inside the test's own transaction would poison it for the checks after.
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from datetime import date
from importlib import import_module
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import OperationalError, ProgrammingError
from django.db.backends.utils import CursorWrapper
from django.test import Client
from redis.exceptions import ConnectionError as RedisConnectionError

from tests import factories as f
from yoyaku import gate
from yoyaku.booking.models import Reservation
from yoyaku.web import throttle

pytestmark = pytest.mark.django_db(transaction=True)

TICKET = "1234567890"
DETAILS = {"booker": "self", "recipient_phone": "0195-23-3111", "email": "", "wants_move_up": "no"}
TITLES = {
    "ja": "ただいまサービスをご利用いただけません",
    "en": "Sorry, the service cannot answer right now",
    "zh-hans": "抱歉，服务暂时无法使用",
    "ko": "지금은 서비스를 이용하실 수 없습니다",
}
HISTORY = {"ja": "予約履歴をご確認ください", "en": "check your reservation history"}


@contextmanager
def database_fails(message: str = "database is locked", *, when=lambda sql: True, error=OperationalError):
    """Every query (or those `when` picks) fails at the cursor, as a real fault would."""
    execute, executemany = CursorWrapper._execute, CursorWrapper._executemany

    def failing_execute(self, sql, params, *args):
        if when(sql):
            raise error(message)
        return execute(self, sql, params, *args)

    def failing_executemany(self, sql, param_list, *args):
        if when(sql):
            raise error(message)
        return executemany(self, sql, param_list, *args)

    with mock.patch.object(CursorWrapper, "_execute", failing_execute), \
            mock.patch.object(CursorWrapper, "_executemany", failing_executemany):
        yield


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def city():
    f.open_window()
    vaccine = f.vaccine(code="PFZ", name="Pfizer")
    venue = f.venue(vaccines=[vaccine], name="North Clinic")
    slot = f.slot(venue=venue, vaccine=vaccine, starts_at=f.at(10), capacity=3)
    f.resident(ticket_number=TICKET, birth_date=date(1945, 1, 1))
    return {"slot": slot}


def browser(language: str = "ja") -> Client:
    client = Client(raise_request_exception=False)  # what a resident gets, not the test's traceback
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def logged_in(language: str = "ja") -> Client:
    client = browser(language)
    response = client.post("/login/", {"ticket_number": TICKET, "password": "19450101"})
    assert response.status_code == 302, response.content.decode()[:1000]
    return client


def at_check_page(client: Client, slot) -> str:
    assert client.post("/book/1/", {"slot": slot.pk, **DETAILS}).status_code == 302
    check = client.get("/book/1/check/")
    return re.search(r'name="request_key" value="([^"]+)"', check.content.decode()).group(1)


def assert_fault_page(response, language: str = "ja", *, after_write: bool = False):
    html = response.content.decode()
    assert response.status_code == 503, html[:1000]
    assert response["Retry-After"] == "30"  # web/faults.py, RETRY_AFTER
    assert response["Cache-Control"] == "no-store"
    assert TITLES[language] in html and f'lang="{language}"' in html
    assert ("/reservations/" in html) is after_write
    if after_write and language in HISTORY:
        assert HISTORY[language] in html
    return html


@pytest.mark.parametrize("language", ["ja", "en", "zh-hans", "ko"])
def test_a_database_fault_in_a_page_is_a_503_in_the_pages_language(city, language):
    client = logged_in(language)
    with database_fails():
        response = client.get("/")
    html = assert_fault_page(response, language)
    assert "0120-000-000" in html  # the call centre, in case it goes on


def test_the_language_comes_from_accept_language_without_a_cookie(city):
    with database_fails():
        response = Client(raise_request_exception=False).post(
            "/login/", {"ticket_number": TICKET, "password": "19450101"}, HTTP_ACCEPT_LANGUAGE="ko")
    assert_fault_page(response, "ko")


def test_a_fault_before_the_commit_of_register_says_check_the_history_and_nothing_is_booked(city):
    client = logged_in()
    key = at_check_page(client, city["slot"])
    with database_fails(when=lambda sql: sql.lstrip().upper().startswith('INSERT INTO "BOOKING_RESERVATION"')):
        response = client.post("/book/1/check/", {"request_key": key})
    assert_fault_page(response, after_write=True)
    assert Reservation.objects.count() == 0
    again = client.post("/book/1/check/", {"request_key": key})  # trying again, as the page says, works
    assert again.status_code == 302 and "/done/" in again["Location"]
    assert Reservation.objects.count() == 1


def test_a_fault_after_the_commit_of_register_the_booking_is_in_the_history_and_its_done_page_works(city):
    client = logged_in()
    key = at_check_page(client, city["slot"])
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with mock.patch.object(store, "save", side_effect=OperationalError("database is locked")):
        response = client.post("/book/1/check/", {"request_key": key})  # committed, then the session save fails
    assert_fault_page(response, after_write=True)
    [reservation] = Reservation.objects.all()
    history = client.get("/reservations/")
    assert history.status_code == 200 and reservation.code in history.content.decode()
    done = client.get(f"/reservations/{reservation.code}/done/")
    assert done.status_code == 200 and "予約を受け付けました" in done.content.decode()
    again = client.post("/book/1/check/", {"request_key": key})  # pressed again anyway: the same booking
    assert again["Location"].endswith(f"/reservations/{reservation.code}/done/")
    assert Reservation.objects.count() == 1


@pytest.mark.parametrize("message", ["terminating connection due to administrator command",
                                     "attempt to write a readonly database", "connection refused"])
def test_login_during_a_database_fault_is_a_503(city, message):
    with database_fails(message):
        response = browser().post("/login/", {"ticket_number": TICKET, "password": "19450101"})
    assert_fault_page(response)


def test_a_bug_is_still_a_500_not_a_503(city):
    client = logged_in()
    with database_fails("syntax error", error=ProgrammingError):
        response = client.get("/")
    assert response.status_code == 500 and "Retry-After" not in response


def test_the_fault_log_line_has_the_masked_path_and_no_personal_data(city, caplog):
    client = logged_in()
    key = at_check_page(client, city["slot"])
    client.post("/book/1/check/", {"request_key": key})
    code = Reservation.objects.get().code
    with caplog.at_level(logging.WARNING, logger="yoyaku.faults"), database_fails():
        client.get(f"/reservations/{code}/")
    [line] = [r.getMessage() for r in caplog.records if r.name == "yoyaku.faults"]
    assert line == "503 database fault on GET /reservations/*/: OperationalError: database is locked"
    assert code not in caplog.text and TICKET not in caplog.text


# --- Redis down: the gate and the throttle refuse (fail safe), the session store too -----------------------


def test_with_the_cache_down_a_login_is_refused_not_let_through_unthrottled(city, caplog):
    with mock.patch.object(throttle.cache, "get", side_effect=RedisConnectionError("Connection refused")), \
            caplog.at_level(logging.WARNING, logger="yoyaku.faults"):
        client = browser("en")
        response = client.post("/login/", {"ticket_number": TICKET, "password": "19450101"})
    assert_fault_page(response, "en")
    assert client.get("/").status_code == 302  # not logged in
    assert "503 cache fault on POST /login/" in caplog.text and TICKET not in caplog.text


def test_with_the_cache_down_the_gate_answers_503_and_a_pass_still_goes_in(city, settings):
    settings.YOYAKU = {**settings.YOYAKU, "GATE_RATE": 1.0, "GATE_BURST": 1.0}
    holder = browser()
    assert holder.get("/login/").status_code == 200 and gate.COOKIE in holder.cookies  # a pass, before Redis fell
    with mock.patch.object(gate, "_step", side_effect=RedisConnectionError("Connection refused")):
        newcomer = browser("en").get("/login/")
        assert_fault_page(newcomer, "en")
        assert holder.get("/login/").status_code == 200  # signed pass: no Redis needed


def test_with_the_session_store_down_a_page_is_a_503(city):
    client = logged_in()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    with mock.patch.object(store, "load", side_effect=RedisConnectionError("Connection refused")):
        response = client.get("/")
    assert_fault_page(response)


def test_redis_sessions_unreadable_are_a_503_not_a_silent_logout(city, settings):
    settings.SESSION_ENGINE = "yoyaku.web.sessions"  # the engine with REDIS_URL, whatever cache this run has
    client = logged_in()
    session_cache = caches[settings.SESSION_CACHE_ALIAS]
    with mock.patch.object(session_cache, "get", side_effect=RedisConnectionError("Connection refused")):
        response = client.get("/")
    assert_fault_page(response)
    assert client.cookies[settings.SESSION_COOKIE_NAME].value  # kept: the resident carries on afterwards
    assert client.get("/").status_code == 200


def test_a_database_session_that_cannot_be_saved_is_a_503_not_a_400(city, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"  # the servers' engine without Redis
    client = logged_in()
    # Django turns the refused UPDATE into SessionInterrupted, a "400 Bad Request": the resident did nothing wrong.
    with database_fails(when=lambda sql: sql.lstrip().upper().startswith('UPDATE "DJANGO_SESSION"')):
        response = client.post("/book/1/", {"slot": city["slot"].pk, **DETAILS})
    assert_fault_page(response)
