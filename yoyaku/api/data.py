"""Models as the API shows them (plain dicts, validated by the response schemas), and the dose-record import.

The dose import is the one write the booking services do not offer yet (check-in records a dose given at
our venues; this records doses given elsewhere, from the national system): all or nothing, one transaction,
one AuditEvent per record created, as services.residents_import does for residents."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from yoyaku.booking import rules, services
from yoyaku.booking.models import AuditEvent, DoseRecord, Reservation, Resident, Slot, Vaccine, Venue

from .problems import Problem


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


def doses_import(*, actor: services.Actor, records: list, reason: str) -> tuple[int, int]:
    """Record doses given elsewhere. A record identical to one already held is left as it is (unchanged); one
    that differs, or names an unknown ticket or vaccine, refuses the whole import (a 409 problem naming the record)."""
    services.require_reason(actor, reason)
    created = unchanged = 0
    with transaction.atomic():
        vaccines = {v.code: v for v in Vaccine.objects.all()}
        audit = []
        for index, record in enumerate(records, start=1):
            resident = resident_by_ticket(record.ticket_number)
            vaccine = vaccines.get(record.vaccine_code)
            if resident is None:
                raise Problem(409, "dose_import_ticket",
                              _("Record %(n)d: no resident has this ticket number.") % {"n": index})
            if vaccine is None:
                raise Problem(409, "dose_import_vaccine", _("Record %(n)d: no vaccine has this code.") % {"n": index})
            held = DoseRecord.objects.filter(resident=resident, dose_number=record.dose_number).first()
            if held is not None:
                if held.vaccine_id == vaccine.pk and held.given_on == record.given_on:
                    unchanged += 1
                    continue
                raise Problem(409, "dose_import_conflict",
                              _("Record %(n)d: another dose is already recorded for this dose number.") % {"n": index})
            dose = DoseRecord.objects.create(resident=resident, dose_number=record.dose_number, vaccine=vaccine,
                                             given_on=record.given_on, lot=record.lot.strip(),
                                             place=record.place.strip(), source=DoseRecord.Source.IMPORT)
            created += 1
            audit.append({"action": "dose.import", "resident": resident, "obj": dose, "reason": reason,
                          "data": {"dose": record.dose_number, "vaccine": vaccine.code}})
        services.audit_records_bulk(actor=actor, records=audit)
    return created, unchanged
