"""The admission gate: first come first in, at the configured rate, a cheap waiting page for the rest."""

import pytest
from django.core.cache import cache

from yoyaku import gate

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    # Starts at the real time: the database cache (the line without Redis) sets expiry times from time.time().
    now = {"t": float(int(gate.time.time()))}
    monkeypatch.setattr(gate.time, "time", lambda: now["t"])
    return now


@pytest.fixture
def gate_on(settings, clock):
    settings.YOYAKU = {**settings.YOYAKU, "GATE_RATE": 1.0, "GATE_BURST": 1.0}
    cache.clear()
    gate._local.__init__()
    gate._script = None
    gate._seen.update(at=0.0, released=0.0)
    gate._checked.clear()
    gate._frames.clear()
    gate._bound_seen.clear()
    yield
    cache.clear()
    gate._local.__init__()
    gate._seen.update(at=0.0, released=0.0)


def test_gate_off_by_default(client):
    response = client.get("/login/")
    assert response.status_code == 200 and gate.COOKIE not in response.cookies


def test_first_arrivals_in_the_burst_go_in_the_next_wait(client, gate_on):
    from django.test import Client

    first = client.get("/login/")
    assert first.status_code == 200 and "ログイン" in first.content.decode()
    second = Client().get("/login/")
    assert second["X-Yoyaku-Waiting-Room"] == "1" and second.status_code == 200
    html = second.content.decode()
    assert "順番" in html or "line" in html
    assert '<noscript><meta http-equiv="refresh"' in html  # reloads itself without JavaScript
    assert "<style" not in html and "style=" not in html  # the CSP allows no inline style


def test_waiting_residents_go_in_first_come_first_in(gate_on, clock):
    from django.test import Client

    Client().get("/login/")  # takes the burst
    early, late = Client(), Client()
    assert early.get("/login/")["X-Yoyaku-Waiting-Room"] == "1"
    assert late.get("/login/")["X-Yoyaku-Waiting-Room"] == "1"
    clock["t"] += 1.0  # one more let in
    assert late.get("/login/").get("X-Yoyaku-Waiting-Room") == "1"
    assert early.get("/login/").get("X-Yoyaku-Waiting-Room") is None
    clock["t"] += 1.0
    assert late.get("/login/").get("X-Yoyaku-Waiting-Room") is None


def test_a_pass_lets_the_resident_through_without_a_new_number(client, gate_on):
    client.get("/login/")
    for _ in range(5):
        assert client.get("/login/").get("X-Yoyaku-Waiting-Room") is None


def test_a_forged_pass_is_a_new_arrival(gate_on):
    from django.test import Client

    Client().get("/login/")
    forger = Client()
    forger.cookies[gate.COOKIE] = "in:1:forged"
    assert forger.get("/login/")["X-Yoyaku-Waiting-Room"] == "1"


def test_staff_console_and_static_are_not_gated(gate_on):
    from django.test import Client

    Client().get("/login/")
    response = Client().get("/console/login/")
    assert response.get("X-Yoyaku-Waiting-Room") is None


def test_a_quiet_hour_does_not_let_a_crowd_in_at_once(gate_on, clock):
    from django.test import Client

    Client().get("/login/")
    clock["t"] += 3600  # nobody came for an hour
    admitted = sum(Client().get("/login/").get("X-Yoyaku-Waiting-Room") is None for _ in range(10))
    assert admitted <= 2  # the burst, not 3,600 places


def test_waiting_page_speaks_the_residents_language(gate_on):
    from django.test import Client

    Client().get("/login/")
    english = Client()
    english.cookies["django_language"] = "en"
    assert "People ahead of you" in english.get("/login/").content.decode()


def test_a_number_far_back_in_line_is_answered_without_the_shared_line(gate_on, clock, monkeypatch):
    from django.test import Client

    Client().get("/login/")
    waiting = [Client() for _ in range(5)]
    for client in waiting:
        client.get("/login/")
    calls = []
    real_step = gate._step
    monkeypatch.setattr(gate, "_step", lambda **kw: calls.append(kw) or real_step(**kw))
    assert waiting[-1].get("/login/")["X-Yoyaku-Waiting-Room"] == "1"
    assert calls == []  # surely still waiting: no round trip
    clock["t"] += 10  # enough time for everyone: the line is asked again, and lets them in
    assert waiting[-1].get("/login/").get("X-Yoyaku-Waiting-Room") is None
    assert len(calls) == 1


def test_a_number_survives_longer_than_a_pass(gate_on, clock, settings):
    import re

    from django.test import Client

    settings.YOYAKU = {**settings.YOYAKU, "GATE_RATE": 0.001, "GATE_ADMIT_SECONDS": 60}
    Client().get("/login/")  # the burst
    patient, late = Client(), Client()
    for client in (patient, late):
        client.cookies["django_language"] = "en"
        client.get("/login/")
    clock["t"] += 120  # longer than a pass lasts: the number in the line must still count
    html = patient.get("/login/").content.decode()
    assert re.search(r"People ahead of you: <strong>0</strong>", html), html


def test_the_front_of_the_line_asks_again_after_a_second_and_the_back_less_often(gate_on, settings):
    # Issue 11: at the front the waiting page asked again only after 2 s, so at opening the first places went
    # 2 s later than the gate's rate allowed.
    from django.test import Client

    Client().get("/login/")  # takes the burst
    front = Client().get("/login/")
    assert front["Retry-After"] == "1"
    settings.YOYAKU = {**settings.YOYAKU, "GATE_RATE": 0.1}
    for _ in range(10):  # within one address's share of numbers
        back = Client().get("/login/")
    assert back["Retry-After"] == "30"  # 11 ahead at one in 10 s: half the wait, at most 30 s


def test_once_every_place_is_taken_the_waiting_page_says_so_and_the_resident_keeps_their_place(gate_on, clock):
    from django.test import Client

    from tests import factories

    place = factories.slot(starts_at=factories.at(days=10), capacity=1)
    Client().get("/login/")  # takes the burst
    waiting = Client()
    page = waiting.get("/login/")
    assert page["X-Yoyaku-Waiting-Room"] == "1" and 'id="sold-out"' not in page.content.decode()
    type(place).objects.filter(pk=place.pk).update(booked=1)  # the last place goes
    page = waiting.get("/login/")
    html = page.content.decode()
    assert page["X-Yoyaku-Waiting-Room"] == "1" and 'id="sold-out"' in html
    assert "予約できる枠はすべて埋まっています" in html and "People ahead" not in html
    clock["t"] += 2.0  # their turn still comes: a cancellation may free a place, and the waiting list is open
    assert waiting.get("/login/").get("X-Yoyaku-Waiting-Room") is None


def test_a_city_with_nothing_published_yet_is_not_sold_out_in_line(gate_on):
    from django.test import Client

    Client().get("/login/")
    assert 'id="sold-out"' not in Client().get("/login/").content.decode()


def test_the_gates_pages_carry_their_length(gate_on):
    """The gate answers before CommonMiddleware: without a Content-Length gunicorn sent its pages chunked."""
    from django.test import Client

    Client().get("/login/")
    page = Client().get("/login/")
    assert page["X-Yoyaku-Waiting-Room"] == "1" and int(page["Content-Length"]) == len(page.content)


def test_near_the_front_the_page_script_is_told_the_milliseconds_until_the_turn(gate_on, clock, settings):
    # Issue 11: Retry-After and the meta refresh count whole seconds, so a resident whose turn came just after a
    # poll waited up to a second more; the script (static/js/gate.js) asks again just after the turn is due.
    from django.test import Client

    settings.YOYAKU = {**settings.YOYAKU, "GATE_RATE": 4.0, "GATE_BURST": 1.0}
    Client().get("/login/")  # takes the burst
    front = Client().get("/login/")  # let in a quarter of a second from now
    assert front["Retry-After"] == "1" and 250 <= int(front["X-Yoyaku-Retry-Ms"]) < 1000
    assert f'data-retry-ms="{front["X-Yoyaku-Retry-Ms"]}"' in front.content.decode()
    for _ in range(15):
        back = Client().get("/login/")
    assert int(back["X-Yoyaku-Retry-Ms"]) == 1000 * int(back["Retry-After"])  # far back: as the page reloads


def test_the_database_down_the_waiting_page_still_answers_and_stops_asking_it(gate_on, monkeypatch):
    from django.db import OperationalError
    from django.test import Client

    from yoyaku.booking import availability

    calls = []

    def down(**kwargs):
        calls.append(1)
        raise OperationalError("connection refused")

    monkeypatch.setattr(availability, "all_places_taken", down)
    monkeypatch.setattr(gate, "_database_quiet_until", [0.0])
    Client().get("/login/")
    for _ in range(3):
        page = Client().get("/login/")
        assert page.status_code == 200 and page["X-Yoyaku-Waiting-Room"] == "1"
        assert 'id="sold-out"' not in page.content.decode()
    assert calls == [1]  # asked once, then left alone for DATABASE_QUIET_SECONDS


def test_a_waiting_residents_cookie_is_checked_once_and_the_page_rendered_once_per_figures(gate_on, monkeypatch):
    # Issue 11: a resident polling the waiting page paid a key derivation and an HMAC for the same cookie and a
    # full template rendering on every poll (2.6× the floor); now both once per process.
    from django import template
    from django.core import signing
    from django.test import Client

    checks, renders = [], []
    real_unsign, real_render = signing.TimestampSigner.unsign_object, template.base.Template.render
    monkeypatch.setattr(signing.TimestampSigner, "unsign_object",
                        lambda self, *a, **kw: checks.append(1) or real_unsign(self, *a, **kw))
    monkeypatch.setattr(template.base.Template, "render",
                        lambda self, *a, **kw: renders.append(self.origin.template_name) or real_render(self, *a, **kw))
    Client().get("/login/")  # takes the burst
    first, second = Client(), Client()
    first.get("/login/")
    checks.clear(), renders.clear()
    for _ in range(3):
        assert first.get("/login/")["X-Yoyaku-Waiting-Room"] == "1"
    assert second.get("/login/")["X-Yoyaku-Waiting-Room"] == "1"  # one more ahead: only the figures differ
    assert len(checks) == 1  # the first's cookie, once; the second arrived without one
    assert renders == []


def test_the_waiting_page_is_the_template_with_the_residents_own_figures(gate_on, settings):
    from django.template.loader import render_to_string
    from django.utils import translation

    context = {"retry": 30, "minutes": 52, "pre_line": False, "opening": "", "rate_per_minute": 240,
               "admit_minutes": 30, "sold_out": False}
    cases = [("ja", False, 12345, 30000), ("ko", True, 0, 250), ("en", False, 7, 1250)]
    for language, sold_out, ahead, retry_ms in cases:
        for _ in range(2):  # rendered, then from the memo
            page = gate._waiting_frame(language, **{**context, "sold_out": sold_out})
            page = page.replace(gate._AHEAD, str(ahead)).replace(gate._RETRY_MS, str(retry_ms))
            with translation.override(language):
                direct = render_to_string("gate/waiting.html", {
                    **context, "sold_out": sold_out, "language": language, "ahead": ahead, "retry_ms": retry_ms})
            assert page == direct


def test_a_pass_checked_while_fresh_is_refused_once_too_old(gate_on, clock, settings):
    from django.test import Client

    settings.YOYAKU = {**settings.YOYAKU, "GATE_RATE": 0.001, "GATE_ADMIT_SECONDS": 60}
    resident = Client()
    assert resident.get("/login/").get("X-Yoyaku-Waiting-Room") is None  # in, with a pass
    assert resident.get("/login/").get("X-Yoyaku-Waiting-Room") is None  # its signature now known
    Client().get("/login/")  # someone else waits for the next place
    clock["t"] += 61  # (the clock fixture's time.time is also the one signing reads)
    assert resident.get("/login/")["X-Yoyaku-Waiting-Room"] == "1"  # the pass has run out: back in line


@pytest.mark.skipif(not gate.settings.REDIS_URL, reason="the line in Redis: the PostgreSQL + Redis run")
def test_with_redis_a_new_arrival_costs_one_round_trip_and_its_count_expires(gate_on, monkeypatch):
    # Issue 11's overload: each arrival counted its draw (SET NX, EXISTS, INCRBY) and then drew (the script):
    # four round trips. Now the line's script counts the draw too.
    import redis
    from django.test import Client

    from yoyaku.web import shared

    Client().get("/login/")  # the burst; the script is loaded into Redis
    sent = []
    real = redis.client.Redis.execute_command
    monkeypatch.setattr(redis.client.Redis, "execute_command",
                        lambda self, *args, **kw: sent.append(args[0]) or real(self, *args, **kw))
    page = Client(REMOTE_ADDR="198.51.100.7").get("/login/")
    assert page["X-Yoyaku-Waiting-Room"] == "1"
    assert sent == ["EVALSHA"]
    monkeypatch.setattr(redis.client.Redis, "execute_command", real)
    key, window = gate._draws_key(page.wsgi_request, gate._config(), gate.time.time())
    assert 0 < shared.redis_client().ttl(gate.cache.make_key(key)) <= window


def test_a_residents_pass_is_looked_up_once_per_process_after_login_and_a_copy_still_waits(gate_on, monkeypatch):
    # Issue 11's journey: each page of an admitted resident asked the shared cache whom the pass is bound to.
    from datetime import date

    from django.test import Client

    from tests import factories

    factories.resident(ticket_number="1234567890", birth_date=date(1945, 1, 1))
    owner = Client()
    assert owner.get("/login/").get("X-Yoyaku-Waiting-Room") is None  # let in
    assert owner.post("/login/", {"ticket_number": "1234567890", "password": "19450101"}).status_code == 302
    asked = []
    real_get = gate.cache.get
    monkeypatch.setattr(gate.cache, "get", lambda key, *a, **kw: (asked.append(key) if key.startswith("gate:pass:")
                                                                   else None) or real_get(key, *a, **kw))
    for _ in range(3):
        assert owner.get("/").get("X-Yoyaku-Waiting-Room") is None
    assert len(asked) == 1
    copy = Client()
    copy.cookies[gate.COOKIE] = owner.cookies[gate.COOKIE].value
    assert copy.get("/login/")["X-Yoyaku-Waiting-Room"] == "1"  # another browser: asked, and sent to the line
    assert len(asked) == 2
