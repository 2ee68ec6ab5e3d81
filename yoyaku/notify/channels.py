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

- `LineAdapter` (line): the text of the row's kind (messages.build_text: the email's subject and body as plain
  text, in the row's language) pushed with the LINE Messaging API: POST {LINE_API_URL}/v2/bot/message/push,
  `Authorization: Bearer <LINE_TOKEN>`, JSON {"to": <LINE user id>, "messages": [{"type": "text", "text": …}]},
  and `X-Line-Retry-Key` (a UUID fixed per row): LINE accepts a retried push once and answers 409 to the
  copy, which counts as delivered.
- `SmsAdapter` (sms): the same text through the city's SMS gateway (docs/channels.md, "The SMS gateway"):
  POST {SMS_URL}, `Authorization: Bearer <SMS_TOKEN>`, `Idempotency-Key: notification-<id>`, JSON {"to":
  <E.164 number>, "text": …, "from": <SMS_SENDER, if set>, "reference": "notification-<id>"}. 2xx, or 409
  (already accepted with that key), is a delivery.
- `ConsoleAdapter` (console): for demos of SMS and LINE: a log line (id, channel, kind: never the address or
  the text) and, with DEBUG, the text in the dev inbox (/dev/mail/, which already shows addresses and texts).

A city may route a channel to another adapter: settings.NOTIFY_ADAPTERS = {"webhook": "log"} (the demo does
not POST to made-up URLs; settings.py routes SMS and LINE to "console" when DEBUG is on and they have no
provider). `channel_available(channel)` says whether residents may choose a channel; `channels_check()` lists
what is wrong with the channels' settings (a system check and the worker's start refuse them). An adapter's
interface:

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
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection

from .conf import mail_host, notify_setting
from .messages import NotStillWanted, build_text
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


def describe_http_error(exc: BaseException) -> str:
    """describe_error for an HTTP channel: a connection error by its reason (refused, timed out)."""
    if isinstance(exc, urllib.error.URLError):
        exc = exc.reason if isinstance(exc.reason, BaseException) else exc
    return describe_error(exc)


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
        return describe_http_error(exc)

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


# --- SMS and LINE: the same text as the email, over HTTP ------------------------------------------------------

# 4xx answers retrying does not cure (the request or the address is wrong). Not among them: 401/403 (the city's
# token: fixed by the city, then the retries get through), 408, 425, 429 (try later), 409 (already accepted).
_RETRIED_4XX = {401, 403, 408, 409, 425, 429}
LINE_TEXT_LIMIT = 5000  # characters in one LINE text message
LINE_MESSAGES_LIMIT = 5  # messages in one push


class HttpRefused(DeliveryRefused):
    def __init__(self, status: int):
        super().__init__(f"HTTP {status}")
        self.status = status


def _post(opener, request, timeout: float) -> None:
    """POST; returns when the receiver accepted (2xx, or 409: this key was accepted before), else raises."""
    try:
        with opener.open(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
        error.close()
    if not (200 <= status < 300 or status == 409):
        raise HttpRefused(status)


def _check_url(url: str, name: str) -> str | None:
    """What is wrong with a provider's URL, or None. Plain http only to this machine (a test or a local relay):
    anywhere else the token would travel in clear text."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"YOYAKU_NOTIFY_{name} must be an http(s) URL, not {url!r}."
    if parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        return f"YOYAKU_NOTIFY_{name} must use https (the token would travel in clear text): {url!r}."
    return None


class _TextAdapter:
    """The text of a row (messages.build_text) POSTed as JSON to a provider; each row on its own."""

    label = ""

    def __init__(self, *, timeout: float):
        self.timeout = timeout
        self.opener = urllib.request.build_opener(_NoRedirect)

    def prepare(self, note: Notification):
        if not note.recipient:
            raise NotStillWanted(f"no {self.label} address")
        return self.request(note, build_text(note))

    def send(self, request) -> None:
        _post(self.opener, request, self.timeout)

    def connection_lost(self, exc: BaseException) -> bool:
        return False  # one POST per row: the next row tries on its own

    def permanent(self, exc: BaseException) -> bool:
        return isinstance(exc, HttpRefused) and 400 <= exc.status < 500 and exc.status not in _RETRIED_4XX

    def describe(self, exc: BaseException) -> str:
        return describe_http_error(exc)

    def close(self) -> None:
        pass

    @staticmethod
    def _json_request(url: str, body: dict, headers: dict):
        data = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "Yoyaku-Notify/1", **headers}
        return urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310 - checked URL


def line_retry_key(note: Notification) -> str:
    """The same UUID on every attempt of a row: LINE delivers a push with a given retry key once (24 hours)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://{mail_host()}/notification/{note.pk}"))


def line_messages(text: str) -> list[dict]:
    """The text as LINE text messages: 5,000 characters each, at most 5 (a longer text is cut at the end)."""
    parts = [text[i:i + LINE_TEXT_LIMIT] for i in range(0, len(text), LINE_TEXT_LIMIT)][:LINE_MESSAGES_LIMIT]
    return [{"type": "text", "text": part} for part in parts]


class LineAdapter(_TextAdapter):
    """The LINE Messaging API's push message, to the resident's LINE user id."""

    label = "LINE"

    def request(self, note: Notification, message):
        token, base = notify_setting("LINE_TOKEN"), notify_setting("LINE_API_URL")
        if not token or _check_url(base, "LINE_API_URL"):
            raise ImproperlyConfigured("LINE is not configured (YOYAKU_NOTIFY_LINE_TOKEN, YOYAKU_NOTIFY_LINE_API_URL)")
        return self._json_request(base.rstrip("/") + "/v2/bot/message/push",
                                  {"to": note.recipient, "messages": line_messages(message.text)},
                                  {"Authorization": f"Bearer {token}", "X-Line-Retry-Key": line_retry_key(note)})


class SmsAdapter(_TextAdapter):
    """The city's SMS gateway (the generic shape in docs/channels.md)."""

    label = "SMS"

    def request(self, note: Notification, message):
        url, token = notify_setting("SMS_URL"), notify_setting("SMS_TOKEN")
        if not (url and token) or _check_url(url, "SMS_URL"):
            raise ImproperlyConfigured("SMS is not configured (YOYAKU_NOTIFY_SMS_URL, YOYAKU_NOTIFY_SMS_TOKEN)")
        reference = f"notification-{note.pk}"
        body = {"to": note.recipient, "text": message.text, "reference": reference}
        if notify_setting("SMS_SENDER"):
            body["from"] = notify_setting("SMS_SENDER")
        return self._json_request(url, body, {"Authorization": f"Bearer {token}", "Idempotency-Key": reference})


class ConsoleAdapter(LogAdapter):
    """SMS and LINE for demos: a log line without the address or the text, and with DEBUG the message in the
    dev inbox (written by Django's file email backend to EMAIL_FILE_PATH, where /dev/mail/ reads it)."""

    def prepare(self, note: Notification):
        if note.channel in (Notification.Channel.SMS, Notification.Channel.LINE):
            return note, build_text(note)
        return note, None  # routed here from a channel without text (a webhook): the log line only

    def send(self, prepared) -> None:
        note, message = prepared
        log.info("notification %s (%s, %s) delivered to the console%s", note.pk, note.channel, note.kind,
                 " and the dev inbox" if message is not None and settings.DEBUG else "")
        if message is None or not settings.DEBUG:
            return
        label = Notification.Channel(note.channel).label
        email = EmailMessage(subject=f"[{label}] {message.subject}", body=message.text,
                             from_email=settings.DEFAULT_FROM_EMAIL,
                             to=[f'"{label} {note.recipient}" <{note.channel}@dev-inbox.invalid>'],
                             headers={"Message-ID": f"<notification-{note.pk}@{mail_host()}>"})
        backend = get_connection("django.core.mail.backends.filebased.EmailBackend",
                                 file_path=str(settings.EMAIL_FILE_PATH))
        if backend.send_messages([email]) != 1:
            raise OSError("the dev inbox did not take the message")


ADAPTERS: dict[str, type] = {
    Notification.Channel.EMAIL: EmailAdapter,
    Notification.Channel.WEBHOOK: WebhookAdapter,
    Notification.Channel.LOG: LogAdapter,
    Notification.Channel.SMS: SmsAdapter,
    Notification.Channel.LINE: LineAdapter,
    "console": ConsoleAdapter,
}


def register(channel: str, adapter: type) -> None:
    """Another channel's adapter (an SMS or LINE provider), registered by the app that provides it."""
    ADAPTERS[channel] = adapter


def _routes() -> dict:
    return getattr(settings, "NOTIFY_ADAPTERS", None) or {}


def adapter_for(channel: str, *, timeout: float):
    """A fresh adapter for one batch's rows of this channel (routed by settings.NOTIFY_ADAPTERS)."""
    routed = _routes().get(channel, channel)
    return ADAPTERS[routed](timeout=timeout)


def channels_check() -> list[str]:
    """What is wrong with the channels' settings, one line each (empty: nothing). A channel left unset is not
    wrong: it is simply not offered."""
    errors = []
    for channel, target in _routes().items():
        if target not in ADAPTERS:
            errors.append(f"settings.NOTIFY_ADAPTERS routes {channel!r} to an unknown adapter {target!r}.")
    url, token = notify_setting("SMS_URL"), notify_setting("SMS_TOKEN")
    if bool(url) != bool(token):
        errors.append("YOYAKU_NOTIFY_SMS_URL and YOYAKU_NOTIFY_SMS_TOKEN go together: set both, or neither.")
    if url and (problem := _check_url(url, "SMS_URL")):
        errors.append(problem)
    if notify_setting("LINE_TOKEN") and (problem := _check_url(notify_setting("LINE_API_URL"), "LINE_API_URL")):
        errors.append(problem)
    return errors


def channels_config_check() -> None:
    """channels_check as the worker's start wants it: ImproperlyConfigured with the first problem."""
    errors = channels_check()
    if errors:
        raise ImproperlyConfigured(errors[0])


def channel_available(channel: str) -> bool:
    """May a resident choose this channel now? Email always; SMS and LINE when their provider is configured
    (and right) or a demo adapter stands in for it; anything else, no."""
    if channel == Notification.Channel.EMAIL:
        return True
    if channel not in (Notification.Channel.SMS, Notification.Channel.LINE):
        return False
    routed = _routes().get(channel)
    if routed is not None:
        return routed in ADAPTERS
    if channel == Notification.Channel.SMS:
        url, token = notify_setting("SMS_URL"), notify_setting("SMS_TOKEN")
        return bool(url and token) and _check_url(url, "SMS_URL") is None
    return bool(notify_setting("LINE_TOKEN")) and _check_url(notify_setting("LINE_API_URL"), "LINE_API_URL") is None
