"""Slots and booking windows: capacity, generation from a pattern, opening booking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import (
    CapacityBelowBooked,
    InvalidInput,
    NotYours,
)
from ..models import (
    Slot,
    Vaccine,
    Venue,
    dose_mask,
)
from ..slot_patterns import SlotPattern
from .audit import Actor, audit_record, require_reason
from .move_up_offers import move_up_offers_make


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
        move_up_offers_make(slot=fresh, now=now)  # places added are offered (move-up offers)
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
