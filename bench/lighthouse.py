"""Lighthouse (mobile, its defaults) on the resident pages issue 13 names: login, top, booking, check, done and
history, in Japanese and English. How to run it and the numbers measured: docs/lighthouse.md.

    python -m bench.lighthouse http://127.0.0.1:8766 [--runs 1] [--out var/lighthouse]

Against a demo city (`manage.py demo`) served by `runserver` (DEBUG=1). Two demo residents log in with
Playwright and Chromium: one is left on the check page (a draft in their session), the other registers a
reservation and is left on its done page. Lighthouse then loads each page with that session's cookie. It is
not a Python dependency: LIGHTHOUSE is a command (default: `npx --yes lighthouse@12.2.3`; 13 needs Node 22),
and Chromium comes from CHROME_PATH (default /usr/bin/chromium). The demo data changes (a reservation is
made): run it on a demo database of its own (SQLITE_PATH).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
LIGHTHOUSE = shlex.split(os.environ.get("LIGHTHOUSE", "npx --yes lighthouse@12.2.3"))
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking"
# The demo logins (`manage.py demo` prints them): ticket number, password (birth date).
CHECKER = ("2000000022", "19781123")
BOOKER = ("2000000011", "19440510")


def _walk(browser, base: str, login: tuple[str, str], *, register: bool) -> dict:
    """Log in, open the first dose the top page offers, choose the first free time, go on to the check page
    (and register, with `register`). Returns the pages' URLs and the session's cookies."""
    context = browser.new_context(locale="ja-JP", viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(base + "/login/")
    page.fill("#id_ticket_number", login[0])
    page.fill("#id_password", login[1])
    page.locator("form:has(#id_ticket_number) button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(base + "/")
    urls = {"top": base + "/", "history": base + "/reservations/"}
    urls["book"] = base + page.locator("main a[href^='/book/']").first.get_attribute("href").split("?")[0]
    page.goto(urls["book"])
    venues = page.locator(".day-venues a")
    if venues.count():  # no venue chosen yet: the day lists the venues with free times
        venues.first.click()
        page.wait_for_load_state()
    page.locator("input[name=slot]").first.check()
    phone = page.locator("input[name=recipient_phone]")
    if phone.count() and not phone.input_value():
        phone.fill("0195233111")
    page.locator("input[name=wants_move_up]").last.check()
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    urls["check"] = page.url
    if register:
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_load_state()
        urls["done"] = page.url
    cookies = {c["name"]: c["value"] for c in context.cookies() if c["name"] in {"sessionid", "csrftoken"}}
    context.close()
    return {"urls": urls, "cookies": cookies}


def sessions(base: str) -> tuple[dict, dict]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROME, args=["--no-sandbox", "--disable-gpu"])
        try:
            return (_walk(browser, base, CHECKER, register=False), _walk(browser, base, BOOKER, register=True))
        finally:
            browser.close()


def lighthouse(url: str, cookies: dict, language: str, out: Path) -> dict:
    cookie = "; ".join(f"{k}={v}" for k, v in {**cookies, "django_language": language}.items())
    subprocess.run([*LIGHTHOUSE, url, f"--chrome-flags={CHROME_FLAGS}",
                    "--extra-headers", json.dumps({"Cookie": cookie}), "--output", "json",
                    "--output-path", str(out), "--quiet"],
                   check=False, env={**os.environ, "CHROME_PATH": CHROME}, capture_output=True)
    report = json.loads(out.read_text())
    scores = {key: (None if c["score"] is None else round(c["score"] * 100))
              for key, c in report["categories"].items()}
    below = [f"{ref['id']} {report['audits'][ref['id']].get('displayValue', '')}".strip()
             for c in report["categories"].values() for ref in c["auditRefs"]
             if ref["weight"] and (report["audits"][ref["id"]]["score"] or 0) < 1]
    return {"scores": scores, "below": below, "benchmark_index": report["environment"]["benchmarkIndex"],
            "version": report["lighthouseVersion"]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the demo server, for example http://127.0.0.1:8766")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--out", default=str(Path("var") / "lighthouse"), help="where the JSON reports go")
    args = parser.parse_args(argv)
    base, out = args.base.rstrip("/"), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    checker, booker = sessions(base)
    pages = [("login", base + "/login/", {}), ("top", checker["urls"]["top"], checker["cookies"]),
             ("booking", checker["urls"]["book"], checker["cookies"]),
             ("check", checker["urls"]["check"], checker["cookies"]),
             ("done", booker["urls"]["done"], booker["cookies"]),
             ("history", booker["urls"]["history"], booker["cookies"])]
    print("page      lang run  perf a11y bp  seo  below 100")
    for language in ("ja", "en"):
        for name, url, cookies in pages:
            for run in range(1, args.runs + 1):
                result = lighthouse(url, cookies, language, out / f"{name}-{language}-{run}.json")
                s = result["scores"]
                print(f"{name:9} {language:4} {run:<4} {s['performance']!s:4} {s['accessibility']!s:4} "
                      f"{s['best-practices']!s:4} {s['seo']!s:4} {'; '.join(result['below'])}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
