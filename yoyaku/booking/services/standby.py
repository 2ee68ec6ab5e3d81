"""The standby list (キャンセル待ち): residents without a place who can come at short notice, phoned by the
venue staff on the day (a venue's list) or by the call centre before the day (the waiting list: any venue).

`standby_book` is the one way an entry becomes a booking: the entry is taken by a conditional UPDATE from
`waiting`, and the place by the booking engine (`reservation_book`, or `reservation_change` for a resident
who holds a later appointment), in one transaction. Two staff calling for the same freed place: the
engine's `booked < capacity` update lets one through, the other gets SlotFull and its entry stays waiting.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..errors import NotActive, NotYours, SlotUnavailable
from ..models import MoveUpOffer, Reservation, Resident, Slot, StandbyEntry, Venue
from .audit import Actor, audit_record, require_reason
from .move_up_offers import offers_deferred
from .reservations import reservation_book, reservation_change
from .slots import slot_set_capacity

__all__ = ["standby_book", "standby_join", "standby_withdraw"]


def standby_join(*, actor: Actor, resident: Resident, dose_number: int, venue: Venue | None = None,
                 phone: str = "", email: str = "", reason: str = "", now: datetime | None = None) -> StandbyEntry:
    """Put the resident on a venue's standby list (or, with no venue, the waiting list: `email`, when given,
    receives the offers of freed places). Joining again while waiting returns the entry already there."""
    now = now or timezone.now()
    require_reason(actor, reason)
    if actor.is_resident and actor.resident.pk != resident.pk:
        raise NotYours()
    try:
        with transaction.atomic():
            entry = StandbyEntry.objects.create(resident=resident, dose_number=dose_number, venue=venue,
                                                phone=phone or resident.phone, email=email, created_at=now)
            audit_record(actor=actor, action="standby.join", resident=resident, obj=entry, reason=reason, now=now,
                         data={"dose": dose_number, "venue": venue.pk if venue else None})
            return entry
    except IntegrityError:
        return StandbyEntry.objects.get(resident=resident, dose_number=dose_number,
                                        status=StandbyEntry.Status.WAITING)


def standby_book(*, actor: Actor, entry: StandbyEntry, slot_id: int, reason: str = "", add_place: bool = False,
                 now: datetime | None = None) -> Reservation:
    """Give the entry's resident a place in `slot_id` (staff only): a new booking, or a move of the later
    appointment they hold. Refused with the engine's error (SlotFull, ...) and nothing changes; NotActive
    when the entry is no longer waiting (someone else called them first).

    `add_place`: a dose left in the last opened vial, for a slot that is full. The slot gets one more place
    (`slot_set_capacity`, audited `slot.capacity` with the same reason) in the same transaction, and that
    place is not offered to the move-up list meanwhile: it is this resident's. Refused as a whole if the
    booking is (the capacity stays)."""
    now = now or timezone.now()
    if not actor.is_staff:
        raise NotYours()
    require_reason(actor, reason)
    with transaction.atomic():
        taken = StandbyEntry.objects.filter(pk=entry.pk, status=StandbyEntry.Status.WAITING).update(
            status=StandbyEntry.Status.BOOKED, closed_at=now)
        if not taken:
            raise NotActive()
        _withdraw_offers(entry, now)
        entry = StandbyEntry.objects.select_related("resident").get(pk=entry.pk)
        if add_place:
            slot = Slot.objects.select_for_update().filter(pk=slot_id).first()
            if slot is None:
                raise SlotUnavailable()
            with offers_deferred():
                slot_set_capacity(actor=actor, slot=slot, capacity=slot.capacity + 1, reason=reason, now=now)
        current = Reservation.objects.active().filter(resident_id=entry.resident_id,
                                                      dose_number=entry.dose_number).first()
        if current is None:
            reservation = reservation_book(actor=actor, resident=entry.resident, slot_id=slot_id,
                                           dose_number=entry.dose_number, recipient_phone=entry.phone,
                                           reason=reason, channel=Reservation.Channel.CONSOLE, now=now)
        else:
            reservation = reservation_change(actor=actor, reservation=current, slot_id=slot_id, reason=reason,
                                             now=now)
        StandbyEntry.objects.filter(pk=entry.pk).update(reservation=reservation)
        audit_record(actor=actor, action="standby.book", resident=entry.resident, reservation=reservation,
                     obj=entry, reason=reason, now=now,
                     data={"slot": slot_id, "moved": current is not None, "added_place": add_place})
        return reservation


def standby_withdraw(*, actor: Actor, entry: StandbyEntry, reason: str = "",
                     now: datetime | None = None) -> StandbyEntry:
    """Take the entry off the list (the resident booked elsewhere, or no longer wants it)."""
    now = now or timezone.now()
    require_reason(actor, reason)
    if actor.is_resident and actor.resident.pk != entry.resident_id:
        raise NotYours()
    with transaction.atomic():
        done = StandbyEntry.objects.filter(pk=entry.pk, status=StandbyEntry.Status.WAITING).update(
            status=StandbyEntry.Status.WITHDRAWN, closed_at=now)
        entry.refresh_from_db()
        if done:
            _withdraw_offers(entry, now)
            audit_record(actor=actor, action="standby.withdraw", resident=entry.resident, obj=entry, reason=reason,
                         now=now)
        return entry


def _withdraw_offers(entry: StandbyEntry, now: datetime) -> None:
    """The entry's open offers (waiting-list offers by email) end when it leaves the list. An offer whose
    accept is in progress (its row locked) is left to that accept, which finds the entry gone."""
    pks = list(MoveUpOffer.objects.filter(standby_entry=entry, status=MoveUpOffer.Status.OPEN)
               .select_for_update(skip_locked=True).values_list("pk", flat=True))
    MoveUpOffer.objects.filter(pk__in=pks, status=MoveUpOffer.Status.OPEN).update(
        status=MoveUpOffer.Status.WITHDRAWN, closed_at=now)
