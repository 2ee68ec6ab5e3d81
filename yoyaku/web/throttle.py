"""Login throttling in the shared cache (Redis, or the database cache without it), so every app process sees
the same counts: a failure counted by one worker locks the ticket for all of them. Each count is one atomic
step (Redis INCR; without Redis a locked transaction, web/shared.py).

Count first, then decide (`attempt`): an attempt takes its number in the ticket's and the address's count
(INCR) before the birth date is compared, and only the attempts whose number is within the limit are
evaluated. Thirty guesses sent at once for one ticket evaluate at most TICKET_LIMIT of them; the others are
refused without looking at the date (docs/security.md). A successful login gives its number back.

Round trips: on Redis a successful login's throttle is two (was thirteen): `attempt` looks at both locks and
takes both numbers in one Lua script (atomic, so the second look at the locks after counting is built in), and
`succeeded` forgives the ticket and gives the address's number back in another. A refused attempt's numbers
are given back by the second script too; a failure is recorded with the cache's own operations, as on the
database cache.

The cache unreachable (Redis down): the attempt cannot be counted, so the login is refused with the 503 page
(web/faults.py) rather than allowed: unlimited guessing of birth dates while Redis is down is worse than a
few minutes without logins. Logged once per request, without the ticket.

Ticket number + birth date is guessable by design (the city's choice), so guessing must be useless:
- per ticket number: TICKET_LIMIT failures lock that ticket number for LOCK seconds; the count lasts WINDOW
  after the *last* failure (extended by each one), so spacing guesses out does not reset it;
- per client address: after ADDRESS_SLOW failures each further attempt must wait (doubling, capped at
  MAX_DELAY, one attempt at a time), and ADDRESS_LIMIT failures lock the address for LOCK seconds. The count
  lasts ADDRESS_WINDOW after the last failure; after a lock it restarts at ADDRESS_SLOW, not at zero, so a
  patient guesser stays slowed.
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
ADDRESS_WINDOW = 24 * 3600
LOCK = 15 * 60
TICKET_LIMIT = 5
ADDRESS_SLOW = 20
ADDRESS_LIMIT = 100
MAX_DELAY = 60


def _limits() -> dict:
    return {"TICKET_LIMIT": TICKET_LIMIT, "ADDRESS_SLOW": ADDRESS_SLOW, "ADDRESS_LIMIT": ADDRESS_LIMIT,
            "WINDOW": WINDOW, "ADDRESS_WINDOW": ADDRESS_WINDOW, "LOCK": LOCK, **settings.YOYAKU["LOGIN_THROTTLE"]}


def ticket_hash(ticket: str) -> str:
    """A keyed hash of the ticket number (or staff:<name>): the cache keys and the audit log hold this."""
    return hmac.new(settings.SECRET_KEY.encode(), ticket.encode(), hashlib.sha256).hexdigest()[:32]


def _ticket_key(ticket: str) -> str:
    return f"login:t:{ticket_hash(ticket)}"


def _address_key(address: str) -> str:
    return f"login:a:{address}"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    scope: str = ""  # "ticket" or "address" when refused
    retry_after: int = 0  # seconds
    locked_now: bool = False  # this failure locked the ticket or the address (for the audit log)


def _count(key: str) -> int:
    return cache.get(f"{key}:n", 0)


def _locked_for(key: str) -> int:
    until = cache.get(f"{key}:lock")
    return max(int(until - time.time()), 0) + 1 if until else 0


def _slowed_for(key: str, failures: int, limits: dict) -> int:
    """Seconds this address must still wait before its next attempt (0: may go now)."""
    if failures < limits["ADDRESS_SLOW"]:
        return 0
    until = cache.get(f"{key}:gap")
    return max(int(until - time.time()), 0) + 1 if until else 0


def _delay(failures: int, limits: dict) -> int:
    return min(2 ** max(failures - limits["ADDRESS_SLOW"], 0), MAX_DELAY)


def check(*, ticket: str, address: str) -> Verdict:
    """Would an attempt be refused now? Read-only (the login views use `attempt`, which counts)."""
    limits = _limits()
    for scope, key in (("ticket", _ticket_key(ticket)), ("address", _address_key(address))):
        if wait := _locked_for(key):
            return Verdict(False, scope, wait)
    if _count(_ticket_key(ticket)) >= limits["TICKET_LIMIT"]:
        return Verdict(False, "ticket", limits["LOCK"])
    if wait := _slowed_for(_address_key(address), _count(_address_key(address)), limits):
        return Verdict(False, "address", wait)
    return Verdict(True)


# KEYS: the ticket's and the address's lock, then their counts; ARGV: the counts' windows (seconds). Returns the
# locks' remaining milliseconds when either is locked (nothing counted), else also both counts.
_ATTEMPT_LUA = """
local t_lock, a_lock = redis.call('PTTL', KEYS[1]), redis.call('PTTL', KEYS[2])
if t_lock ~= -2 or a_lock ~= -2 then return {t_lock, a_lock} end
local counts = {}
for i = 3, 4 do
  redis.call('SET', KEYS[i], 0, 'NX', 'EX', ARGV[i - 2])
  counts[i - 2] = redis.call('INCR', KEYS[i])
  if counts[i - 2] == 1 then redis.call('EXPIRE', KEYS[i], ARGV[i - 2]) end
end
return {t_lock, a_lock, counts[1], counts[2]}
"""
# KEYS: counts; ARGV[i] "forget" (delete) or "give back" (decrement when it still exists) for KEYS[i].
_FORGIVE_LUA = """
for i, key in ipairs(KEYS) do
  if ARGV[i] == 'forget' then redis.call('DEL', key)
  elseif redis.call('EXISTS', key) == 1 then redis.call('DECR', key) end
end
return 0
"""
_scripts: dict[str, object] = {}


def _redis_script(name: str, source: str):
    """The Lua script on the Redis behind the default cache, or None when the cache is not Redis."""
    redis = shared.redis_client()
    if redis is None:
        return None
    if name not in _scripts:
        _scripts[name] = redis.register_script(source)
    return lambda keys, args: _scripts[name](keys=[cache.make_key(key) for key in keys], args=args, client=redis)


def _wait_of(milliseconds: int) -> int:
    """`_locked_for`'s answer from a lock's remaining time in Redis (PTTL: -2 missing, -1 no expiry)."""
    if milliseconds == -2:
        return 0
    return max(int(milliseconds / 1000), 0) + 1


def _incr(key: str, ttl: int) -> int:
    cache.add(f"{key}:n", 0, ttl)
    try:
        return cache.incr(f"{key}:n")
    except ValueError:  # expired between add and incr
        cache.set(f"{key}:n", 1, ttl)
        return 1


def _give_back(key: str) -> None:
    try:
        cache.decr(f"{key}:n")
    except ValueError:  # expired meanwhile: nothing to give back
        pass


def attempt(*, ticket: str, address: str) -> Verdict:
    """Count this attempt, then decide whether it may be evaluated. Allowed: the caller must then call
    `failed(..., counted=True)` or `succeeded(ticket=..., address=...)`."""
    limits = _limits()
    tkey, akey = _ticket_key(ticket), _address_key(address)
    with shared.serialized("throttle"):  # the database cache's incr is a read and a write
        script = _redis_script("attempt", _ATTEMPT_LUA)
        if script is not None:  # Redis: one round trip, atomic
            answer = script([f"{tkey}:lock", f"{akey}:lock", f"{tkey}:n", f"{akey}:n"],
                            [max(int(limits["WINDOW"]), 1), max(int(limits["ADDRESS_WINDOW"]), 1)])
            for scope, milliseconds in (("ticket", answer[0]), ("address", answer[1])):
                if wait := _wait_of(milliseconds):
                    return Verdict(False, scope, wait)
            n_ticket, n_address = int(answer[2]), int(answer[3])
        else:
            for scope, key in (("ticket", tkey), ("address", akey)):
                if wait := _locked_for(key):
                    return Verdict(False, scope, wait)
            n_ticket = _incr(tkey, limits["WINDOW"])
            n_address = _incr(akey, limits["ADDRESS_WINDOW"])
        refused = None
        # Looked at again after counting: a failure that locks sets the lock and then resets the count, so
        # an attempt counted after that reset must still see the lock (Redis: the script saw both at once).
        for scope, key in (("ticket", tkey), ("address", akey)):
            if script is None and refused is None and (wait := _locked_for(key)):
                refused = Verdict(False, scope, wait)
        if refused is not None:
            pass
        elif n_ticket > limits["TICKET_LIMIT"]:
            refused = Verdict(False, "ticket", _locked_for(tkey) or limits["LOCK"])
        elif n_address > limits["ADDRESS_LIMIT"]:
            refused = Verdict(False, "address", _locked_for(akey) or limits["LOCK"])
        elif n_address - 1 >= limits["ADDRESS_SLOW"]:
            # Slowed: one attempt per delay, claimed atomically (SET NX), so a burst does not all go through.
            delay = _delay(n_address - 1, limits)
            if not cache.add(f"{akey}:gap", time.time() + delay, delay):
                refused = Verdict(False, "address", _slowed_for(akey, n_address - 1, limits) or delay)
        if refused is not None:  # a refused attempt is not evaluated: it gives its number back
            if script is not None:
                _redis_script("forgive", _FORGIVE_LUA)([f"{tkey}:n", f"{akey}:n"], ["give back", "give back"])
            else:
                _give_back(tkey)
                _give_back(akey)
            return refused
        # The database cache ignores a refused write (read-only, locked); Redis raises instead.
        if shared.database_cache() is not None and cache.get(f"{tkey}:n") is None:
            raise shared.SharedCacheUnavailable("the login throttle could not count an attempt")
    return Verdict(True)


def _after_failure(key: str, *, limit: int, window: int, limits: dict, restart_at: int, counted: bool,
                   slow: bool) -> bool:
    """Record a failure on one key; True when it locked the key."""
    n = cache.get(f"{key}:n", 0) if counted else _incr(key, window)
    if not n:  # counted, but expired meanwhile
        n = _incr(key, window)
    now = time.time()
    cache.touch(f"{key}:n", window)  # the window runs from the last failure
    cache.set(f"{key}:last", now, window)
    if slow and n >= limits["ADDRESS_SLOW"]:
        delay = _delay(n, limits)
        cache.set(f"{key}:gap", now + delay, delay)
    locked = n >= limit
    if locked:
        cache.set(f"{key}:lock", now + limits["LOCK"], limits["LOCK"])
        if restart_at:
            cache.set(f"{key}:n", restart_at, window)
        else:
            cache.delete(f"{key}:n")
    # The database cache ignores a refused write (read-only, locked): a failure not counted must not
    # leave the next guess free, so no count, no answer (a 503, web/faults.py). Redis raises by itself, and
    # there a concurrent failure may have written `last` meanwhile: no read-back.
    if shared.database_cache() is not None and cache.get(f"{key}:last") != now:
        raise shared.SharedCacheUnavailable("the login throttle could not record a failure")
    return locked


def failed(*, ticket: str, address: str, counted: bool = False) -> Verdict:
    """Record a failed attempt (counted=True: its number was taken by `attempt`). The verdict says whether
    this failure locked the ticket or the address (scope), for the audit log."""
    limits = _limits()
    with shared.serialized("throttle"):
        ticket_locked = _after_failure(_ticket_key(ticket), limit=limits["TICKET_LIMIT"], window=limits["WINDOW"],
                                       limits=limits, restart_at=0, counted=counted, slow=False)
        address_locked = _after_failure(_address_key(address), limit=limits["ADDRESS_LIMIT"],
                                        window=limits["ADDRESS_WINDOW"], limits=limits,
                                        restart_at=limits["ADDRESS_SLOW"], counted=counted, slow=True)
    if ticket_locked:
        return Verdict(False, "ticket", limits["LOCK"], locked_now=True)
    if address_locked:
        return Verdict(False, "address", limits["LOCK"], locked_now=True)
    return Verdict(False)


def succeeded(*, ticket: str, address: str | None = None) -> None:
    """The right password: the ticket's failures are forgiven, and the attempt's number given back."""
    script = _redis_script("forgive", _FORGIVE_LUA)
    if script is not None:  # Redis: one round trip
        keys = [f"{_ticket_key(ticket)}:n"] + ([f"{_address_key(address)}:n"] if address is not None else [])
        script(keys, ["forget", "give back"][:len(keys)])
        return
    cache.delete(f"{_ticket_key(ticket)}:n")
    if address is not None:
        with shared.serialized("throttle"):
            _give_back(_address_key(address))
