"""/healthz (web/health.py) and the logs without personal data (web/logs.py), in this process. With real
servers (plain HTTP, another Host, JSON lines from gunicorn): tests/test_production_health.py."""

from __future__ import annotations

import json
import logging
import re
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from tests import factories as f
from tests.web.test_faults import DETAILS, database_fails
from yoyaku.notify.models import Notification
from yoyaku.web.logs import JsonFormatter, MaskPathsFilter, mask_path

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def booked_reservation(client: Client) -> str:
    f.open_window()
    vaccine = f.vaccine(code="PFZ", name="Pfizer")
    slot = f.slot(vaccine=vaccine, starts_at=f.at(10), capacity=3)
    f.resident(ticket_number="1234567890", birth_date=date(1945, 1, 1), email="taro@example.jp")
    assert client.post("/login/", {"ticket_number": "1234567890", "password": "19450101"}).status_code == 302
    assert client.post("/book/1/", {"slot": slot.pk, **DETAILS, "email": "taro@example.jp"}).status_code == 302
    key = re.search(r'name="request_key" value="([^"]+)"', client.get("/book/1/check/").content.decode()).group(1)
    done = client.post("/book/1/check/", {"request_key": key})
    return done["Location"].split("/")[2]


# --- /healthz -----------------------------------------------------------------------------------------------


def test_healthz_reports_the_database_the_cache_and_the_oldest_unsent_message():
    empty = Client().get("/healthz")
    assert empty.status_code == 200 and empty["Cache-Control"] == "no-store"
    assert empty.json() == {"status": "ok", "database": "ok", "cache": "ok", "oldest_unsent_seconds": None}
    booked_reservation(Client())
    Notification.objects.update(created_at=timezone.now() - timedelta(seconds=125))
    report = Client().get("/healthz").json()
    assert report["status"] == "ok" and 125 <= report["oldest_unsent_seconds"] < 135


def test_healthz_says_nothing_about_anyone():
    client = Client()
    code = booked_reservation(client)
    response = Client().get("/healthz")
    assert set(response.json()) == {"status", "database", "cache", "oldest_unsent_seconds"}
    body = response.content.decode()
    assert code not in body and "taro" not in body and "1234567890" not in body
    assert not response.cookies


def test_healthz_is_503_when_the_database_fails():
    with database_fails("could not connect to server"):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error: OperationalError", "cache": "ok",
                               "oldest_unsent_seconds": None}


def test_healthz_is_503_when_the_cache_fails():
    with mock.patch.object(cache, "set", side_effect=RedisConnectionError("Connection refused")):
        response = Client().get("/healthz")
    assert response.status_code == 503 and response.json()["cache"] == "error: ConnectionError"


def test_healthz_is_answered_over_plain_http_for_any_host_and_never_gated(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["yoyaku.city.example"]
    settings.YOYAKU = {**settings.YOYAKU, "GATE_RATE": 0.001, "GATE_BURST": 1}
    Client().get("/login/", HTTP_HOST="yoyaku.city.example", secure=True)  # takes the one place in the gate
    client = Client()  # a load balancer: plain HTTP, the app server's address as Host
    response = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert "X-Yoyaku-Waiting-Room" not in response
    page = Client().get("/login/", HTTP_HOST="yoyaku.city.example")
    assert page.status_code == 301 and page["Location"].startswith("https://")  # pages still go to HTTPS


# --- Logs -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path, masked", [
    ("/reservations/AB12CD34/done/", "/reservations/*/done/"),
    ("/reservations/AB12CD34/calendar.ics", "/reservations/*/calendar.ics"),
    ("/book/2/check/", "/book/2/check/"),
    ("/move-up/0123456789abcdef/", "/move-up/*/"),
    ("/reservations/?code=AB12CD34", "/reservations/"),
    ("/no-such/AB12CD34/x/", "/no-such/*/*/"),
    ("/static/css/site.css", "/static/css/site.css"),
    ("/healthz", "/healthz"),
])
def test_paths_are_logged_with_their_identifiers_masked(path, masked):
    assert mask_path(path) == masked


def test_a_json_line_per_request_with_method_masked_path_status_and_duration(settings, caplog):
    settings.MIDDLEWARE = ["yoyaku.web.logs.RequestLogMiddleware", *settings.MIDDLEWARE]
    client = Client()
    code = booked_reservation(client)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="yoyaku.request"):
        client.get(f"/reservations/{code}/done/?from=email&ticket=1234567890")
        client.get("/reservations/NOT-MINE/")
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "yoyaku.request"]
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("GET", "/reservations/*/done/", 200), ("GET", "/reservations/*/", 404)]
    assert all(isinstance(line["duration_ms"], float) and line["level"] == "INFO" for line in lines)
    text = caplog.text + json.dumps(lines)
    assert code not in text and "1234567890" not in text and "NOT-MINE" not in text and "from=email" not in text


def test_djangos_own_request_log_lines_get_masked_paths(caplog):
    client = Client()
    booked_reservation(client)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/reservations/SOMEONES/")
    [record] = [r for r in caplog.records if r.name == "django.request"]
    MaskPathsFilter().filter(record)
    assert record.getMessage() == "Not Found: /reservations/*/"
    assert "SOMEONES" not in JsonFormatter().format(record)
