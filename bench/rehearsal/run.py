"""The production rehearsal on one machine: `make rehearsal` (bench/README.md, "The rehearsal").

Debian's nginx, run with the site file of deploy/ (its ports, names and paths swapped for local ones), in
front of two gunicorn app servers started as the systemd unit starts them, with DEBUG off and the
environment of deploy/yoyaku.env.example; the notification worker; PostgreSQL (a throwaway database),
Redis (db 14) and a real SMTP server that records every message. Residents book through nginx over HTTPS
for --duration seconds; half-way, one app server's master and workers are killed with SIGKILL.

After the run, once the worker has drained the outbox, it checks: no lost confirmation (every reservation
code seen on a 「予約を受け付けました。」 page is booked in the database and was received by the SMTP
server), no slot overbooked, check_integrity clean, 5xx answers only for requests that were in flight on
the killed server, and nginx routing every later request to the survivor. It prints a summary and exits 1
when an invariant fails. Everything it started is stopped, on success, failure or Ctrl-C.

Needs root (it installs nginx with apt-get if missing and runs its workers as www-data), PostgreSQL on
127.0.0.1:5432 and Redis on 127.0.0.1:6379.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench.rush.client import Session
from bench.rush.journey import DONE, Stats, Unexpected, resident_journey
from bench.rush.people import birth_date_of, ticket_of
from bench.rush.run import free_port, percentile, process_tree

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
DEPLOY = ROOT / "deploy"
REDIS_DB = 14
CODE = re.compile(rb'class="code">([0-9A-Z]{8})<')
MASK = re.compile(r"^/(reservations|move-?up)/[^/]+")


# --- What was started, so that it is all stopped ----------------------------------------------------


@dataclass
class Started:
    workdir: Path | None = None
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    database: str | None = None
    redis_prefix: str | None = None
    smtp: object | None = None

    def stop_process(self, name: str, sig: int = signal.SIGTERM, wait: float = 30) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        # Each process leads its own session (start_new_session): the signal reaches its children too.
        try:
            os.killpg(process.pid, sig)
            process.wait(wait)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        except ProcessLookupError:
            pass

    def stop_all(self, postgres: str) -> None:
        for name in list(self.processes):
            self.stop_process(name, signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
        if self.smtp is not None:
            self.smtp.stop()
            self.smtp = None
        if self.database:
            import psycopg

            with psycopg.connect(f"{postgres}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
            self.database = None
        if self.redis_prefix:
            import redis

            client = redis.Redis.from_url(f"redis://127.0.0.1:6379/{REDIS_DB}")
            for key in client.scan_iter(f"{self.redis_prefix}*", count=1000):
                client.delete(key)
            self.redis_prefix = None


def start(started: Started, name: str, command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    started.processes[name] = process
    return process


def wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"exited at start ({process.returncode}); its log, {log}:\n{log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listening on port {port} after {seconds} s; see {log}")


# --- Setting up ---------------------------------------------------------------------------------------


def ensure_nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("nginx is missing and this is not root: apt-get install nginx")
    print("installing nginx (apt-get)...", flush=True)
    # The rehearsal runs nginx as its own process: keep the package's service from starting on port 80.
    policy = Path("/usr/sbin/policy-rc.d")
    added_policy = not policy.exists()
    if added_policy:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        apt = shutil.which("apt-get") or "/usr/bin/apt-get"
        if subprocess.run([apt, "install", "-y", "-qq", "nginx"], env=env).returncode != 0:
            subprocess.run([apt, "update", "-qq"], env=env, check=True)
            subprocess.run([apt, "install", "-y", "-qq", "nginx"], env=env, check=True)
    finally:
        if added_policy:
            policy.unlink()
    return shutil.which("nginx") or "/usr/sbin/nginx"


def read_env_example() -> dict:
    """deploy/yoyaku.env.example as a dict: the rehearsal starts from the documented environment."""
    values = {}
    for line in (DEPLOY / "yoyaku.env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().strip('"')
    return values


def production_env(args, work: Path, https_port: int, smtp_port: int, database: str, prefix: str) -> dict:
    documented = read_env_example()
    dropped = {*documented, "DATABASE_URL", "TEST_DATABASE_NAME", "SQLITE_PATH", "REDIS_URL", "CACHE_KEY_PREFIX",
               "EMAIL_BACKEND", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "YOYAKU_BENCH_FLOOR"}
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("YOYAKU_")}
    env.update(documented)
    origin = f"https://127.0.0.1:{https_port}"
    env.update({
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": origin,  # the browser's origin carries nginx's high port
        "DATABASE_URL": f"{args.postgres}/{database}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "CACHE_KEY_PREFIX": prefix,  # fresh throttles and sessions, deleted at the end
        "YOYAKU_SITE_URL": origin,
        "YOYAKU_VAR_DIR": str(work / "var"),
        "STATIC_ROOT": str(work / "static"),
        "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port), "EMAIL_USE_TLS": "0",
        "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": "", "DEFAULT_FROM_EMAIL": "yoyaku@rehearsal.example.com",
        "YOYAKU_NOTIFY_POLL_SECONDS": "1",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "yoyaku.settings", "PYTHONPATH": str(ROOT),
    })
    return env


def manage(env: dict, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([PYTHON, str(ROOT / "manage.py"), *argv], env=env, cwd=ROOT, capture_output=True,
                            text=True)
    if check and result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(argv)} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}")
    return result


def make_certificate(work: Path) -> tuple[Path, Path]:
    cert, key = work / "tls" / "cert.pem", work / "tls" / "key.pem"
    cert.parent.mkdir()
    openssl = shutil.which("openssl") or "/usr/bin/openssl"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def substitute(text: str, pattern: str, replacement: str, count: int) -> str:
    """Replace exactly `count` matches: when deploy/nginx-yoyaku.conf changes shape, say so instead of
    rehearsing something else."""
    new, n = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    if n != count:
        raise SystemExit(f"deploy/nginx-yoyaku.conf: expected {count} match(es) of {pattern!r}, found {n}")
    return new


def nginx_config(work: Path, ports: tuple[int, int], http_port: int, https_port: int, cert: Path, key: Path) -> Path:
    """The site file of deploy/ with local ports, certificate and paths, inside a minimal nginx.conf."""
    site = (DEPLOY / "nginx-yoyaku.conf").read_text()
    upstream = re.search(r"^upstream yoyaku_app \{.*?^\}", site, flags=re.MULTILINE | re.DOTALL)
    if not upstream:
        raise SystemExit("deploy/nginx-yoyaku.conf: no `upstream yoyaku_app { ... }` block")
    servers = iter(ports)
    block, n = re.subn(r"^(\s*server\s+)\S+:\d+", lambda m: f"{m.group(1)}127.0.0.1:{next(servers)}",
                       upstream.group(0), flags=re.MULTILINE)
    if n != 2:
        raise SystemExit(f"deploy/nginx-yoyaku.conf: the rehearsal needs 2 app servers in the upstream, found {n}")
    site = site.replace(upstream.group(0), block)
    site = substitute(site, r"^\s*listen \[::\]:\d+.*$", "", 2)  # 127.0.0.1 only
    site = substitute(site, r"^(\s*)listen 80;", rf"\1listen 127.0.0.1:{http_port};", 1)
    site = substitute(site, r"^(\s*)listen 443 ", rf"\1listen 127.0.0.1:{https_port} ", 1)
    site = substitute(site, r"ssl_certificate \S+;", f"ssl_certificate {cert};", 1)
    site = substitute(site, r"ssl_certificate_key \S+;", f"ssl_certificate_key {key};", 1)
    site = substitute(site, r"access_log \S+ yoyaku;", f"access_log {work}/nginx-access.log rehearsal;", 2)
    www = work / "www"
    www.mkdir()
    shutil.copy(DEPLOY / "yoyaku-unavailable.html", www)
    site = substitute(site, r"root /opt/yoyaku/deploy;", f"root {www};", 1)
    (work / "nginx-site.conf").write_text(site)
    temp = work / "nginx-temp"
    temp.mkdir()
    shutil.chown(temp, "www-data", "www-data")
    conf = work / "nginx.conf"
    conf.write_text(f"""# Generated by bench/rehearsal/run.py around deploy/nginx-yoyaku.conf.
user www-data;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    # When each request ended, how long it took, and which app servers it went to (in order).
    log_format rehearsal '$msec $request_time $status $request_method $yoyaku_log_path "$upstream_addr" '
                         '"$upstream_status"';
    include {work}/nginx-site.conf;
}}
""")
    return conf


# --- The SMTP server ------------------------------------------------------------------------------------


class Recorder:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self):
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope.original_content or envelope.content)
        return "250 Message accepted"


def message_text(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parts = [str(message["subject"] or "")]
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            parts.append(part.get_content())
    return "\n".join(parts)


# --- The residents --------------------------------------------------------------------------------------


@dataclass
class Seen:
    """What the residents' browsers saw."""

    codes: set[str] = field(default_factory=set)  # on 予約を受け付けました。 pages
    # start, end, method, path (codes masked), status (0: no answer)
    requests: list[tuple[float, float, str, str, int]] = field(default_factory=list)
    failures: Counter = field(default_factory=Counter)  # journeys ended by anything but a 5xx page


class RecordingSession(Session):
    seen: Seen

    async def request(self, method: str, path: str, form: dict | None = None, referer: str = ""):
        started = time.time()
        masked = MASK.sub(r"/\1/*", path.split("?")[0])
        try:
            response = await super().request(method, path, form, referer)
        except BaseException:
            self.seen.requests.append((started, time.time(), method, masked, 0))
            raise
        self.seen.requests.append((started, time.time(), method, masked, response.status))
        if response.status == 200 and DONE in response.body:
            match = CODE.search(response.body)
            if match:
                self.seen.codes.add(match.group(1).decode())
        return response


async def one_resident(stats: Stats, seen: Seen, port: int, index: int, rng: random.Random, tls) -> None:
    session = RecordingSession("127.0.0.1", port, tls=tls)
    session.seen = seen
    try:
        outcome = await resident_journey(stats, session, ticket_of(index), birth_date_of(index).strftime("%Y%m%d"),
                                         rng, email=f"resident{index}@example.com")
        if outcome == "completed":
            stats.completed += 1
        else:
            stats.full += 1
    except Unexpected as error:
        if "HTTP 5" in str(error):  # counted from the requests (Seen.requests) and nginx's log
            stats.errors["5xx"] += 1
        else:
            seen.failures[str(error)[:60]] += 1
    except TimeoutError:
        seen.failures["timeout"] += 1
    except (ConnectionError, OSError) as error:
        seen.failures[f"connection: {type(error).__name__}"] += 1
    finally:
        await session.close()


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in {"Z", "X"}  # exited; only its exit status is left


async def rush(args, port: int, tls, victim: subprocess.Popen, seen: Seen) -> tuple[Stats, tuple, float]:
    """--concurrency residents in flight for --duration seconds; the victim app server is killed half-way."""
    stats = Stats()
    order = list(range(args.residents))
    random.Random(args.seed).shuffle(order)
    queue = iter(order)
    rng = random.Random(args.seed + 1)
    started = time.time()
    deadline = started + args.duration
    kill = (0.0, 0.0)  # when SIGKILL was sent, when the last of the processes was gone

    async def browser():
        while time.time() < deadline:
            index = next(queue, None)
            if index is None:
                return
            await one_resident(stats, seen, port, index, rng, tls)

    async def kill_half_way():
        nonlocal kill
        await asyncio.sleep(args.duration / 2)
        pids = process_tree(victim.pid)  # the master and its workers
        killed_at = time.time()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        while not all(gone(pid) for pid in pids):
            await asyncio.sleep(0.001)
        kill = (killed_at, time.time())
        print(f"  {killed_at - started:.1f} s: kill -9 app server A (master and {len(pids) - 1} workers), all gone "
              f"{1000 * (kill[1] - killed_at):.0f} ms later", flush=True)

    await asyncio.gather(kill_half_way(), *(browser() for _ in range(args.concurrency)))
    return stats, kill, time.time() - started


# --- After the run ---------------------------------------------------------------------------------------


def read_facts(env: dict) -> dict:
    out = subprocess.run([PYTHON, "-m", "bench.rehearsal.facts"], env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"reading the database failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def wait_for_outbox(env: dict, seconds: float) -> tuple[dict, float]:
    started = time.monotonic()
    while True:
        facts = read_facts(env)
        if facts["unsent"] == 0 or time.monotonic() - started > seconds:
            return facts, time.monotonic() - started
        time.sleep(1)


@dataclass
class LogLine:
    start: float
    end: float
    status: int
    method: str
    path: str
    upstreams: list[int]  # app server ports, in the order nginx tried them

    @property
    def request_time(self) -> float:
        return self.end - self.start


def read_access_log(path: Path) -> list[LogLine]:
    lines = []
    for raw in path.read_text().splitlines():
        parts = raw.split(" ", 5)
        end, duration = float(parts[0]), float(parts[1])
        ports = [int(p) for p in re.findall(r"127\.0\.0\.1:(\d+)", parts[5])]
        lines.append(LogLine(end - duration, end, int(parts[2]), parts[3], parts[4], ports))
    return lines


def analyse(log: list[LogLine], kill: tuple[float, float], victim: int, survivor: int) -> dict:
    """In flight on the killed server: nginx passed it to A, it started before A's last process was gone and
    was still open when the kill began. nginx logs times to the millisecond, hence the slack."""
    killed_at, dead_at = kill
    slack = 0.0015
    in_flight = [x for x in log if victim in x.upstreams and x.start <= dead_at + slack and x.end >= killed_at - slack]
    before = [x for x in log if x.end < killed_at and x.upstreams]
    after = [x for x in log if x.start > dead_at + slack and x.upstreams]
    errors = [x for x in log if x.status >= 500]
    return {
        "unexplained_5xx": [f"{x.method} {x.path} started {1000 * (x.start - killed_at):+.0f} ms from the kill, "
                            f"{x.request_time:.3f} s, upstreams {x.upstreams}" for x in errors if x not in in_flight],
        "requests": len(log),
        "before_kill_by_server": Counter("A" if x.upstreams[-1] == victim else "B" for x in before),
        "in_flight_on_killed": len(in_flight),
        "in_flight_answered_5xx": sum(1 for x in in_flight if x.status >= 500),
        "in_flight_retried_on_survivor": sum(1 for x in in_flight if x.status < 500 and x.upstreams[-1] == survivor),
        "after_kill": len(after),
        "after_kill_on_survivor": sum(1 for x in after if x.upstreams[-1] == survivor and x.status < 500),
        "after_kill_tried_killed_first": sum(1 for x in after if len(x.upstreams) > 1 and x.upstreams[0] == victim),
        "5xx": len(errors),
        "5xx_not_in_flight_on_killed": sum(1 for x in errors if x not in in_flight),
    }


def machine() -> str:
    return (f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
            f"{platform.freedesktop_os_release().get('PRETTY_NAME', platform.system())}")


def interrupted(signum, frame):
    """SIGTERM does what Ctrl-C does, so that `finally` stops everything that was started."""
    raise KeyboardInterrupt


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=30, help="seconds of booking through nginx")
    parser.add_argument("--concurrency", type=int, default=32, help="residents in flight")
    parser.add_argument("--residents", type=int, default=5000)
    parser.add_argument("--venues", type=int, default=4)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--times-per-day", type=int, default=8)
    parser.add_argument("--capacity", type=int, default=4, help="places per time: fewer places than bookers")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, configs) afterwards")
    args = parser.parse_args(argv)

    started = Started()
    signal.signal(signal.SIGTERM, interrupted)
    ok = False
    try:
        ok = rehearse(args, started)
    except KeyboardInterrupt:
        print("interrupted: stopping everything", flush=True)
    except SystemExit as stop:
        print(f"rehearsal stopped: {stop}", flush=True)
    finally:
        started.stop_all(args.postgres)
        if started.workdir and (args.keep or not ok):
            print(f"logs and configuration kept in {started.workdir}")
        elif started.workdir:
            shutil.rmtree(started.workdir, ignore_errors=True)
    return 0 if ok else 1


def rehearse(args, started: Started) -> bool:
    t0 = time.monotonic()
    nginx = ensure_nginx()
    work = Path(tempfile.mkdtemp(prefix="yoyaku-rehearsal-"))
    work.chmod(0o755)  # nginx's workers (www-data) read the error page from here
    started.workdir = work
    (work / "var").mkdir()
    print(f"machine: {machine()}", flush=True)

    from aiosmtpd.controller import Controller

    recorder = Recorder()
    smtp_port = free_port()
    started.smtp = Controller(recorder, hostname="127.0.0.1", port=smtp_port)
    started.smtp.start()

    import psycopg

    database = f"rehearsal_{os.getpid()}"
    with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        conn.execute(f"CREATE DATABASE {database}")
    started.database = database
    started.redis_prefix = f"rehearsal{os.getpid()}"
    http_port, https_port, port_a, port_b = free_port(), free_port(), free_port(), free_port()
    env = production_env(args, work, https_port, smtp_port, database, started.redis_prefix)

    print(f"PostgreSQL {version}, database {database}; Redis db {REDIS_DB}; SMTP on port {smtp_port}", flush=True)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "migrate", "--check")  # what the web unit's ExecStartPre runs
    deploy_check = manage(env, "check", "--deploy", "--fail-level", "WARNING", check=False)
    manage(env, "collectstatic", "--no-input", "-v0")
    code = ("import django, json; django.setup(); from bench.rush.dataset import build; "
            f"print(json.dumps(build(residents={args.residents}, venues={args.venues}, days={args.days}, "
            f"times_per_day={args.times_per_day}, capacity={args.capacity})))")
    city = subprocess.run([PYTHON, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    print(f"city: {city.stdout.strip()}", flush=True)

    # The two app servers, as deploy/yoyaku-web.service starts them.
    servers = {}
    for name, port in (("A", port_a), ("B", port_b)):
        command = [GUNICORN, "yoyaku.wsgi:application", "--bind", f"127.0.0.1:{port}",
                   "--workers", env["GUNICORN_WORKERS"], "--worker-class", "gthread", "--threads",
                   env["GUNICORN_THREADS"], "--timeout", "30", "--graceful-timeout", "30", "--keep-alive", "5",
                   "--error-logfile", "-"]
        log = work / f"gunicorn-{name}.log"
        runtime = work / f"run-{name}"  # gunicorn's control socket, as RuntimeDirectory= gives each unit its own
        runtime.mkdir(mode=0o700)
        servers[name] = start(started, f"app {name}", command, {**env, "XDG_RUNTIME_DIR": str(runtime)}, log)
        wait_for_port(port, servers[name], log)
    start(started, "worker", [PYTHON, str(ROOT / "manage.py"), "run_worker"], env, work / "worker.log")

    cert, key = make_certificate(work)
    conf = nginx_config(work, (port_a, port_b), http_port, https_port, cert, key)
    test = subprocess.run([nginx, "-t", "-q", "-c", str(conf), "-e", str(work / "nginx-error.log")],
                          capture_output=True, text=True)
    if test.returncode != 0:
        raise SystemExit(f"nginx -t refused the configuration:\n{test.stderr}")
    proxy = start(started, "nginx", [nginx, "-c", str(conf), "-e", str(work / "nginx-error.log"), "-g", "daemon off;"],
                  env, work / "nginx-stdout.log")
    wait_for_port(https_port, proxy, work / "nginx-error.log")

    tls = ssl.create_default_context(cafile=str(cert))
    redirect, warm = asyncio.run(first_requests(http_port, https_port, tls))
    print(f"ready in {time.monotonic() - t0:.0f} s; HTTP answers {redirect}; the login page through nginx: {warm}",
          flush=True)

    seen = Seen()
    print(f"rush: {args.concurrency} residents in flight for {args.duration:.0f} s through nginx (HTTPS)", flush=True)
    stats, kill, wall = asyncio.run(rush(args, https_port, tls, servers["A"], seen))
    killed_at = kill[0]
    started.processes.pop("app A", None)  # killed on purpose

    facts, drain_s = wait_for_outbox(env, 120)
    integrity = manage(env, "check_integrity", check=False)
    started.stop_process("worker")
    started.stop_process("nginx", signal.SIGQUIT)
    started.stop_process("app B")
    log = read_access_log(work / "nginx-access.log")
    routing = analyse(log, kill, port_a, port_b)

    booked = {c for c, status in facts["reservations"].items() if status == "booked"}
    mail_text = "\n".join(message_text(raw) for raw in recorder.messages)
    seen_not_booked = sorted(seen.codes - booked)
    seen_not_mailed = sorted(c for c in seen.codes if c not in mail_text)
    booked_not_mailed = sorted(c for c in booked if c not in mail_text)
    client_5xx = Counter(f"{method} {path}" for _s, _e, method, path, status in seen.requests if status >= 500)
    latencies = [end - start for start, end, _m, _p, status in seen.requests if status and status < 500]

    checks = {
        "deploy check (manage.py check --deploy --fail-level WARNING) clean": deploy_check.returncode == 0,
        "0 lost confirmations: every code seen on a done page is booked in the database": not seen_not_booked,
        "0 lost confirmations: every code seen on a done page was received by the SMTP server": not seen_not_mailed,
        "every booked reservation's confirmation was received by the SMTP server": not booked_not_mailed,
        "the outbox drained (nothing pending or sending, nothing failed)":
            facts["unsent"] == 0 and not facts["notifications"].get("failed"),
        "0 overbooked slots, 0 double bookings, 0 counter mismatches":
            facts["overbooked_slots"] == 0 and facts["double_bookings"] == 0 and facts["counter_mismatches"] == 0,
        "check_integrity clean": integrity.returncode == 0,
        "5xx only for requests in flight on the killed server": routing["5xx_not_in_flight_on_killed"] == 0,
        "the browsers saw as many 5xx as nginx logged": client_5xx.total() == routing["5xx"],
        "no other failure (timeouts, connection errors, wrong pages)": not seen.failures,
        "before the kill nginx used both app servers": len(routing["before_kill_by_server"]) == 2,
        "after the kill every request was answered by the survivor":
            routing["after_kill"] > 0 and routing["after_kill_on_survivor"] == routing["after_kill"],
        "the residents kept booking after the kill": any(start > killed_at and status == 302
                                                         for start, _e, _m, path, status in seen.requests
                                                         if path == "/book/1/check/"),
    }
    summary = {
        "machine": machine(), "postgresql": version, "duration_s": round(wall, 1), "concurrency": args.concurrency,
        "city": json.loads(city.stdout), "requests": len(seen.requests),
        "journeys_completed": stats.completed, "journeys_per_s": round(stats.completed / wall, 1),
        "found_full": stats.full, "chose_again_after_full": stats.retries_full,
        "p50_ms": round(1000 * percentile(latencies, 0.5)), "p99_ms": round(1000 * percentile(latencies, 0.99)),
        "killed_at_s": round(args.duration / 2, 1), "routing": routing, "client_5xx": client_5xx,
        "codes_seen": len(seen.codes), "booked_in_database": len(booked),
        "booked_but_not_seen": len(booked - seen.codes),
        "emails_received": len(recorder.messages), "notifications": facts["notifications"],
        "outbox_drained_in_s": round(drain_s, 1), "check_integrity": (integrity.stdout or integrity.stderr).strip(),
        "failures": dict(seen.failures), "total_s": round(time.monotonic() - t0),
    }
    print_summary(summary, checks, deploy_check)
    return all(checks.values())


async def first_requests(http_port: int, https_port: int, tls) -> tuple[str, str]:
    plain = Session("127.0.0.1", http_port)
    response = await plain.request("GET", "/login/")
    await plain.close()
    redirect = f"{response.status} to {response.location.split('/')[0]}//…"
    statuses = []
    for _ in range(4):  # one of each app server's workers, round robin
        secure = Session("127.0.0.1", https_port, tls=tls)
        statuses.append((await secure.request("GET", "/login/")).status)
        await secure.close()
    return redirect, ", ".join(map(str, statuses))


def print_summary(s: dict, checks: dict, deploy_check) -> None:
    r = s["routing"]
    print()
    print("== rehearsal summary ==")
    print(f"machine: {s['machine']}; PostgreSQL {s['postgresql']}; Redis db {REDIS_DB}")
    print(f"city: {s['city']}")
    print(f"{s['concurrency']} residents in flight for {s['duration_s']} s through nginx: {s['requests']} requests, "
          f"{s['journeys_completed']} bookings completed ({s['journeys_per_s']}/s), {s['found_full']} found no "
          f"time left, {s['chose_again_after_full']} chose again after a time filled; p50 {s['p50_ms']} ms, "
          f"p99 {s['p99_ms']} ms")
    print(f"before the kill nginx sent {dict(r['before_kill_by_server'])} requests to app servers A and B")
    print(f"kill -9 of app server A at {s['killed_at_s']} s: {r['in_flight_on_killed']} requests in flight on it; "
          f"{r['in_flight_answered_5xx']} answered 5xx (the unavailable page), "
          f"{r['in_flight_retried_on_survivor']} retried by nginx on B")
    print(f"after the kill: {r['after_kill']} requests, {r['after_kill_on_survivor']} answered by B, "
          f"{r['after_kill_tried_killed_first']} of them after nginx tried A again first")
    print(f"5xx: {r['5xx']} in nginx's log, {s['client_5xx'].total()} seen by the browsers "
          f"({dict(s['client_5xx'])}), {r['5xx_not_in_flight_on_killed']} not in flight on A")
    print(f"bookings: {s['codes_seen']} confirmed on a done page, {s['booked_in_database']} booked in the database "
          f"({s['booked_but_not_seen']} committed whose resident saw a 5xx instead)")
    print(f"emails: {s['emails_received']} received by the SMTP server; outbox {s['notifications']}, drained "
          f"{s['outbox_drained_in_s']} s after the rush")
    print(f"check_integrity: {s['check_integrity']}")
    for line in r["unexplained_5xx"]:
        print(f"5xx not in flight on A: {line}")
    if s["failures"]:
        print(f"other failures: {s['failures']}")
    if deploy_check.returncode != 0:
        print(f"check --deploy:\n{deploy_check.stdout}{deploy_check.stderr}")
    print(f"whole rehearsal: {s['total_s']} s")
    for name, passed in checks.items():
        print(f"  {'ok  ' if passed else 'FAIL'} {name}")
    print("rehearsal passed" if all(checks.values()) else "rehearsal FAILED", flush=True)


if __name__ == "__main__":
    sys.exit(main())
