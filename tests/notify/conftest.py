"""A real SMTP server for the notification tests: aiosmtpd in a thread of the test process, on 127.0.0.1 and
a free port. It keeps every message it accepted (a 250 reply); a test may slow it down or make it refuse."""

from __future__ import annotations

import asyncio
import email
import logging
import os
import socket
import sys
import threading
from collections import Counter
from email import policy
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from tests import factories as f
from yoyaku.booking import services

ROOT = Path(__file__).resolve().parents[2]
MAIL_HOST = "notify.test"


class Inbox:
    """The aiosmtpd handler. `before_accept(envelope)` may return a reply (e.g. "451 ...") to refuse."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        self.delay = 0.0
        self.before_accept = None
        self.rcpt_reply = None  # e.g. "550 5.1.1 <x@example.jp>: no such user"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.before_accept is not None:
            reply = self.before_accept(envelope)
            if reply:
                return reply
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 2.0.0 Accepted"

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def message_ids(self) -> Counter:
        with self.lock:
            return Counter(m["Message-ID"] for m in self.messages)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp(smtp_server, settings):
    """Django's SMTP backend in this process, pointed at the test server; fast retries and leases."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.NOTIFY = {"MAIL_HOST": MAIL_HOST, "SEND_TIMEOUT": 5.0, "POLL_SECONDS": 0.05}
    return smtp_server


def worker_env(port: int, tmp_path, **notify) -> dict:
    """The environment of a `manage.py run_worker` subprocess: this test's database, the test SMTP server."""
    env = {k: v for k, v in os.environ.items() if k not in {"TEST_DATABASE_NAME", "DATABASE_URL", "SQLITE_PATH"}}
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = str(db["NAME"])
    else:
        auth = quote(db["USER"] or "", safe="")
        if db.get("PASSWORD"):
            auth += ":" + quote(db["PASSWORD"], safe="")
        env["DATABASE_URL"] = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env.update({
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "0",
        "YOYAKU_VAR_DIR": str(tmp_path),
        "YOYAKU_NOTIFY_MAIL_HOST": MAIL_HOST,
        "YOYAKU_NOTIFY_POLL_SECONDS": "0.1",
        "PYTHONUNBUFFERED": "1",
    })
    env.update({f"YOYAKU_NOTIFY_{key}": str(value) for key, value in notify.items()})
    return env


def worker_command(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), "run_worker", "--no-reminders", *args]


@pytest.fixture
def booking_city():
    f.open_window()
    pfz = f.vaccine(code="PFZ", name="Pfizer")
    hall = f.venue(vaccines=[pfz], name="North Clinic", address="1-2-3 Kita, Demo City", phone="0195-11-1111")
    return {"vaccine": pfz, "venue": hall}


def book(slot, *, email="taro@example.jp", resident=None, staff=None, **kw):
    resident = resident or f.resident(email=email)
    actor = services.Actor.for_staff(staff, client_address="10.0.0.1") if staff else \
        services.Actor.for_resident(resident, client_address="127.0.0.1")
    if staff:
        kw.setdefault("reason", "by phone")
    return services.reservation_book(actor=actor, resident=resident, slot_id=slot.pk, dose_number=1, email=email,
                                     **kw)
