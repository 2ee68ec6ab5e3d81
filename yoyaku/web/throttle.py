"""Login throttling in the shared cache (Redis, or the database cache without it), so every app process sees
the same counts: a failure counted by one worker locks the ticket for all of them. Each count is one atomic
step (Redis INCR; without Redis a locked transaction, web/shared.py).

The cache unreachable (Redis down): check() cannot know whether the ticket is locked, so the login is
refused with the 503 page (web/faults.py) rather than allowed: unlimited guessing of birth dates while
Redis is down is worse than a few minutes without logins. Logged once per request, without the ticket.

Ticket number + birth date is guessable by design (the city's choice), so guessing must be useless:
- per ticket number: TICKET_LIMIT failures within WINDOW lock that ticket number for LOCK seconds;
- per client address: after ADDRESS_SLOW failures each further attempt must wait (doubling, capped),
  and ADDRESS_LIMIT failures lock the address for LOCK seconds.
Unknown ticket numbers are counted exactly like known ones: the lock says nothing about existence.
Cache keys hold a keyed hash of the ticket number, never the number itself.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from . import shared

WINDOW = 15 * 60
LOCK = 15 * 60
TICKET_LIMIT = 5
ADDRESS_SLOW = 20
ADDRESS_LIMIT = 100
MAX_DELAY = 60


def _limits() -> dict:
    return {"TICKET_LIMIT": TICKET_LIMIT, "ADDRESS_SLOW": ADDRESS_SLOW, "ADDRESS_LIMIT": ADDRESS_LIMIT,
            "WINDOW": WINDOW, "LOCK": LOCK, **settings.YOYAKU["LOGIN_THROTTLE"]}


def _ticket_key(ticket: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), ticket.encode(), hashlib.sha256).hexdigest()[:32]
    return f"login:t:{digest}"


def _address_key(address: str) -> str:
    return f"login:a:{address}"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    scope: str = ""  # "ticket" or "address" when refused
    retry_after: int = 0  # seconds


def _count(key: str) -> int:
    return cache.get(f"{key}:n", 0)


def _locked_for(key: str) -> int:
    until = cache.get(f"{key}:lock")
    return max(int(until - time.time()), 0) if until else 0


def check(*, ticket: str, address: str) -> Verdict:
    """May this attempt go ahead? Read-only: attempts are counted by `failed`."""
    for scope, key in (("ticket", _ticket_key(ticket)), ("address", _address_key(address))):
        if wait := _locked_for(key):
            return Verdict(False, scope, wait)
    limits = _limits()
    failures = _count(_address_key(address))
    if failures >= limits["ADDRESS_SLOW"]:
        last = cache.get(f"{_address_key(address)}:last", 0)
        delay = min(2 ** (failures - limits["ADDRESS_SLOW"]), MAX_DELAY)
        wait = int(last + delay - time.time()) + 1
        if wait > 0:
            return Verdict(False, "address", wait)
    return Verdict(True)


def _bump(key: str, *, limit: int, limits: dict) -> None:
    with shared.serialized("throttle"):  # the database cache's incr is a read and a write
        cache.add(f"{key}:n", 0, limits["WINDOW"])
        try:
            n = cache.incr(f"{key}:n")
        except ValueError:  # expired between add and incr
            cache.set(f"{key}:n", 1, limits["WINDOW"])
            n = 1
        now = time.time()
        cache.set(f"{key}:last", now, limits["WINDOW"])
        if n >= limit:
            cache.set(f"{key}:lock", now + limits["LOCK"], limits["LOCK"])
            cache.delete(f"{key}:n")
        # The database cache ignores a refused write (read-only, locked): a failure not counted must not
        # leave the next guess free, so no count, no answer (a 503, web/faults.py).
        if cache.get(f"{key}:last") != now:
            raise shared.SharedCacheUnavailable("the login throttle could not record a failure")


def failed(*, ticket: str, address: str) -> None:
    limits = _limits()
    _bump(_ticket_key(ticket), limit=limits["TICKET_LIMIT"], limits=limits)
    _bump(_address_key(address), limit=limits["ADDRESS_LIMIT"], limits=limits)


def succeeded(*, ticket: str) -> None:
    cache.delete(f"{_ticket_key(ticket)}:n")
