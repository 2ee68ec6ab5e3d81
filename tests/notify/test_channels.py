"""SMS and LINE through the outbox (yoyaku/notify/channels.py, docs/channels.md): a real local HTTP server stands
in for the LINE Messaging API and for the city's SMS gateway. It fails, then recovers: every message is delivered,
none lost; the request shapes and the auth headers are checked; the worker sends by the resident's channel."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.checks import registry
from django.core.exceptions import ImproperlyConfigured

from tests import factories as f
from yoyaku.booking.models import Resident
from yoyaku.booking.notifications import reminders_queue
from yoyaku.notify import channels
from yoyaku.notify.checks import channels_settings_check
from yoyaku.notify.models import Notification
from yoyaku.notify.views import _messages_in
from yoyaku.notify.worker import Worker

from .conftest import book, free_port

pytestmark = pytest.mark.django_db

Status = Notification.Status
LINE_ID = "U" + "0123456789abcdef" * 2
LINE_TOKEN = "line-channel-token-for-tests"  # noqa: S105 - a test value
SMS_TOKEN = "sms-gateway-token-for-tests"  # noqa: S105 - a test value


class FakeProvider:
    """The LINE Messaging API and an SMS gateway on one local port: keeps every request (path, headers, JSON)
    with the status it answered. `fail_next` requests get 503 first; `answer` overrides the status."""

    def __init__(self):
        self.port = free_port()
        self.requests: list[dict] = []
        self.fail_next = 0
        self.answer: int | None = None
        self.lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with provider.lock:
                    if provider.fail_next > 0:
                        provider.fail_next -= 1
                        status = 503
                    else:
                        status = provider.answer or 200
                    provider.requests.append({"path": self.path, "status": status, "body": body,
                                              "headers": {k.lower(): v for k, v in self.headers.items()}})
                payload = b"{}"
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def accepted(self, path: str) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if r["path"] == path and r["status"] == 200]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider(settings):
    fake = FakeProvider()
    settings.NOTIFY = {"BACKOFF_SECONDS": 0.0, "SEND_TIMEOUT": 5.0, "POLL_SECONDS": 0.01, "MAIL_HOST": "notify.test",
                       "LINE_TOKEN": LINE_TOKEN, "LINE_API_URL": fake.base,
                       "SMS_URL": f"{fake.base}/sms/send", "SMS_TOKEN": SMS_TOKEN, "SMS_SENDER": "DemoCity"}
    settings.NOTIFY_ADAPTERS = {}
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def city(booking_city):
    return booking_city


def staff_book(city, resident, *, email="", starts_at=None):
    """Booked by the call centre, so the message is in the resident's recorded language."""
    slot = f.slot(venue=city["venue"], vaccine=city["vaccine"], starts_at=starts_at or f.at(10, 14, 30))
    return book(slot, resident=resident, email=email, staff=f.staff_user(f"op{uuid.uuid4().hex[:6]}"),
                recipient_phone=resident.phone)


def line_resident(**fields):
    return f.resident(contact_channel=Resident.ContactChannel.LINE, line_user_id=LINE_ID, **fields)


def run_until_idle():
    Worker(jobs=False).run(until_idle=True)


def test_a_line_push_has_the_messaging_api_shape_and_the_bearer_token(provider, city):
    resident = line_resident(language="en")
    reservation = staff_book(city, resident, email="kept@example.jp")
    note = Notification.objects.get(reservation=reservation)
    assert (note.channel, note.recipient, note.email) == ("line", LINE_ID, "")

    run_until_idle()

    [push] = provider.accepted("/v2/bot/message/push")
    assert push["headers"]["authorization"] == f"Bearer {LINE_TOKEN}"
    assert push["headers"]["content-type"].startswith("application/json")
    assert uuid.UUID(push["headers"]["x-line-retry-key"])
    assert set(push["body"]) == {"to", "messages"} and push["body"]["to"] == LINE_ID
    [message] = push["body"]["messages"]
    assert set(message) == {"type", "text"} and message["type"] == "text"
    text = message["text"]
    # The email's content as plain text, in the resident's language: no calendar file, no "this email".
    assert reservation.code in text and "North Clinic" in text and "Your reservation has been received" in text
    assert ".ics" not in text and "This email" not in text and "This message was sent automatically" in text
    assert len(mail.outbox) == 0
    note.refresh_from_db()
    assert note.status == Status.SENT


def test_the_provider_fails_then_recovers_and_every_message_is_delivered_once(provider, city):
    line_people = [line_resident(language="en") for _ in range(3)]
    for i, person in enumerate(line_people):
        person.line_user_id = f"U{i:032x}"
        person.save()
    sms_people = [f.resident(contact_channel=Resident.ContactChannel.SMS, phone=f"090-1234-{i:04d}")
                  for i in range(3)]
    for hour, person in enumerate(line_people + sms_people, start=9):
        staff_book(city, person, starts_at=f.at(10, hour))
    provider.fail_next = 8  # the first eight requests (over three rounds) answered 503

    rounds = 0
    while Notification.objects.filter(status__in=[Status.PENDING, Status.SENDING]).exists():
        rounds += 1
        assert rounds < 20
        Worker(jobs=False).run_once()

    notes = list(Notification.objects.order_by("pk"))
    assert [n.status for n in notes] == [Status.SENT] * 6
    assert any(n.attempts > 0 for n in notes)  # failures were counted, then recovered from
    pushes, texts = provider.accepted("/v2/bot/message/push"), provider.accepted("/sms/send")
    assert sorted(p["body"]["to"] for p in pushes) == sorted(p.line_user_id for p in line_people)
    assert sorted(t["body"]["to"] for t in texts) == [f"+8190 1234{i:04d}".replace(" ", "") for i in range(3)]
    # A retried row keeps its retry key: LINE delivers a push with one key once.
    keys_by_row: dict[str, set[str]] = {}
    for request in provider.requests:
        if request["path"] == "/v2/bot/message/push":
            keys_by_row.setdefault(request["body"]["to"], set()).add(request["headers"]["x-line-retry-key"])
    assert all(len(keys) == 1 for keys in keys_by_row.values())
    assert len({keys.pop() for keys in keys_by_row.values()}) == 3


def test_the_sms_gateway_request_shape(provider, city):
    resident = f.resident(contact_channel=Resident.ContactChannel.SMS, phone="０９０－１１１１－２２２２",
                          language="ja")
    reservation = staff_book(city, resident)
    note = Notification.objects.get(reservation=reservation)
    assert (note.channel, note.recipient) == ("sms", "+819011112222")

    run_until_idle()

    [sms] = provider.accepted("/sms/send")
    assert sms["headers"]["authorization"] == f"Bearer {SMS_TOKEN}"
    assert sms["headers"]["idempotency-key"] == f"notification-{note.pk}"
    assert sms["body"]["to"] == "+819011112222" and sms["body"]["from"] == "DemoCity"
    assert sms["body"]["reference"] == f"notification-{note.pk}"
    assert reservation.code in sms["body"]["text"] and "予約" in sms["body"]["text"]  # the resident's language


def test_409_is_an_earlier_delivery_400_fails_at_once_401_is_retried(provider, city):
    first = staff_book(city, line_resident())
    provider.answer = 409  # LINE: this retry key was accepted before (the answer was lost)
    run_until_idle()
    assert Notification.objects.get(reservation=first).status == Status.SENT

    second = staff_book(city, line_resident(), starts_at=f.at(11))
    provider.answer = 400  # the request itself is wrong (e.g. a user id LINE does not know): retrying will not help
    Worker(jobs=False).run_once()
    note = Notification.objects.get(reservation=second)
    assert (note.status, note.attempts, note.last_error) == (Status.FAILED, 1, "HttpRefused: HTTP 400")

    third = staff_book(city, line_resident(), starts_at=f.at(12))
    provider.answer = 401  # the city's token is wrong: retried, so fixing the token gets the message out
    Worker(jobs=False).run_once()
    note = Notification.objects.get(reservation=third)
    assert (note.status, note.attempts) == (Status.PENDING, 1)
    provider.answer = None
    run_until_idle()
    note.refresh_from_db()
    assert note.status == Status.SENT


def test_email_stays_the_channel_of_who_chose_it_and_the_fallback(provider, city):
    by_email = f.resident(email="hanako@example.jp")
    staff_book(city, by_email, email="hanako@example.jp")
    landline_only = f.resident(contact_channel=Resident.ContactChannel.SMS, phone="0195-23-3111")
    staff_book(city, landline_only, email="landline@example.jp", starts_at=f.at(11))
    run_until_idle()
    assert sorted(m.to[0] for m in mail.outbox) == ["hanako@example.jp", "landline@example.jp"]
    assert provider.requests == []
    assert set(Notification.objects.values_list("channel", flat=True)) == {"email"}


def test_a_channel_the_city_does_not_offer_falls_back_to_email(settings, city):
    settings.NOTIFY, settings.NOTIFY_ADAPTERS = {}, {}
    assert not channels.channel_available("line") and not channels.channel_available("sms")
    assert channels.channel_available("email")
    reservation = staff_book(city, line_resident(), email="fallback@example.jp")
    note = Notification.objects.get(reservation=reservation)
    assert (note.channel, note.email, note.recipient) == ("email", "fallback@example.jp", "")


def test_reminders_go_by_line_to_a_resident_without_an_email_address(provider, city):
    from datetime import timedelta

    from django.utils import timezone

    tomorrow_morning = timezone.localtime() + timedelta(days=1)
    starts_at = tomorrow_morning.replace(hour=10, minute=0, second=0, microsecond=0)
    reservation = staff_book(city, line_resident(), starts_at=starts_at)
    no_address = f.resident(contact_channel=Resident.ContactChannel.SMS, phone="0195-23-3111")
    staff_book(city, no_address, starts_at=starts_at + timedelta(minutes=30))
    now = timezone.localtime().replace(hour=12, minute=0)
    assert reminders_queue(now=now) == 1
    reminder = Notification.objects.get(kind=Notification.Kind.REMINDER)
    assert (reminder.reservation_id, reminder.channel, reminder.recipient) == (reservation.pk, "line", LINE_ID)


def test_misconfigured_channels_fail_the_system_check_and_the_worker(settings):
    assert channels_settings_check in registry.registry.get_checks()  # run by every manage.py command
    settings.NOTIFY_ADAPTERS = {}
    settings.NOTIFY = {"SMS_URL": "https://sms.example.jp/send"}  # no token
    assert [m.id for m in channels_settings_check() if m.id == "yoyaku.E101"] == ["yoyaku.E101"]
    with pytest.raises(ImproperlyConfigured, match="SMS_TOKEN"):
        Worker(jobs=False)
    assert not channels.channel_available("sms")

    settings.NOTIFY = {"LINE_TOKEN": "x", "LINE_API_URL": "http://api.line.example"}  # clear text, not local
    errors = [m.msg for m in channels_settings_check() if m.id == "yoyaku.E101"]
    assert len(errors) == 1 and "https" in errors[0]
    assert not channels.channel_available("line")

    settings.NOTIFY = {}
    settings.NOTIFY_ADAPTERS = {"sms": "carrier-pigeon"}
    assert [m.id for m in channels_settings_check() if m.id == "yoyaku.E101"] == ["yoyaku.E101"]

    settings.NOTIFY_ADAPTERS = {}
    assert [m for m in channels_settings_check() if m.id == "yoyaku.E101"] == []  # unset: simply not offered
    Worker(jobs=False)


def test_the_console_adapter_writes_the_dev_inbox_and_logs_no_address(settings, city, tmp_path, caplog):
    settings.DEBUG = True
    settings.EMAIL_FILE_PATH = tmp_path
    settings.NOTIFY = {"BACKOFF_SECONDS": 0.0, "POLL_SECONDS": 0.01}
    settings.NOTIFY_ADAPTERS = {"sms": "console", "line": "console"}
    reservation = staff_book(city, f.resident(contact_channel=Resident.ContactChannel.SMS, phone="080-9999-8888"))
    with caplog.at_level(logging.INFO, logger="yoyaku.notify"):
        run_until_idle()
    assert Notification.objects.get(reservation=reservation).status == Status.SENT
    [message] = [m for path in tmp_path.iterdir() for m in _messages_in(path)]  # as the dev inbox reads it
    assert message["Subject"].strip().startswith("[SMS] ") and "+818099998888" in message["To"]
    assert reservation.code in message.get_body(preferencelist=("plain",)).get_content()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "dev inbox" in logged
    assert "8099998888" not in logged and reservation.code not in logged


def test_long_texts_are_split_into_line_messages():
    parts = channels.line_messages("あ" * 12001)
    assert [len(p["text"]) for p in parts] == [5000, 5000, 2001]
    assert len(channels.line_messages("x" * 40000)) == channels.LINE_MESSAGES_LIMIT
