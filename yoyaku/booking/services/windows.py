"""Booking windows (who may book which doses from when): opening one and closing one early."""

from __future__ import annotations

import re
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import InvalidInput, NotYours
from ..models import BookingWindow, dose_mask
from .audit import Actor, audit_record, require_reason

__all__ = ["booking_window_close", "booking_window_open"]


def _staff_only(actor: Actor) -> None:
    if actor.is_resident:
        raise NotYours()


# Resident.groups holds codes separated by spaces: a code is one word.
_WINDOW_GROUP_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,50}$")


def _local_minute(value: datetime | None) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None


def booking_window_open(
    *,
    actor: Actor,
    doses: list[int],
    opens_at: datetime,
    closes_at: datetime | None = None,
    born_on_or_before: date | None = None,
    born_after: date | None = None,
    group: str = "",
    label: str = "",
    now: datetime | None = None,
) -> BookingWindow:
    """Create a booking window, with its audit event. Raises InvalidInput, writing nothing, when the
    window could never admit anyone or its codes are malformed."""
    max_dose = settings.YOYAKU["MAX_DOSE"]
    if not doses or any(not 1 <= dose <= max_dose for dose in doses):
        raise InvalidInput(_("Dose numbers go from 1 to %(max)d.") % {"max": max_dose}, code="dose_invalid")
    if closes_at is not None and closes_at <= opens_at:
        raise InvalidInput(
            _("The window must close after it opens: %(until)s is not after %(from)s.")
            % {"from": _local_minute(opens_at), "until": _local_minute(closes_at)},
            code="window_closes_before_opening",
        )
    if born_on_or_before is not None and born_after is not None and born_after >= born_on_or_before:
        raise InvalidInput(
            _("Nobody is born after %(after)s and on or before %(before)s: “born after” must be earlier than "
              "“born on or before”.") % {"after": born_after.isoformat(), "before": born_on_or_before.isoformat()},
            code="window_birth_range_empty",
        )
    group = (group or "").strip()
    if group and not _WINDOW_GROUP_CODE.match(group):
        raise InvalidInput(
            _("“%(group)s” is not a group code: use one word of letters, digits, “-” or “_”, for example "
              "care-home.") % {"group": group},
            code="group_invalid",
        )
    label = (label or "").strip()
    if len(label) > BookingWindow._meta.get_field("label").max_length:
        raise InvalidInput(_("The label is too long (at most 100 characters)."), code="label_too_long")

    with transaction.atomic():
        window = BookingWindow.objects.create(
            dose_mask=dose_mask(doses),
            born_on_or_before=born_on_or_before,
            born_after=born_after,
            group=group,
            opens_at=opens_at,
            closes_at=closes_at,
            label=label,
        )
        audit_record(
            actor=actor,
            action="booking_window.open",
            obj=window,
            now=now,
            data={
                "doses": sorted(doses),
                "born_on_or_before": born_on_or_before.isoformat() if born_on_or_before else None,
                "born_after": born_after.isoformat() if born_after else None,
                "group": group,
                "opens_at": _local_minute(opens_at),
                "closes_at": _local_minute(closes_at) if closes_at else None,
                "time_zone": str(timezone.get_current_timezone()),
                "label": label,
            },
        )
    return window


def booking_window_close(*, actor: Actor, window: BookingWindow, reason: str, closes_at: datetime | None = None,
                         now: datetime | None = None) -> BookingWindow:
    """Close a booking window early: now (`closes_at` None) or at a later time before its current end.

    Reservations already made stay. A window that has not opened yet can only be closed now, and then never
    opens: its opening is moved to the same moment, so residents read "closed", not "opens on …".
    """
    _staff_only(actor)
    require_reason(actor, reason)
    now = now or timezone.now()
    closes_at = closes_at or now
    with transaction.atomic():
        current = BookingWindow.objects.select_for_update().get(pk=window.pk)
        if current.closes_at is not None and current.closes_at <= now:
            raise InvalidInput(_("This booking window closed at %(when)s already.")
                               % {"when": _local_minute(current.closes_at)}, code="window_already_closed")
        if closes_at < now:
            raise InvalidInput(_("%(when)s is in the past. Close the window now, or at a later time.")
                               % {"when": _local_minute(closes_at)}, code="window_close_in_past")
        if current.closes_at is not None and closes_at >= current.closes_at:
            raise InvalidInput(
                _("The window closes at %(current)s already; to close it early, choose an earlier time.")
                % {"current": _local_minute(current.closes_at)},
                code="window_close_not_earlier",
            )
        before = {"opens_at": _local_minute(current.opens_at), "closes_at": _local_minute(current.closes_at)}
        if closes_at <= current.opens_at:
            if closes_at > now:
                raise InvalidInput(
                    _("The window opens at %(opens)s; closing it before that means it never opens. To cancel it, "
                      "close it now.") % {"opens": _local_minute(current.opens_at)},
                    code="window_close_before_opening",
                )
            current.opens_at = closes_at
        current.closes_at = closes_at
        current.save(update_fields=["opens_at", "closes_at"])
        audit_record(actor=actor, action="booking_window.close", obj=current, reason=reason.strip(), now=now,
                     data={"before": before, "opens_at": _local_minute(current.opens_at),
                           "closes_at": _local_minute(current.closes_at)})
        return current
