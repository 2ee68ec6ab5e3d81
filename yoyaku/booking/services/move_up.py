"""Move-up (繰上げ): move a resident who asked for an earlier date into a freed place, in one step.

The move is `reservation_change` (the same conditional updates and the same lock: the new place is taken
and the old one freed in one transaction, or nothing), inside a transaction that first checks that it
is a move-up the list would have offered, and then records it as such. The audit trail therefore has
the engine's `reservation.change` and, with it, `reservation.move_up` (who, why, how many days earlier).
The resident keeps `wants_move_up`: if a still earlier place frees, they may be called again.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import selectors
from ..errors import (
    BookingError,
    MoveUpNotPossible,
    NotActive,
    NotYours,
    OfferClosed,
    SlotFull,
    SlotUnavailable,
)
from ..models import MoveUpOffer, Reservation, Slot, StandbyEntry
from ..notifications import event_for_move_up_offer
from .audit import Actor, audit_record, require_reason
from .move_up_offers import move_up_offers_make, offers_deferred
from .reservations import _lock, reservation_book, reservation_change

__all__ = ["move_up_offer_accept", "move_up_offers_make", "reservation_move_up"]


def reservation_move_up(
    *,
    actor: Actor,
    reservation: Reservation,
    slot_id: int,
    reason: str = "",
    now: datetime | None = None,
) -> Reservation:
    """Move `reservation` up into `slot_id`; the old place is freed and shows as free at once.

    Refused (nothing changes) unless the reservation is active, its resident asked for an earlier date,
    the slot starts before the current appointment, booking is open to the resident for this dose (the
    booking windows), and the slot takes the dose by every rule a change follows (reservation_change).
    """
    now = now or timezone.now()
    require_reason(actor, reason)
    with transaction.atomic():
        current = _lock(reservation)  # reservation_change takes the same lock again: free in one transaction
        if not current.is_active:
            raise NotActive()
        if not current.wants_move_up:
            raise MoveUpNotPossible(reason="not_wanted")
        slot = Slot.objects.filter(pk=slot_id).only("pk", "starts_at").first()
        if slot is None:
            raise SlotUnavailable()
        if slot.starts_at >= current.slot.starts_at:
            raise MoveUpNotPossible(reason="not_earlier")
        eligibility = selectors.dose_eligibility(resident=current.resident, dose_number=current.dose_number, now=now)
        if not eligibility.allowed:
            raise eligibility.error
        moved = reservation_change(actor=actor, reservation=current, slot_id=slot.pk, reason=reason, now=now)
        days_earlier = (timezone.localdate(current.slot.starts_at) - timezone.localdate(slot.starts_at)).days
        audit_record(actor=actor, action="reservation.move_up", resident=moved.resident, reservation=moved,
                     obj=moved, reason=reason, now=now,
                     data={"from_slot": current.slot_id, "to_slot": slot.pk, "days_earlier": days_earlier})
        return moved


# --- Move-up offers: the resident accepts by the emailed link (services/offers.py makes them) ------------


def _close(offers, status: str, now: datetime) -> int:
    """open -> status for these offers; rows another transaction holds (an accept in progress) are left to it."""
    pks = list(offers.filter(status=MoveUpOffer.Status.OPEN).select_for_update(skip_locked=True)
               .values_list("pk", flat=True))
    return MoveUpOffer.objects.filter(pk__in=pks, status=MoveUpOffer.Status.OPEN).update(status=status, closed_at=now)


def move_up_offer_accept(*, actor: Actor, token: str, now: datetime | None = None) -> MoveUpOffer:
    """Accept the offer with this token: the reservation moves to the offered slot (reservation_move_up: the
    new place taken and the old one freed in one transaction), or, when the place went to someone else
    first, the offer is closed as "taken" and the reservation stays as it was. An offer to a waiting-list
    entry books the place instead (`_accept_for_waiting_list`).

    Returns the offer: status `accepted` when this call moved (or booked), else its outcome (taken,
    expired, withdrawn). Raises MoveUpOffer.DoesNotExist for an unknown token, NotYours for another
    resident's offer, OfferClosed for an offer already closed before this call (a second use of the link).
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the offer row first (no joins: see reservations._lock); SQLite's IMMEDIATE transaction
        # serialises anyway. The conditional UPDATE below is the real guard.
        pk = MoveUpOffer.objects.select_for_update().filter(token=token).values_list("pk", flat=True).first()
        if pk is None:
            raise MoveUpOffer.DoesNotExist()
        offer = (MoveUpOffer.objects.select_related("reservation__resident", "standby_entry__resident", "slot")
                 .get(pk=pk))
        if actor.is_resident and actor.resident.pk != offer.resident_id:
            raise NotYours()
        if offer.status != MoveUpOffer.Status.OPEN:
            raise OfferClosed(status=offer.status)
        if offer.expires_at <= now:
            _close(MoveUpOffer.objects.filter(pk=offer.pk), MoveUpOffer.Status.EXPIRED, now)
            offer.status = MoveUpOffer.Status.EXPIRED
            return offer
        claimed = MoveUpOffer.objects.filter(pk=offer.pk, status=MoveUpOffer.Status.OPEN, expires_at__gt=now).update(
            status=MoveUpOffer.Status.ACCEPTED, accepted_at=now, closed_at=now)
        if not claimed:
            raise OfferClosed(status=MoveUpOffer.objects.get(pk=offer.pk).status)
        if offer.standby_entry_id is not None:
            return _accept_for_waiting_list(actor, offer, now)
        reservation = offer.reservation
        old_slot_id = reservation.slot_id
        outcome = MoveUpOffer.Status.ACCEPTED
        try:
            # A savepoint: a refused move rolls back alone, and the offer's outcome is still recorded.
            with transaction.atomic(), offers_deferred():
                # The system moves: the city made the offer, so the web deadline (for the old appointment
                # and for the offered time) does not apply; every other rule of a move does.
                reservation_move_up(actor=Actor.system(), reservation=reservation, slot_id=offer.slot_id, now=now)
        except SlotFull:
            outcome = MoveUpOffer.Status.TAKEN
        except BookingError:  # cancelled or moved meanwhile, no longer earlier, no longer eligible
            outcome = MoveUpOffer.Status.WITHDRAWN
        if outcome != MoveUpOffer.Status.ACCEPTED:
            MoveUpOffer.objects.filter(pk=offer.pk).update(status=outcome, accepted_at=None, closed_at=now)
            offer.status, offer.accepted_at = outcome, None
            audit_record(actor=actor, action=f"move_up_offer.{outcome}", resident=reservation.resident,
                         reservation=reservation, obj=offer, now=now, data={"slot": offer.slot_id, "outcome": outcome})
            return offer
        offer.status, offer.accepted_at = outcome, now
        audit_record(actor=actor, action="move_up_offer.accept", resident=reservation.resident, reservation=reservation,
                     obj=offer, now=now, data={"from_slot": old_slot_id, "to_slot": offer.slot_id})
        event_for_move_up_offer("move_up_offer.accepted", offer, reservation)
        if Slot.objects.filter(pk=offer.slot_id, booked__gte=F("capacity")).exists():
            _close(MoveUpOffer.objects.filter(slot_id=offer.slot_id), MoveUpOffer.Status.TAKEN, now)
        # The winner's offers for times no earlier than the one they now have are of no use to them.
        _close(MoveUpOffer.objects.filter(reservation=reservation, slot__starts_at__gte=offer.slot.starts_at),
               MoveUpOffer.Status.WITHDRAWN, now)
        # The chain: the place the winner gave up is offered on.
        move_up_offers_make(slot=old_slot_id, now=now)
        return offer


def _accept_for_waiting_list(actor: Actor, offer: MoveUpOffer, now: datetime) -> MoveUpOffer:
    """The accept of an offer to a waiting-list entry (the offer already claimed): the entry is taken by a
    conditional UPDATE from `waiting` and the place booked by the engine (`reservation_book`), in one savepoint,
    audited `standby.book` with the booking's `reservation.book`. The place gone: `taken`, the entry stays
    waiting. The entry no longer waiting, or the booking refused (booked meanwhile, no longer eligible):
    `withdrawn`."""
    entry = offer.standby_entry
    outcome = MoveUpOffer.Status.ACCEPTED
    reservation = None
    try:
        with transaction.atomic(), offers_deferred():
            taken = StandbyEntry.objects.filter(pk=entry.pk, status=StandbyEntry.Status.WAITING).update(
                status=StandbyEntry.Status.BOOKED, closed_at=now)
            if not taken:
                raise NotActive()
            # As for a move-up: the city made the offer, so the web deadline does not apply; every other
            # rule of a booking does.
            reservation = reservation_book(actor=Actor.system(), resident=entry.resident, slot_id=offer.slot_id,
                                           dose_number=entry.dose_number, email=entry.email,
                                           recipient_phone=entry.phone, channel=Reservation.Channel.WEB, now=now)
            StandbyEntry.objects.filter(pk=entry.pk).update(reservation=reservation)
            audit_record(actor=actor, action="standby.book", resident=entry.resident, reservation=reservation,
                         obj=entry, now=now, data={"slot": offer.slot_id, "offer": offer.pk})
    except SlotFull:
        outcome = MoveUpOffer.Status.TAKEN
    except BookingError:
        outcome = MoveUpOffer.Status.WITHDRAWN
    if outcome != MoveUpOffer.Status.ACCEPTED:
        MoveUpOffer.objects.filter(pk=offer.pk).update(status=outcome, accepted_at=None, closed_at=now)
        offer.status, offer.accepted_at = outcome, None
        audit_record(actor=actor, action=f"move_up_offer.{outcome}", resident=entry.resident, obj=offer, now=now,
                     data={"slot": offer.slot_id, "outcome": outcome, "waiting_list": entry.pk})
        return offer
    offer.status, offer.accepted_at = outcome, now
    audit_record(actor=actor, action="move_up_offer.accept", resident=entry.resident, reservation=reservation,
                 obj=offer, now=now, data={"to_slot": offer.slot_id, "waiting_list": entry.pk})
    if Slot.objects.filter(pk=offer.slot_id, booked__gte=F("capacity")).exists():
        _close(MoveUpOffer.objects.filter(slot_id=offer.slot_id), MoveUpOffer.Status.TAKEN, now)
    # The entry is served: its other offers are of no use any more.
    _close(MoveUpOffer.objects.filter(standby_entry=entry), MoveUpOffer.Status.WITHDRAWN, now)
    return offer
