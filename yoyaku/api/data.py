"""Models as the API shows them (plain dicts, validated by the response schemas), and the dose-record import.

The dose import is the one write the booking services do not offer yet (check-in records a dose given at
our venues; this records doses given elsewhere, from the national system): all or nothing, one transaction,
one AuditEvent per record created, as services.residents_import does for residents."""

from __future__ import annotations

from yoyaku.booking import rules
from yoyaku.booking.models import AuditEvent, DoseRecord, Reservation, Resident, Slot, Venue


def venue_out(venue: Venue) -> dict:
    return {"id": venue.pk, "code": venue.code, "name": venue.name, "kind": venue.kind, "area": venue.area,
            "address": venue.address}


def slot_out(slot: Slot) -> dict:
    return {"id": slot.pk, "venue_id": slot.venue_id, "vaccine_code": slot.vaccine.code,
            "vaccine_name": slot.vaccine.name, "starts_at": slot.starts_at, "ends_at": slot.ends_at, "day": slot.day,
            "capacity": slot.capacity, "booked": slot.booked, "free": slot.free, "doses": slot.doses,
            "closed": slot.closed, "bookable_from": slot.bookable_from}


def reservation_out(reservation: Reservation) -> dict:
    return {"id": reservation.pk, "code": reservation.code, "ticket_number": reservation.resident.ticket_number,
            "dose_number": reservation.dose_number, "status": reservation.status, "channel": reservation.channel,
            "slot": slot_out(reservation.slot), "created_at": reservation.created_at,
            "cancelled_at": reservation.cancelled_at}


def dose_out(record: DoseRecord) -> dict:
    return {"ticket_number": record.resident.ticket_number, "dose_number": record.dose_number,
            "vaccine_code": record.vaccine.code, "given_on": record.given_on, "lot": record.lot,
            "place": record.place, "source": record.source}


def resident_out(resident: Resident) -> dict:
    reservations = (Reservation.objects.filter(resident=resident).select_related("resident", "slot__vaccine")
                    .order_by("dose_number", "-created_at"))
    doses = DoseRecord.objects.filter(resident=resident).select_related("resident", "vaccine")
    return {"ticket_number": resident.ticket_number, "family_name": resident.family_name,
            "given_name": resident.given_name, "family_name_kana": resident.family_name_kana,
            "given_name_kana": resident.given_name_kana, "birth_date": resident.birth_date,
            "active": resident.active, "language": resident.language,
            "reservations": [reservation_out(r) for r in reservations], "doses": [dose_out(d) for d in doses]}


def audit_out(event: AuditEvent) -> dict:
    actor = event.actor_user.get_username() if event.actor_user else event.actor_kind
    return {"id": event.pk, "created_at": event.created_at, "actor_kind": event.actor_kind, "actor": actor,
            "action": event.action, "ticket_number": event.resident.ticket_number if event.resident else None,
            "reservation_code": event.reservation.code if event.reservation else None,
            "object_type": event.object_type, "object_id": event.object_id, "reason": event.reason,
            "data": event.data}


def resident_by_ticket(text: str) -> Resident | None:
    """The resident with this ticket number as typed (normalised); InvalidInput for a malformed one."""
    return Resident.objects.filter(ticket_number=rules.normalize_ticket_number(text)).first()
