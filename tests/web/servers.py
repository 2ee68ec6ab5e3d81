"""Real servers for the production tests: gunicorn with DEBUG off, the environment a city would set, a
throwaway database, and a small browser (cookies, CSRF, redirects by hand) that talks to them over HTTP.

The app servers run with their own environment (never the test run's): what settings.py does with it is
what is being tested. Requests carry `X-Forwarded-Proto: https`, as nginx sends it, so the HTTPS redirect
and the secure cookies stay on as in production.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
POSTGRES = os.environ.get("YOYAKU_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(var_dir: Path, static_root: Path, **extra: str) -> dict[str, str]:
    """DEBUG off and only what a city sets; no Redis unless `extra` gives REDIS_URL."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update({
        "DEBUG": "0", "SECRET_KEY": "production-test-" + "s3cr3t" * 10, "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "YOYAKU_VAR_DIR": str(var_dir), "STATIC_ROOT": str(static_root), "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "yoyaku.settings", "PYTHONPATH": str(ROOT),
        "YOYAKU_AVAILABILITY_CACHE_SECONDS": "0",
    })
    env.update(extra)
    return env


def manage(env: dict, *argv: str) -> subprocess.CompletedProcess:
    result = subprocess.run([PYTHON, str(ROOT / "manage.py"), *argv], env=env, cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, f"manage.py {' '.join(argv)}: {result.stdout}{result.stderr}"
    return result


def django_python(env: dict, code: str):
    """Run `code` with Django set up in the servers' environment; its last line of output is JSON."""
    script = "import django, json\ndjango.setup()\n" + code
    result = subprocess.run([PYTHON, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def collect_static(static_root: Path, var_dir: Path) -> None:
    manage(production_env(var_dir, static_root), "collectstatic", "--no-input", "-v0")


def create_postgres_database(name: str) -> str:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{POSTGRES}/{name}"


def drop_postgres_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def terminate_backends(name: str) -> int:
    """pg_terminate_backend for the connections to database `name` only (ours), never anyone else's."""
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        rows = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                            "AND pid <> pg_backend_pid()", [name]).fetchall()
    return len(rows)


def on_postgresql() -> bool:
    """The test run's database decides the servers' one: the PostgreSQL run tests them on PostgreSQL."""
    return os.environ.get("DATABASE_URL", "").startswith("postgres")


def server_database(label: str):
    """(extra environment, cleanup) for a throwaway database of the servers: SQLite under their
    YOYAKU_VAR_DIR, or on the PostgreSQL run a database named after this run's test database."""
    if not on_postgresql():
        return {}, lambda: None
    name = f"{os.environ.get('TEST_DATABASE_NAME') or 'test_yoyaku'}_{label}"
    url = create_postgres_database(name)
    return {"DATABASE_URL": url, "YOYAKU_TEST_DATABASE": name}, lambda: drop_postgres_database(name)


SEED_CITY = """
from datetime import date
from tests import factories as f
f.open_window()
vaccine = f.vaccine(code="PFZ", name="Pfizer")
venue = f.venue(vaccines=[vaccine], name="North Clinic")
slot = f.slot(venue=venue, vaccine=vaccine, starts_at=f.at(10), capacity={capacity})
people = [f.resident(ticket_number=f"{{9000000000 + n}}", birth_date=date(1950, 1, 1)) for n in range({residents})]
print(json.dumps({{"slot": slot.pk, "tickets": [p.ticket_number for p in people]}}))
"""


def seed_city(env: dict, *, capacity: int, residents: int) -> dict:
    return django_python(env, SEED_CITY.format(capacity=capacity, residents=residents))


class Server:
    """gunicorn serving yoyaku.wsgi with `env`; stopped (its whole process group) by stop()."""

    def __init__(self, env: dict, log: Path, *, workers: int = 2, threads: int = 1, worker_class: str = "gthread",
                 port: int | None = None, timeout: int = 60):
        self.port = port or free_port()
        self.log = log
        command = [GUNICORN, "yoyaku.wsgi:application", "-b", f"127.0.0.1:{self.port}", "-w", str(workers),
                   "-k", worker_class, "--threads", str(threads), "--timeout", str(timeout),
                   "--graceful-timeout", "2", "--no-control-socket"]
        self._log_file = open(log, "ab")  # noqa: SIM115 - closed by stop()
        self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=self._log_file, stderr=self._log_file,
                                        start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {log.read_text()[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError(f"gunicorn did not start: {log.read_text()[-3000:]}")
        # Every worker has booted (a request answered by one that is still importing would be slow).
        time.sleep(0.5 + 0.2 * workers)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self._log_file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Browser:
    """One resident's browser: its cookies (Secure ones too: nginx would be in front), the CSRF token.

    `port` is the server to talk to; each request may name another one (two app servers, one browser)."""

    port: int
    language: str = "ja"
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 60

    def request(self, method: str, path: str, form: dict | None = None, *, port: int | None = None) -> Response:
        port = port or self.port
        host = f"127.0.0.1:{port}"
        headers = {"Host": host, "X-Forwarded-Proto": "https", "Accept-Language": self.language,
                   "User-Agent": "yoyaku-production-tests"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            form = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form}
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://{host}{path}"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            text = raw.read().decode("utf-8", "replace")
            for name, value in raw.getheaders():
                if name.lower() == "set-cookie":
                    cookie_name, cookie_value = value.split(";", 1)[0].split("=", 1)
                    if "max-age=0" in value.lower() or "expires=thu, 01 jan 1970" in value.lower():
                        self.cookies.pop(cookie_name.strip(), None)
                    else:
                        self.cookies[cookie_name.strip()] = cookie_value.strip().strip('"')
            headers_out = {name.lower(): value for name, value in raw.getheaders()}
            return Response(raw.status, headers_out, text)
        finally:
            connection.close()

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, form: dict, **kw) -> Response:
        return self.request("POST", path, form, **kw)

    def follow(self, response: Response, **kw) -> Response:
        location = response.location
        location = re.sub(r"^https?://[^/]+", "", location)
        return self.get(location, **kw)

    def log_in(self, ticket: str, birth_date: str = "19500101", **kw) -> Response:
        if "csrftoken" not in self.cookies:
            self.get("/login/", **kw)
        return self.post("/login/", {"ticket_number": ticket, "password": birth_date}, **kw)


DETAILS = {"booker": "self", "recipient_phone": "0195-23-3111", "email": "", "wants_move_up": "no"}


def request_key(html: str) -> str:
    match = re.search(r'name="request_key" value="([^"]+)"', html)
    assert match, html[:2000]
    return match.group(1)
