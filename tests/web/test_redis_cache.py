"""The shared cache on Redis (web/redis_cache.py): Django's RedisCache, but one redis-py client per connection pool
instead of a new one (about 90 µs of CPU) for every operation; with everything else Django's."""

import pytest
from django.conf import settings
from django.core.cache import cache, caches

from tests import factories as f

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(not settings.REDIS_URL, reason="Redis: the run with REDIS_URL")]


@pytest.fixture
def clients_made(monkeypatch):
    import redis

    made = []
    original = redis.Redis.__init__

    def counted(self, *args, **kwargs):
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counted)
    return made


def test_a_login_and_a_page_make_no_new_redis_client(client, clients_made):
    resident = f.resident()
    cache.get("warm-up")  # the first operation of the process makes the pool's one client
    clients_made.clear()
    response = client.post("/login/", {"ticket_number": resident.ticket_number,
                                       "password": resident.birth_date.strftime("%Y%m%d")})
    assert response.status_code == 302 and client.get("/").status_code == 200
    assert clients_made == []


def test_the_cache_still_works_as_djangos(clients_made):
    backend = caches["default"]
    assert backend._cache.get_client() is backend._cache.get_client(write=True)
    cache.set("redis-cache-test", {"a": 1}, 30)
    assert cache.get("redis-cache-test") == {"a": 1}
    assert cache.add("redis-cache-test", 2, 30) is False
    cache.delete("redis-cache-n")
    assert cache.add("redis-cache-n", 0, 30) and cache.incr("redis-cache-n") == 1 == cache.get("redis-cache-n")
    cache.delete_many(["redis-cache-test", "redis-cache-n"])
    assert cache.get("redis-cache-test") is None
