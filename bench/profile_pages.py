"""Profile the resident pages in-process (cProfile): where does a page's time go?

    .venv/bin/python bench/profile_pages.py [--pages top,book,calendar] [--n 50] [--sort cumtime]

Builds the rush's data set in a temporary SQLite database, logs one resident in with Django's test client,
renders each page --n times under cProfile and prints the top functions. For finding hot spots; the rush
(bench/rush) measures the real thing.
"""

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", default="top,book,calendar")
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--sort", default="cumtime")
    parser.add_argument("--lines", type=int, default=30)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="profile-")
    os.environ.update({"YOYAKU_VAR_DIR": workdir, "DEBUG": "0", "SECRET_KEY": "p" * 50, "ALLOWED_HOSTS": "testserver",
                       "SECURE_SSL_REDIRECT": "0", "DJANGO_SETTINGS_MODULE": "yoyaku.settings",
                       "STATIC_ROOT": os.path.join(workdir, "static")})
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from bench.rush.dataset import build
    from bench.rush.people import birth_date_of, ticket_of

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    build(residents=500)
    client = Client()
    response = client.post("/login/", {"ticket_number": ticket_of(1), "password": birth_date_of(1).strftime("%Y%m%d")})
    assert response.status_code == 302, response.status_code
    import re

    day = re.search(r"day=(\d{4}-\d{2}-\d{2})#times", client.get("/book/1/").content.decode()).group(1)
    urls = {"top": "/", "book": "/book/1/", "calendar": f"/book/1/?day={day}", "login": "/login/"}
    for page in args.pages.split(","):
        url = urls[page]
        client.get(url)
        started = time.perf_counter()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.n):
            client.get(url)
        profiler.disable()
        elapsed = (time.perf_counter() - started) / args.n
        print(f"\n=== {page} {url}: {1000 * elapsed:.1f} ms per request under the profiler ===")
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.lines)


if __name__ == "__main__":
    main()
