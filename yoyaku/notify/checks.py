"""System checks of the outbox's settings: a misconfigured channel (SMS, LINE) is an error at every
`manage.py` command and server start, with one line saying what to fix (channels.channels_check). A channel
left unset is no error: residents simply cannot choose it."""

from __future__ import annotations

from django.core.checks import Error, register

CHANNELS_ERROR_ID = "yoyaku.E101"


@register()
def channels_settings_check(app_configs=None, **kwargs):
    from .channels import channels_check

    return [Error(text, hint="See docs/channels.md.", id=CHANNELS_ERROR_ID) for text in channels_check()]
