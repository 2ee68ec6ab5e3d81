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
from django.utils import timezone

from ..errors import MoveUpNotPossible, NotActive, SlotUnavailable
from ..models import Reservation, Slot
from .audit import Actor, audit_record, require_reason
from .reservations import _lock, dose_eligibility, reservation_change

__all__ = ["reservation_move_up"]


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
        eligibility = dose_eligibility(resident=current.resident, dose_number=current.dose_number, now=now)
        if not eligibility.allowed:
            raise eligibility.error
        moved = reservation_change(actor=actor, reservation=current, slot_id=slot.pk, reason=reason, now=now)
        days_earlier = (timezone.localdate(current.slot.starts_at) - timezone.localdate(slot.starts_at)).days
        audit_record(actor=actor, action="reservation.move_up", resident=moved.resident, reservation=moved,
                     obj=moved, reason=reason, now=now,
                     data={"from_slot": current.slot_id, "to_slot": slot.pk, "days_earlier": days_earlier})
        return moved
