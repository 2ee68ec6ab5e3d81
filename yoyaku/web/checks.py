"""Startup and `manage.py check --deploy` warnings about settings that are dangerous when they do not match
the deployment (docs/security.md).

YOYAKU_PROXY_COUNT says how many trusted proxies stand in front of the app: the client's address is then
read from X-Forwarded-For, counted from the right (web/request.py). Set to 1 with no proxy in front, the
client writes that header itself, chooses its own address, and the per-address login limit never triggers.
Nothing can tell from inside the app whether a proxy is really there, so the warning is given whenever the
setting is on: at every start (logged once, at WARNING) and in the deploy check (yoyaku.W001). Silence the
check with SILENCED_SYSTEM_CHECKS = ["yoyaku.W001"] once the count is confirmed.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.checks import Tags, Warning, register

logger = logging.getLogger("yoyaku.security")

PROXY_WARNING_ID = "yoyaku.W001"


def proxy_warning_text() -> str | None:
    count = settings.YOYAKU.get("PROXY_COUNT") or 0
    if not count:
        return None
    return (f"YOYAKU_PROXY_COUNT={count}: the client address is taken from X-Forwarded-For, {count} "
            f"entr{'y' if count == 1 else 'ies'} from the right. This must equal the number of proxies that "
            "really stand in front of the app (nginx alone: 1). With fewer proxies than that, any client can "
            "choose its own address and the per-address login limit never triggers. Make sure the app is "
            "reachable only through those proxies.")


@register(Tags.security, deploy=True)
def proxy_count_check(app_configs=None, **kwargs):
    text = proxy_warning_text()
    if text is None:
        return []
    return [Warning(text, hint="Set YOYAKU_PROXY_COUNT to the number of trusted proxies, or 0 without one.",
                    id=PROXY_WARNING_ID)]


def warn_at_startup() -> None:
    """Called once per process from the app's ready(): the same warning in the server's log."""
    text = proxy_warning_text()
    if text is not None and PROXY_WARNING_ID not in getattr(settings, "SILENCED_SYSTEM_CHECKS", []):
        logger.warning(text)
