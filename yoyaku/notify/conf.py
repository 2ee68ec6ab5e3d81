"""The worker's settings. Each KEY comes from `settings.NOTIFY["KEY"]` if set, else from the environment variable
YOYAKU_NOTIFY_<KEY>, else the default below.

| KEY | default | meaning |
| --- | --- | --- |
| MAX_ATTEMPTS | 10 | failed attempts before a message is marked `failed` |
| BACKOFF_SECONDS | 60 | wait after the first failure; doubled after each one |
| BACKOFF_MAX_SECONDS | 3600 | longest wait between two attempts |
| BATCH_SIZE | 20 | messages one worker claims at a time |
| LEASE_SECONDS | 300 | how long a claim holds; a dead worker's rows are claimed again after it |
| SEND_TIMEOUT | 30 | socket timeout of the SMTP connection, seconds |
| POLL_SECONDS | 2 | pause when nothing is due |
| REMINDER_TIME | 09:00 | local time from which the day-before reminders are queued |
| REMINDER_EVERY_SECONDS | 300 | how often the worker looks for reminders to queue |
| MAIL_HOST | first of ALLOWED_HOSTS | the domain of the Message-ID (`<notification-<id>@host>`) |
"""

from __future__ import annotations

import os

from django.conf import settings

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
}


def notify_setting(name: str):
    overrides = getattr(settings, "NOTIFY", None) or {}
    if name in overrides:
        return overrides[name]
    default = DEFAULTS[name]
    raw = os.environ.get(f"YOYAKU_NOTIFY_{name}", "").strip()
    if not raw:
        return default
    return type(default)(raw)
