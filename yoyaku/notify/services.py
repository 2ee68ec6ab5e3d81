"""Queueing a notification: the one way a row gets into the outbox.

Call it inside the transaction of the change being reported, so the row commits or rolls back with it.
It takes plain data (what the email must say is in `payload`, written by the app that owns the kind),
so the outbox needs nothing from the apps that use it.
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification


def _address_fields(channel: str, email: str, recipient: str) -> dict:
    """The row's channel, address and first status: without an address, skipped (the act is still on record)."""
    address = email if channel == Notification.Channel.EMAIL else recipient
    return {"channel": channel, "email": email if channel == Notification.Channel.EMAIL else "",
            "recipient": "" if channel == Notification.Channel.EMAIL else recipient,
            "status": Notification.Status.PENDING if address else Notification.Status.SKIPPED,
            "last_error": "" if address else f"no {channel} address"}


def notification_queue(*, kind: str, reservation_id: int, payload: dict, email: str, language: str,
                       by_staff: bool = False, dedupe_key: str | None = None, channel: str = Notification.Channel.EMAIL,
                       recipient: str = "") -> tuple[Notification, bool]:
    """Queue one message; returns (notification, created). `channel`: email (to `email`), or sms / line (to
    `recipient`: a phone number, a LINE user id); the same outbox, worker and retries for each. Without an
    address the row is written as skipped (the act is still on record). With a `dedupe_key` at most one row
    exists for the key, however many callers race for it (the unique index decides; the loser gets the
    winner's row and created=False)."""
    fields = {
        "kind": kind,
        "reservation_id": reservation_id,
        "payload": payload,
        "language": language,
        "by_staff": by_staff,
        "next_attempt_at": timezone.now(),
        **_address_fields(channel, email, recipient),
    }
    if dedupe_key is None:
        return Notification.objects.create(**fields), True
    existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():  # a savepoint: losing the race leaves the caller's transaction usable
            return Notification.objects.create(dedupe_key=dedupe_key, **fields), True
    except IntegrityError:
        existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
        if existing is None:
            raise
        return existing, False


def notifications_queue_many(items: list[dict]) -> list[Notification]:
    """`notification_queue` for many new messages at once (no dedupe_key), e.g. an allocation run's thousands:
    each item holds its keyword arguments (kind, reservation_id, payload, email, language, by_staff, and
    optionally channel and recipient)."""
    now = timezone.now()
    rows = []
    for item in items:
        item = dict(item)
        address = _address_fields(item.pop("channel", Notification.Channel.EMAIL), item.pop("email"),
                                   item.pop("recipient", ""))
        rows.append(Notification(**item, **address, next_attempt_at=now))
    return Notification.objects.bulk_create(rows, batch_size=1000)


def notifications_requeue(*, notification_ids) -> list[int]:
    """Failed notifications among these queued again from the start (attempts reset); returns their ids.
    Only the outbox's part: the caller records who asked (booking.services.notifications_send_again)."""
    failed = list(Notification.objects.filter(pk__in=list(notification_ids), status=Notification.Status.FAILED)
                  .values_list("pk", flat=True))
    Notification.objects.filter(pk__in=failed, status=Notification.Status.FAILED).update(
        status=Notification.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error="")
    return failed


# --- Webhooks: one delivery per endpoint that asked for the event ------------------------------------------


def webhook_event_queue(*, event_type: str, reservation_id: int, data, event_id: str | None = None,
                        occurred_at=None) -> list[Notification]:
    """Queue one event for every enabled endpoint that subscribed to its type (inside the act's transaction,
    like an email). Every delivery of one event carries the same event id (`webhook-id`): a receiver that gets
    it twice (at-least-once) keeps it once. `data`: the event's data, or a function that makes it (called only
    when an endpoint wants the event). Returns the deliveries (none when no endpoint wants it)."""
    from .models import WebhookEndpoint

    endpoints = [e for e in WebhookEndpoint.objects.filter(disabled_at__isnull=True).order_by("pk")
                 if event_type in e.events]
    if not endpoints:
        return []
    now = timezone.now()
    event = {"id": event_id or f"evt_{uuid.uuid4().hex}", "type": event_type,
             "timestamp": (occurred_at or now).isoformat(), "data": data() if callable(data) else data}
    return [Notification.objects.create(
        kind=Notification.WEBHOOK_KIND, channel=Notification.Channel.WEBHOOK, endpoint=endpoint,
        reservation_id=reservation_id, payload=event, language="", next_attempt_at=now,
    ) for endpoint in endpoints]


def webhook_deliveries_resend(*, notification_ids) -> list[int]:
    """Send these webhook deliveries again (the console's button): a failed one is queued again from the
    start; a sent or skipped one gets a new delivery of the same event (same event id, so a receiver that
    had it keeps it once) to the same endpoint. Rows pending or being sent are left alone. Returns the ids
    queued. Only the outbox's part: the caller records who asked."""
    rows = list(Notification.objects.filter(pk__in=list(notification_ids), kind=Notification.WEBHOOK_KIND,
                                            endpoint__disabled_at__isnull=True)
                .exclude(status__in=[Notification.Status.PENDING, Notification.Status.SENDING]))
    queued = notifications_requeue(notification_ids=[r.pk for r in rows if r.status == Notification.Status.FAILED])
    for row in rows:
        if row.status != Notification.Status.FAILED:
            copy = Notification.objects.create(
                kind=row.kind, channel=row.channel, endpoint_id=row.endpoint_id, reservation_id=row.reservation_id,
                payload=row.payload, language="", next_attempt_at=timezone.now())
            queued.append(copy.pk)
    return queued
