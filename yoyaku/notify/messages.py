"""The emails: one registered MessageKind per kind of notification, with its templates under
templates/notify/email/<kind>_subject.txt and <kind>_body.txt, rendered in the notification's language.

The outbox knows nothing about what a kind says: the app that owns a kind registers it at start-up
(`register(MessageKind(kind, context, calendar=..., prepare=...))`, the booking kinds in
yoyaku/booking/notifications.py). The worker calls `build_message`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from .conf import mail_host
from .models import Notification


@dataclass(frozen=True)
class MessageKind:
    kind: str
    # The template context, called with the notification's language active.
    context: Callable[[Notification], dict]
    # A calendar file to attach: (file name, RFC 5545 text), called with the language active.
    calendar: Callable[[Notification], tuple[str, str]] | None = None
    # Called just before sending: raises NotStillWanted(reason) if the message went stale (marked
    # skipped with the reason). It may refresh notification.payload (saved by the worker).
    prepare: Callable[[Notification], None] | None = None


KINDS: dict[str, MessageKind] = {}


def register(spec: MessageKind) -> None:
    KINDS[spec.kind] = spec


class NotStillWanted(Exception):
    """The message went stale between queueing and sending; the argument says why (kept in last_error)."""


def message_id(notification: Notification) -> str:
    """Stable for the notification, whatever the attempt: a copy sent twice is recognisable as one."""
    return f"<notification-{notification.pk}@{mail_host()}>"


def build_message(notification: Notification, *, connection=None) -> EmailMessage:
    """The email for a notification, in its language. Raises NotStillWanted for a stale one."""
    spec = KINDS[notification.kind]
    if spec.prepare is not None:
        spec.prepare(notification)
    with translation.override(notification.language or settings.LANGUAGE_CODE):
        context = spec.context(notification)
        template = f"notify/email/{notification.kind}"
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_body.txt", context)
        body = re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
        message = EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.email],
            connection=connection,
            headers={"Message-ID": message_id(notification), "Auto-Submitted": "auto-generated"},
        )
        if spec.calendar is not None:
            filename, ics = spec.calendar(notification)
            message.attach(filename, ics, "text/calendar")
    return message
