"""Webhooks through the outbox: events queued in the act's transaction, delivered by the same worker to a real
HTTP receiver on 127.0.0.1 (http.server in a thread), signed the Standard Webhooks way, retried with backoff
while the receiver is down or failing, every event delivered once it recovers, none lost."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import services
from yoyaku.booking.integrations import WEBHOOK_EVENTS
from yoyaku.booking.models import MoveUpOffer
from yoyaku.booking.services.integrations import (
    webhook_deliveries_send_again,
    webhook_endpoint_create,
    webhook_endpoint_disable,
)
from yoyaku.notify.channels import webhook_signature
from yoyaku.notify.models import Notification
from yoyaku.notify.worker import Worker, claim_batch, send_batch

from .conftest import book, free_port

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

Status = Notification.Status
SYSTEM = services.Actor.system()


class Receiver:
    """A city system's webhook URL: keeps every request; answers `fail_next` requests with 503 first."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.received: list[tuple[dict, bytes, int]] = []  # (headers, body, status answered)
        self.fail_next = 0
        self.lock = threading.Lock()
        self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/yoyaku"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    status = 503 if receiver.fail_next > 0 else 204
                    receiver.fail_next -= status == 503
                    receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def accepted(self) -> list[tuple[dict, bytes]]:
        with self.lock:
            return [(headers, body) for headers, body, status in self.received if status == 204]


@pytest.fixture
def receiver():
    made = []

    def make(**kw):
        made.append(Receiver(**kw))
        return made[-1]

    yield make
    for r in made:
        r.stop()


@pytest.fixture
def admin():
    return services.Actor.for_staff(f.staff_user("cityadmin", is_superuser=True))


@pytest.fixture
def fast_retries(settings):
    settings.NOTIFY = {"BACKOFF_SECONDS": 0.0, "SEND_TIMEOUT": 5.0, "POLL_SECONDS": 0.01}


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """What a receiver does, from the Standard Webhooks specification (written here, not with our code)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    fresh = abs(time.time() - int(headers["webhook-timestamp"])) < 300
    return fresh and any(hmac.compare_digest(sig.split(",", 1)[1], expected)
                         for sig in headers["webhook-signature"].split() if sig.startswith("v1,"))


def deliveries():
    return Notification.objects.filter(kind=Notification.WEBHOOK_KIND).order_by("pk")


def every_event_in_the_city(settings):
    """Every kind of event, through the services: booked, changed, cancelled, move-up offer made and accepted,
    dose recorded. Returns the staff actor used."""
    settings.YOYAKU = {**settings.YOYAKU, "MOVE_UP_OFFERS": True, "MOVE_UP_OFFERS_PER_PLACE": 1,
                       "MOVE_UP_OFFER_MINUTES": 60, "MOVE_UP_OFFER_MIN_HOURS": 3,
                       "SITE_URL": "https://yoyaku.example.jp"}
    f.open_window(opens_at=timezone.now() - timedelta(days=30))
    pfz = f.vaccine(code="PFZ", name="Pfizer")
    venue = f.venue(vaccines=[pfz], name="North Clinic")
    early, late, later = (f.slot(venue=venue, vaccine=pfz, starts_at=f.at(day), capacity=1) for day in (2, 5, 8))
    first = book(early, email="a@example.jp")                       # reservation.booked
    mover = book(late, email="b@example.jp", wants_move_up=True)    # reservation.booked
    operator = f.staff_user("operator")
    staff = services.Actor.for_staff(operator)
    services.reservation_change(actor=staff, reservation=first, slot_id=later.pk, reason="by phone")
    # ^ reservation.changed; `early` is free: move_up_offer.made to `mover`
    offer = MoveUpOffer.objects.get(reservation=mover, status=MoveUpOffer.Status.OPEN)
    services.move_up_offer_accept(actor=services.Actor.for_resident(mover.resident), token=offer.token)
    # ^ move_up_offer.accepted and reservation.changed
    services.reservation_cancel(actor=staff, reservation=first, reason="by phone")  # reservation.cancelled
    today = f.slot(venue=venue, vaccine=pfz, starts_at=timezone.now() + timedelta(minutes=30))
    services.reservation_check_in(actor=staff, reservation=book(today, email="c@example.jp", staff=operator),
                                  lot="AB123")
    # ^ reservation.booked, dose.recorded
    return staff


def test_every_event_is_delivered_signed_after_the_receiver_was_down_then_failing(admin, receiver, settings):
    hook = receiver()  # its port is chosen, but nothing listens yet: the receiver is down
    endpoint, secret = webhook_endpoint_create(actor=admin, name="Call centre", url=hook.url,
                                               events=list(WEBHOOK_EVENTS))
    every_event_in_the_city(settings)
    queued = list(deliveries())
    types = [d.payload["type"] for d in queued]
    assert sorted(set(types)) == sorted(WEBHOOK_EVENTS)
    assert types.count("reservation.booked") == 3 and types.count("reservation.changed") == 2

    # Down: every delivery fails, counted once, retried later (backoff), none dropped.
    settings.NOTIFY = {"SEND_TIMEOUT": 5.0}
    Worker(jobs=False).run_once()
    for row in deliveries():
        assert (row.status, row.attempts) == (Status.PENDING, 1)
        assert row.last_error.startswith("ConnectionRefusedError")
        assert row.next_attempt_at > timezone.now() + timedelta(seconds=50)  # BACKOFF_SECONDS 60
    # The emails in the same batch went out: one channel's trouble holds no other back.
    assert not Notification.objects.filter(channel="email", status=Status.PENDING).exists()

    # Up, but failing its first three answers; then fine. The retries come due.
    hook.start().fail_next = 3
    deliveries().update(next_attempt_at=timezone.now())
    settings.NOTIFY = {"BACKOFF_SECONDS": 0.0, "SEND_TIMEOUT": 5.0, "POLL_SECONDS": 0.01}
    Worker(jobs=False).run(until_idle=True)

    assert set(deliveries().values_list("status", flat=True)) == {Status.SENT}
    accepted = hook.accepted()
    got = {headers["webhook-id"] for headers, _body in accepted}
    assert got == {d.payload["id"] for d in queued}  # every event delivered, none lost
    assert len(accepted) == len(queued)
    assert sum(1 for *_rest, status in hook.received if status == 503) == 3
    assert max(deliveries().values_list("attempts", flat=True)) >= 2
    for headers, body in accepted:
        assert verify(secret, headers, body), headers
        assert headers["content-type"] == "application/json"
        event = json.loads(body)
        assert event["id"] == headers["webhook-id"] and event["type"] in WEBHOOK_EVENTS
        assert set(event["data"]["reservation"]) >= {"id", "code", "status", "slot_id", "starts_at"}
        # What happened and to which reservation, never who.
        assert b"example.jp" not in body and b"ticket" not in body
    by_type = {json.loads(body)["type"]: json.loads(body) for _h, body in accepted}
    assert by_type["dose.recorded"]["data"]["dose"]["source"] == "check_in"
    assert by_type["move_up_offer.accepted"]["data"]["reservation"]["starts_at"] == \
        by_type["move_up_offer.accepted"]["data"]["offer"]["starts_at"]
    assert endpoint.deliveries.count() == len(queued)


def test_a_tampered_body_or_another_secret_does_not_verify(admin, receiver, fast_retries):
    hook = receiver().start()
    _endpoint, secret = webhook_endpoint_create(actor=admin, name="Bot", url=hook.url, events=["reservation.booked"])
    f.open_window()
    book(f.slot())
    Worker(jobs=False).run(until_idle=True)
    [(headers, body)] = hook.accepted()
    assert verify(secret, headers, body)
    assert not verify(secret, headers, body.replace(b"booked", b"cancel"))
    _other, other_secret = webhook_endpoint_create(actor=admin, name="Other", url=hook.url, events=["dose.recorded"])
    assert not verify(other_secret, headers, body)
    # The signature is the specification's own example form: v1,<base64 of 32 bytes>.
    assert headers["webhook-signature"] == webhook_signature(secret, headers["webhook-id"],
                                                             int(headers["webhook-timestamp"]), body)


def test_only_the_events_an_endpoint_asked_for_and_none_when_the_act_rolls_back(admin, receiver):
    webhook_endpoint_create(actor=admin, name="Doses only", url=receiver().url, events=["dose.recorded"])
    booked_hook, _secret = webhook_endpoint_create(actor=admin, name="Bookings", url=receiver().url,
                                                   events=["reservation.booked", "reservation.cancelled"])
    f.open_window()
    reservation = book(f.slot())
    assert [(d.endpoint_id, d.payload["type"]) for d in deliveries()] == [(booked_hook.pk, "reservation.booked")]
    with pytest.raises(RuntimeError), transaction.atomic():
        services.reservation_cancel(actor=SYSTEM, reservation=reservation)
        raise RuntimeError("the act fails after the cancellation")
    assert deliveries().count() == 1  # the event went with the rolled-back act


def test_without_endpoints_nothing_is_queued_and_the_email_language_rule_is_unchanged(admin, receiver):
    from django.utils import translation

    f.open_window()
    slot, other = f.slot(), f.slot()
    with translation.override("en"):
        reservation = book(slot)
    assert not deliveries().exists()
    webhook_endpoint_create(actor=admin, name="All", url=receiver().url, events=list(WEBHOOK_EVENTS))
    staff = services.Actor.for_staff(f.staff_user("operator"))
    services.reservation_change(actor=staff, reservation=reservation, slot_id=other.pk, reason="by phone")
    services.reservation_cancel(actor=staff, reservation=reservation, reason="by phone")
    # A staff act's email keeps the language of the last email (en), not of a webhook delivery in between.
    emails = Notification.objects.filter(channel="email").order_by("pk")
    assert list(emails.values_list("kind", "language")) == [("booked", "en"), ("changed", "en"), ("cancelled", "en")]
    assert deliveries().count() == 2


def test_sending_again_delivers_the_same_event_id_and_a_disabled_endpoint_gets_nothing(admin, receiver,
                                                                                       fast_retries):
    hook = receiver().start()
    endpoint, _secret = webhook_endpoint_create(actor=admin, name="Bot", url=hook.url, events=list(WEBHOOK_EVENTS))
    f.open_window()
    reservation = book(f.slot())
    Worker(jobs=False).run(until_idle=True)
    [first] = deliveries()
    assert first.status == Status.SENT
    assert webhook_deliveries_send_again(actor=admin, notification_ids=[first.pk]) == 1
    Worker(jobs=False).run(until_idle=True)
    ids = [headers["webhook-id"] for headers, _body in hook.accepted()]
    assert ids == [first.payload["id"]] * 2  # at-least-once: the receiver keeps it once by its id

    # A failed delivery is queued again from the start.
    deliveries().filter(pk=first.pk).update(status=Status.FAILED, attempts=10, last_error="HTTP 500")
    assert webhook_deliveries_send_again(actor=admin, notification_ids=[first.pk]) == 1
    assert Notification.objects.get(pk=first.pk).attempts == 0

    # Disabled: what was queued is not sent (skipped, with the reason); new acts queue nothing.
    webhook_endpoint_disable(actor=admin, endpoint=endpoint)
    Worker(jobs=False).run(until_idle=True)
    assert (Notification.objects.get(pk=first.pk).status, Notification.objects.get(pk=first.pk).last_error) == \
        (Status.SKIPPED, "the endpoint is disabled")
    services.reservation_cancel(actor=SYSTEM, reservation=reservation)
    assert deliveries().count() == 2 and len(hook.accepted()) == 2
    from yoyaku.booking.models import AuditEvent

    actions = list(AuditEvent.objects.filter(action__startswith="webhook.").values_list("action", flat=True))
    assert sorted(actions) == ["webhook.create", "webhook.disable", "webhook.send_again", "webhook.send_again"]


def test_a_delivery_fails_for_good_after_the_last_attempt(admin, receiver, settings):
    hook = receiver().start()
    hook.fail_next = 100
    webhook_endpoint_create(actor=admin, name="Broken", url=hook.url, events=["reservation.booked"])
    settings.NOTIFY = {"BACKOFF_SECONDS": 0.0, "MAX_ATTEMPTS": 3, "SEND_TIMEOUT": 5.0, "POLL_SECONDS": 0.01}
    f.open_window()
    book(f.slot())
    Worker(jobs=False).run(until_idle=True)
    [row] = deliveries()
    assert (row.status, row.attempts, row.last_error) == (Status.FAILED, 3, "DeliveryRefused: HTTP 503")
    assert len(hook.received) == 3


def test_the_log_adapter_sends_nothing_and_logs_no_address(admin, receiver, settings, caplog):
    hook = receiver().start()
    webhook_endpoint_create(actor=admin, name="Demo", url=hook.url, events=["reservation.booked"])
    settings.NOTIFY_ADAPTERS = {"webhook": "log"}
    f.open_window()
    book(f.slot())
    token, claimed = claim_batch(limit=10, lease_seconds=60)
    with caplog.at_level(logging.INFO, logger="yoyaku.notify"):
        send_batch(token, claimed, claimed_at=time.monotonic())
    assert deliveries().get().status == Status.SENT and hook.received == []
    assert "reservation.booked) delivered to the log" in caplog.text
    assert "127.0.0.1" not in caplog.text and "example.jp" not in caplog.text


def test_an_endpoint_needs_a_url_a_name_and_an_event(admin):
    from yoyaku.booking.errors import InvalidInput

    for name, url, events in (("", "https://x.example.jp/", ["dose.recorded"]),
                              ("X", "ftp://x.example.jp/", ["dose.recorded"]),
                              ("X", "not a url", ["dose.recorded"]),
                              ("X", "https://x.example.jp/", []),
                              ("X", "https://x.example.jp/", ["reservation.exploded"])):
        with pytest.raises(InvalidInput):
            webhook_endpoint_create(actor=admin, name=name, url=url, events=events)


def test_a_failed_webhook_delivery_is_not_counted_as_a_failed_email(admin, receiver):
    from yoyaku.booking.reports import tasks

    webhook_endpoint_create(actor=admin, name="Down", url=receiver().url, events=["reservation.booked"])
    f.open_window()
    book(f.slot())
    deliveries().update(status=Status.FAILED)
    assert tasks(now=timezone.now()).emails_failed == 0
