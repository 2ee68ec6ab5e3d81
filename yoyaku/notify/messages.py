"""The emails: one registered MessageKind per kind of notification, with its templates under
templates/notify/email/<kind>_subject.txt and <kind>_body.txt, rendered in the notification's language.

The outbox knows nothing about what a kind says: the app that owns a kind registers it at start-up
(`register(MessageKind(kind, context, calendar=..., prepare=...))`, the booking kinds in
yoyaku/booking/notifications.py). The worker's adapters call `build_message` (email) or `build_text`
(SMS, LINE: the same content as plain text).
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
    # Other files to attach: [(file name, content, MIME type)], called with the language active.
    attachments: Callable[[Notification], list[tuple[str, bytes, str]]] | None = None
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


def _render(notification: Notification, *, text_message: bool) -> tuple[dict, str, str]:
    """The kind's context, subject and body in the notification's language (already active)."""
    spec = KINDS[notification.kind]
    context = {**spec.context(notification), "text_message": text_message}
    template = f"notify/email/{notification.kind}"
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}_body.txt", context)
    body = re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
    return context, subject, body


def build_message(notification: Notification, *, connection=None) -> EmailMessage:
    """The email for a notification, in its language. Raises NotStillWanted for a stale one."""
    spec = KINDS[notification.kind]
    if spec.prepare is not None:
        spec.prepare(notification)
    with translation.override(notification.language or settings.LANGUAGE_CODE):
        _context, subject, body = _render(notification, text_message=False)
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
        for filename, content, mimetype in spec.attachments(notification) if spec.attachments else ():
            message.attach(filename, content, mimetype)
    return message


@dataclass(frozen=True)
class TextMessage:
    """A notification as plain text for SMS and LINE: the email's subject as the first line, then its body
    (rendered from the same templates and context, with `text_message` on: no attachment, no "this email")."""

    subject: str
    body: str

    @property
    def text(self) -> str:
        return f"{self.subject}\n\n{self.body}"


def build_text(notification: Notification) -> TextMessage:
    """The plain-text message for a notification, in its language. Raises NotStillWanted for a stale one."""
    spec = KINDS[notification.kind]
    if spec.prepare is not None:
        spec.prepare(notification)
    with translation.override(notification.language or settings.LANGUAGE_CODE):
        _context, subject, body = _render(notification, text_message=True)
    return TextMessage(subject=subject, body=body)
