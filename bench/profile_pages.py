"""Profile the resident pages in-process (cProfile): where does a page's time go?

    .venv/bin/python bench/profile_pages.py [--pages top,book,calendar] [--n 50] [--sort cumtime]
    .venv/bin/python bench/profile_pages.py --pages login_post,register,done --n 40 --timing-only

Builds the rush's data set in a temporary SQLite database (the shared cache is Redis when REDIS_URL is set, else
the database cache), logs one resident in with Django's test client, renders each page --n times under cProfile
and prints the top functions. For finding hot spots; the rush (bench/rush) measures the real thing.

The write path's pages take a new resident each time, as on opening morning: `login_post` (POST /login/),
`register` (POST of the check page's 予約を登録する) and `done` (the done page of the reservation just made,
with its QR code). Each of the --n journeys logs a resident in, chooses a time and registers it; only the named
pages are timed (and profiled). `--timing-only` runs no profiler and prints each page's median CPU time per
request (this thread's CPU: less disturbed by other work on the machine than the wall clock).
"""

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WRITE_PAGES = ("login_post", "register", "done")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SLOT = re.compile(r'name="slot" value="(\d+)"')
DAY = re.compile(r"day=(\d{4}-\d{2}-\d{2})#times")
VENUE = re.compile(r'href="\?venue=(\d+)&amp;day=')
REQUEST_KEY = re.compile(r'name="request_key" value="([^"]+)"')


class Timer:
    """Times (thread CPU) and optionally profiles the requests of one page."""

    def __init__(self, profile: bool):
        self.profiler = cProfile.Profile() if profile else None
        self.cpu: list[float] = []

    def __call__(self, request):
        if self.profiler:
            self.profiler.enable()
        started = time.thread_time()
        response = request()
        self.cpu.append(time.thread_time() - started)
        if self.profiler:
            self.profiler.disable()
        return response


class Queries:
    """Counts (and keeps) the queries of one page's requests: the warm-up's."""

    def __init__(self):
        self.counts: list[int] = []
        self.last: list[str] = []

    def __call__(self, request):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = request()
        self.counts.append(len(queries))
        self.last = [query["sql"] for query in queries]
        return response


def journeys(n: int, timers: dict, first_index: int):
    """n residents, each: login → choose a time → check → register → done; the named pages timed."""
    from django.test import Client

    from bench.rush.people import address_of, birth_date_of, ticket_of

    def timed(page, request):
        return timers[page](request) if page in timers else request()

    # Each lambda below is called at once, inside its own iteration.

    for i in range(first_index, first_index + n):
        client = Client(REMOTE_ADDR=address_of(i))
        html = client.get("/login/").content.decode()
        form = {"ticket_number": ticket_of(i), "password": birth_date_of(i).strftime("%Y%m%d")}
        response = timed("login_post", lambda: client.post("/login/", form))  # noqa: B023
        assert response.status_code == 302, response.status_code
        html = client.get("/book/1/").content.decode()
        day = DAY.search(html).group(1)
        html = client.get(f"/book/1/?day={day}").content.decode()
        venue = VENUE.search(html)
        if venue:
            html = client.get(f"/book/1/?venue={venue.group(1)}&day={day}").content.decode()
        slot = SLOT.findall(html)[i % len(SLOT.findall(html))]
        response = client.post("/book/1/", {"day": day, "venue": venue.group(1) if venue else "", "slot": slot,
                                            "booker": "self", "recipient_phone": "0195-23-3111", "email": "",
                                            "wants_move_up": "no"})
        assert response.status_code == 302, response.status_code
        html = client.get("/book/1/check/").content.decode()
        key = REQUEST_KEY.search(html).group(1)
        response = timed("register", lambda: client.post("/book/1/check/", {"request_key": key}))  # noqa: B023
        assert "/done/" in response["Location"], response["Location"]
        done = response["Location"]
        response = timed("done", lambda: client.get(done))  # noqa: B023
        assert "予約を受け付けました。" in response.content.decode()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", default="top,book,calendar",
                        help="top, book, calendar, venue, login (GET); login_post, register, done (the write path)")
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--sort", default="cumtime")
    parser.add_argument("--lines", type=int, default=30)
    parser.add_argument("--show-queries", action="store_true", help="each page's queries (SQL)")
    parser.add_argument("--timing-only", action="store_true", help="no profiler: each page's median CPU per request")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="profile-")
    os.environ.update({"YOYAKU_VAR_DIR": workdir, "DEBUG": "0", "SECRET_KEY": "p" * 50, "ALLOWED_HOSTS": "testserver",
                       "SECURE_SSL_REDIRECT": "0", "DJANGO_SETTINGS_MODULE": "yoyaku.settings",
                       "STATIC_ROOT": os.path.join(workdir, "static")})
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from bench.rush.dataset import build
    from bench.rush.people import birth_date_of, ticket_of

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    if os.environ.get("REDIS_URL"):
        cache.clear()
    build(residents=max(500, 2 * args.n + 10))
    client = Client()
    response = client.post("/login/", {"ticket_number": ticket_of(1), "password": birth_date_of(1).strftime("%Y%m%d")})
    assert response.status_code == 302, response.status_code

    day = re.search(r"day=(\d{4}-\d{2}-\d{2})#times", client.get("/book/1/").content.decode()).group(1)
    venue = VENUE.search(client.get(f"/book/1/?day={day}").content.decode()).group(1)
    urls = {"top": "/", "book": "/book/1/", "calendar": f"/book/1/?day={day}", "login": "/login/",
            "venue": f"/book/1/?venue={venue}&day={day}"}
    pages = args.pages.split(",")
    results = {}
    write = {page: Timer(not args.timing_only) for page in pages if page in WRITE_PAGES}
    if write:
        counters = {page: Queries() for page in write}
        journeys(2, counters, first_index=2)  # warm-up, counting the queries
        for page, counter in counters.items():
            print(f"{page}: {counter.counts[-1]} queries")
            if args.show_queries:
                print("\n".join(f"  {sql[:200]}" for sql in counter.last))
        started = time.perf_counter()
        journeys(args.n, write, first_index=4)
        print(f"\n{args.n} journeys in {time.perf_counter() - started:.1f} s")
    for page in pages:
        if page in write:
            timer = write[page]
        else:
            url = urls[page]
            if args.show_queries:
                counter = Queries()
                counter(lambda url=url: client.get(url))
                print(f"{page}: {counter.counts[-1]} queries")
                print("\n".join(f"  {sql[:200]}" for sql in counter.last))
            client.get(url)
            timer = Timer(not args.timing_only)
            for _ in range(args.n):
                timer(lambda url=url: client.get(url))
        results[page] = timer
    for page, timer in results.items():
        if timer.profiler:
            print(f"\n=== {page}: {1000 * statistics.median(timer.cpu):.1f} ms CPU per request under the profiler ===")
            pstats.Stats(timer.profiler).sort_stats(args.sort).print_stats(args.lines)
    print("\npage          median CPU ms   (n)")
    for page, timer in results.items():
        print(f"{page:<13} {1000 * statistics.median(timer.cpu):>10.2f}   ({len(timer.cpu)})")


if __name__ == "__main__":
    main()
