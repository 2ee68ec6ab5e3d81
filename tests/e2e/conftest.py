"""Browser tests of the resident site: Playwright (Python) driving Debian's Chromium, axe-core from npm.

Chromium: /usr/bin/chromium (`apt-get install -y chromium`; never `playwright install`). axe-core:
node_modules/axe-core (`npm ci`, which `make test` runs). When either is missing the tests fail in CI
(env CI set) and are skipped on a developer's machine, with the command that installs it; the end of the run
then says plainly that the browser walks did not run, and the one command that enables them.

The app runs in pytest-django's live server, on the test database; every test loads a small demo city.
Screenshots (docs/screenshots/) are written only with SCREENSHOTS=1, so a normal run never rewrites them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("YOYAKU_CHROMIUM", "/usr/bin/chromium"))
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOT_DIR = REPO / "docs" / "screenshots"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--no-first-run", "--disable-sync"]
PHONE = {"width": 375, "height": 812}
NARROWEST = 320

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the dev extra installs it; the `browser` fixture then fails (CI) or skips
    expect = sync_playwright = None


# What was missing in this run (the command that installs it): for the summary at the end.
MISSING: dict[str, str] = {}


def _missing(message: str, command: str) -> None:
    """In CI a missing browser tool is a failure, never a silent skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{message}: {command}", pytrace=False)
    MISSING[message] = command
    pytest.skip(f"{message}: {command}")


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module. While Playwright's sync API runs, its event loop sits in the test thread;
    the ORM calls the tests make (loading the demo city, reading reservations back, flushing the database)
    are still plain synchronous code, so Django's async check is off for that time only (module scope: the
    flush after a module's last test comes before this fixture ends)."""
    if sync_playwright is None:
        _missing("Python Playwright is not installed", ".venv/bin/pip install -e '.[dev]'")
    if not CHROMIUM.exists():
        _missing(f"No Chromium at {CHROMIUM}", "apt-get install -y chromium")
    if not AXE.exists():
        _missing(f"No axe-core at {AXE}", "npm ci")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            yield browser
            browser.close()


@pytest.fixture(scope="module")
def axe_source(browser) -> str:
    return AXE.read_text(encoding="utf-8")  # after `browser`, which says what is missing


@pytest.fixture
def demo_city(transactional_db):
    """A small demo city (the same data as `manage.py demo`), and the first demo login: 佐藤ハナ, 昭和19年5月10日."""
    from django.core.cache import cache

    from yoyaku.booking import demo_data
    from yoyaku.console.management.commands.demo import demo_load

    cache.clear()  # login throttles
    demo_load(residents=demo_data.MIN_RESIDENTS, seed=1)  # booking's data and the venue staff's venues
    yield demo_data.DEMO_LOGINS[0]
    cache.clear()


@dataclass
class Browse:
    """Opens browser contexts on the live server and checks each page of a walk: axe, width, screenshot."""

    browser: object
    base_url: str
    axe_source: str
    prefix: str = ""
    contexts: list = field(default_factory=list)
    checked: list = field(default_factory=list)
    without_javascript: set = field(default_factory=set)

    def new_page(self, *, javascript: bool = True, storage_state=None, locale: str = "ja-JP"):
        context = self.browser.new_context(
            base_url=self.base_url, viewport=PHONE, locale=locale, timezone_id="Asia/Tokyo",
            java_script_enabled=javascript, storage_state=storage_state,
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        if not javascript:
            self.without_javascript.add(id(context))
        return context.new_page()

    def axe_violations(self, page) -> list[dict]:
        """axe-core's violations on the page. Evaluated through the driver: the site's CSP (script-src 'self')
        rightly refuses an injected <script>. A page without JavaScript is checked again in a context with
        it, same cookies, same URL (the HTML is the same: scripts only enhance)."""
        if id(page.context) in self.without_javascript:
            twin = self.new_page(storage_state=page.context.storage_state())
            twin.goto(page.url)
            return self.axe_violations(twin)
        page.evaluate(self.axe_source + "\n;0")
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        if os.environ.get("AXE_DEBUG"):
            print(page.url, "passes", len(result["passes"]), "incomplete",
                  [(i["id"], [n["target"] for n in i["nodes"]][:3]) for i in result["incomplete"]])
        return result["violations"]

    def overflow(self, page) -> int:
        """How far the page is wider than the viewport (0: no horizontal scrolling)."""
        return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")

    def check(self, page, name: str, *, full_page: bool = True) -> None:
        """Every page of the walk: zero axe violations, no horizontal scroll at 375 and 320 px, a screenshot
        (of the whole page, or of the screen only: a modal dialog is drawn over the screen, not the page)."""
        page.wait_for_load_state("load")
        violations = self.axe_violations(page)
        assert not violations, f"{name} ({page.url}): axe violations:\n" + format_violations(violations)
        wide = self.overflow(page)
        page.set_viewport_size({"width": NARROWEST, "height": PHONE["height"]})
        narrow = self.overflow(page)
        culprits = page.evaluate(WIDE_ELEMENTS) if narrow else []
        page.set_viewport_size(PHONE)
        assert (wide, narrow) == (0, 0), (
            f"{name}: wider than the screen by {wide} px at 375, {narrow} px at 320; at 320: {culprits}")
        if os.environ.get("SCREENSHOTS") == "1":
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT_DIR / f"{self.prefix}{len(self.checked) + 1:02d}-{name}.png"),
                            full_page=full_page)
        self.checked.append(name)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


# The innermost elements that stick out of the viewport (for the message of a failed width check).
WIDE_ELEMENTS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > width + 0.5);
  return out.filter(e => !out.some(o => o !== e && e.contains(o))).slice(0, 8).map(e => {
    const r = e.getBoundingClientRect();
    return `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}${e.className ? "." + e.className : ""} ` +
      `right=${Math.round(r.right)} "${(e.textContent || "").trim().slice(0, 30)}"`;
  });
}"""


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']} {v.get('helpUrl', '')}")
        for node in v["nodes"][:10]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


@pytest.fixture
def browse(browser, axe_source, live_server, demo_city):
    session = Browse(browser=browser, base_url=live_server.url, axe_source=axe_source)
    yield session
    session.close()


def pytest_collection_modifyitems(config, items):
    """Every test in this folder drives a browser: `-m "not browser"` (make test-fast) leaves them out."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter):
    """At the very end, not one line each in the middle: the browser walks did not run, and how to run them."""
    if not MISSING:
        return
    here = Path(__file__).parent
    skipped = [r for r in terminalreporter.stats.get("skipped", [])
               if here in (REPO / r.nodeid.split("::")[0]).parents]
    commands = " && ".join(dict.fromkeys(MISSING.values()))
    terminalreporter.section("browser walks not run", sep="=", yellow=True, bold=True)
    tests = f"{len(skipped)} test{'s' if len(skipped) != 1 else ''}"
    terminalreporter.write_line(f"The browser walks (tests/e2e, {tests}) did NOT run: {'; '.join(MISSING)}.",
                                yellow=True)
    terminalreporter.write_line(f"To run them, install what is missing and run make test again:  {commands}")
