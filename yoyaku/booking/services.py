"""Every write of the domain. One function per act, named <noun>_<verb>, keyword-only arguments,
one transaction each, each writing its AuditEvent and queueing its notification in that transaction.

How the invariants hold under concurrency (docs/architecture.md, "Invariants"):
- a place is taken by a conditional UPDATE (`booked < capacity`): one row updated or none, so two
  bookers can never both take the last place, on SQLite or PostgreSQL, whatever the isolation level;
- the partial unique index (resident, dose) WHERE status='booked' makes a second active reservation
  impossible even when two requests pass the Python checks at the same moment;
- moves and cancellations change the reservation with a conditional UPDATE on its status and slot, so
  a reservation that changed under us makes the whole transaction roll back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yoyaku.notify.models import Notification
from yoyaku.notify.services import notification_queue, reservation_snapshot

from . import imports, rules, selectors
from .errors import (
    AlreadyBooked,
    BookingError,
    CapacityBelowBooked,
    DeadlinePassed,
    InvalidInput,
    NotActive,
    ReasonRequired,
    SlotFull,
    SlotUnavailable,
    TicketInactive,
    WrongVaccine,
)
from .models import (
    AuditEvent,
    BookingWindow,
    DoseRecord,
    Reservation,
    Resident,
    Slot,
    Vaccine,
    Venue,
    dose_mask,
)
from .slot_patterns import SlotPattern


class NotYours(BookingError):
    """A resident acting on another resident's reservation. Views turn it into a 404."""

    code = "not_yours"


@dataclass(frozen=True)
class Actor:
    """Who is acting: the resident on the web, a staff member (with a reason), or the system."""

    kind: str
    resident: Resident | None = None
    user: object | None = None
    client_address: str | None = None

    @classmethod
    def for_resident(cls, resident: Resident, *, client_address: str | None = None) -> Actor:
        return cls(AuditEvent.ActorKind.RESIDENT, resident=resident, client_address=client_address)

    @classmethod
    def for_staff(cls, user, *, client_address: str | None = None) -> Actor:
        return cls(AuditEvent.ActorKind.STAFF, user=user, client_address=client_address)

    @classmethod
    def system(cls) -> Actor:
        return cls(AuditEvent.ActorKind.SYSTEM)

    @property
    def is_resident(self) -> bool:
        return self.kind == AuditEvent.ActorKind.RESIDENT

    @property
    def is_staff(self) -> bool:
        return self.kind == AuditEvent.ActorKind.STAFF


def _audit_event(*, actor: Actor, action: str, resident=None, reservation=None, obj=None, reason: str = "",
                 data: dict | None = None, now: datetime) -> AuditEvent:
    # Ids rather than instances: assigning a related instance costs checks that add up in bulk (imports).
    return AuditEvent(
        created_at=now,
        actor_kind=actor.kind,
        actor_user_id=actor.user.pk if actor.user is not None else None,
        actor_resident_id=actor.resident.pk if actor.resident is not None else None,
        action=action,
        resident_id=resident.pk if resident is not None else None,
        reservation_id=reservation.pk if reservation is not None else None,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        reason=reason,
        data=data or {},
        client_address=actor.client_address,
    )


def audit_record(*, actor: Actor, action: str, resident=None, reservation=None, obj=None, reason: str = "",
                 data: dict | None = None, now: datetime | None = None) -> AuditEvent:
    event = _audit_event(actor=actor, action=action, resident=resident, reservation=reservation, obj=obj,
                         reason=reason, data=data, now=now or timezone.now())
    event.save(force_insert=True)
    return event


def audit_records_bulk(*, actor: Actor, records: Iterable[Mapping[str, Any]], now: datetime | None = None,
                       batch_size: int = 1000) -> list[AuditEvent]:
    """`audit_record` for many records at once (imports): one AuditEvent per record, inserted in batches.

    Each record holds the keyword arguments of `audit_record` other than `actor` and `now`: `action`
    and any of `resident`, `reservation`, `obj`, `reason`, `data`. Call it inside the transaction of
    the change it records.
    """
    now = now or timezone.now()
    events = [_audit_event(actor=actor, now=now, **record) for record in records]
    return AuditEvent.objects.bulk_create(events, batch_size=batch_size)


# --- Checks shared by booking and moving ----------------------------------------------------------


def _city():
    return settings.YOYAKU


def web_deadline_for(slot: Slot) -> datetime:
    city = _city()
    return rules.web_deadline(
        slot.starts_at,
        days_before=city["WEB_DEADLINE_DAYS_BEFORE"],
        at=rules.parse_clock(city["WEB_DEADLINE_TIME"]),
        tz=timezone.get_current_timezone(),
    )


def _require_reason(actor: Actor, reason: str) -> None:
    if actor.is_staff and not (reason or "").strip():
        raise ReasonRequired()


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
    if actor.is_resident and not rules.within_web_deadline(now, web_deadline_for(slot)):
        raise SlotUnavailable()


def _check_web_deadline(*, actor: Actor, reservation: Reservation, now: datetime) -> None:
    if actor.is_resident:
        deadline = web_deadline_for(reservation.slot)
        if not rules.within_web_deadline(now, deadline):
            raise DeadlinePassed(deadline=deadline)


def _check_owner(*, actor: Actor, reservation: Reservation) -> None:
    if actor.is_resident and actor.resident.pk != reservation.resident_id:
        raise NotYours()


def dose_eligibility(*, resident: Resident, dose_number: int, now: datetime) -> rules.Eligibility:
    return rules.dose_eligibility(
        dose_number=dose_number,
        birth_date=resident.birth_date,
        groups=resident.group_set,
        windows=selectors.booking_windows(),
        previous=selectors.previous_dose(resident=resident, dose_number=dose_number),
        given_doses=selectors.given_doses(resident=resident),
        now=now,
        max_dose=_city()["MAX_DOSE"],
    )


def _check_rules_for_slot(*, resident: Resident, dose_number: int, slot: Slot, exclude_reservation_id=None):
    local_day = timezone.localdate(slot.starts_at)
    allow_switch = _city()["ALLOW_VACCINE_SWITCH"]
    following = selectors.dose_fact(resident=resident, dose_number=dose_number + 1,
                                    exclude_reservation_id=exclude_reservation_id)
    rules.check_slot_for_dose(
        slot_day=local_day,
        vaccine_code=slot.vaccine.code,
        vaccine_min_age=slot.vaccine.min_age,
        birth_date=resident.birth_date,
        previous=selectors.previous_dose(resident=resident, dose_number=dose_number,
                                         exclude_reservation_id=exclude_reservation_id),
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
        if not Reservation.objects.filter(code=code).exists():
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
    _require_reason(actor, reason)
    if actor.is_resident and actor.resident.pk != resident.pk:
        raise NotYours()
    if request_key:
        request_key = request_key_for(resident.pk, request_key)  # per resident: one cannot fetch another's
    if channel is None:
        channel = Reservation.Channel.WEB if actor.is_resident else Reservation.Channel.PHONE

    try:
        with transaction.atomic():
            if request_key:
                existing = Reservation.objects.filter(request_key=request_key).first()
                if existing is not None:
                    return existing
            resident = Resident.objects.get(pk=resident.pk)
            if not resident.active:
                raise TicketInactive()
            current = Reservation.objects.active().filter(resident=resident, dose_number=dose_number).first()
            if current is not None:
                # The same submit may have committed between the two reads above (PostgreSQL reads
                # each statement afresh): then it is this request's own result, not a second booking.
                if request_key and current.request_key == request_key:
                    return current
                raise AlreadyBooked(reservation=current)
            eligibility = dose_eligibility(resident=resident, dose_number=dose_number, now=now)
            if not eligibility.allowed:
                raise eligibility.error
            try:
                slot = Slot.objects.select_related("venue", "vaccine").get(pk=slot_id)
            except Slot.DoesNotExist:
                raise SlotUnavailable() from None
            _check_slot_open(actor=actor, slot=slot, dose_number=dose_number, now=now)
            _check_rules_for_slot(resident=resident, dose_number=dose_number, slot=slot)
            _take_place(slot.pk)
            reservation = Reservation.objects.create(
                code=_new_code(),
                resident=resident,
                dose_number=dose_number,
                slot=slot,
                recipient_phone=recipient_phone,
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
                         data={"slot": slot.pk, "dose": dose_number, "channel": channel})
            notification_queue(kind=Notification.Kind.BOOKED, reservation=reservation, by_staff=actor.is_staff)
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
    _require_reason(actor, reason)
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
                     obj=locked, reason=reason, now=now, data={"from_slot": old_slot_id, "to_slot": new_slot.pk})
        notification_queue(kind=Notification.Kind.CHANGED, reservation=locked, by_staff=actor.is_staff,
                           previous=previous)
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
    _require_reason(actor, reason)
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
                     obj=locked, reason=reason, now=now, data={"slot": locked.slot_id})
        notification_queue(kind=Notification.Kind.CANCELLED, reservation=locked, by_staff=actor.is_staff)
        return locked


def dose_record(
    *,
    actor: Actor,
    reservation: Reservation,
    lot: str,
    given_on: date | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> DoseRecord:
    """Record the dose given at a booked appointment (check-in). The place stays taken: only a
    cancellation frees a place, so the counter keeps counting who came."""
    now = now or timezone.now()
    if not actor.is_staff:
        raise NotYours()
    with transaction.atomic():
        locked = _lock(reservation)
        if not locked.is_active:
            raise NotActive()
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
                     obj=record, reason=reason, now=now, data={"lot": record.lot, "dose": locked.dose_number})
        return record


def reservation_mark_no_show(*, actor: Actor, reservation: Reservation, reason: str = "",
                             now: datetime | None = None) -> Reservation:
    now = now or timezone.now()
    if not actor.is_staff:
        raise NotYours()
    with transaction.atomic():
        locked = _lock(reservation)
        updated = Reservation.objects.filter(pk=locked.pk, status=Reservation.Status.BOOKED).update(
            status=Reservation.Status.NO_SHOW, updated_at=now
        )
        if not updated:
            raise NotActive()
        locked.status = Reservation.Status.NO_SHOW
        audit_record(actor=actor, action="reservation.no_show", resident=locked.resident, reservation=locked,
                     obj=locked, reason=reason, now=now)
        return locked


def slot_set_capacity(*, actor: Actor, slot: Slot, capacity: int, reason: str = "",
                      now: datetime | None = None) -> Slot:
    """Change a slot's capacity, never below what is already booked (checked in the same UPDATE)."""
    if actor.is_resident:
        raise NotYours()
    _require_reason(actor, reason)
    with transaction.atomic():
        old = Slot.objects.get(pk=slot.pk)
        updated = Slot.objects.filter(pk=slot.pk, booked__lte=capacity).update(capacity=capacity)
        if not updated:
            raise CapacityBelowBooked(booked=old.booked)
        fresh = Slot.objects.get(pk=slot.pk)
        audit_record(actor=actor, action="slot.capacity", obj=fresh, reason=reason, now=now,
                     data={"from": old.capacity, "to": capacity})
        return fresh


def resident_log_in(*, actor: Actor) -> None:
    """Record a resident's login (who and from where; the session is the view's business)."""
    audit_record(actor=actor, action="resident.login", resident=actor.resident, obj=actor.resident)


def request_key_for(resident_id: int, key: str) -> str:
    return f"{resident_id}:{key}"


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
    max_dose = _city()["MAX_DOSE"]
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
    max_dose = _city()["MAX_DOSE"]
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


# --- Imports (import_residents, import_vaccines, import_venues) ----------------------------------------
#
# The commands read and validate the file (imports.py, pure) and hand the clean rows here. Each import
# is all or nothing: one transaction that creates and updates records by key (bulk, in batches) and
# writes an AuditEvent per created or updated record, whose data names changed fields, never values.

IMPORT_BATCH_SIZE = 1000


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    dry_run: bool = False


@dataclass(frozen=True)
class _ImportSpec:
    """How one kind of record is imported: what `_records_import` needs to know beyond the rows."""

    model: type[models.Model]
    key: str  # the field the rows' key matches (unique)
    audit_prefix: str  # actions <prefix>.import_create and <prefix>.import_update
    audit_resident: bool = False  # the record is a resident: AuditEvent.resident points at it
    queryset: Callable[[], models.QuerySet] | None = None
    current_values: Callable[[models.Model, Sequence[str]], dict[str, Any]] | None = None
    # Many-to-many values of created and updated records, after they have primary keys.
    write_relations: Callable[[list[tuple[models.Model, imports.Change]]], None] | None = None


def _field_values(obj: models.Model, names: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _records_import(*, spec: _ImportSpec, actor: Actor, rows: Iterable[imports.Row], dry_run: bool,
                    now: datetime | None) -> ImportResult:
    now = now or timezone.now()
    rows = list(rows)
    queryset = spec.queryset or spec.model.objects.all
    current_values = spec.current_values or _field_values

    def planned() -> tuple[imports.Plan, dict[Any, models.Model]]:
        objects = queryset().in_bulk([row.key for row in rows], field_name=spec.key)
        names = list(rows[0].values) if rows else []
        current = {key: current_values(obj, names) for key, obj in objects.items()}
        return imports.plan(rows, current), objects

    if dry_run:
        plan, _objects = planned()
    else:
        try:
            with transaction.atomic():
                plan, objects = planned()
                _import_write(spec=spec, actor=actor, plan=plan, objects=objects, now=now)
        except IntegrityError:
            # The database's message may quote a ticket number: it is not shown.
            raise InvalidInput(
                _("The database refused a row (was the same data changed at the same time?): "
                  "nothing written. Run the import again."),
                code="import_refused",
            ) from None
    return ImportResult(created=len(plan.create), updated=len(plan.update), unchanged=plan.unchanged,
                        dry_run=dry_run)


def _import_write(*, spec: _ImportSpec, actor: Actor, plan: imports.Plan, objects: dict[Any, models.Model],
                  now: datetime) -> None:
    model = spec.model
    concrete = {f.name for f in model._meta.concrete_fields}
    has_updated_at = "updated_at" in concrete

    created = [model(**{k: v for k, v in c.values.items() if k in concrete}) for c in plan.create]
    model.objects.bulk_create(created, batch_size=IMPORT_BATCH_SIZE)
    if any(obj.pk is None for obj in created):  # databases that cannot return ids from a bulk insert
        ids = model.objects.in_bulk([c.key for c in plan.create], field_name=spec.key)
        created = [ids[c.key] for c in plan.create]

    updated, update_fields = [], set()
    for change in plan.update:
        obj = objects[change.key]
        for name in change.fields:
            if name in concrete:
                setattr(obj, name, change.values[name])
                update_fields.add(name)
        if has_updated_at:
            obj.updated_at = now  # bulk_update does not apply auto_now
        updated.append(obj)
    if update_fields:
        if has_updated_at:
            update_fields.add("updated_at")
        model.objects.bulk_update(updated, sorted(update_fields), batch_size=IMPORT_BATCH_SIZE)

    if spec.write_relations is not None:
        spec.write_relations(list(zip(created, plan.create, strict=True))
                             + list(zip(updated, plan.update, strict=True)))

    def record(obj: models.Model, action: str, data: dict) -> dict[str, Any]:
        return {"action": f"{spec.audit_prefix}.{action}", "obj": obj, "data": data,
                "resident": obj if spec.audit_resident else None}

    audit_records_bulk(
        actor=actor,
        now=now,
        batch_size=IMPORT_BATCH_SIZE,
        records=[
            *(record(obj, "import_create", {}) for obj in created),
            *(record(obj, "import_update", {"fields": list(change.fields)})
              for obj, change in zip(updated, plan.update, strict=True)),
        ],
    )


def _venue_values(venue: Venue, names: Sequence[str]) -> dict[str, Any]:
    values = _field_values(venue, [name for name in names if name != "vaccines"])
    values["vaccines"] = frozenset(vaccine.code for vaccine in venue.vaccines.all())
    return values


def _venue_vaccines_set(changes: list[tuple[models.Model, imports.Change]]) -> None:
    ids = dict(Vaccine.objects.values_list("code", "id"))
    for venue, change in changes:
        if "vaccines" not in change.fields:
            continue
        missing = change.values["vaccines"] - ids.keys()
        if missing:  # deleted since the file was checked: roll everything back
            raise InvalidInput(
                _("line %(line)d: vaccines: unknown vaccine code %(codes)s; nothing written.")
                % {"line": change.line, "codes": ", ".join(sorted(missing))},
                code="import_unknown_vaccine",
            )
        venue.vaccines.set([ids[code] for code in change.values["vaccines"]])


_RESIDENTS_IMPORT = _ImportSpec(model=Resident, key="ticket_number", audit_prefix="resident", audit_resident=True)
_VACCINES_IMPORT = _ImportSpec(model=Vaccine, key="code", audit_prefix="vaccine")
_VENUES_IMPORT = _ImportSpec(
    model=Venue, key="code", audit_prefix="venue",
    queryset=lambda: Venue.objects.prefetch_related("vaccines"),
    current_values=_venue_values,
    write_relations=_venue_vaccines_set,
)


def residents_import(*, actor: Actor, rows: Iterable[imports.Row], dry_run: bool = False,
                     now: datetime | None = None) -> ImportResult:
    """Create or update residents by ticket number from clean rows (`imports.RESIDENTS`), all or none.
    With `dry_run`, count what would change and write nothing."""
    return _records_import(spec=_RESIDENTS_IMPORT, actor=actor, rows=rows, dry_run=dry_run, now=now)


def vaccines_import(*, actor: Actor, rows: Iterable[imports.Row], dry_run: bool = False,
                    now: datetime | None = None) -> ImportResult:
    """Create or update vaccines by code from clean rows (`imports.VACCINES`), all or none."""
    return _records_import(spec=_VACCINES_IMPORT, actor=actor, rows=rows, dry_run=dry_run, now=now)


def venues_import(*, actor: Actor, rows: Iterable[imports.Row], dry_run: bool = False,
                  now: datetime | None = None) -> ImportResult:
    """Create or update venues by code, with the vaccines each offers, from clean rows (`imports.VENUES`),
    all or none. A vaccine code that no longer exists rolls everything back (InvalidInput)."""
    return _records_import(spec=_VENUES_IMPORT, actor=actor, rows=rows, dry_run=dry_run, now=now)


def staff_log_in(*, actor: Actor, first_factor_setup: bool = False) -> None:
    """Record a staff login completed with its second factor."""
    audit_record(actor=actor, action="staff.login", data={"second_factor_setup": first_factor_setup})
