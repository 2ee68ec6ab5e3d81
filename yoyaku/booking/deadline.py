"""The web deadline, read from the city's settings in one place (the rule itself is rules.web_deadline).

Residents book, change and cancel on the web until WEB_DEADLINE_DAYS_BEFORE days before the appointment at
WEB_DEADLINE_TIME (local); after that only the call centre can (docs/architecture.md, "City settings")."""

from __future__ import annotations

from datetime import date, datetime, time

from django.conf import settings
from django.utils import timezone

from . import rules


def days_before() -> int:
    return settings.YOYAKU["WEB_DEADLINE_DAYS_BEFORE"]


def _at() -> time:
    return rules.parse_clock(settings.YOYAKU["WEB_DEADLINE_TIME"])


def web_deadline(starts_at: datetime) -> datetime:
    """The last minute at which an appointment starting at `starts_at` may be changed on the web."""
    return rules.web_deadline(starts_at, days_before=days_before(), at=_at(), tz=timezone.get_current_timezone())


def web_open(starts_at: datetime, now: datetime | None = None) -> bool:
    return rules.within_web_deadline(now or timezone.now(), web_deadline(starts_at))


def first_web_day(now: datetime | None = None) -> date:
    """The first local day whose appointments can still be booked on the web."""
    return rules.first_web_day(timezone.localtime(now or timezone.now()), days_before=days_before(), at=_at())
