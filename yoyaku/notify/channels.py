"""Delivery channels: how the worker hands one claimed row to the outside world.

The worker (worker.py) owns claims, leases, backoff and the at-least-once promise; an adapter only turns a
row into something sent. Each row names its channel (`Notification.channel`); `adapter_for(channel)` gives a
fresh adapter for one batch. The adapters:

- `EmailAdapter` (email): the email of the row's kind (messages.build_message), through Django's email
  backend, one SMTP connection per batch. Exactly what the worker did before channels existed.
- `WebhookAdapter` (webhook): the row's payload (an event) as JSON, POSTed to the endpoint's URL and signed
  the Standard Webhooks way (https://www.standardwebhooks.com/): headers `webhook-id` (the event id, the same
  on every attempt and every endpoint: the receiver de-duplicates with it), `webhook-timestamp` (Unix
  seconds of this attempt) and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed
  with the endpoint's secret. Any 2xx answer is a delivery; anything else is retried.
- `LogAdapter` (log): writes one line per message to the `yoyaku.notify` log (kind, id, never an address):
  for demos and for a channel a city has no provider for yet.

A city may route a channel to another adapter: settings.NOTIFY_ADAPTERS = {"webhook": "log"} (the demo does
not POST to made-up URLs). An adapter's interface:

    prepare(note) -> message   # raises messages.NotStillWanted for a stale row; any other error is retried
    send(message) -> None      # raises on failure; returning means the receiver accepted it
    connection_lost(exc)       # the batch's other rows on this channel cannot go either
    permanent(exc)             # retrying will not help: failed at once
    describe(exc)              # the error for last_error (no address, no personal data)
    close()
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import smtplib
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import get_connection

from .messages import NotStillWanted
from .models import Notification

log = logging.getLogger("yoyaku.notify")
_EMAIL = re.compile(r"[^\s<>@\"']+@[^\s<>@\"']+")

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks label of a secret, not a secret


def describe_error(exc: BaseException) -> str:
    """The error for last_error: its class and the SMTP reply, with any address removed."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = [f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
                   for code, msg in exc.recipients.values()]
        text = "; ".join(replies)
    elif isinstance(exc, smtplib.SMTPResponseException):
        msg = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        text = f"{exc.smtp_code} {msg}"
    else:
        text = str(exc)
    text = _EMAIL.sub("<address>", text)
    return f"{type(exc).__name__}: {text}"[:1000]


class DeliveryRefused(Exception):
    """The receiver answered, but did not accept the message (the reply is in the text)."""


class EmailAdapter:
    """One SMTP connection for the batch, opened at the first message (and again after an error)."""

    def __init__(self, *, timeout: float):
        self.backend = get_connection(timeout=timeout)

    def prepare(self, note: Notification):
        from . import worker  # through the worker's name for it, as before channels (a test replaces it there)

        return worker.build_message(note, connection=self.backend)

    def send(self, message) -> None:
        try:
            self.backend.open()
            if self.backend.send_messages([message]) != 1:
                raise smtplib.SMTPException("the email backend did not send the message")
        except Exception:
            self.close()
            raise

    def connection_lost(self, exc: BaseException) -> bool:
        if isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
            return False
        return isinstance(exc, OSError)  # SMTPServerDisconnected, refused, timeout, TLS

    def permanent(self, exc: BaseException) -> bool:
        """The server refused the recipient with a 5xx: the address will not start working."""
        return isinstance(exc, smtplib.SMTPRecipientsRefused) and bool(exc.recipients) and all(
            500 <= code < 600 for code, _msg in exc.recipients.values())

    def describe(self, exc: BaseException) -> str:
        return describe_error(exc)

    def close(self) -> None:
        try:
            self.backend.close()
        except Exception:  # noqa: S110 - closing a broken connection: nothing more to do
            pass


def webhook_secret() -> str:
    """A new endpoint secret: whsec_ and 24 random bytes in base64 (the Standard Webhooks form)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def webhook_signature(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256>` of "event_id.timestamp.body", keyed with the secret's bytes."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{event_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def webhook_body(note: Notification) -> bytes:
    """The event as JSON, keys sorted: the same bytes on every attempt whatever the database's JSON type."""
    return json.dumps(note.payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer other than 2xx: retried, never followed with the body


class WebhookAdapter:
    """One POST per delivery; each endpoint on its own (one endpoint down does not hold the others back)."""

    def __init__(self, *, timeout: float):
        self.timeout = timeout
        self.opener = urllib.request.build_opener(_NoRedirect)

    def prepare(self, note: Notification):
        endpoint = note.endpoint
        if endpoint is None:
            raise ValueError("a webhook delivery without an endpoint")
        if endpoint.disabled_at is not None:
            raise NotStillWanted("the endpoint is disabled")
        body = webhook_body(note)
        timestamp = int(time.time())
        event_id = str(note.payload["id"])
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Yoyaku-Webhooks/1",
            "webhook-id": event_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": webhook_signature(endpoint.secret, event_id, timestamp, body),
        }
        if not endpoint.url.lower().startswith(("https://", "http://")):
            raise ValueError("a webhook URL must be http(s)")  # never file: or another scheme urllib knows
        return urllib.request.Request(endpoint.url, data=body, headers=headers, method="POST")  # noqa: S310 - checked

    def send(self, request) -> None:
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
            error.close()
        if not 200 <= status < 300:
            raise DeliveryRefused(f"HTTP {status}")

    def connection_lost(self, exc: BaseException) -> bool:
        return False

    def permanent(self, exc: BaseException) -> bool:
        return False  # the receiver may come back: retried until MAX_ATTEMPTS

    def describe(self, exc: BaseException) -> str:
        if isinstance(exc, urllib.error.URLError):
            exc = exc.reason if isinstance(exc.reason, BaseException) else exc
        return describe_error(exc)

    def close(self) -> None:
        pass


class LogAdapter:
    """Sends nothing: one log line per message, for demos."""

    def __init__(self, *, timeout: float):
        pass

    def prepare(self, note: Notification):
        return note

    def send(self, note: Notification) -> None:
        what = note.payload.get("type", note.kind) if note.kind == Notification.WEBHOOK_KIND else note.kind
        log.info("notification %s (%s, %s) delivered to the log", note.pk, note.channel, what)

    def connection_lost(self, exc: BaseException) -> bool:
        return False

    def permanent(self, exc: BaseException) -> bool:
        return False

    def describe(self, exc: BaseException) -> str:
        return describe_error(exc)

    def close(self) -> None:
        pass


ADAPTERS: dict[str, type] = {
    Notification.Channel.EMAIL: EmailAdapter,
    Notification.Channel.WEBHOOK: WebhookAdapter,
    Notification.Channel.LOG: LogAdapter,
}


def register(channel: str, adapter: type) -> None:
    """Another channel's adapter (an SMS or LINE provider), registered by the app that provides it."""
    ADAPTERS[channel] = adapter


def adapter_for(channel: str, *, timeout: float):
    """A fresh adapter for one batch's rows of this channel (routed by settings.NOTIFY_ADAPTERS)."""
    routed = (getattr(settings, "NOTIFY_ADAPTERS", None) or {}).get(channel, channel)
    return ADAPTERS[routed](timeout=timeout)
