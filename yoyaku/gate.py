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

Fair per person (issue 18, docs/security.md):
- A pass admits one browser: it carries a random id, and the resident's login ties it to that browser's
  session (`_bind_at_login`); the pass then lets in only requests with that session cookie. A copied pass sends
  a second browser to the back of the line.
- One client cannot push others back: each client address may draw GATE_DRAWS_PER_ADDRESS numbers (20) per
  GATE_DRAW_WINDOW seconds (10 min), and as many before the opening as in one window. Twenty is generous for
  a family or many residents behind one carrier's NAT arriving in the same ten minutes (a resident keeps
  the number drawn: the waiting page asks again with it), and a script from one address moves a newcomer
  back by at most twenty. Further draws get a short "try again" page (429) that costs the line nothing.
- Fair at the opening hour (GATE_OPENS_AT): who arrives before booking opens waits in a pre-line, and at
  the opening moment the pre-line is put in a random order (a keyed pseudo-random permutation of the
  arrival numbers: no list kept, the same answer in every process); arrivals after the opening join the
  back. Reloading faster or a script arriving first wins nothing.
- The waiting page asks again sooner as the resident nears the front (half the estimated wait, 1 to 30 s); with
  JavaScript, within two seconds of the turn, just after it is due (X-Yoyaku-Retry-Ms).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from yoyaku.web import shared

COOKIE = "yoyaku_gate"
SALT = "yoyaku.gate"
GATED_PREFIXES = ("/login/", "/book/", "/reservations/")
GATED_EXACT = ("/",)

_LUA = """
local now = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local ticket = tonumber(ARGV[4])
local opens = tonumber(ARGV[5])
local draws = tonumber(ARGV[6])
if ticket == 0 and draws > 0 then
  local count = redis.call('INCR', KEYS[5])
  if count == 1 then redis.call('EXPIRE', KEYS[5], tonumber(ARGV[7])) end
  if count > draws then return {0, '-2', 0} end
end
local pre = tonumber(redis.call('GET', KEYS[4]) or '0')
if now < opens then
  if ticket == 0 then
    pre = redis.call('INCR', KEYS[4])
    ticket = pre
  end
  return {ticket, '-1', pre}
end
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local released = tonumber(redis.call('GET', KEYS[2]) or ARGV[3])
local last = tonumber(redis.call('GET', KEYS[3]) or ARGV[1])
released = math.min(released + math.max(now - last, 0) * rate, pre + nxt + burst)
if ticket == 0 then
  nxt = redis.call('INCR', KEYS[1])
  ticket = pre + nxt
  released = math.min(released, pre + nxt + burst)
end
redis.call('SET', KEYS[2], tostring(released))
redis.call('SET', KEYS[3], tostring(now))
return {ticket, tostring(released), pre}
"""


def _config() -> dict:
    city = settings.YOYAKU
    rate = float(city.get("GATE_RATE", 0) or 0)
    return {
        "rate": rate,
        "burst": float(city.get("GATE_BURST") or max(rate * 2, 1)),
        "admit_seconds": int(city.get("GATE_ADMIT_SECONDS", 1800)),
        "opens": _opens_at(city.get("GATE_OPENS_AT")),
        "draws": int(city.get("GATE_DRAWS_PER_ADDRESS") or DRAWS_PER_ADDRESS),
        "draw_window": int(city.get("GATE_DRAW_WINDOW") or DRAW_WINDOW),
    }


DRAWS_PER_ADDRESS = 20
DRAW_WINDOW = 600


def _opens_at(value) -> float:
    """GATE_OPENS_AT as a timestamp (an ISO date-time, local time if no offset; a number; or 0: none)."""
    if not value:
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    moment = datetime.fromisoformat(str(value))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment.timestamp()


def _advance(state: dict, *, now: float, rate: float, burst: float, ticket: int,
             opens: float = 0.0) -> tuple[int, float, int]:
    """The same arithmetic as the Lua script, on a dict {next, released, last, pre} (updated in place).
    Returns (number, let in so far (-1 before the opening), size of the pre-line)."""
    state.setdefault("pre", 0)
    if now < opens:
        if ticket == 0:
            state["pre"] += 1
            ticket = state["pre"]
        return ticket, -1.0, state["pre"]
    last = state["last"] if state.get("last") is not None else now
    released = burst if state.get("released") is None else state["released"]  # a fresh line starts with its burst
    state["released"] = min(released + max(now - last, 0) * rate, state["pre"] + state["next"] + burst)
    if ticket == 0:
        state["next"] += 1
        ticket = state["pre"] + state["next"]
        state["released"] = min(state["released"], ticket + burst)
    state["last"] = now
    return ticket, state["released"], state["pre"]


class _LocalLine:
    """The line of one process: only when the cache is neither Redis nor the database (set by hand)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.state = {"next": 0, "released": None, "last": None, "pre": 0}

    def step(self, *, now: float, rate: float, burst: float, ticket: int, opens: float = 0.0) -> tuple[int, float, int]:
        with self.lock:
            return _advance(self.state, now=now, rate=rate, burst=burst, ticket=ticket, opens=opens)


_local = _LocalLine()
_script = None
LINE_KEY = "gate:line"


def _database_step(*, now: float, rate: float, burst: float, ticket: int, opens: float) -> tuple[int, float, int]:
    """The line in Django's database cache: read, advance and write back under one lock (web/shared.py)."""
    db_cache = shared.database_cache()
    with shared.serialized("gate"):
        state = db_cache.get(LINE_KEY) or {"next": 0, "released": None, "last": None, "pre": 0}
        result = _advance(state, now=now, rate=rate, burst=burst, ticket=ticket, opens=opens)
        db_cache.set(LINE_KEY, state, QUEUE_SECONDS)
        if db_cache.get(LINE_KEY) != state:  # the database cache ignores a refused write (read-only, locked)
            raise shared.SharedCacheUnavailable("the admission gate could not record the line")
    return result


def _step(*, ticket: int, now: float, request=None) -> tuple[int, float, int] | None:
    """Draw a number (ticket=0) or look one up; returns (number, let in so far, size of the pre-line). With the
    request, a draw first counts against its client address (`_draw_allowed`): None when that address has drawn
    its share. With Redis one script does both: one round trip per arrival, not four (issue 11's overload)."""
    global _script
    config = _config()
    args = {"now": now, "rate": config["rate"], "burst": config["burst"], "ticket": ticket, "opens": config["opens"]}
    counted = request is not None and ticket == 0
    redis = shared.redis_client()
    if redis is None:
        if counted and not _draw_allowed(request, config, now):
            return None
        if shared.database_cache() is not None:
            return _database_step(**args)
        return _local.step(**args)
    if _script is None:
        _script = redis.register_script(_LUA)
    prefix = getattr(settings, "CACHES", {}).get("default", {}).get("KEY_PREFIX", "yoyaku")
    keys = [f"{prefix}:gate:next", f"{prefix}:gate:released", f"{prefix}:gate:last", f"{prefix}:gate:pre"]
    draws, ttl = 0, 0
    if counted:
        key, ttl = _draws_key(request, config, now)
        keys.append(cache.make_key(key))
        draws = config["draws"]
    number, released, pre = _script(keys=keys, args=[now, config["rate"], config["burst"], ticket, config["opens"],
                                                     draws, ttl], client=redis)
    if released == b"-2" or released == "-2":
        return None
    return int(number), float(released), int(pre)


def line_step(*, ticket: int, now: float | None = None) -> tuple[int, float]:
    """Draw a number (ticket=0) or look up one; returns (ticket, how many have been let in so far)."""
    number, released, _pre = _step(ticket=ticket, now=time.time() if now is None else now)
    return number, released


def shuffled_place(arrival: int, size: int, key: bytes) -> int:
    """The place (1..size) of the pre-line's arrival number `arrival` (1..size) at the opening: a keyed
    pseudo-random permutation (a four-round Feistel network with cycle walking), so every process computes
    the same order without a list, and nobody without the key can predict it."""
    if size <= 1:
        return 1
    bits = max((size - 1).bit_length(), 2)
    bits += bits % 2
    half, x = bits // 2, arrival - 1
    mask = (1 << half) - 1
    while True:
        left, right = x >> half, x & mask
        for round_ in range(4):
            digest = hmac.new(key, f"{round_}:{right}".encode(), hashlib.sha256).digest()
            left, right = right, left ^ (int.from_bytes(digest[:8], "big") & mask)
        x = (left << half) | right
        if x < size:
            return x + 1


def _shuffle_key(opens: float) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), f"gate-shuffle:{opens}".encode(), hashlib.sha256).digest()


def _draws_key(request, config: dict, now: float) -> tuple[str, int]:
    """The cache key counting this client address's draws in the current window, and its lifetime."""
    from yoyaku.web.request import client_address

    address = client_address(request)
    if now < config["opens"]:
        bucket, ttl = f"pre{int(config['opens'])}", int(config["opens"] - now) + config["draw_window"]
    else:
        bucket, ttl = str(int(now // config["draw_window"])), config["draw_window"]
    return f"gate:draws:{address}:{bucket}", ttl


def _draw_allowed(request, config: dict, now: float) -> bool:
    """May this client address draw another number? (GATE_DRAWS_PER_ADDRESS per GATE_DRAW_WINDOW; before the
    opening, that many for the whole pre-line.) Counted first (INCR), then decided: a burst cannot slip past.
    Without Redis; with it, the line's script counts (`_step`)."""
    key, ttl = _draws_key(request, config, now)
    with shared.serialized("gate-draws"):
        cache.add(key, 0, ttl)
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, ttl)
            count = 1
    return count <= config["draws"]


def _bind_key(pass_id: str) -> str:
    return f"gate:pass:{pass_id}"


def _bind_at_login(request, response, held, config) -> None:
    """A resident's login (a POST to /login/ answered with a new session cookie): the pass this browser
    holds now admits only this session; a copy of it in another browser sends that browser to the line."""
    session = response.cookies.get(settings.SESSION_COOKIE_NAME)
    if request.method == "POST" and request.path == "/login/" and session is not None and session.value:
        cache.set(_bind_key(held[2]), session.value, config["admit_seconds"])


def _pass_admits(request, pass_id: str) -> bool:
    session = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if session and _bound_seen.get((pass_id, session), 0.0) > time.monotonic():
        return True
    try:
        bound = cache.get(_bind_key(pass_id)) if pass_id else None
    except Exception:  # noqa: BLE001 - the cache down: a signed pass still goes in (web/faults.py)
        return True
    if bound is not None and bound == session:
        if len(_bound_seen) >= CHECKED_MAX:
            _bound_seen.clear()
        _bound_seen[(pass_id, session)] = time.monotonic() + BOUND_SEEN_SECONDS
    return bound is None or bound == session


# Passes this process has seen bound to the very session that presents them, for a while: an admitted resident's
# every page asked the shared cache again (a Redis round trip per page, issue 11's journey). Only a match is kept:
# a copy of the pass in another browser comes with another session (or none), is not found here and is asked about.
# A pass is bound once, at login (`_bind_at_login`); a later login in the same browser replaces that session.
_bound_seen: dict[tuple[str, str], float] = {}
BOUND_SEEN_SECONDS = 60


def _pass_valid(value: str | None, max_age: int) -> tuple[str, int, str] | None:
    """(kind, number, extra) of a signed cookie: ("in", number, pass id), ("q", number, ""), ("p", arrival,
    opening time) for the pre-line; None when missing, forged or too old."""
    if not value:
        return None
    try:
        found = _checked[value]
    except KeyError:
        found = _check_signature(value)
        if len(_checked) >= CHECKED_MAX:
            _checked.clear()
        _checked[value] = found
    if found is None or time.time() - found[3] > max_age:  # signing.loads's own test of max_age
        return None
    return found[:3]


# Each cookie's signature checked once per process: a browser sends the same cookie on every poll of the
# waiting page and every page of its visit, and the check (a key derivation and an HMAC) cost a quarter of the
# waiting page (issue 11). Keyed by the whole signed value, so only that exact value is ever trusted; bounded.
_checked: dict[str, tuple[str, int, str, int] | None] = {}
CHECKED_MAX = 20_000


def _check_signature(value: str) -> tuple[str, int, str, int] | None:
    """(kind, number, extra, signed at) of a cookie written by signing.dumps(..., salt=SALT); None if forged."""
    try:
        kind, number, *extra = signing.TimestampSigner(salt=SALT).unsign_object(value)
        signed_at = signing.b62_decode(value.rsplit(":", 2)[1])
        return str(kind), int(number), str(extra[0]) if extra else "", signed_at
    except (signing.BadSignature, ValueError, TypeError, IndexError):
        return None


def _gated(path: str) -> bool:
    return path in GATED_EXACT or path.startswith(GATED_PREFIXES)


class AdmissionGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        config = _config()
        if config["rate"] <= 0 or not _gated(request.path):
            return self.get_response(request)
        raw = request.COOKIES.get(COOKIE)
        held = _pass_valid(raw, max_age=max(config["admit_seconds"], QUEUE_SECONDS))
        if held and held[0] == "in" and _pass_valid(raw, max_age=config["admit_seconds"]) \
                and _pass_admits(request, held[2]):
            response = self.get_response(request)
            _bind_at_login(request, response, held, config)
            return response
        now = time.time()
        kind, ticket = "", 0
        if held and held[0] == "q":
            kind, ticket = "q", held[1]
        elif held and held[0] == "p" and held[2] == repr(config["opens"]):
            kind, ticket = "p", held[1]
        if kind == "p" and now < config["opens"]:
            return waiting_page(request, number=0, released=-1, rate=config["rate"], opens=config["opens"],
                                new_number=False)
        if kind == "q" and (estimate := _surely_waiting(ticket, config["rate"], now)) is not None:
            # Most requests in the line are a waiting page asking again: answered without the shared line.
            return waiting_page(request, number=ticket, released=estimate, rate=config["rate"], new_number=False)
        step = _step(ticket={"q": ticket, "p": -1}.get(kind, 0), now=now, request=request)
        if step is None:
            return too_many_page(request, retry=min(config["draw_window"], 60))
        number, released, pre = step
        if released < 0:  # before the opening: a place in the pre-line
            return waiting_page(request, number=number, released=-1, rate=config["rate"], opens=config["opens"],
                                new_number=True)
        if kind == "p":  # the opening has come: the pre-line's random order gives the place
            number = shuffled_place(ticket, pre, _shuffle_key(config["opens"]))
        _seen.update(at=now, released=released)
        if number <= released:
            if cache.add(f"gate:used:{number}", 1, QUEUE_SECONDS):  # a copied number lets in one browser only
                pass_id = secrets.token_urlsafe(16)
                response = self.get_response(request)
                response.set_cookie(COOKIE, signing.dumps(("in", number, pass_id), salt=SALT),
                                    max_age=config["admit_seconds"], httponly=True, samesite="Lax",
                                    secure=_secure(request))
                _bind_at_login(request, response, ("in", number, pass_id), config)
                return response
            step = _step(ticket=0, now=now, request=request)  # to the back of the line
            if step is None:
                return too_many_page(request, retry=min(config["draw_window"], 60))
            number, released, pre = step
            kind = ""
        return waiting_page(request, number=number, released=released, rate=config["rate"],
                            new_number=kind != "q")


def _secure(request) -> bool:
    return request.is_secure() or not settings.DEBUG


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


def _language(request) -> str:
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _retry_seconds(wait: float) -> int:
    """How soon the waiting page asks again: half the estimated wait, 1 to 30 s (sooner near the front).
    At the front it is 1 s: with 2 s, a resident whose turn came a moment after their first page waited up
    to 2 s more, and at opening the first places went 2 s later than the gate's rate allows (issue 11's
    flash crowd). A waiting page costs what the floor costs, so the front's extra polls are cheap."""
    return int(min(max(wait / 2, 1), 30))


def _retry_ms(due: float, wait: float) -> int:
    """How soon the waiting page's script asks again, in milliseconds: within two seconds of the turn, just
    after it is due (at least 250 ms apart), else as the page reloads (`_retry_seconds`). Retry-After and the
    meta refresh count whole seconds, so a resident whose turn came just after a poll waited up to a second
    more; at opening that put the first places half a second later on average (issue 11's flash crowd)."""
    if due <= 2:
        return max(int(due * 1000) + 50, 250)
    return 1000 * _retry_seconds(wait)


def waiting_page(request, *, number: int, released: float, rate: float, new_number: bool = True,
                 opens: float = 0.0) -> HttpResponse:
    """The waiting page: a template (templates/gate/waiting.html) and the site's stylesheet, no session, no
    database; it reloads itself (meta refresh), no JavaScript."""
    language = _language(request)
    pre_line = released < 0
    if pre_line:
        ahead, minutes = 0, 0
        retry = int(min(max((opens - time.time()) / 2, 2), 30))
        retry_ms = 1000 * retry
    else:
        ahead = max(number - math.floor(released) - 1, 0)
        wait = (ahead + 1) / rate
        minutes = max(math.ceil(wait / 60), 1)
        retry = _retry_seconds(wait)
        retry_ms = _retry_ms(max(number - released, 0) / rate, wait)
    opening = ""
    if pre_line:
        with translation.override(language):
            moment = timezone.localtime(datetime.fromtimestamp(opens, tz=timezone.get_current_timezone()))
            opening = formats.date_format(moment, "DATETIME_FORMAT")
    frame = _waiting_frame(language, retry=retry, minutes=minutes, pre_line=pre_line, opening=opening,
                           rate_per_minute=max(round(rate * 60), 1),
                           admit_minutes=max(_config()["admit_seconds"] // 60, 1),
                           sold_out=not pre_line and _all_places_taken())
    body = frame.replace(_AHEAD, str(ahead)).replace(_RETRY_MS, str(retry_ms))
    response = _gate_response(body, status=200, retry=retry)
    response["X-Yoyaku-Retry-Ms"] = str(retry_ms)  # for the page's script (static/js/gate.js)
    if new_number:
        value = ("p", number, repr(opens)) if pre_line else ("q", number)
        response.set_cookie(COOKIE, signing.dumps(value, salt=SALT), max_age=QUEUE_SECONDS, httponly=True,
                            samesite="Lax", secure=_secure(request))
    return response


# Stand-ins for the two figures that change on every poll: the page is rendered once per language and the
# few other figures, and each poll only puts its own figures in (issue 11: rendering the template was two thirds
# of the waiting page's cost). Characters of Unicode's private use area: no text or escaping produces them.
_AHEAD = "\ue000ahead\ue000"
_RETRY_MS = "\ue000retry-ms\ue000"


def _waiting_frame(language: str, **context) -> str:
    """templates/gate/waiting.html in `language`, with the stand-ins for the resident's place and the script's
    delay; kept per process (_frames), except with DEBUG, where a changed template must show at once."""
    key = (language, *sorted(context.items()))
    frame = _frames.get(key)
    if frame is None:
        with translation.override(language):
            frame = render_to_string("gate/waiting.html", {
                "language": language, "ahead": _AHEAD, "retry_ms": _RETRY_MS, **context})
        if not settings.DEBUG:
            if len(_frames) >= FRAMES_MAX:
                _frames.clear()
            _frames[key] = frame
    return frame


_frames: dict[tuple, str] = {}
FRAMES_MAX = 2_000  # languages × the minutes of wait × the seconds between polls × sold out or not


def _all_places_taken() -> bool:
    """Every place open on the web is taken: the waiting page says so, so that the residents in line have their
    answer now, not when their turn comes (at 12 a second, the 3,000th would wait four minutes to learn it).
    They keep their place: a cancellation can free a place, and logged in they can join the waiting list.
    One EXISTS query per process every few seconds (booking/availability.py); the database down, the page
    simply does not say it."""
    from yoyaku.booking import availability

    if time.monotonic() < _database_quiet_until[0]:
        return False
    try:
        return availability.all_places_taken()
    except DatabaseError:
        # Not asked again for a while: an unreachable database may take its connect timeout to say so, and the
        # waiting page must stay as cheap as it is without a database.
        _database_quiet_until[0] = time.monotonic() + DATABASE_QUIET_SECONDS
        return False


DATABASE_QUIET_SECONDS = 30
_database_quiet_until = [0.0]


def too_many_page(request, *, retry: int) -> HttpResponse:
    """One address drew its share of numbers: a short page, 429, nothing drawn."""
    language = _language(request)
    with translation.override(language):
        body = render_to_string("gate/waiting.html", {"language": language, "retry": retry, "too_many": True})
    return _gate_response(body, status=429, retry=retry)


def _gate_response(body: str, *, status: int, retry: int) -> HttpResponse:
    """A page of the gate's own. With its length: the gate answers before CommonMiddleware, which would have
    set it, and without one gunicorn sends the page in chunks."""
    response = HttpResponse(body, status=status)
    response["Content-Length"] = str(len(response.content))
    response["Retry-After"] = str(retry)
    response["Cache-Control"] = "no-store"
    response["X-Yoyaku-Waiting-Room"] = "1"
    return response
