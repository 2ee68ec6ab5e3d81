"""Check-in at the venue by the reservation's QR code or its 予約ID typed by hand (the console's scanner page).

`reservation_check_in_verify` says who the scanned code is for, or why they cannot be checked in here: each
refusal a BookingError whose message staff can act on (a forged or altered code, wrong venue, wrong day,
already checked in, cancelled, no-show). `reservation_check_in_scanned` then records the dose through
`reservation_check_in`, the one check-in service (its audit event `dose.record` says `via`: qr or id).

A forged or altered QR code leaves an audit event (`check_in.token_refused`: who scanned it at which venue);
the other refusals change nothing and record nothing, as for any refused act. A QR code's token proves the
person holds the reservation's confirmation, so its reservation is looked up at every venue (and a wrong
venue is named); a 予約ID typed by hand is looked up only at the venues this staff member may see, like the
desk's search (another venue's reservation is "no reservation with this ID at this venue").
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from .. import qr, selectors
from ..errors import (
    CheckInAlreadyDone,
    CheckInCancelled,
    CheckInNoShow,
    CheckInNotFound,
    CheckInTokenInvalid,
    CheckInWrongDay,
    CheckInWrongVenue,
    DoseAlreadyRecorded,
    NotActive,
    NotYours,
)
from ..models import DoseRecord, Reservation, Venue
from .audit import Actor, audit_record
from .reservations import reservation_check_in

__all__ = ["reservation_check_in_verify", "reservation_check_in_scanned", "QR_REFUSED"]

QR_REFUSED = "check_in.token_refused"


def _find(*, actor: Actor, venue: Venue, scanned: str, venue_ids, now: datetime | None) -> tuple[Reservation, str]:
    """The reservation scanned or typed, and how it was given ("qr" or "id")."""
    if not actor.is_staff:
        raise NotYours()
    scanned = (scanned or "").strip()[:200]
    if qr.looks_like_token(scanned):
        code = qr.code_of_token(scanned)
        if code is None:
            audit_record(actor=actor, action=QR_REFUSED, obj=venue, now=now, data={"venue": venue.pk})
            raise CheckInTokenInvalid()
        reservation = selectors.reservation_by_code(code)
        via = "qr"
    else:
        reservation = selectors.reservation_by_code(scanned, venue_ids=venue_ids)
        via = "id"
    if reservation is None:
        raise CheckInNotFound()
    return reservation, via


def _refuse_unless_checkable(reservation: Reservation, *, venue: Venue, day: date) -> None:
    """The reason this reservation cannot be checked in at `venue` on `day`, if there is one."""
    status = reservation.status
    if status == Reservation.Status.CANCELLED:
        raise CheckInCancelled()
    if status == Reservation.Status.DONE:
        record = DoseRecord.objects.filter(reservation_id=reservation.pk).first()
        raise CheckInAlreadyDone(dose=reservation.dose_number, lot=record.lot if record else "")
    if status == Reservation.Status.NO_SHOW:
        raise CheckInNoShow()
    slot = reservation.slot
    if slot.venue_id != venue.pk:
        raise CheckInWrongVenue(venue=slot.venue.name, starts_at=slot.starts_at)
    if timezone.localdate(slot.starts_at) != day:
        raise CheckInWrongDay(starts_at=slot.starts_at, day=day)


def reservation_check_in_verify(*, actor: Actor, venue: Venue, day: date, scanned: str, venue_ids=None,
                                now: datetime | None = None) -> Reservation:
    """The reservation a QR code (its token) or a typed 予約ID names, if it can be checked in at `venue` on
    `day`; else a BookingError saying why. `venue_ids`: the venues this staff member may see (None: all)."""
    reservation, _via = _find(actor=actor, venue=venue, scanned=scanned, venue_ids=venue_ids, now=now)
    _refuse_unless_checkable(reservation, venue=venue, day=day)
    return reservation


def reservation_check_in_scanned(*, actor: Actor, venue: Venue, day: date, scanned: str, lot: str,
                                 venue_ids=None, reason: str = "", now: datetime | None = None) -> DoseRecord:
    """Check in the person whose QR code was scanned (or whose 予約ID was typed) and record the dose with `lot`:
    the same checks as `reservation_check_in_verify`, then `reservation_check_in` (one transaction, one audit
    event). Two phones scanning the same code at once: one records the dose, the other is told it is done."""
    reservation, via = _find(actor=actor, venue=venue, scanned=scanned, venue_ids=venue_ids, now=now)
    _refuse_unless_checkable(reservation, venue=venue, day=day)
    try:
        return reservation_check_in(actor=actor, reservation=reservation, lot=lot, reason=reason, via=via, now=now)
    except (NotActive, DoseAlreadyRecorded):
        # Changed since it was read (checked in on another phone, cancelled): say what it is now.
        _refuse_unless_checkable(Reservation.objects.select_related("slot__venue").get(pk=reservation.pk),
                                 venue=venue, day=day)
        raise
