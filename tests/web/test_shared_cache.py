"""The database cache (no Redis) as the throttle and the gate use it: each read-modify-write is one locked
step, so concurrent requests (here threads, each with its own database connection) never lose a count or
draw the same number. On SQLite the IMMEDIATE transaction's write lock, on PostgreSQL an advisory lock."""


import pytest
from django.core.cache import cache, caches
from django.test import override_settings

from tests.concurrent import at_once
from yoyaku import gate
from yoyaku.web import shared, throttle

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

DATABASE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "yoyaku_cache",
                              "KEY_PREFIX": "shared-test"}}


@pytest.fixture
def database_cache(settings):
    with override_settings(CACHES=DATABASE_CACHE):
        assert shared.database_cache() is not None and shared.redis_client() is None
        cache.clear()
        yield caches["default"]
        cache.clear()


def test_twenty_arrivals_at_once_draw_twenty_different_numbers(database_cache, settings):
    settings.YOYAKU = {**settings.YOYAKU, "GATE_RATE": 0.001, "GATE_BURST": 1}
    numbers = at_once(20, lambda: gate.line_step(ticket=0, now=1_800_000_000.0)[0])
    assert sorted(numbers) == list(range(1, 21))
    assert database_cache.get(gate.LINE_KEY)["next"] == 20


def test_concurrent_failures_are_all_counted(database_cache):
    at_once(4, lambda: throttle.failed(ticket="1234567890", address="192.0.2.1"))
    assert database_cache.get(f"{throttle._ticket_key('1234567890')}:n") == 4
    assert throttle.check(ticket="1234567890", address="192.0.2.1").allowed
    throttle.failed(ticket="1234567890", address="192.0.2.1")  # the fifth
    verdict = throttle.check(ticket="1234567890", address="192.0.2.1")
    assert not verdict.allowed and verdict.scope == "ticket"
