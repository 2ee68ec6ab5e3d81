"""Allocation mode (docs/allocation.md): registering wishes, the allocation run (dry run or published), and the
resident's answer (confirm, decline; unanswered offers expire) with the place going to the next in the order.

The matching is pure (booking/allocation.py). Places are taken by the booking engine's own conditional UPDATE
(`reservations._take_place`: never past capacity) and held by an ordinary reservation, so the partial unique
index keeps one active reservation per resident and dose, `check_integrity` sees them like any other, and
staff can change or cancel them as usual. Every step writes its AuditEvent in its transaction.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from yoyaku.notify.models import Notification

from .. import allocation as pure
from .. import deadline, recent, rules
from ..errors import AlreadyBooked, InvalidInput, NotYours, SlotFull, TicketInactive
from ..models import (
    AllocationPriority,
    AllocationRegistration,
    BookingWindow,
    DoseRecord,
    Reservation,
    Resident,
    Slot,
)
from ..notifications import notification_for_reservation, notifications_for_allocations
from .audit import Actor, audit_record, audit_records_bulk, require_reason
from .reservations import _new_code, _release_place, _take_place
from .windows import booking_window_open

__all__ = [
    "AllocationSummary", "allocation_confirm", "allocation_decline", "allocation_register", "allocation_run",
    "allocation_window_open", "allocation_withdraw", "allocations_expire",
]

Status = AllocationRegistration.Status
CHUNK = 1000


def _city():
    return settings.YOYAKU


# --- Opening a window in allocation mode -------------------------------------------------------------------


def allocation_window_open(*, actor: Actor, doses: list[int], opens_at: datetime, closes_at: datetime,
                           first_day: date, last_day: date, confirm_hours: int = 48, priorities=(),
                           born_on_or_before: date | None = None, born_after: date | None = None, group: str = "",
                           label: str = "", now: datetime | None = None) -> BookingWindow:
    """A booking window in allocation mode: opens_at..closes_at is the registration period; appointments from
    first_day to last_day are allocated. `priorities`: dicts (label, born_on_or_before, born_after, group),
    highest priority first."""
    now = now or timezone.now()
    if closes_at is None:
        raise InvalidInput("An allocation window needs the end of its registration period.", code="window_no_close")
    if last_day < first_day:
        raise InvalidInput("The last day of the appointments comes before the first.", code="window_days")
    with transaction.atomic():
        window = booking_window_open(actor=actor, doses=doses, opens_at=opens_at, closes_at=closes_at,
                                     born_on_or_before=born_on_or_before, born_after=born_after, group=group,
                                     label=label, now=now)
        window.mode = BookingWindow.Mode.ALLOCATION
        window.allocation_first_day, window.allocation_last_day = first_day, last_day
        window.confirm_hours = confirm_hours
        window.save(update_fields=["mode", "allocation_first_day", "allocation_last_day", "confirm_hours"])
        for rank, spec in enumerate(priorities, start=1):
            AllocationPriority.objects.create(window=window, rank=rank, **spec)
        audit_record(actor=actor, action="allocation.window", obj=window, now=now,
                     data={"first_day": first_day.isoformat(), "last_day": last_day.isoformat(),
                           "confirm_hours": confirm_hours, "priorities": len(priorities)})
    return window


# --- Registering wishes ---------------------------------------------------------------------------------------


def registration_open(window: BookingWindow, now: datetime) -> bool:
    return window.opens_at <= now and (window.closes_at is None or now < window.closes_at)


def next_dose(*, window: BookingWindow, resident: Resident) -> int | None:
    """The dose this resident would register for in this window: the first of its doses neither given nor
    booked (None: nothing left to register for)."""
    given = set(DoseRecord.objects.filter(resident=resident).values_list("dose_number", flat=True))
    booked = set(Reservation.objects.active().filter(resident=resident).values_list("dose_number", flat=True))
    for dose in window.doses:
        if dose not in given and dose not in booked:
            return dose
    return None


def _priority(window: BookingWindow, resident: Resident) -> int:
    for priority in window.allocation_priorities.all():
        target = rules.Window(doses=frozenset(window.doses), opens_at=window.opens_at,
                              born_on_or_before=priority.born_on_or_before, born_after=priority.born_after,
                              group=priority.group)
        if target.admits(birth_date=resident.birth_date, groups=resident.group_set, dose_number=window.doses[0]):
            return priority.rank
    return window.allocation_priorities.count() + 1


def _check_eligible(*, window: BookingWindow, resident: Resident, dose_number: int, now: datetime) -> None:
    from .. import selectors

    eligibility = rules.dose_eligibility(
        dose_number=dose_number, birth_date=resident.birth_date, groups=resident.group_set,
        windows=[window.as_rule()], previous=selectors.previous_dose(resident=resident, dose_number=dose_number),
        given_doses=selectors.given_doses(resident=resident), now=now, max_dose=_city()["MAX_DOSE"])
    if not eligibility.allowed:
        raise eligibility.error


def _clean_wishes(*, venue_ids, areas, weekdays, parts, earliest_date) -> dict:
    venue_ids = list(dict.fromkeys(int(v) for v in venue_ids or []))
    areas = list(dict.fromkeys(a for a in areas or [] if a))
    weekday_mask = sum(1 << int(d) for d in set(weekdays or []) if 0 <= int(d) <= 6) or pure.ALL_WEEKDAYS
    part_mask = sum(int(p) for p in set(parts or []) if int(p) in (pure.MORNING, pure.AFTERNOON, pure.EVENING))
    return {"venue_ids": venue_ids, "areas": areas, "weekday_mask": weekday_mask,
            "part_mask": part_mask or pure.ALL_PARTS, "earliest_date": earliest_date}


def allocation_register(*, actor: Actor, window: BookingWindow, resident: Resident, venue_ids=(), areas=(),
                        weekdays=(), parts=(), earliest_date: date | None = None, wants_move_up: bool = False,
                        email: str = "", reason: str = "", now: datetime | None = None) -> AllocationRegistration:
    """Register (or change) a resident's wishes while the registration period is open. A withdrawn
    registration comes back. Staff (the call centre) register for a caller with a reason."""
    now = now or timezone.now()
    require_reason(actor, reason)
    if actor.is_resident and actor.resident.pk != resident.pk:
        raise NotYours()
    wishes = _clean_wishes(venue_ids=venue_ids, areas=areas, weekdays=weekdays, parts=parts,
                           earliest_date=earliest_date)
    with transaction.atomic():
        window = BookingWindow.objects.select_for_update().get(pk=window.pk)
        if window.mode != BookingWindow.Mode.ALLOCATION:
            raise pure.AllocationError(reason="not_allocation")
        if now < window.opens_at:
            raise pure.AllocationError(reason="registration_not_open")
        if not registration_open(window, now):
            raise pure.AllocationError(reason="registration_closed")
        resident = Resident.objects.get(pk=resident.pk)
        if not resident.active:
            raise TicketInactive()
        existing = AllocationRegistration.objects.filter(window=window, resident=resident).first()
        if existing is not None and existing.status not in (Status.REGISTERED, Status.WITHDRAWN):
            raise pure.AllocationError(reason="registration_closed")
        dose = next_dose(window=window, resident=resident)
        if dose is None:
            current = Reservation.objects.active().filter(resident=resident, dose_number__in=window.doses).first()
            raise AlreadyBooked(reservation=current)
        _check_eligible(window=window, resident=resident, dose_number=dose, now=now)
        fields = {**wishes, "dose_number": dose, "wants_move_up": wants_move_up, "email": email,
                  "status": Status.REGISTERED, "priority": _priority(window, resident),
                  "channel": AllocationRegistration.Channel.WEB if actor.is_resident
                  else AllocationRegistration.Channel.PHONE}
        if existing is None:
            registration = AllocationRegistration.objects.create(window=window, resident=resident, created_at=now,
                                                                 **fields)
            action = "allocation.register"
        else:
            for name, value in fields.items():
                setattr(existing, name, value)
            existing.save()
            registration, action = existing, "allocation.change"
        audit_record(actor=actor, action=action, resident=resident, obj=registration, reason=reason, now=now,
                     data={"window": window.pk, "dose": dose, **{k: v.isoformat() if isinstance(v, date) else v
                                                                  for k, v in wishes.items()}})
        return registration


def allocation_withdraw(*, actor: Actor, registration: AllocationRegistration, reason: str = "",
                        now: datetime | None = None) -> AllocationRegistration:
    """Withdraw a registration while the period is open (again: nothing changes)."""
    now = now or timezone.now()
    require_reason(actor, reason)
    with transaction.atomic():
        registration = AllocationRegistration.objects.select_related("window", "resident").get(pk=registration.pk)
        if actor.is_resident and actor.resident.pk != registration.resident_id:
            raise NotYours()
        if registration.status == Status.WITHDRAWN:
            return registration
        if registration.status != Status.REGISTERED or not registration_open(registration.window, now):
            raise pure.AllocationError(reason="registration_closed")
        AllocationRegistration.objects.filter(pk=registration.pk, status=Status.REGISTERED).update(
            status=Status.WITHDRAWN, updated_at=now)
        registration.status = Status.WITHDRAWN
        audit_record(actor=actor, action="allocation.withdraw", resident=registration.resident, obj=registration,
                     reason=reason, now=now, data={"window": registration.window_id})
        return registration


# --- The facts the matching needs -------------------------------------------------------------------------------


def _places(window: BookingWindow, *, now: datetime, dose_numbers, slot_ids=None) -> list[pure.Place]:
    """The window's slots that can take an allocation: open, on sale, serving one of its doses, in its days, and
    starting late enough that the resident can still decline on the web after the time to confirm."""
    slots = (Slot.objects.bookable(now=now).with_free().filter(venue__active=True, vaccine__active=True)
             .select_related("venue", "vaccine").order_by("starts_at", "pk"))
    if window.allocation_first_day:
        slots = slots.filter(day__gte=window.allocation_first_day)
    if window.allocation_last_day:
        slots = slots.filter(day__lte=window.allocation_last_day)
    if slot_ids is not None:
        slots = slots.filter(pk__in=slot_ids)
    mask = 0
    for dose in dose_numbers:
        mask |= 1 << (dose - 1)
    answer_until = now + timedelta(hours=window.confirm_hours)
    tz = timezone.get_current_timezone()
    places = []
    for slot in slots:
        if not slot.dose_mask & mask or deadline.web_deadline(slot.starts_at) < answer_until:
            continue
        local = slot.starts_at.astimezone(tz)
        places.append(pure.Place(
            slot_id=slot.pk, venue_id=slot.venue_id, area=slot.venue.area, starts_at=slot.starts_at,
            day=local.date(), hour=local.hour, vaccine_code=slot.vaccine.code, vaccine_name=slot.vaccine.name,
            vaccine_min_age=slot.vaccine.min_age, vaccine_next_dose_min_days=slot.vaccine.next_dose_min_days,
            free=slot.capacity - slot.booked))
    return places


def _dose_facts(registrations) -> dict[tuple[int, int], rules.PreviousDose]:
    """(resident id, dose number) -> the dose given or booked, for the residents of these registrations: read in
    two queries (by join, not by a list of ids, which SQLite limits)."""
    facts = {}
    resident_ids = registrations.values("resident_id")
    for res in (Reservation.objects.active().filter(resident_id__in=resident_ids)
                .values("resident_id", "dose_number", "slot__starts_at", "slot__vaccine__code",
                        "slot__vaccine__name", "slot__vaccine__next_dose_min_days")):
        facts[(res["resident_id"], res["dose_number"])] = rules.PreviousDose(
            dose_number=res["dose_number"], on=timezone.localdate(res["slot__starts_at"]),
            vaccine_code=res["slot__vaccine__code"], vaccine_name=res["slot__vaccine__name"],
            next_dose_min_days=res["slot__vaccine__next_dose_min_days"], given=False)
    for rec in (DoseRecord.objects.filter(resident_id__in=resident_ids)
                .values("resident_id", "dose_number", "given_on", "vaccine__code", "vaccine__name",
                        "vaccine__next_dose_min_days")):
        facts[(rec["resident_id"], rec["dose_number"])] = rules.PreviousDose(  # a dose given outranks one booked
            dose_number=rec["dose_number"], on=rec["given_on"], vaccine_code=rec["vaccine__code"],
            vaccine_name=rec["vaccine__name"], next_dose_min_days=rec["vaccine__next_dose_min_days"], given=True)
    return facts


def _wishes(registrations) -> tuple[list[pure.Wish], int]:
    """The wishes of these registrations that can still be served, and how many cannot (the dose meanwhile
    given or booked elsewhere, the ticket no longer active)."""
    facts = _dose_facts(registrations)
    wishes, skipped = [], 0
    rows = registrations.values("pk", "resident_id", "resident__birth_date", "resident__active", "dose_number",
                                "venue_ids", "areas", "weekday_mask", "part_mask", "earliest_date", "priority",
                                "position")
    for row in rows.order_by("pk").iterator(chunk_size=5000):
        resident, dose = row["resident_id"], row["dose_number"]
        if not row["resident__active"] or (resident, dose) in facts:
            skipped += 1
            continue
        previous = facts.get((resident, dose - 1)) if dose > 1 else None
        if dose > 1 and previous is None:
            skipped += 1
            continue
        wishes.append(pure.Wish(
            registration_id=row["pk"], resident_id=resident, dose_number=dose, birth_date=row["resident__birth_date"],
            venue_ids=tuple(row["venue_ids"] or ()), areas=tuple(row["areas"] or ()),
            weekday_mask=row["weekday_mask"], part_mask=row["part_mask"], earliest_date=row["earliest_date"],
            previous=previous, following=facts.get((resident, dose + 1)), priority=row["priority"],
            position=row["position"]))
    return wishes, skipped


# --- The allocation run --------------------------------------------------------------------------------------------


@dataclass
class AllocationSummary:
    """What a run did (or, dry, would do): the figures the command prints and the console previews."""

    window_id: int
    label: str
    seed: int
    dry_run: bool
    registrations: int = 0  # waiting for a place at the start of the run
    skipped: int = 0  # of those, no longer able to take one (dose given or booked meanwhile, ticket inactive)
    places: int = 0  # free places in the window's slots at the start
    allocated: int = 0
    first_choice: int = 0
    any_choice: int = 0
    places_left: int = 0
    overbooked: int = 0
    lowest_priority_served: int | None = None
    priority_labels: dict[int, str] = field(default_factory=dict)
    by_area: dict[str, dict[str, int]] = field(default_factory=dict)  # area -> places, allocated
    assignments: dict[int, int] = field(default_factory=dict)  # registration id -> slot id

    def lines(self) -> list[str]:
        head = "dry run (nothing written)" if self.dry_run else "published"
        lines = [f"window {self.window_id} {self.label!r}, seed {self.seed}: {head}",
                 f"  registrations waiting: {self.registrations} ({self.skipped} can no longer take a place)",
                 f"  places: {self.places}",
                 f"  allocated: {self.allocated} (first choice {self.first_choice}, other choice {self.any_choice})"]
        if self.lowest_priority_served is not None:
            label = self.priority_labels.get(self.lowest_priority_served, "others")
            lines.append(f"  lowest priority served: {self.lowest_priority_served} ({label})")
        for area, row in sorted(self.by_area.items()):
            lines.append(f"  area {area or '-'}: {row['allocated']} allocated of {row['places']} places")
        return lines


def _summary_for(window: BookingWindow, *, seed: int, dry_run: bool) -> AllocationSummary:
    labels = {p.rank: p.label or p.group or f"#{p.rank}" for p in window.allocation_priorities.all()}
    return AllocationSummary(window_id=window.pk, label=str(window), seed=seed, dry_run=dry_run,
                             priority_labels=labels)


def _waiting(window: BookingWindow):
    return AllocationRegistration.objects.filter(window=window, status=Status.REGISTERED)


def allocation_run(*, actor: Actor, window: BookingWindow, seed: int | None = None, dry_run: bool = False,
                   reason: str = "", now: datetime | None = None) -> AllocationSummary:
    """Allocate the window's free places to its waiting registrations: priority, then the seeded lottery
    (`seed`: the same registrations and seed give the same result; None draws one and reports it).
    Dry run: the figures, nothing written. Published: each allocated resident holds a reservation to confirm
    within the window's confirm_hours, with an email; everyone waiting keeps their place in the order."""
    now = now or timezone.now()
    require_reason(actor, reason)
    if actor.is_resident:
        raise NotYours()
    if window.mode != BookingWindow.Mode.ALLOCATION:
        raise pure.AllocationError(reason="not_allocation")
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    summary = _summary_for(window, seed=seed, dry_run=dry_run)
    waiting = _waiting(window)
    wishes, summary.skipped = _wishes(waiting)
    summary.registrations = len(wishes) + summary.skipped
    places = _places(window, now=now, dose_numbers=window.doses)
    summary.places = sum(p.free for p in places)
    ordered = pure.lottery_order(wishes, seed=seed)
    matching = pure.allocate(ordered, places, allow_vaccine_switch=_city()["ALLOW_VACCINE_SWITCH"])
    by_id = {w.registration_id: w for w in wishes}
    place_of = {p.slot_id: p for p in places}

    if not dry_run:
        _write_positions(window, ordered, seed=seed)
        audit_record(actor=actor, action="allocation.run", obj=window, reason=reason, now=now,
                     data={"seed": seed, "registrations": summary.registrations, "places": summary.places})
        index = {w.registration_id: i for i, w in enumerate(ordered)}
        assignments = sorted(((by_id[reg], slot) for reg, slot in matching.assignments.items()),
                             key=lambda pair: index[pair[0].registration_id])
        done, bumped = _publish(window, assignments, now=now)
        # A place taken meanwhile by a booking elsewhere: those bumped get another pass on what is left.
        for _pass in range(3):
            if not bumped:
                break
            retry_places = _places(window, now=now, dose_numbers=window.doses)
            again = pure.allocate(bumped, retry_places, allow_vaccine_switch=_city()["ALLOW_VACCINE_SWITCH"])
            place_of.update({p.slot_id: p for p in retry_places})
            more, bumped = _publish(window, [(by_id[r], s) for r, s in again.assignments.items()], now=now)
            done.update(more)
        final = done
    else:
        final = matching.assignments

    summary.assignments = dict(final)
    wished_first = {w.registration_id for w in wishes if w.venue_ids or w.areas}
    for reg_id, slot_id in final.items():
        wish, place = by_id[reg_id], place_of[slot_id]
        summary.allocated += 1
        if wish.venue_rank(place) == 0 or reg_id not in wished_first:
            summary.first_choice += 1
        if summary.lowest_priority_served is None or wish.priority > summary.lowest_priority_served:
            summary.lowest_priority_served = wish.priority
    summary.any_choice = summary.allocated - summary.first_choice
    allocated_per_slot = Counter(final.values())
    for place in places:
        row = summary.by_area.setdefault(place.area, {"places": 0, "allocated": 0})
        row["places"] += place.free
        row["allocated"] += allocated_per_slot.get(place.slot_id, 0)
    summary.places_left = summary.places - summary.allocated
    summary.overbooked = Slot.objects.filter(booked__gt=F("capacity")).count()
    return summary


def _write_positions(window: BookingWindow, ordered: list[pure.Wish], *, seed: int) -> None:
    """Everyone waiting gets their place in the order (kept by later rounds), in the window's own numbering.
    One statement sent for many rows (executemany): bulk_update's CASE expressions cost seconds at this size."""
    with transaction.atomic():
        start = (AllocationRegistration.objects.filter(window=window, position__isnull=False)
                 .order_by("-position").values_list("position", flat=True).first() or 0)
        rows = []
        for wish in ordered:
            if wish.position is None:
                start += 1
                rows.append((start, seed, wish.registration_id))
        table = AllocationRegistration._meta.db_table
        with connection.cursor() as cursor:
            # The table name is the model's, not input.
            cursor.executemany(f"UPDATE {table} SET position = %s, seed = %s WHERE id = %s", rows)  # noqa: S608


def _take_places(slot_ids: list[int]) -> None:
    """`reservations._take_place` for many places: the very same conditional UPDATE (a place is taken only while
    one is free, atomically in the database), sent as one executemany. If any row was refused the whole batch
    raises SlotFull (the caller's savepoint rolls it back) and the caller takes the places one by one."""
    if not slot_ids:
        return
    table = Slot._meta.db_table
    false = "false" if connection.vendor == "postgresql" else "0"
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET booked = booked + 1 WHERE id = %s AND closed = {false} "  # noqa: S608
                           "AND booked < capacity", [(pk,) for pk in slot_ids])
        if cursor.rowcount != len(slot_ids):
            raise SlotFull()


def _confirm_by(window: BookingWindow, now: datetime) -> datetime:
    return now + timedelta(hours=window.confirm_hours)


def _publish(window: BookingWindow, assignments: list[tuple[pure.Wish, int]], *, now: datetime):
    """Take the places and write the reservations, chunk by chunk (each chunk one transaction). Returns
    (registration id -> slot id done, wishes bumped because their place was taken meanwhile)."""
    done: dict[int, int] = {}
    bumped: list[pure.Wish] = []
    for i in range(0, len(assignments), CHUNK):
        chunk = assignments[i:i + CHUNK]
        try:
            with transaction.atomic():
                made, lost = _publish_chunk(window, chunk, now=now)
        except IntegrityError:
            # A resident booked the dose elsewhere between our read and our insert (or a code collided):
            # the chunk rolled back whole; redo it one by one, each in its own savepoint.
            made, lost = {}, []
            for wish, slot_id in chunk:
                try:
                    with transaction.atomic():
                        one, gone = _publish_chunk(window, [(wish, slot_id)], now=now, check_codes=True)
                    made.update(one)
                    lost.extend(gone)
                except IntegrityError:
                    continue
        done.update(made)
        bumped.extend(lost)
    return done, bumped


def _publish_chunk(window: BookingWindow, chunk, *, now: datetime, check_codes: bool = False):
    ids = [w.registration_id for w, _s in chunk]
    regs = (AllocationRegistration.objects.select_for_update(of=("self",)).select_related("resident")
            .filter(pk__in=ids, status=Status.REGISTERED).in_bulk())
    chunk = [(wish, slot_id) for wish, slot_id in chunk if wish.registration_id in regs]
    slots = Slot.objects.select_related("venue", "vaccine").in_bulk({s for _w, s in chunk})
    confirm_by = _confirm_by(window, now)
    lost = []
    try:
        with transaction.atomic():
            _take_places([slot_id for _w, slot_id in chunk])  # never past capacity: the engine's conditional UPDATE
    except SlotFull:  # a place went meanwhile: place by place, and the ones refused try again elsewhere
        kept = []
        for wish, slot_id in chunk:
            try:
                _take_place(slot_id)
                kept.append((wish, slot_id))
            except SlotFull:
                lost.append(wish)
        chunk = kept
    taken, reservations = [], []
    for wish, slot_id in chunk:
        registration = regs[wish.registration_id]
        reservations.append(Reservation(
            code=_new_code() if check_codes else rules.new_reservation_code(), resident=registration.resident,
            dose_number=registration.dose_number, slot=slots[slot_id], email=registration.email,
            wants_move_up=registration.wants_move_up, recipient_phone=registration.resident.phone,
            channel=Reservation.Channel.WEB if registration.channel == "web" else Reservation.Channel.PHONE,
            created_at=now))
        taken.append(registration)
    Reservation.objects.bulk_create(reservations, batch_size=CHUNK)
    for registration, reservation in zip(taken, reservations, strict=True):
        registration.status, registration.reservation = Status.OFFERED, reservation
        registration.offered_at, registration.confirm_by = now, confirm_by
    if taken:
        # Conditional, like every change of state here: a registration that changed meanwhile rolls the chunk back.
        table = AllocationRegistration._meta.db_table
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET status = %s, reservation_id = %s, offered_at = %s, confirm_by = %s, "  # noqa: S608
                "updated_at = %s WHERE id = %s AND status = %s",
                [(Status.OFFERED, r.reservation.pk, now, confirm_by, now, r.pk, Status.REGISTERED) for r in taken])
            if cursor.rowcount != len(taken):
                raise IntegrityError("a registration changed during the allocation")
    audit_records_bulk(actor=Actor.system(), now=now, records=[
        {"action": "allocation.allocate", "resident": r.resident, "reservation": r.reservation, "obj": r.reservation,
         "data": {"window": window.pk, "slot": r.reservation.slot_id, "dose": r.dose_number,
                  "position": r.position, "confirm_by": confirm_by.isoformat()}}
        for r in taken])
    notifications_for_allocations([r.reservation for r in taken], confirm_by=confirm_by)
    return {r.pk: r.reservation.slot_id for r in taken}, lost


# --- The resident's answer ------------------------------------------------------------------------------------------


def _locked_offer(registration: AllocationRegistration) -> AllocationRegistration:
    AllocationRegistration.objects.select_for_update().filter(pk=registration.pk).values_list("pk").first()
    return AllocationRegistration.objects.select_related(
        "window", "resident", "reservation__slot__venue", "reservation__slot__vaccine").get(pk=registration.pk)


def allocation_confirm(*, actor: Actor, registration: AllocationRegistration, reason: str = "",
                       now: datetime | None = None) -> AllocationRegistration:
    """The resident (or the call centre for them) confirms the allocated appointment: it is theirs, like any
    booking, and the booking confirmation email follows. Confirming twice changes nothing."""
    now = now or timezone.now()
    require_reason(actor, reason)
    with transaction.atomic():
        locked = _locked_offer(registration)
        if actor.is_resident and actor.resident.pk != locked.resident_id:
            raise NotYours()
        if locked.status == Status.CONFIRMED:
            return locked
        if locked.status != Status.OFFERED:
            raise pure.AllocationError(reason="not_offered")
        if locked.confirm_by <= now:
            raise pure.AllocationError(reason="confirm_time_over")
        if locked.reservation is None or not locked.reservation.is_active:
            raise pure.AllocationError(reason="not_offered")
        confirmed = AllocationRegistration.objects.filter(pk=locked.pk, status=Status.OFFERED).update(
            status=Status.CONFIRMED, updated_at=now)
        if not confirmed:
            raise pure.AllocationError(reason="not_offered")
        locked.status = Status.CONFIRMED
        audit_record(actor=actor, action="allocation.confirm", resident=locked.resident,
                     reservation=locked.reservation, obj=locked, reason=reason, now=now,
                     data={"window": locked.window_id, "slot": locked.reservation.slot_id})
        notification_for_reservation(Notification.Kind.BOOKED, locked.reservation, by_staff=actor.is_staff)
        return locked


def _give_up(locked: AllocationRegistration, *, status: str, actor: Actor, reason: str, now: datetime) -> int | None:
    """Decline or expire: the registration leaves `offered`, its reservation is cancelled and the place freed.
    Returns the freed slot's id (None if the reservation was already gone)."""
    done = AllocationRegistration.objects.filter(pk=locked.pk, status=Status.OFFERED).update(
        status=status, updated_at=now)
    if not done:
        raise pure.AllocationError(reason="not_offered")
    freed = None
    reservation = locked.reservation
    if reservation is not None and Reservation.objects.filter(pk=reservation.pk, status=Reservation.Status.BOOKED
                                                              ).update(status=Reservation.Status.CANCELLED,
                                                                       cancelled_at=now, updated_at=now):
        _release_place(reservation.slot_id)
        freed = reservation.slot_id
    audit_record(actor=actor, action=f"allocation.{'decline' if status == Status.DECLINED else 'expire'}",
                 resident=locked.resident, reservation=reservation, obj=locked, reason=reason, now=now,
                 data={"window": locked.window_id, "slot": reservation.slot_id if reservation else None})
    return freed


def allocation_decline(*, actor: Actor, registration: AllocationRegistration, reason: str = "",
                       now: datetime | None = None) -> AllocationRegistration:
    """The resident declines the allocated appointment: it is cancelled and the place goes to the next
    registration in the order that can take it."""
    now = now or timezone.now()
    require_reason(actor, reason)
    with transaction.atomic():
        locked = _locked_offer(registration)
        if actor.is_resident and actor.resident.pk != locked.resident_id:
            raise NotYours()
        if locked.status == Status.DECLINED:
            return locked
        if locked.status != Status.OFFERED:
            raise pure.AllocationError(reason="not_offered")
        freed = _give_up(locked, status=Status.DECLINED, actor=actor, reason=reason, now=now)
        locked.status = Status.DECLINED
        if freed is not None:
            _offer_to_next(locked.window, freed, now=now)
        return locked


def allocations_expire(*, now: datetime | None = None) -> int:
    """The periodic job: offers not confirmed in time expire and their places go to the next in the order.
    Safe to run from several workers (conditional updates). Returns how many new offers were made."""
    now = now or timezone.now()
    made = 0
    due = list(AllocationRegistration.objects.filter(status=Status.OFFERED, confirm_by__lte=now)
               .order_by("confirm_by", "pk").values_list("pk", flat=True)[:500])
    for pk in due:
        with transaction.atomic():
            locked = _locked_offer(AllocationRegistration(pk=pk))
            if locked.status != Status.OFFERED or locked.confirm_by > now:
                continue
            freed = _give_up(locked, status=Status.EXPIRED, actor=Actor.system(), reason="", now=now)
            if freed is not None:
                made += _offer_to_next(locked.window, freed, now=now)
    return made


def _offer_to_next(window: BookingWindow, slot_id: int, *, now: datetime) -> int:
    """The freed place of `slot_id` goes to the first waiting registrations, in the order, that accept it."""
    places = _places(window, now=now, dose_numbers=window.doses, slot_ids=[slot_id])
    if not places:
        return 0
    place = places[0]
    waiting = _waiting(window).filter(position__isnull=False).order_by("priority", "position", "pk")
    switch = _city()["ALLOW_VACCINE_SWITCH"]
    given = 0
    start = 0
    while True:
        page = list(waiting.values_list("pk", flat=True)[start:start + 200])
        if not page:
            break
        start += len(page)
        wishes, _skipped = _wishes(AllocationRegistration.objects.filter(pk__in=page))
        ordered = sorted(wishes, key=lambda w: (w.priority, w.position, w.registration_id))
        for wish in ordered:
            if given >= place.free:
                return given
            if pure.acceptable(wish, place, allow_vaccine_switch=switch):
                try:
                    with transaction.atomic():  # a savepoint: one resident's clash leaves the others' turn
                        made, _lost = _publish_chunk(window, [(wish, slot_id)], now=now, check_codes=True)
                except IntegrityError:
                    continue
                given += len(made)
        if given >= place.free:
            break
    return given


# --- Reads for the pages ----------------------------------------------------------------------------------------------


def registration_of(*, window: BookingWindow, resident: Resident) -> AllocationRegistration | None:
    return (AllocationRegistration.objects.select_related("reservation__slot__venue", "reservation__slot__vaccine")
            .filter(window=window, resident=resident).first())


def any_allocation_windows() -> bool:
    """Whether the city has any allocation-mode window at all, as read a moment ago in this process (the top
    page's question: in a first-come city its allocation panel then asks nothing more; it was a join with
    DISTINCT on every top page, a seventh of the page's CPU). Pages only; registering reads afresh."""
    return recent.remembered(("allocation_windows",), BookingWindow.objects.allocation().exists)


def windows_for(resident: Resident, *, now: datetime) -> list[BookingWindow]:
    """Allocation-mode windows this resident may register in now or holds a registration in."""
    windows = []
    for window in BookingWindow.objects.allocation().filter(
            Q(allocation_registrations__resident=resident) | Q(opens_at__lte=now, closes_at__gt=now)).distinct():
        if window.as_rule().admits(birth_date=resident.birth_date, groups=resident.group_set,
                                   dose_number=window.doses[0]) or \
                AllocationRegistration.objects.filter(window=window, resident=resident).exists():
            windows.append(window)
    return windows
