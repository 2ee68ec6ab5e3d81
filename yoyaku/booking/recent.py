"""Answers kept in this process for a moment (YOYAKU["AVAILABILITY_CACHE_SECONDS"], 2 s by default; 0 in tests).

For the busy pages' reads of what the whole city shares (availability, venues, booking windows, notices): at
opening time thousands of residents ask the same question each second, and an answer two seconds old is good
enough to show a page. Never for a decision: the services read afresh inside their transaction.
"""

from __future__ import annotations

import time

from django.conf import settings

_recent: dict[tuple, tuple[float, object]] = {}


def remembered(key: tuple, compute):
    """compute(), or its result from less than AVAILABILITY_CACHE_SECONDS ago in this process."""
    ttl = settings.YOYAKU.get("AVAILABILITY_CACHE_SECONDS", 2)
    if ttl <= 0:
        return compute()
    now = time.monotonic()
    hit = _recent.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = compute()
    if len(_recent) > 2000:  # bounded: many distinct keys mean the cache is not helping anyway
        _recent.clear()
    _recent[key] = (now + ttl, value)
    return value
