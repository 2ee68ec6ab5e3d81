"""Reservations: book, change, cancel, record the dose given, no-show. Each queues its notification in
its own transaction.

How the invariants hold under concurrency (docs/architecture.md, "Invariants"):
- a place is taken by a conditional UPDATE (`booked < capacity`): one row updated or none, so two
  bookers can never both take the last place, on SQLite or PostgreSQL, whatever the isolation level;
- the partial unique index (resident, dose) WHERE status='booked' makes a second active reservation
  impossible even when two requests pass the Python checks at the same moment;
- moves and cancellations change the reservation with a conditional UPDATE on its status and slot, so
  a reservation that changed under us makes the whole transaction roll back.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from yoyaku.notify.models import Notification

from .. import deadline, rules, selectors
from ..errors import (
    AlreadyBooked,
    CheckInNotYet,
    DeadlinePassed,
    DoseAlreadyRecorded,
    NotActive,
    NotYours,
    SlotFull,
    SlotUnavailable,
    TicketInactive,
    WrongVaccine,
)
from ..models import (
    DoseRecord,
    Reservation,
    Resident,
    Slot,
)
from ..notifications import (
    event_for_dose,
    notification_for_details_change,
    notification_for_reservation,
    reservation_snapshot,
)
from .audit import Actor, audit_record, require_reason
from .move_up_offers import move_up_offers_make

# --- Checks shared by booking and moving ----------------------------------------------------------


def _city():
    return settings.YOYAKU


def _check_slot_open(*, actor: Actor, slot: Slot, dose_number: int, now: datetime) -> None:
    """The slot itself can take a booking for this dose now (ignoring how full it is)."""
    if slot.closed or slot.starts_at <= now or not slot.serves_dose(dose_number):
        raise SlotUnavailable()
    if not slot.venue.active or not slot.vaccine.active:
        raise SlotUnavailable()
    if slot.bookable_from is not None and now < slot.bookable_from:
        raise SlotUnavailable()
    # On the web a time can be booked only while it could still be changed or cancelled on the web;
    # closer to the day, the call centre books (and staff are not bound by the deadline).
    if actor.is_resident and not rules.within_web_deadline(now, deadline.web_deadline(slot.starts_at)):
        raise SlotUnavailable()


def _check_web_deadline(*, actor: Actor, reservation: Reservation, now: datetime) -> None:
    if actor.is_resident:
        last = deadline.web_deadline(reservation.slot.starts_at)
        if not rules.within_web_deadline(now, last):
            raise DeadlinePassed(deadline=last)


def _check_owner(*, actor: Actor, reservation: Reservation) -> None:
    # A resident acts on their own reservations and on their household members' (docs/allocation.md, Households).
    if actor.is_resident and not selectors.may_act_for(actor_resident_id=actor.resident.pk,
                                                       resident_id=reservation.resident_id):
        raise NotYours()


def _household_data(actor: Actor, resident_id: int) -> dict:
    """The audit details of an act for a household member: who acted for whom (the event's actor is the
    booker, its resident the member; this says so in the details too, for the export)."""
    if actor.is_resident and actor.resident is not None and actor.resident.pk != resident_id:
        return {"booked_by": actor.resident.pk}
    return {}


def _check_rules_for_slot(*, resident: Resident, dose_number: int, slot: Slot, exclude_reservation_id=None,
                          history: selectors.DoseHistory | None = None):
    local_day = timezone.localdate(slot.starts_at)
    allow_switch = _city()["ALLOW_VACCINE_SWITCH"]
    history = history or selectors.dose_history(resident=resident)  # read inside the caller's transaction
    following = selectors.dose_fact(resident=resident, dose_number=dose_number + 1,
                                    exclude_reservation_id=exclude_reservation_id, history=history)
    rules.check_slot_for_dose(
        slot_day=local_day,
        vaccine_code=slot.vaccine.code,
        vaccine_min_age=slot.vaccine.min_age,
        birth_date=resident.birth_date,
        previous=selectors.previous_dose(resident=resident, dose_number=dose_number,
                                         exclude_reservation_id=exclude_reservation_id, history=history),
        following=following,
        following_vaccine_min_days=slot.vaccine.next_dose_min_days,
        allow_vaccine_switch=allow_switch,
    )
    if following is not None and not allow_switch and following.vaccine_code != slot.vaccine.code:
        raise WrongVaccine(vaccine_name=following.vaccine_name)


def _take_place(slot_id: int) -> None:
    # The one statement that makes overbooking impossible: it updates the row only while a place is
    # free, atomically in the database. Never read `booked`, compare in Python and write it back.
    taken = Slot.objects.filter(pk=slot_id, closed=False, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not taken:
        raise SlotFull()


def _release_place(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id).update(booked=F("booked") - 1)


def _new_code() -> str:
    # A collision is astronomically unlikely; the unique constraint is the last defence.
    while True:
        code = rules.new_reservation_code()
        if not selectors.reservation_code_taken(code):
            return code


def _lock(reservation: Reservation) -> Reservation:
    # select_for_update serialises acts on one reservation on PostgreSQL; SQLite's IMMEDIATE
    # transactions already serialise writers. The conditional updates below are the real guard.
    # The lock query has no joins on purpose: PostgreSQL re-checks a locked row that changed while it
    # waited, and with a join on the old slot a moved reservation would seem to vanish.
    Reservation.objects.select_for_update().filter(pk=reservation.pk).values_list("pk").first()
    return Reservation.objects.select_related("slot__venue", "slot__vaccine", "resident").get(pk=reservation.pk)



# --- Services -----------------------------------------------------------------------------------------


def reservation_book(
    *,
    actor: Actor,
    resident: Resident,
    slot_id: int,
    dose_number: int,
    recipient_phone: str = "",
    booker_name: str = "",
    booker_relation: str = "",
    booker_phone: str = "",
    email: str = "",
    wants_move_up: bool = False,
    reason: str = "",
    request_key: str | None = None,
    channel: str | None = None,
    now: datetime | None = None,
) -> Reservation:
    """Book `slot_id` for this resident's dose. With a `request_key`, a repeated submit returns the
    reservation the first one made (double click, retry, back-and-resubmit)."""
    now = now or timezone.now()
    require_reason(actor, reason)
    if actor.is_resident and not selectors.may_act_for(actor_resident_id=actor.resident.pk, resident_id=resident.pk):
        raise NotYours()
    booked_by = actor.resident if actor.is_resident and actor.resident.pk != resident.pk else None
    if request_key:
        request_key = selectors.request_key_for(resident.pk, request_key)  # per resident: one cannot fetch another's
    if channel is None:
        channel = Reservation.Channel.WEB if actor.is_resident else Reservation.Channel.PHONE

    try:
        with transaction.atomic():
            if request_key:
                existing = selectors.reservation_by_request_key(request_key)
                if existing is not None:
                    return existing
            resident = selectors.resident_by_pk(resident.pk)
            if not resident.active:
                raise TicketInactive()
            # The resident's doses, read once here, inside the transaction, for every check below.
            history = selectors.dose_history(resident=resident)
            current = history.active(dose_number)
            if current is not None:
                # The same submit may have committed between the two reads above (PostgreSQL reads
                # each statement afresh): then it is this request's own result, not a second booking.
                if request_key and current.request_key == request_key:
                    return current
                raise AlreadyBooked(reservation=current)
            eligibility = selectors.dose_eligibility(resident=resident, dose_number=dose_number, now=now,
                                                     history=history)
            if not eligibility.allowed:
                raise eligibility.error
            slot = selectors.slot_by_pk(slot_id)
            if slot is None:
                raise SlotUnavailable()
            _check_slot_open(actor=actor, slot=slot, dose_number=dose_number, now=now)
            _check_rules_for_slot(resident=resident, dose_number=dose_number, slot=slot, history=history)
            _take_place(slot.pk)
            reservation = Reservation.objects.create(
                code=_new_code(),
                resident=resident,
                dose_number=dose_number,
                slot=slot,
                recipient_phone=recipient_phone,
                booked_by=booked_by,
                booker_name=booker_name,
                booker_relation=booker_relation,
                booker_phone=booker_phone,
                email=email,
                wants_move_up=wants_move_up,
                channel=channel,
                request_key=request_key,
                created_at=now,
            )
            audit_record(actor=actor, action="reservation.book", resident=resident, reservation=reservation,
                         obj=reservation, reason=reason, now=now,
                         data={"slot": slot.pk, "dose": dose_number, "channel": channel,
                               **_household_data(actor, resident.pk)})
            notification_for_reservation(Notification.Kind.BOOKED, reservation, by_staff=actor.is_staff)
            return reservation
    except IntegrityError:
        # A concurrent request got in between our checks and our insert: the same submit again, or
        # another booking of the same dose. The constraint stopped it and our transaction rolled back
        # (with the place it had taken); answer as if the checks had seen it.
        if request_key:
            existing = Reservation.objects.filter(request_key=request_key).first()
            if existing is not None:
                return existing
        current = Reservation.objects.active().filter(resident_id=resident.pk, dose_number=dose_number).first()
        if current is not None:
            raise AlreadyBooked(reservation=current) from None
        raise


def reservation_change(
    *,
    actor: Actor,
    reservation: Reservation,
    slot_id: int,
    reason: str = "",
    now: datetime | None = None,
) -> Reservation:
    """Move a reservation to another slot: the new place is taken and the old one freed, or nothing."""
    now = now or timezone.now()
    require_reason(actor, reason)
    with transaction.atomic():
        locked = _lock(reservation)
        _check_owner(actor=actor, reservation=locked)
        if not locked.is_active:
            raise NotActive()
        _check_web_deadline(actor=actor, reservation=locked, now=now)
        if locked.slot_id == slot_id:
            return locked
        try:
            new_slot = Slot.objects.select_related("venue", "vaccine").get(pk=slot_id)
        except Slot.DoesNotExist:
            raise SlotUnavailable() from None
        _check_slot_open(actor=actor, slot=new_slot, dose_number=locked.dose_number, now=now)
        _check_rules_for_slot(resident=locked.resident, dose_number=locked.dose_number, slot=new_slot,
                              exclude_reservation_id=locked.pk)
        old_slot_id = locked.slot_id
        previous = reservation_snapshot(locked)
        moved = Reservation.objects.filter(pk=locked.pk, status=Reservation.Status.BOOKED,
                                           slot_id=old_slot_id).update(slot=new_slot, updated_at=now)
        if not moved:
            raise NotActive()
        # Touch the two slot rows in id order, so that two moves in opposite directions (A->B and
        # B->A) cannot each hold one row and wait for the other (a deadlock on PostgreSQL). If the
        # new slot is full, SlotFull rolls everything back, the release included.
        for slot_pk in sorted((old_slot_id, new_slot.pk)):
            if slot_pk == new_slot.pk:
                _take_place(slot_pk)
            else:
                _release_place(slot_pk)
        locked.slot = new_slot
        audit_record(actor=actor, action="reservation.change", resident=locked.resident, reservation=locked,
                     obj=locked, reason=reason, now=now, data={"from_slot": old_slot_id, "to_slot": new_slot.pk,
                                                   **_household_data(actor, locked.resident_id)})
        notification_for_reservation(Notification.Kind.CHANGED, locked, by_staff=actor.is_staff,
                                     previous=previous)
        move_up_offers_make(slot=old_slot_id, now=now)  # the place freed is offered (move-up offers)
        return locked


def reservation_cancel(
    *,
    actor: Actor,
    reservation: Reservation,
    reason: str = "",
    now: datetime | None = None,
) -> Reservation:
    """Cancel and free the place. Cancelling a cancelled reservation again changes nothing."""
    now = now or timezone.now()
    require_reason(actor, reason)
    with transaction.atomic():
        locked = _lock(reservation)
        _check_owner(actor=actor, reservation=locked)
        if locked.status == Reservation.Status.CANCELLED:
            return locked
        if not locked.is_active:
            raise NotActive()
        _check_web_deadline(actor=actor, reservation=locked, now=now)
        cancelled = Reservation.objects.filter(pk=locked.pk, status=Reservation.Status.BOOKED).update(
            status=Reservation.Status.CANCELLED, cancelled_at=now, updated_at=now
        )
        if not cancelled:
            raise NotActive()
        _release_place(locked.slot_id)
        locked.status = Reservation.Status.CANCELLED
        locked.cancelled_at = now
        audit_record(actor=actor, action="reservation.cancel", resident=locked.resident, reservation=locked,
                     obj=locked, reason=reason, now=now, data={"slot": locked.slot_id,
                                                   **_household_data(actor, locked.resident_id)})
        notification_for_reservation(Notification.Kind.CANCELLED, locked, by_staff=actor.is_staff)
        move_up_offers_make(slot=locked.slot_id, now=now)  # the place freed is offered (move-up offers)
        return locked


def _check_appointment_day_reached(reservation: Reservation, now: datetime) -> None:
    """A dose given or a no-show is recorded on the appointment's day or later, never before."""
    if timezone.localdate(reservation.slot.starts_at) > timezone.localdate(now):
        raise CheckInNotYet()


def reservation_check_in(
    *,
    actor: Actor,
    reservation: Reservation,
    lot: str,
    given_on: date | None = None,
    reason: str = "",
    via: str = "",
    now: datetime | None = None,
) -> DoseRecord:
    """Check in a booked appointment: the reservation is done and the dose given is recorded (DoseRecord).
    The place stays taken: only a cancellation frees a place, so the counter keeps counting who came.
    `via`: how the scanner page found the reservation ("qr" or "id"; services/check_in.py), kept in the audit."""
    now = now or timezone.now()
    if not actor.is_staff:
        raise NotYours()
    with transaction.atomic():
        locked = _lock(reservation)
        if not locked.is_active:
            raise NotActive()
        _check_appointment_day_reached(locked, now)
        if DoseRecord.objects.filter(resident_id=locked.resident_id, dose_number=locked.dose_number).exists():
            raise DoseAlreadyRecorded()  # given elsewhere and imported, or entered by staff
        done = Reservation.objects.filter(pk=locked.pk, status=Reservation.Status.BOOKED).update(
            status=Reservation.Status.DONE, updated_at=now
        )
        if not done:
            raise NotActive()
        record = DoseRecord.objects.create(
            resident=locked.resident,
            dose_number=locked.dose_number,
            vaccine=locked.slot.vaccine,
            given_on=given_on or timezone.localdate(locked.slot.starts_at),
            lot=lot.strip(),
            place=locked.slot.venue.name,
            venue=locked.slot.venue,
            reservation=locked,
            source=DoseRecord.Source.CHECK_IN,
        )
        locked.status = Reservation.Status.DONE
        audit_record(actor=actor, action="dose.record", resident=locked.resident, reservation=locked,
                     obj=record, reason=reason, now=now,
                     data={"lot": record.lot, "dose": locked.dose_number, **({"via": via} if via else {})})
        event_for_dose(record, locked)
        return record


def reservation_mark_no_show(*, actor: Actor, reservation: Reservation, reason: str = "",
                             now: datetime | None = None) -> Reservation:
    now = now or timezone.now()
    if not actor.is_staff:
        raise NotYours()
    with transaction.atomic():
        locked = _lock(reservation)
        _check_appointment_day_reached(locked, now)
        updated = Reservation.objects.filter(pk=locked.pk, status=Reservation.Status.BOOKED).update(
            status=Reservation.Status.NO_SHOW, updated_at=now
        )
        if not updated:
            raise NotActive()
        locked.status = Reservation.Status.NO_SHOW
        audit_record(actor=actor, action="reservation.no_show", resident=locked.resident, reservation=locked,
                     obj=locked, reason=reason, now=now)
        return locked


# The details a resident may change on the web after booking (詳細 → 連絡先の変更), up to the web deadline.
CONTACT_FIELDS = ("recipient_phone", "booker_name", "booker_relation", "booker_phone", "email", "wants_move_up")


def reservation_update_details(
    *,
    actor: Actor,
    reservation: Reservation,
    recipient_phone: str,
    booker_name: str,
    booker_relation: str,
    booker_phone: str,
    email: str,
    wants_move_up: bool,
    reason: str = "",
    now: datetime | None = None,
) -> list[str]:
    """Change the contact details, the proxy booker and the move-up wish of an active reservation (never its
    slot: that is `reservation_change`). Returns the names of the fields that changed; nothing changed means
    no audit event and no email. The confirmation goes to the address now on the reservation, and also to
    the previous address when the email itself changed, so a changed address cannot go unnoticed."""
    now = now or timezone.now()
    require_reason(actor, reason)
    new = {"recipient_phone": recipient_phone, "booker_name": booker_name, "booker_relation": booker_relation,
           "booker_phone": booker_phone, "email": email, "wants_move_up": bool(wants_move_up)}
    with transaction.atomic():
        locked = _lock(reservation)
        _check_owner(actor=actor, reservation=locked)
        if not locked.is_active:
            raise NotActive()
        _check_web_deadline(actor=actor, reservation=locked, now=now)
        changed = [name for name in CONTACT_FIELDS if getattr(locked, name) != new[name]]
        if not changed:
            return []
        previous_email = locked.email
        updated = Reservation.objects.filter(pk=locked.pk, status=Reservation.Status.BOOKED).update(
            updated_at=now, **{name: new[name] for name in changed})
        if not updated:
            raise NotActive()
        for name in changed:
            setattr(locked, name, new[name])
        # The field names only: the audit log says what changed, not the phone numbers or addresses.
        audit_record(actor=actor, action="reservation.update_details", resident=locked.resident,
                     reservation=locked, obj=locked, reason=reason, now=now,
                     data={"fields": changed, **_household_data(actor, locked.resident_id)})
        notification_for_details_change(locked, changed=changed, by_staff=actor.is_staff,
                                        previous_email=previous_email if "email" in changed else "")
        return changed
