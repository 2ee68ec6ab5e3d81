"""Slots and booking windows: capacity, generation from a pattern, opening booking."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import (
    CapacityBelowBooked,
    InvalidInput,
)
from ..models import (
    BookingWindow,
    Slot,
    Vaccine,
    Venue,
    dose_mask,
)
from ..slot_patterns import SlotPattern
from .audit import Actor, NotYours, audit_record, require_reason
from .offers import moveup_offers_make


def slot_set_capacity(*, actor: Actor, slot: Slot, capacity: int, reason: str = "",
                      now: datetime | None = None) -> Slot:
    """Change a slot's capacity, never below what is already booked (checked in the same UPDATE)."""
    if actor.is_resident:
        raise NotYours()
    require_reason(actor, reason)
    if capacity < 0:
        raise InvalidInput(_("The capacity cannot be negative."), code="capacity_negative")
    with transaction.atomic():
        old = Slot.objects.get(pk=slot.pk)
        updated = Slot.objects.filter(pk=slot.pk, booked__lte=capacity).update(capacity=capacity)
        if not updated:
            raise CapacityBelowBooked(booked=old.booked)
        fresh = Slot.objects.get(pk=slot.pk)
        audit_record(actor=actor, action="slot.capacity", obj=fresh, reason=reason, now=now,
                     data={"from": old.capacity, "to": capacity})
        moveup_offers_make(slot=fresh, now=now)  # places added are offered (move-up offers)
        return fresh



# --- Slots and booking windows (generate_slots, open_booking, the demo) -------------------------------


@dataclass(frozen=True)
class SlotsGenerated:
    created: int
    existed: int
    first_starts_at: datetime
    last_starts_at: datetime
    in_past: int  # slots of the pattern that start before now (created or not): never bookable


def slots_generate(
    *,
    actor: Actor,
    venue: Venue,
    vaccine: Vaccine,
    pattern: SlotPattern,
    capacity: int,
    doses: list[int],
    bookable_from: datetime | None = None,
    tz: tzinfo | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> SlotsGenerated:
    """Create the pattern's slots that do not exist yet, in one transaction, with one audit event.

    Existing slots (same venue, vaccine and start) are not touched: their capacity, bookings and
    end stay as they are. Raises InvalidInput, before writing anything, on a bad pattern or a venue
    that does not offer the vaccine.
    """
    now = now or timezone.now()
    tz = tz or timezone.get_current_timezone()
    if capacity < 1:
        raise InvalidInput(_("The capacity must be at least 1; %(capacity)d is not possible.")
                           % {"capacity": capacity}, code="capacity_invalid")
    max_dose = settings.YOYAKU["MAX_DOSE"]
    if not doses or any(not 1 <= dose <= max_dose for dose in doses):
        raise InvalidInput(_("Dose numbers go from 1 to %(max)d.") % {"max": max_dose}, code="dose_invalid")
    if not venue.vaccines.filter(pk=vaccine.pk).exists():
        raise InvalidInput(
            _("%(venue)s (%(venue_code)s) does not offer %(vaccine)s (%(vaccine_code)s). Add the vaccine to the "
              "venue first, or choose another venue.")
            % {"venue": venue.name, "venue_code": venue.code, "vaccine": vaccine.name, "vaccine_code": vaccine.code},
            code="venue_lacks_vaccine",
        )
    times = pattern.expand(tz)
    first, last = times[0][0], times[-1][0]
    mask = dose_mask(doses)

    with transaction.atomic():
        existing = set(
            Slot.objects.filter(venue=venue, vaccine=vaccine, starts_at__gte=first, starts_at__lte=last)
            .values_list("starts_at", flat=True)
        )
        new = [
            Slot(venue=venue, vaccine=vaccine, starts_at=starts_at, ends_at=ends_at, capacity=capacity,
                 dose_mask=mask, bookable_from=bookable_from)
            for starts_at, ends_at in times
            if starts_at not in existing
        ]
        result = SlotsGenerated(
            created=len(new),
            existed=len(times) - len(new),
            first_starts_at=first,
            last_starts_at=last,
            in_past=sum(1 for starts_at, _ends_at in times if starts_at <= now),
        )
        if dry_run:
            return result
        # ignore_conflicts: a run racing this one may insert the same start first; the unique
        # constraint (venue, vaccine, starts_at) then keeps one, and neither run fails.
        Slot.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
        audit_record(
            actor=actor,
            action="slot.generate",
            obj=venue,
            now=now,
            data={
                "venue": venue.code,
                "vaccine": vaccine.code,
                "pattern": pattern.as_data(),
                "time_zone": str(tz),
                "capacity": capacity,
                "doses": sorted(doses),
                "bookable_from": timezone.localtime(bookable_from, tz).isoformat() if bookable_from else None,
                "created": result.created,
                "existed": result.existed,
            },
        )
    return result


# Resident.groups holds codes separated by spaces: a code is one word.
_WINDOW_GROUP_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,50}$")


def _local_minute(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


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
