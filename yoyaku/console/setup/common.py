"""What the city set-up pages share: who acts, the statuses lists show.

Every set-up page is for city admins only (call-centre operators and venue staff are refused).
"""

from __future__ import annotations

from django.utils import timezone

from yoyaku.web.request import staff_actor

from ..roles import CITY_ADMIN, staff_required

admin_only = staff_required(CITY_ADMIN)


actor = staff_actor


def window_status(window, now) -> str:
    if window.closes_at is not None and window.closes_at <= now:
        return "closed"
    return "scheduled" if window.opens_at > now else "open"


def notice_status(notice, now) -> str:
    if notice.publish_until is not None and notice.publish_until <= now:
        return "withdrawn"
    return "scheduled" if notice.publish_from > now else "published"


def now():
    return timezone.now()
