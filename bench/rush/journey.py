"""What a resident's browser does at opening time: the guide's pages, with cookies, CSRF and the real forms."""

from __future__ import annotations

import random
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field

from .client import Session
from .people import birth_date_of, ticket_of

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
DAY = re.compile(rb"day=(\d{4}-\d{2}-\d{2})#times")
SLOT = re.compile(rb'name="slot" value="(\d+)"')
VENUE = re.compile(rb'href="\?venue=(\d+)&amp;day=')
REQUEST_KEY = re.compile(rb'name="request_key" value="([^"]+)"')
DONE = "予約を受け付けました。".encode()
SOLD_OUT = b'id="sold-out-1"'  # the top page: no place left for dose 1
SOLD_OUT_IN_LINE = b'id="sold-out"'  # the admission gate's waiting page: every place is taken
PAGES = ["login", "login_post", "top", "book", "calendar", "venue", "choose", "check", "register", "done", "waiting"]


class Unexpected(Exception):
    """A page that is not what a working site answers (an error page served with a 200, say)."""


class ToldInLine(Exception):
    """The waiting page said every place is taken: the resident has their answer without waiting their turn."""


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    cpu_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # server-reported
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    completed: int = 0  # journeys that ended on 予約を受け付けました。
    full: int = 0  # journeys that found nothing left to book: an answer, not an error
    retries_full: int = 0  # a chosen time filled before 予約を登録する: chose again
    waiting: int = 0  # waiting-room pages served (when the admission gate is on)
    told_in_line: int = 0  # of `full`: told by the waiting page that every place is taken


def _csrf(body: bytes) -> str:
    match = CSRF.search(body)
    if not match:
        raise Unexpected("no CSRF token")
    return match.group(1).decode()


async def timed(stats: Stats, session: Session, page: str, method: str, path: str, form=None, expect=(200,)):
    """One request; follows the admission gate's waiting page until let in."""
    while True:
        response = await session.request(method, path, form)
        if response.headers.get("x-yoyaku-waiting-room"):
            stats.waiting += 1
            stats.latencies["waiting"].append(response.elapsed)
            _cpu(stats, "waiting", response)
            if SOLD_OUT_IN_LINE in response.body:
                raise ToldInLine
            await session.close()  # a browser on a waiting page holds no connection open while it waits
            # As the page's script does (static/js/gate.js): the milliseconds the server names, else Retry-After.
            retry_ms = response.headers.get("x-yoyaku-retry-ms")
            await _sleep(float(retry_ms) / 1000 if retry_ms else float(response.headers.get("retry-after", "1")))
            continue
        stats.latencies[page].append(response.elapsed)
        _cpu(stats, page, response)
        break
    if response.status >= 500:
        raise Unexpected(f"{page}: HTTP {response.status}")
    if response.status not in expect:
        raise Unexpected(f"{page}: HTTP {response.status} {response.location}")
    return response


def _cpu(stats: Stats, page: str, response) -> None:
    value = response.headers.get("x-cpu-ms")
    if value:
        stats.cpu_ms[page].append(float(value))


async def _sleep(seconds: float):
    import asyncio

    await asyncio.sleep(seconds)


async def resident_journey(stats: Stats, session: Session, ticket: str, password: str, rng: random.Random,
                           email: str = "") -> str:
    """login → top → booking page → calendar (a day) → venue → choose → check → register → done.
    Returns the outcome. With an email address, the booking queues a confirmation email."""
    page = await timed(stats, session, "login", "GET", "/login/")
    token = _csrf(page.body)
    r = await timed(stats, session, "login_post", "POST", "/login/",
                    {"csrfmiddlewaretoken": token, "ticket_number": ticket, "password": password}, expect=(302,))
    page = await timed(stats, session, "top", "GET", r.location or "/")
    if SOLD_OUT in page.body:  # told on the first page after login that the places are gone
        return "full"
    for _attempt in range(4):
        page = await timed(stats, session, "book", "GET", "/book/1/")
        days = sorted(set(DAY.findall(page.body)))
        if not days:
            return "full"
        day = rng.choice(days).decode()
        page = await timed(stats, session, "calendar", "GET", f"/book/1/?day={day}")
        venues = VENUE.findall(page.body)
        if venues:  # the day lists the venues with free times: choose one, then its times
            venue = rng.choice(venues).decode()
            page = await timed(stats, session, "venue", "GET", f"/book/1/?venue={venue}&day={day}")
        else:
            venue = ""
        slots = SLOT.findall(page.body)
        if not slots:
            continue
        form = {"csrfmiddlewaretoken": _csrf(page.body), "day": day, "venue": venue, "slot": rng.choice(slots).decode(),
                "booker": "self", "recipient_phone": "0195-23-3111", "email": email, "wants_move_up": "no"}
        r = await timed(stats, session, "choose", "POST", "/book/1/", form, expect=(200, 302))
        if r.status == 200:  # the time filled while the resident was choosing
            stats.retries_full += 1
            continue
        page = await timed(stats, session, "check", "GET", "/book/1/check/")
        key = REQUEST_KEY.search(page.body)
        if not key:
            raise Unexpected("check page without request key")
        r = await timed(stats, session, "register", "POST", "/book/1/check/",
                        {"csrfmiddlewaretoken": _csrf(page.body), "request_key": key.group(1).decode()},
                        expect=(302,))
        if "/done/" not in r.location:
            stats.retries_full += 1
            continue
        page = await timed(stats, session, "done", "GET", r.location)
        if DONE not in page.body:
            raise Unexpected("done page without 予約を受け付けました。")
        return "completed"
    return "full"


async def counted_journey(stats: Stats, session: Session, index: int, rng: random.Random) -> str | None:
    """Resident `index`'s journey with its outcome counted in `stats`: "completed" or "full", or None after an
    error (counted by kind: a wrong page, a timeout, a connection failure). Closes the session."""
    try:
        outcome = await resident_journey(stats, session, ticket_of(index), birth_date_of(index).strftime("%Y%m%d"), rng)
    except ToldInLine:
        stats.told_in_line += 1
        outcome = "full"
    except Unexpected as error:
        stats.errors[str(error).split(":")[0] + ": " + str(error).split(":")[-1].strip()[:40]] += 1
        return None
    except TimeoutError:
        stats.errors["timeout"] += 1
        return None
    except (ConnectionError, OSError) as error:
        stats.errors[f"connection: {type(error).__name__}"] += 1
        return None
    finally:
        await session.close()
    if outcome == "completed":
        stats.completed += 1
    else:
        stats.full += 1
    return outcome


async def floor_loop(stats: Stats, session: Session, deadline: float):
    while time.perf_counter() < deadline:
        await timed(stats, session, "floor", "GET", "/bench/floor/")
