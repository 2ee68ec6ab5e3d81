"""The shared cache as the throttle and the admission gate use it: which kind it is, and a read-modify-write
that is atomic across every process.

- Redis (REDIS_URL): atomic by its own operations (INCR, the gate's Lua script); nothing to lock.
- Django's database cache (no Redis): a read-modify-write runs in one database transaction that holds a lock:
  on SQLite the write lock taken at BEGIN (transaction_mode IMMEDIATE, settings.py), on PostgreSQL a
  transaction-level advisory lock. Every process on the machine queues on it.
- Anything else (a local-memory cache a developer configured by hand): a lock in this process only.

Django's database cache ignores a write the database refuses (a read-only or locked SQLite file): the
throttle and the gate read their write back and raise SharedCacheUnavailable when it is not there, which
web/faults.py answers with the 503 page, as for Redis down.
"""

from __future__ import annotations

import threading
import zlib
from contextlib import contextmanager

from django.core.cache import caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router, transaction

_process_lock = threading.RLock()


class SharedCacheUnavailable(Exception):
    """The shared cache did not keep a write (web/faults.py: a cache fault, the 503 page)."""


def redis_client():
    """The Redis client behind the default cache, or None when the cache is not Redis."""
    client = getattr(caches["default"], "_cache", None)
    get_client = getattr(client, "get_client", None)
    return get_client(write=True) if get_client else None


def database_cache() -> BaseDatabaseCache | None:
    cache = caches["default"]
    return cache if isinstance(cache, BaseDatabaseCache) else None


@contextmanager
def serialized(name: str):
    """Run the block's cache reads and writes as one step that no other process interleaves with."""
    if isinstance(caches["default"], RedisCache):
        yield  # Redis' own operations are atomic
        return
    db_cache = database_cache()
    if db_cache is None:
        with _process_lock:
            yield
        return
    alias = router.db_for_write(db_cache.cache_model_class)
    with transaction.atomic(using=alias):
        connection = connections[alias]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(f"yoyaku:{name}".encode())])
        yield
