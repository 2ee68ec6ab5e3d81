"""Reads the services and pages share. Writes live in services/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from . import recent, rules
from .errors import AlreadyBooked, BookingError, InvalidInput, TicketInactive
from .models import BookingWindow, DoseRecord, HouseholdMember, Reservation, Resident, Slot, StandbyEntry
from .prepared import PreparedRead


@dataclass(frozen=True)
class DoseHistory:
    """A resident's doses, read in two queries: the doses given and the reservations not cancelled.

    A page reads it once and passes it to each question it asks (the booking page used to ask the database
    the same things three times: five to seven small queries per page). The services read it afresh inside
    their transaction (they pass no history), so nothing they decide rests on a read from before it.
    """

    records: tuple[DoseRecord, ...]
    reservations: tuple[Reservation, ...]  # not cancelled, in the order they were made

    def record(self, dose_number: int) -> DoseRecord | None:
        return next((r for r in self.records if r.dose_number == dose_number), None)

    def active(self, dose_number: int, *, exclude_reservation_id: int | None = None) -> Reservation | None:
        return next((r for r in self.reservations if r.dose_number == dose_number
                     and r.status == Reservation.Status.BOOKED and r.pk != exclude_reservation_id), None)

    def held(self, dose_number: int) -> Reservation | None:
        """The latest reservation not cancelled for this dose (booked, given or missed), for the dose rows."""
        return next((r for r in reversed(self.reservations) if r.dose_number == dose_number), None)

    @property
    def given(self) -> frozenset[int]:
        return frozenset(r.dose_number for r in self.records)


# Every resident page reads these: their SQL is built once per process (prepared.py).
_DOSE_RECORDS = PreparedRead(DoseRecord, lambda resident_id: DoseRecord.objects.filter(resident_id=resident_id)
                             .select_related("vaccine").order_by("pk"), "resident_id")
_HELD_RESERVATIONS = PreparedRead(
    Reservation, lambda resident_id: Reservation.objects.filter(resident_id=resident_id)
    .exclude(status=Reservation.Status.CANCELLED).select_related("slot__venue", "slot__vaccine").order_by("pk"),
    "resident_id")
_ACTIVE_RESIDENT = PreparedRead(Resident, lambda pk: Resident.objects.filter(pk=pk, active=True).order_by("pk")[:1],
                                "pk")


def dose_history(*, resident: Resident) -> DoseHistory:
    return DoseHistory(records=tuple(_DOSE_RECORDS.read(resident_id=resident.pk)),
                       reservations=tuple(_HELD_RESERVATIONS.read(resident_id=resident.pk)))


_RESIDENT = PreparedRead(Resident, lambda pk: Resident.objects.filter(pk=pk).order_by("pk")[:1], "pk")
_RESIDENT_BY_TICKET = PreparedRead(
    Resident, lambda ticket: Resident.objects.filter(ticket_number=ticket).order_by("pk")[:1], "ticket")


def resident_by_pk(pk: int) -> Resident:
    """The resident, active or not (Resident.DoesNotExist when there is none): the services' fresh read."""
    found = _RESIDENT.read(pk=pk)
    if not found:
        raise Resident.DoesNotExist
    return found[0]


def resident_by_ticket(ticket: str) -> Resident | None:
    """The resident holding this ticket number (as normalised by the login form), active or not."""
    found = _RESIDENT_BY_TICKET.read(ticket=ticket)
    return found[0] if found else None


def active_resident(resident_id: int) -> Resident | None:
    """The resident with this id if their ticket is active, else None: who is logged in, on every page."""
    found = _ACTIVE_RESIDENT.read(pk=resident_id)
    return found[0] if found else None


def previous_dose(*, resident: Resident, dose_number: int, exclude_reservation_id: int | None = None,
                  history: DoseHistory | None = None):
    """The dose before `dose_number`, given (a DoseRecord) or booked (an active reservation), or None."""
    if dose_number <= 1:
        return None
    return dose_fact(resident=resident, dose_number=dose_number - 1, exclude_reservation_id=exclude_reservation_id,
                     history=history)


def dose_fact(*, resident: Resident, dose_number: int, exclude_reservation_id: int | None = None,
              history: DoseHistory | None = None):
    history = history or dose_history(resident=resident)
    record = history.record(dose_number)
    if record is not None:
        return rules.PreviousDose(
            dose_number=dose_number,
            on=record.given_on,
            vaccine_code=record.vaccine.code,
            vaccine_name=record.vaccine.name,
            next_dose_min_days=record.vaccine.next_dose_min_days,
            given=True,
        )
    reservation = history.active(dose_number, exclude_reservation_id=exclude_reservation_id)
    if reservation is None:
        return None
    return rules.PreviousDose(
        dose_number=dose_number,
        on=timezone.localdate(reservation.slot.starts_at),
        vaccine_code=reservation.slot.vaccine.code,
        vaccine_name=reservation.slot.vaccine.name,
        next_dose_min_days=reservation.slot.vaccine.next_dose_min_days,
        given=False,
    )


def may_act_for(*, actor_resident_id: int, resident_id: int) -> bool:
    """May the logged-in resident act for this resident: themself, or a member of their household."""
    return actor_resident_id == resident_id or HouseholdMember.objects.filter(
        holder_id=actor_resident_id, member_id=resident_id).exists()


def household_members(*, holder: Resident) -> list[Resident]:
    """The active members of this resident's household, in the order they were added."""
    return [link.member for link in HouseholdMember.objects.filter(holder=holder, member__active=True)
            .select_related("member").order_by("added_at", "id")]


def household_member(*, holder_id: int, member_id: int) -> Resident | None:
    """This active member of the holder's household, or None (not a member, removed, or inactive)."""
    link = HouseholdMember.objects.filter(holder_id=holder_id, member_id=member_id, member__active=True) \
        .select_related("member").first()
    return link.member if link is not None else None


def waiting_list_entry(*, resident: Resident, dose_number: int) -> StandbyEntry | None:
    """The resident's place on the waiting list (any venue) for this dose, while waiting."""
    return StandbyEntry.objects.filter(resident=resident, dose_number=dose_number, venue__isnull=True,
                                       status=StandbyEntry.Status.WAITING).first()


def waiting_list_doses(*, resident: Resident) -> frozenset[int]:
    """The doses the resident waits for on the waiting list (any venue). One query."""
    return frozenset(StandbyEntry.objects.filter(resident=resident, venue__isnull=True,
                                                 status=StandbyEntry.Status.WAITING)
                     .values_list("dose_number", flat=True))


def last_email(*, resident: Resident) -> str:
    """The address the resident gave last (their latest reservation's), else the city's record of it."""
    last = (Reservation.objects.filter(resident=resident).exclude(email="").order_by("-pk")
            .values_list("email", flat=True).first())
    return last or resident.email


def given_doses(*, resident: Resident) -> frozenset[int]:
    return frozenset(DoseRecord.objects.filter(resident=resident).values_list("dose_number", flat=True))


_FIRST_COME_WINDOWS = PreparedRead(BookingWindow, lambda: BookingWindow.objects.first_come())


def booking_windows(*, fresh: bool = True) -> list[rules.Window]:
    """The first-come windows (allocation-mode windows take wishes, not bookings). Pages may take them as read a
    moment ago in this process (`fresh=False`, booking/recent.py); the services always read them afresh."""

    def compute():
        return [window.as_rule() for window in _FIRST_COME_WINDOWS.read()]

    return compute() if fresh else recent.remembered(("booking_windows",), compute)


def dose_eligibility(*, resident: Resident, dose_number: int, now: datetime, history: DoseHistory | None = None,
                     windows: list[rules.Window] | None = None) -> rules.Eligibility:
    """Whether the booking windows, the dose order and the doses given let this resident book this dose."""
    history = history or dose_history(resident=resident)
    return rules.dose_eligibility(
        dose_number=dose_number,
        birth_date=resident.birth_date,
        groups=resident.group_set,
        windows=booking_windows() if windows is None else windows,
        previous=previous_dose(resident=resident, dose_number=dose_number, history=history),
        given_doses=history.given,
        now=now,
        max_dose=settings.YOYAKU["MAX_DOSE"],
    )


def dose_rows(*, resident: Resident, now: datetime) -> list[dict]:
    """One row per dose number: the reservation holding it, or whether (and from when) it can be booked.
    Three queries, whatever the number of doses."""
    history = dose_history(resident=resident)
    windows = None
    rows = []
    for dose in range(1, settings.YOYAKU["MAX_DOSE"] + 1):
        reservation = history.held(dose)
        eligibility = None
        if reservation is None:
            windows = booking_windows(fresh=False) if windows is None else windows
            eligibility = dose_eligibility(resident=resident, dose_number=dose, now=now, history=history,
                                           windows=windows)
        rows.append({"dose": dose, "reservation": reservation, "eligibility": eligibility})
    return rows


def booking_refusal(*, resident: Resident, dose_number: int, now: datetime,
                    history: DoseHistory | None = None) -> BookingError | None:
    """Why this resident cannot book this dose now (an inactive ticket, a dose already booked, not eligible),
    or None: the one "may this dose be booked" check of both sites. The booking itself checks again."""
    if not resident.active:
        return TicketInactive()
    history = history or dose_history(resident=resident)
    current = history.active(dose_number)
    if current is not None:
        return AlreadyBooked(reservation=current)
    eligibility = dose_eligibility(resident=resident, dose_number=dose_number, now=now, history=history,
                                   windows=booking_windows(fresh=False))  # a page's question; the booking reads afresh
    return None if eligibility.allowed else eligibility.error


def reservation_by_code(code: str, *, resident_id: int | None = None, venue_ids=None) -> Reservation | None:
    """A reservation by its 予約ID as typed (normalised), limited to one resident's or to some venues'; None
    when there is none, it is someone else's, or the code is malformed (pages answer all of these with 404)."""
    try:
        code = rules.normalize_reservation_code(code)
    except InvalidInput:
        return None
    if resident_id is not None and venue_ids is None:  # the resident pages' question: prepared
        found = _RESIDENTS_RESERVATION.read(code=code, resident_id=resident_id)
        return found[0] if found else None
    reservations = Reservation.objects.select_related("resident", "slot__venue", "slot__vaccine", "dose_record")
    if resident_id is not None:
        reservations = reservations.filter(resident_id=resident_id)
    if venue_ids is not None:
        reservations = reservations.filter(slot__venue_id__in=venue_ids)
    return reservations.filter(code=code).first()


_RESIDENTS_RESERVATION = PreparedRead(
    Reservation, lambda code, resident_id: Reservation.objects.select_related(
        "resident", "slot__venue", "slot__vaccine", "dose_record").filter(resident_id=resident_id, code=code)
    .order_by("pk")[:1], "code", "resident_id")


_SLOT_WITH_VENUE = PreparedRead(Slot, lambda pk: Slot.objects.filter(pk=pk).select_related("venue", "vaccine")
                                .order_by("pk")[:1], "pk")
_SLOT_PK = PreparedRead(Slot, lambda pk: Slot.objects.filter(pk=pk).only("pk").order_by("pk")[:1], "pk")


def slot_by_pk(pk, *, with_venue: bool = True) -> Slot | None:
    """A slot by its id with its venue and vaccine, or (with_venue=False) only its id: None when there is none.
    The booking pages ask it of the time kept in the resident's draft."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    found = (_SLOT_WITH_VENUE if with_venue else _SLOT_PK).read(pk=pk)
    return found[0] if found else None


_BY_REQUEST_KEY = PreparedRead(Reservation, lambda key: Reservation.objects.filter(request_key=key)
                               .order_by("pk")[:1], "key")
_CODE_TAKEN = PreparedRead(Reservation, lambda code: Reservation.objects.filter(code=code).only("pk")[:1], "code")


def booked_by_request(*, resident_id: int, request_key: str) -> Reservation | None:
    """The reservation a earlier submit of the same form made (its request key), for a double click or a
    resubmit after success."""
    if not request_key:
        return None
    return reservation_by_request_key(request_key_for(resident_id, request_key))


def reservation_by_request_key(stored_key: str) -> Reservation | None:
    """The reservation made with this request key as stored (`request_key_for`), or None."""
    found = _BY_REQUEST_KEY.read(key=stored_key)
    return found[0] if found else None


def reservation_code_taken(code: str) -> bool:
    return bool(_CODE_TAKEN.read(code=code))


def request_key_for(resident_id: int, key: str) -> str:
    """Request keys are stored per resident, so one resident's key can never fetch another's reservation."""
    return f"{resident_id}:{key}"


def integrity_mismatches():
    """Slots whose counter differs from the reservations holding a place in them. Must always be empty.

    Every reservation that is not cancelled holds its place (booked, done, no-show): only a
    cancellation frees one, so the counter also counts who came.
    """
    return (
        Slot.objects.annotate(
            holding_count=Count("reservations", filter=~Q(reservations__status="cancelled"))
        )
        .exclude(booked=F("holding_count"))
        .order_by("pk")
    )


def double_bookings():
    """(resident, dose) pairs with more than one active reservation. The database forbids them."""
    return (
        Reservation.objects.active()
        .values("resident_id", "dose_number")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )


# --- The city's set-up pages (console, setup area): by the slots' stored local day -----------------------


def venue_day_totals(*, venue, first_day, last_day) -> list[dict]:
    """Per local day (`day`) with slots at `venue` from `first_day` to `last_day`: slot_count, closed_count,
    capacity_total, booked_total, free_total (in open slots). One query, whatever the number of slots."""
    return list(
        Slot.objects.filter(venue=venue, day__gte=first_day, day__lte=last_day)
        .values("day")
        .annotate(slot_count=Count("id"), closed_count=Count("id", filter=Q(closed=True)),
                  capacity_total=Sum("capacity"), booked_total=Sum("booked"),
                  free_total=Sum(F("capacity") - F("booked"), filter=Q(closed=False)))
        .order_by("day")
    )


def venue_day_slots(*, venue, day):
    """The slots of a venue on a local day, in time order, with their vaccine."""
    return Slot.objects.filter(venue=venue, day=day).select_related("vaccine").order_by("starts_at", "vaccine__code")


def reservations_to_call(*, slot_ids):
    """The active reservations in the closed ones of these slots: the residents who must be told."""
    return (Reservation.objects.active().filter(slot_id__in=slot_ids, slot__closed=True)
            .select_related("resident", "slot__vaccine").order_by("slot__starts_at", "resident__family_name_kana",
                                                                   "resident_id"))
