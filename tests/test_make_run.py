"""The first ten minutes (issue 17): `make run PORT=<free port>` from a clean copy of the repository serves the
demo, prints the addresses of that port, the demo's move-up emails link to that port, and SIGINT stops the
server and the worker together, in the foreground and in the background.

The copy is what `git clone` of the working tree gives: every tracked or new, not ignored file (so no var/,
no node_modules, no .venv), with your uncommitted edits (in CI, a clean clone, it is the commit itself). Its
.venv is a symlink to this checkout's .venv, whose install stamp for this pyproject.toml exists (`make test`
made it): `make run` then runs its real recipe, `install` included, which finds the stamp and installs
nothing, as on every `make run` after the first. The install itself (`pip install -e .`) is what `make test`
did from the same clean clone a minute before; doing it again here would cost the CI a minute for no new
check. Python runs the copy's code (manage.py's folder comes first on sys.path), with its own var/ database.

Background: a job that a non-interactive shell starts with `&` inherits SIGINT *ignored*; `kill -INT %1` (or
the test's killpg) sends it to the whole job. Foreground: Ctrl-C sends SIGINT to the whole process group.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.web.servers import free_port

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")),
                       reason="make run uses its own SQLite database whatever the test run's: the SQLite pass "
                              "of .ci/run runs it, the PostgreSQL pass would only repeat it"),
]


def tracked_and_new_files() -> list[str]:
    command = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, check=True).stdout.decode()  # noqa: S607
    return [name for name in out.split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    stamp = ROOT / ".venv" / f".installed-{hashlib.sha1((ROOT / 'pyproject.toml').read_bytes()).hexdigest()[:12]}"  # noqa: S324
    if not stamp.exists():  # else make run would `pip install -e` the copy into this checkout's .venv
        pytest.fail(f"{stamp} is missing: run `make install` (make test does) first", pytrace=False)
    target = tmp_path_factory.mktemp("clone") / "yoyaku"
    for name in tracked_and_new_files():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)
    (target / ".venv").symlink_to(ROOT / ".venv")
    assert not (target / "var").exists()
    return target


def newcomer_env() -> dict[str, str]:
    """A shell's environment, not the test run's (no DEBUG, DATABASE_URL, YOYAKU_*, MAKEFLAGS...)."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "USER"}
    return {k: v for k, v in os.environ.items() if k in keep}


class MakeRun:
    def __init__(self, clone: Path, *, background: bool):
        self.clone, self.port = clone, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = clone / f"make-run-{self.port}.log"
        ignore_sigint = (lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if background else None
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                ["make", "run", f"PORT={self.port}"], cwd=clone,  # noqa: S607 - make from PATH, as typed env=newcomer_env(), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=ignore_sigint)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def get(self, path: str) -> tuple[int, str]:
        try:
            url = self.url + path if path.startswith("/") else path
            assert url.startswith(self.url + "/"), url  # only this server
            with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def wait_for_page(self, timeout: float = 45) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"make run ended ({self.process.returncode}):\n{self.output()}"
            try:
                status, body = self.get("/")
                if status == 200:
                    return body
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"no page at {self.url}/ after {timeout} s:\n{self.output()}")

    def group(self) -> dict[int, str]:
        """The processes of make run's group (its session: start_new_session), by pid: their command lines."""
        found = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.getpgid(int(entry.name)) == self.process.pid:
                        found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                except (OSError, ProcessLookupError):
                    pass
        return found

    def server_and_worker(self) -> dict[int, str]:
        return {pid: cmd for pid, cmd in self.group().items() if "runserver" in cmd or "run_worker" in cmd}

    def interrupt(self, timeout: float = 20) -> int:
        """SIGINT to the whole job, as Ctrl-C or `kill -INT %1` sends it; make's exit status."""
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"make run still running {timeout} s after SIGINT: {self.group()}") from None

    def kill(self) -> None:
        if self.process.poll() is None or self.group():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def still_running(pids) -> list[int]:
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(pid)
    return alive


MOVE_UP_LINK = re.compile(r"(http://[^\s/]+)(/move-up/[A-Za-z0-9_-]+/)")


def move_up_links(clone: Path, timeout: float = 20) -> list[tuple[str, str]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for f in sorted((clone / "var" / "mail").glob("*.log"))
                 for m in MOVE_UP_LINK.findall(f.read_text(encoding="utf-8", errors="replace"))]
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError("no move-up offer in the demo inbox (var/mail/)")


def test_make_run_in_the_background_serves_its_port_and_stops_on_sigint(clone):
    run = MakeRun(clone, background=True)
    try:
        run.wait_for_page()
        banner = run.output()
        # The banner's addresses are the port's, and staff log in at the console.
        assert f"Resident site / 住民向けサイト: {run.url}/\n" in banner
        assert f"Staff console / 職員: {run.url}/console/\n" in banner
        assert f"{run.url}/dev/mail/" in banner
        assert ":8000" not in banner and "/admin/" not in banner
        assert run.get("/console/")[0] == 200  # the console's login page (redirected)
        assert run.get("/dev/mail/")[0] == 200
        assert run.get("/static/favicon.svg")[0] == 200
        # The demo staff's second factor: a key per user and the one-line way to read the code.
        assert re.search(r"^  admin +demo-admin-2026 +[A-Z2-7]{32} ", banner, re.MULTILINE)
        assert "make totp STAFF=admin" in banner and "oathtool --totp -b KEY" in banner
        # The app ran from the copy, with its own database.
        assert (clone / "var" / "yoyaku.sqlite3").exists()

        # One move-up email link: on this port, and it opens the offer.
        links = move_up_links(clone)
        assert {origin for origin, _path in links} == {run.url}
        status, body = run.get(links[0][0] + links[0][1])
        assert status == 200, body[:2000]

        processes = run.server_and_worker()
        assert any("run_worker" in cmd for cmd in processes.values()), run.group()
        assert any("runserver" in cmd for cmd in processes.values()), run.group()
        assert run.interrupt() == 0, run.output()[-3000:]
        assert still_running(processes) == [], run.group()
        assert run.group() == {}
        assert "Stopped the server and the worker." in run.output()
        assert not (clone / "var" / "run.pid").exists()
    finally:
        run.kill()


def test_make_run_in_the_foreground_stops_on_ctrl_c(clone):
    """The second start finds the demo loaded (demo --if-empty) and prints the same addresses."""
    run = MakeRun(clone, background=False)
    try:
        run.wait_for_page()
        assert f"Staff console / 職員: {run.url}/console/\n" in run.output()
        processes = run.server_and_worker()
        assert len(processes) >= 2, run.group()
        run.interrupt()  # make reports the interrupt itself (status 2 or the signal's): only the processes count
        assert still_running(processes) == [], run.group()
        assert run.group() == {}
    finally:
        run.kill()


def test_make_stop_from_another_terminal_stops_a_background_make_run(clone):
    run = MakeRun(clone, background=True)
    try:
        run.wait_for_page()
        processes = run.server_and_worker()
        stop = subprocess.run(["make", "stop"], cwd=clone, env=newcomer_env(),  # noqa: S607
                              capture_output=True, text=True, timeout=30)
        assert "Stopping make run." in stop.stdout, stop.stdout + stop.stderr
        assert run.process.wait(timeout=20) == 0
        assert still_running(processes) == [] and run.group() == {}
        again = subprocess.run(["make", "stop"], cwd=clone, env=newcomer_env(),  # noqa: S607
                               capture_output=True, text=True, timeout=30)
        assert "No make run is running" in again.stdout
    finally:
        run.kill()

def test_make_test_without_chromium_ends_by_saying_the_browser_walks_did_not_run(tmp_path):
    """A machine without Chromium: the skips are summed up at the end with the one command that enables them."""
    env = {**newcomer_env(), "YOYAKU_CHROMIUM": str(tmp_path / "no-chromium"),
           "TEST_DATABASE_NAME": str(tmp_path / "test.sqlite3")}
    result = subprocess.run([str(ROOT / ".venv" / "bin" / "pytest"), "tests/e2e/test_axe_harness.py", "-q",
                             "-p", "no:cacheprovider"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout[-3000:]
    tail = result.stdout[result.stdout.index("browser walks not run"):]
    assert "The browser walks (tests/e2e, 1 test) did NOT run: No Chromium at" in tail
    assert "To run them, install what is missing and run make test again:  apt-get install -y chromium" in tail
