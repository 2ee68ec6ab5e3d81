"""What the city set-up pages share: who acts, the statuses lists show.

Every set-up page is for city admins only (call-centre operators and venue staff are refused).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

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


def window_who(window) -> str:
    """Whom a booking window admits, in words (as `manage.py open_booking` says it)."""
    who = []
    if window.born_on_or_before:
        who.append(_("born on or before %(date)s") % {"date": window.born_on_or_before.isoformat()})
    if window.born_after:
        who.append(_("born after %(date)s") % {"date": window.born_after.isoformat()})
    if window.group:
        who.append(_("in group %(group)s") % {"group": window.group})
    return _("residents %(conditions)s") % {"conditions": ", ".join(who)} if who else _("everyone")


def now():
    return timezone.now()
