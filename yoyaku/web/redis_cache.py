"""Django's RedisCache (the shared cache with REDIS_URL, settings.py), with one redis-py client per connection
pool instead of one per operation.

Django's RedisCacheClient.get_client builds a new redis.Redis for every cache operation, and its constructor
fills a table of about 170 response callbacks: about 90 µs of CPU on the 2-core box, twice the 40 µs of a GET
itself. Every session read and write, every throttle step and the gate's line paid it. A redis.Redis is a thin,
thread-safe wrapper around its connection pool (connections are taken from the pool per command), so one per
pool is enough (issue 11).
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClients(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:  # two threads may both make one: either serves
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClients
