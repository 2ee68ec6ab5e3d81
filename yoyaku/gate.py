"""The admission gate: a virtual waiting room in front of the resident site at opening time.

When YOYAKU_GATE_RATE is set (residents let in per second), a resident arriving without a pass draws a
number (first come, first in). Numbers are let in at that rate; the others get a very cheap page with
their place in line that reloads itself (no JavaScript, no database, no session). A resident let in gets
a signed pass cookie for GATE_ADMIT_SECONDS, long enough to book, so the gate costs one signature check
per request after that.

The line is shared by every app process and server through Redis (one Lua script, atomic). Without
Redis it lives in Django's database cache, updated in one locked transaction (web/shared.py), so every
process on the machine shares it too. Redis down (or the database, without Redis): the gate cannot tell
whose turn it is and answers 503 with Retry-After (web/faults.py); a resident holding a pass goes on.
The admission rate accumulates up to a small burst and never runs ahead of the people waiting, so a
quiet hour before opening does not let the whole opening crowd in at once.
"""

from __future__ import annotations

import math
import threading
import time

from django.conf import settings
from django.core import signing
from django.http import HttpResponse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from yoyaku.web import shared

COOKIE = "yoyaku_gate"
SALT = "yoyaku.gate"
GATED_PREFIXES = ("/login/", "/book/", "/reservations/")
GATED_EXACT = ("/",)

_LUA = """
local now = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local released = tonumber(redis.call('GET', KEYS[2]) or ARGV[3])
local last = tonumber(redis.call('GET', KEYS[3]) or ARGV[1])
released = math.min(released + math.max(now - last, 0) * rate, nxt + burst)
local ticket = tonumber(ARGV[4])
if ticket == 0 then
  nxt = redis.call('INCR', KEYS[1])
  ticket = nxt
  released = math.min(released, nxt + burst)
end
redis.call('SET', KEYS[2], tostring(released))
redis.call('SET', KEYS[3], tostring(now))
return {ticket, tostring(released)}
"""


def _config() -> dict:
    city = settings.YOYAKU
    rate = float(city.get("GATE_RATE", 0) or 0)
    return {
        "rate": rate,
        "burst": float(city.get("GATE_BURST") or max(rate * 2, 1)),
        "admit_seconds": int(city.get("GATE_ADMIT_SECONDS", 1800)),
    }


def _advance(state: dict, *, now: float, rate: float, burst: float, ticket: int) -> tuple[int, float]:
    """The same arithmetic as the Lua script, on a dict {next, released, last} (updated in place)."""
    last = state["last"] if state.get("last") is not None else now
    released = burst if state.get("released") is None else state["released"]  # a fresh line starts with its burst
    state["released"] = min(released + max(now - last, 0) * rate, state["next"] + burst)
    if ticket == 0:
        state["next"] += 1
        ticket = state["next"]
        state["released"] = min(state["released"], state["next"] + burst)
    state["last"] = now
    return ticket, state["released"]


class _LocalLine:
    """The line of one process: only when the cache is neither Redis nor the database (set by hand)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.state = {"next": 0, "released": None, "last": None}

    def step(self, *, now: float, rate: float, burst: float, ticket: int) -> tuple[int, float]:
        with self.lock:
            return _advance(self.state, now=now, rate=rate, burst=burst, ticket=ticket)


_local = _LocalLine()
_script = None
LINE_KEY = "gate:line"


def _database_step(*, now: float, rate: float, burst: float, ticket: int) -> tuple[int, float]:
    """The line in Django's database cache: read, advance and write back under one lock (web/shared.py)."""
    db_cache = shared.database_cache()
    with shared.serialized("gate"):
        state = db_cache.get(LINE_KEY) or {"next": 0, "released": None, "last": None}
        result = _advance(state, now=now, rate=rate, burst=burst, ticket=ticket)
        db_cache.set(LINE_KEY, state, QUEUE_SECONDS)
        if db_cache.get(LINE_KEY) != state:  # the database cache ignores a refused write (read-only, locked)
            raise shared.SharedCacheUnavailable("the admission gate could not record the line")
    return result


def line_step(*, ticket: int, now: float | None = None) -> tuple[int, float]:
    """Draw a number (ticket=0) or look up one; returns (ticket, how many have been let in so far)."""
    global _script
    config = _config()
    now = time.time() if now is None else now
    redis = shared.redis_client()
    if redis is None:
        if shared.database_cache() is not None:
            return _database_step(now=now, rate=config["rate"], burst=config["burst"], ticket=ticket)
        return _local.step(now=now, rate=config["rate"], burst=config["burst"], ticket=ticket)
    if _script is None:
        _script = redis.register_script(_LUA)
    prefix = getattr(settings, "CACHES", {}).get("default", {}).get("KEY_PREFIX", "yoyaku")
    keys = [f"{prefix}:gate:next", f"{prefix}:gate:released", f"{prefix}:gate:last"]
    number, released = _script(keys=keys, args=[now, config["rate"], config["burst"], ticket], client=redis)
    return int(number), float(released)


def _pass_valid(value: str | None, max_age: int) -> tuple[str, int] | None:
    if not value:
        return None
    try:
        kind, number = signing.loads(value, salt=SALT, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return kind, int(number)


def _gated(path: str) -> bool:
    return path in GATED_EXACT or path.startswith(GATED_PREFIXES)


class AdmissionGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        config = _config()
        if config["rate"] <= 0 or not _gated(request.path):
            return self.get_response(request)
        held = _pass_valid(request.COOKIES.get(COOKIE), max_age=max(config["admit_seconds"], QUEUE_SECONDS))
        if held and held[0] == "in" and _pass_valid(request.COOKIES.get(COOKIE), max_age=config["admit_seconds"]):
            return self.get_response(request)
        ticket = held[1] if held and held[0] == "q" else 0
        now = time.time()
        if ticket and (estimate := _surely_waiting(ticket, config["rate"], now)) is not None:
            # Most requests in the line are a waiting page asking again: answered without the shared line.
            return waiting_page(request, number=ticket, released=estimate, rate=config["rate"], new_number=False)
        number, released = line_step(ticket=ticket, now=now)
        _seen.update(at=now, released=released)
        if number <= released:
            response = self.get_response(request)
            response.set_cookie(COOKIE, signing.dumps(("in", number), salt=SALT), max_age=config["admit_seconds"],
                                httponly=True, samesite="Lax", secure=request.is_secure())
            return response
        return waiting_page(request, number=number, released=released, rate=config["rate"],
                            new_number=number != ticket)


QUEUE_SECONDS = 6 * 3600  # how long a number in the line stays valid
# The last count of residents let in that this process read from the shared line, and when. The count
# grows by at most `rate` a second, so a number beyond what it could have reached since is surely still
# waiting: no need to ask Redis.
_seen = {"at": 0.0, "released": 0.0}


def _surely_waiting(ticket: int, rate: float, now: float) -> float | None:
    """An upper bound of the count let in by now, when it cannot reach `ticket` yet; else None."""
    if not _seen["at"] or now < _seen["at"]:
        return None
    bound = _seen["released"] + (now - _seen["at"]) * rate
    return bound if ticket > bound + 1 else None


def waiting_page(request, *, number: int, released: float, rate: float, new_number: bool = True) -> HttpResponse:
    ahead = max(number - math.floor(released) - 1, 0)
    wait = (ahead + 1) / rate
    retry = int(min(max(wait / 2, 2), 30))
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        title = _("Please wait: you are in line")
        minutes = max(math.ceil(wait / 60), 1)
        wait_text = _("About %(minutes)d min. This page checks again by itself; please do not close it.")
        body = (
            f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta http-equiv="refresh" content="{retry}"><title>{escape(title)}</title>'
            '<style>body{font-family:system-ui,sans-serif;line-height:1.7;max-width:40rem;margin:2rem auto;'
            'padding:0 1rem;color:#1a1a1a}strong{font-size:2rem}</style></head><body>'
            f"<h1>{escape(title)}</h1>"
            f"<p>{escape(_('Many people are booking right now. We let everyone in, in the order they arrived.'))}</p>"
            f"<p>{escape(_('People ahead of you:'))} <strong>{ahead}</strong></p>"
            f"<p>{escape(wait_text % {'minutes': minutes})}</p>"
            "</body></html>"
        )
    response = HttpResponse(body, status=200)
    response["Retry-After"] = str(retry)
    response["Cache-Control"] = "no-store"
    response["X-Yoyaku-Waiting-Room"] = "1"
    if new_number:
        response.set_cookie(COOKIE, signing.dumps(("q", number), salt=SALT), max_age=QUEUE_SECONDS, httponly=True,
                            samesite="Lax", secure=request.is_secure())
    return response
