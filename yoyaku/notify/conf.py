"""The outbox's settings. settings.py reads each YOYAKU_NOTIFY_<KEY> from the environment once into
`settings.NOTIFY` (tests override that dict); a key left out takes the default below. Values are checked
here, not in settings.py, so that a wrong one stops `run_worker` with one line instead of a traceback.

| KEY | default | meaning |
| --- | --- | --- |
| MAX_ATTEMPTS | 10 | failed attempts before a message is marked `failed` |
| BACKOFF_SECONDS | 60 | wait after the first failure; doubled after each one |
| BACKOFF_MAX_SECONDS | 3600 | longest wait between two attempts |
| BATCH_SIZE | 20 | messages one worker claims at a time |
| LEASE_SECONDS | 300 | how long a claim holds; a dead worker's rows are claimed again after it |
| SEND_TIMEOUT | 30 | socket timeout of the SMTP connection, seconds (LEASE_SECONDS must be longer) |
| POLL_SECONDS | 2 | pause when nothing is due |
| REMINDER_TIME | 09:00 | local time from which the day-before reminders are queued |
| REMINDER_EVERY_SECONDS | 300 | how often the worker looks for reminders to queue |
| MAIL_HOST | the host of YOYAKU_SITE_URL | the domain of the Message-ID and of the calendar files' UID |
| SMS_URL | (empty) | the SMS gateway's URL (docs/channels.md); empty: no SMS |
| SMS_TOKEN | (empty) | the gateway's bearer token (needed with SMS_URL) |
| SMS_SENDER | (empty) | the sender name or number the gateway shows, if it takes one |
| LINE_TOKEN | (empty) | the LINE Messaging API channel access token; empty: no LINE |
| LINE_API_URL | https://api.line.me | the Messaging API's base URL (tests point it at a local server) |
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEYS = ("MAX_ATTEMPTS", "BACKOFF_SECONDS", "BACKOFF_MAX_SECONDS", "BATCH_SIZE", "LEASE_SECONDS", "SEND_TIMEOUT",
        "POLL_SECONDS", "REMINDER_TIME", "REMINDER_EVERY_SECONDS", "MAIL_HOST", "SMS_URL", "SMS_TOKEN", "SMS_SENDER",
        "LINE_TOKEN", "LINE_API_URL")

DEFAULTS = {
    "MAX_ATTEMPTS": 10,
    "BACKOFF_SECONDS": 60.0,
    "BACKOFF_MAX_SECONDS": 3600.0,
    "BATCH_SIZE": 20,
    "LEASE_SECONDS": 300.0,
    "SEND_TIMEOUT": 30.0,
    "POLL_SECONDS": 2.0,
    "REMINDER_TIME": "09:00",
    "REMINDER_EVERY_SECONDS": 300.0,
    "MAIL_HOST": "",
    "SMS_URL": "",
    "SMS_TOKEN": "",
    "SMS_SENDER": "",
    "LINE_TOKEN": "",
    "LINE_API_URL": "https://api.line.me",
}

# Counts must be at least 1; waits may be 0 (tests), never negative.
_MINIMUM = {"MAX_ATTEMPTS": 1, "BATCH_SIZE": 1}


def _parse(name: str, raw):
    default = DEFAULTS[name]
    if isinstance(default, str):
        return str(raw).strip()
    kind = type(default)
    try:
        if isinstance(raw, bool):
            raise ValueError
        value = kind(raw.strip() if isinstance(raw, str) else raw)
        if kind is int and isinstance(raw, float) and raw != value:
            raise ValueError
    except (TypeError, ValueError):
        what = "a whole number" if kind is int else "a number"
        raise ImproperlyConfigured(f"YOYAKU_NOTIFY_{name} must be {what}, not {raw!r}.") from None
    if value != value or value in (float("inf"), float("-inf")):  # NaN or infinite
        raise ImproperlyConfigured(f"YOYAKU_NOTIFY_{name} must be a finite number, not {raw!r}.")
    minimum = _MINIMUM.get(name, 0)
    if value < minimum:
        raise ImproperlyConfigured(f"YOYAKU_NOTIFY_{name} must be at least {minimum}, not {raw!r}.")
    return value


def notify_setting(name: str):
    """One key, checked (ImproperlyConfigured names the variable if its value is wrong)."""
    overrides = getattr(settings, "NOTIFY", None) or {}
    if name not in DEFAULTS:
        raise KeyError(name)
    return _parse(name, overrides[name]) if name in overrides else DEFAULTS[name]


def notify_settings_check() -> None:
    """Every key, and how they fit together. Raises ImproperlyConfigured with one line saying what to fix."""
    overrides = getattr(settings, "NOTIFY", None) or {}
    unknown = sorted(set(overrides) - set(DEFAULTS))
    if unknown:
        raise ImproperlyConfigured(f"settings.NOTIFY has unknown keys: {', '.join(unknown)}.")
    values = {name: notify_setting(name) for name in KEYS}
    if values["LEASE_SECONDS"] <= values["SEND_TIMEOUT"]:
        raise ImproperlyConfigured(
            f"YOYAKU_NOTIFY_LEASE_SECONDS ({values['LEASE_SECONDS']:g}) must be greater than "
            f"YOYAKU_NOTIFY_SEND_TIMEOUT ({values['SEND_TIMEOUT']:g}), by several times."
        )
    if values["BACKOFF_MAX_SECONDS"] < values["BACKOFF_SECONDS"]:
        raise ImproperlyConfigured(
            f"YOYAKU_NOTIFY_BACKOFF_MAX_SECONDS ({values['BACKOFF_MAX_SECONDS']:g}) must not be less than "
            f"YOYAKU_NOTIFY_BACKOFF_SECONDS ({values['BACKOFF_SECONDS']:g})."
        )


def mail_host() -> str:
    """The city's mail domain: in every Message-ID and every calendar file's UID. From YOYAKU_NOTIFY_MAIL_HOST,
    else the host of YOYAKU_SITE_URL; never from ALLOWED_HOSTS, so a new host name changes no UID."""
    host = notify_setting("MAIL_HOST")
    if not host:
        host = urlsplit(settings.YOYAKU.get("SITE_URL", "")).hostname or ""
    return host or "yoyaku"
