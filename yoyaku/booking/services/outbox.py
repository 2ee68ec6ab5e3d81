"""Staff acts on the outbox (the emails): queueing failed ones again, audited."""

from __future__ import annotations

from django.db import transaction

from yoyaku.notify.services import notifications_requeue

from .audit import Actor, audit_record

__all__ = ["notifications_send_again"]


def notifications_send_again(*, actor: Actor, notification_ids) -> int:
    """Queue the failed ones of these notifications again (after a mail outage); returns how many."""
    with transaction.atomic():
        queued = notifications_requeue(notification_ids=notification_ids)
        if queued:
            audit_record(actor=actor, action="notification.send_again", data={"notifications": sorted(queued)})
        return len(queued)
