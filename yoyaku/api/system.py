"""Endpoints for city systems: availability, venues, slots, windows (availability:read); residents by ticket
number (residents:read); reservations (reservations:read/write, through the booking services, with a reason);
dose records (doses:read/write); the audit log (audit:read). Reads of personal data leave an AuditEvent."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from yoyaku.booking import reports, services
from yoyaku.booking.models import BookingWindow, DoseRecord, Reservation, Slot, Venue

from . import data
from .auth import actor_for, require
from .idempotency import idempotent, request_key
from .problems import Problem
from .schemas import (
    AuditOut,
    BookIn,
    CancelIn,
    ChangeIn,
    DoseImportIn,
    DoseImportOut,
    DoseOut,
    IsoDate,
    LookupIn,
    ProblemOut,
    ReservationOut,
    ResidentOut,
    SlotOut,
    VenueOut,
    WindowOut,
)

router = Router()

ERRORS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut, 422: ProblemOut,
          429: ProblemOut}
ID = Field(..., ge=1, le=2**31 - 1)
PATH_ID = Path(..., ge=1, le=2**31 - 1)


def ok(schema, status: int = 200) -> dict:
    return {status: schema, **ERRORS}


def audit_read(request, action: str, *, resident=None, reservation=None, data_: dict | None = None) -> None:
    services.audit_record(actor=actor_for(request), action=action, resident=resident, reservation=reservation,
                          data=data_ or {})


# --- Availability, venues, slots, windows ----------------------------------------------------------------


class DayQuery(Schema):
    venue_id: int = ID
    day: IsoDate


@router.get("/venues", response=ok(list[VenueOut]), tags=["availability"])
def venues(request):
    """Active venues."""
    require(request, "availability:read")
    return [data.venue_out(v) for v in Venue.objects.filter(active=True).order_by("area", "code")]


@router.get("/availability", response=ok(list[SlotOut]), tags=["availability"])
def availability(request, query: Query[DayQuery]):
    """The bookable slots of a venue on a day (local day), with their free places."""
    require(request, "availability:read")
    slots = (Slot.objects.bookable().filter(venue_id=query.venue_id, day=query.day, venue__active=True)
             .select_related("vaccine").order_by("starts_at", "vaccine__code"))
    return [data.slot_out(s) for s in slots]


class SlotsQuery(Schema):
    venue_id: int | None = Field(None, ge=1, le=2**31 - 1)
    day_from: IsoDate
    day_to: IsoDate


@router.get("/slots", response=ok(list[SlotOut]), tags=["availability"])
def slots(request, query: Query[SlotsQuery]):
    """Every slot (open, closed, full) from day_from to day_to, at most the 31 days from day_from (a longer
    range is cut there), optionally at one venue."""
    require(request, "availability:read")
    last = query.day_to if (query.day_to - query.day_from).days <= 31 else query.day_from + timedelta(days=31)
    found = Slot.objects.filter(day__gte=query.day_from, day__lte=last).select_related("vaccine")
    if query.venue_id:
        found = found.filter(venue_id=query.venue_id)
    return [data.slot_out(s) for s in found.order_by("starts_at", "venue_id", "pk")[:5000]]


@router.get("/windows", response=ok(list[WindowOut]), tags=["availability"])
def windows(request):
    """The booking windows: who may book which dose from when."""
    require(request, "availability:read")
    return [{"id": w.pk, "label": w.label, "doses": w.doses, "born_on_or_before": w.born_on_or_before,
             "born_after": w.born_after, "group": w.group, "opens_at": w.opens_at, "closes_at": w.closes_at}
            for w in BookingWindow.objects.order_by("opens_at", "pk")]


# --- Residents ---------------------------------------------------------------------------------------------


@router.post("/residents/lookup", response=ok(ResidentOut), tags=["residents"])
def resident_lookup(request, body: LookupIn):
    """A resident by ticket number (in the body, never in a URL), with reservations and doses. Audited."""
    require(request, "residents:read")

    def run():
        resident = data.resident_by_ticket(body.ticket_number)
        if resident is None:
            raise Problem(404, "resident_not_found", _("No resident has this ticket number."))
        audit_read(request, "api.resident.read", resident=resident)
        return 200, data.resident_out(resident)

    return idempotent(request, run)


# --- Reservations --------------------------------------------------------------------------------------------


def _reservation(pk: int) -> Reservation:
    return get_object_or_404(Reservation.objects.select_related("resident", "slot__vaccine", "slot__venue"), pk=pk)


def _out(reservation: Reservation) -> dict:
    reservation = _reservation(reservation.pk)
    return data.reservation_out(reservation)


@router.get("/reservations/{reservation_id}", response=ok(ReservationOut), tags=["reservations"])
def reservation_read(request, reservation_id: int = PATH_ID):
    require(request, "reservations:read")
    reservation = _reservation(reservation_id)
    audit_read(request, "api.reservation.read", resident=reservation.resident, reservation=reservation)
    return data.reservation_out(reservation)


def _booking_key(request) -> str | None:
    key = request_key(request)
    if key is None:
        return None
    # The services keep request keys per resident in 64 characters: a digest of the token and the key.
    return "api-" + hashlib.sha256(f"{request.auth.pk}:{key}".encode()).hexdigest()[:40]


@router.post("/reservations", response=ok(ReservationOut, 201), tags=["reservations"])
def reservation_book(request, body: BookIn):
    """Book on a resident's behalf, through the same service as the call centre (a reason is required)."""
    require(request, "reservations:write")

    def run():
        resident = data.resident_by_ticket(body.ticket_number)
        if resident is None:
            raise Problem(404, "resident_not_found", _("No resident has this ticket number."))
        reservation = services.reservation_book(
            actor=actor_for(request), resident=resident, slot_id=body.slot_id, dose_number=body.dose_number,
            email=body.email.strip(), recipient_phone=body.recipient_phone.strip(), wants_move_up=body.wants_move_up,
            reason=body.reason, request_key=_booking_key(request))
        return 201, _out(reservation)

    return idempotent(request, run)


@router.post("/reservations/{reservation_id}/change", response=ok(ReservationOut), tags=["reservations"])
def reservation_change(request, body: ChangeIn, reservation_id: int = PATH_ID):
    """Move a reservation to another slot, with a reason."""
    require(request, "reservations:write")

    def run():
        changed = services.reservation_change(actor=actor_for(request), reservation=_reservation(reservation_id),
                                              slot_id=body.slot_id, reason=body.reason)
        return 200, _out(changed)

    return idempotent(request, run)


@router.post("/reservations/{reservation_id}/cancel", response=ok(ReservationOut), tags=["reservations"])
def reservation_cancel(request, body: CancelIn, reservation_id: int = PATH_ID):
    """Cancel a reservation, with a reason. Cancelling a cancelled one changes nothing."""
    require(request, "reservations:write")

    def run():
        cancelled = services.reservation_cancel(actor=actor_for(request), reservation=_reservation(reservation_id),
                                                reason=body.reason)
        return 200, _out(cancelled)

    return idempotent(request, run)


# --- Dose records --------------------------------------------------------------------------------------------


class DosesQuery(Schema):
    given_from: IsoDate
    given_to: IsoDate
    after_id: int = Field(0, ge=0, le=2**31 - 1, description="Page on: the last record's position (next_after).")


class DosesOut(Schema):
    records: list[DoseOut]
    next_after: int | None


@router.get("/doses", response=ok(DosesOut), tags=["doses"])
def doses_export(request, query: Query[DosesQuery]):
    """Dose records given between two days, 1,000 a page (for the national system's upload). Audited."""
    require(request, "doses:read")
    records = list(DoseRecord.objects.filter(given_on__gte=query.given_from, given_on__lte=query.given_to,
                                             pk__gt=query.after_id)
                   .select_related("resident", "vaccine").order_by("pk")[:1000])
    audit_read(request, "api.doses.export", data_={"count": len(records), "from": query.given_from.isoformat(),
                                                   "to": query.given_to.isoformat()})
    return {"records": [data.dose_out(r) for r in records],
            "next_after": records[-1].pk if len(records) == 1000 else None}


@router.post("/doses/import", response=ok(DoseImportOut), tags=["doses"])
def doses_import(request, body: DoseImportIn):
    """Record doses given elsewhere (from the national system): all or nothing, each record audited."""
    require(request, "doses:write")

    def run():
        created, unchanged = services.doses_import(actor=actor_for(request), records=body.records,
                                                    reason=body.reason)
        return 200, {"created": created, "unchanged": unchanged}

    return idempotent(request, run)


# --- Audit ---------------------------------------------------------------------------------------------------


class AuditQuery(Schema):
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    action: str = Field("", max_length=50)
    limit: int = Field(100, ge=1, le=1000)


@router.get("/audit", response=ok(list[AuditOut]), tags=["audit"])
def audit(request, query: Query[AuditQuery]):
    """The audit log, newest first."""
    require(request, "audit:read")
    events = list(reports.audit_events(action=query.action, date_from=query.date_from,
                                       date_to=query.date_to)[:query.limit])
    audit_read(request, "api.audit.read", data_={"count": len(events)})
    return [data.audit_out(e) for e in events]


