"""Reads for the console's home, reports and venue pages: today's figures and tasks, the dashboard's figures,
the audit trail, the reservations export, a venue's roster and day counts. Aggregates and fixed query counts,
never row by row (tests/console/test_dashboard.py, test_rosters.py and test_home.py pin the counts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.utils import timezone

from yoyaku.notify.models import Notification

from . import rules
from .availability import local_midnight
from .models import AuditEvent, MoveUpOffer, Reservation, Slot, StandbyEntry, Venue

# --- The dashboard ----------------------------------------------------------------------------------------


@dataclass
class Figures:
    capacity: int = 0
    booked: int = 0
    cancelled: int = 0
    vials: int = 0
    waste: int = 0
    vaccines: list = field(default_factory=list)  # (vaccine name, booked, vials, waste) per vaccine

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)

    def add(self, other: Figures) -> None:
        self.capacity += other.capacity
        self.booked += other.booked
        self.cancelled += other.cancelled
        self.vials += other.vials
        self.waste += other.waste


@dataclass
class DayFigures:
    day: date
    venues: list  # (venue dict, Figures)
    total: Figures


def dashboard_figures(*, start: date, days: int, venue_id: int | None = None) -> tuple[list[DayFigures], Figures]:
    """Figures per day and venue over open (not closed) slots. Two queries."""
    last = start + timedelta(days=days - 1)
    # Slot.day is the stored local day of the slot (indexed): no time-zone arithmetic per row.
    slots = Slot.objects.filter(day__gte=start, day__lte=last, closed=False)
    cancellations = Reservation.objects.filter(status=Reservation.Status.CANCELLED, slot__day__gte=start,
                                               slot__day__lte=last)
    if venue_id:
        slots = slots.filter(venue_id=venue_id)
        cancellations = cancellations.filter(slot__venue_id=venue_id)
    by_vaccine = (
        slots.values("day", "venue_id", "venue__name", "venue__code", "venue__area", "vaccine__name",
                     "vaccine__doses_per_vial")
        .annotate(capacity=Sum("capacity"), booked=Sum("booked"))
        .order_by("day", "venue__area", "venue__code", "vaccine__name")
    )
    cancelled = {
        (row["slot__day"], row["slot__venue_id"]): row["n"]
        for row in cancellations.values("slot__day", "slot__venue_id").annotate(n=Count("id")).order_by()
    }
    grid: dict[date, dict[int, tuple[dict, Figures]]] = {}
    for row in by_vaccine:
        venues = grid.setdefault(row["day"], {})
        venue = {"id": row["venue_id"], "name": row["venue__name"], "code": row["venue__code"],
                 "area": row["venue__area"]}
        figures = venues.setdefault(row["venue_id"], (venue, Figures()))[1]
        vials, waste = rules.vials_and_waste(booked=row["booked"], doses_per_vial=row["vaccine__doses_per_vial"])
        figures.add(Figures(capacity=row["capacity"], booked=row["booked"], vials=vials, waste=waste))
        figures.vaccines.append((row["vaccine__name"], row["booked"], vials, waste))
    for (day, venue_id_), n in cancelled.items():
        if day in grid and venue_id_ in grid[day]:
            grid[day][venue_id_][1].cancelled = n
    result, overall = [], Figures()
    for day in sorted(grid):
        total = Figures()
        for _venue, figures in grid[day].values():
            total.add(figures)
        overall.add(total)
        result.append(DayFigures(day=day, venues=list(grid[day].values()), total=total))
    return result, overall


def last_hour(*, now: datetime) -> dict[str, int]:
    """Bookings and cancellations in the last hour, from the audit trail (indexed by time). One query."""
    rows = (AuditEvent.objects.filter(created_at__gt=now - timedelta(hours=1),
                                      action__in=["reservation.book", "reservation.cancel"])
            .values("action").annotate(n=Count("id")).order_by())
    counts = {row["action"]: row["n"] for row in rows}
    return {"booked": counts.get("reservation.book", 0), "cancelled": counts.get("reservation.cancel", 0)}


# --- The audit log and the reservations export ------------------------------------------------------------


def audit_events(*, resident_id=None, user=None, action="", date_from=None, date_to=None):
    events = AuditEvent.objects.select_related("actor_user", "actor_resident", "resident", "reservation")
    if resident_id:
        events = events.filter(resident_id=resident_id)
    if user is not None:
        events = events.filter(actor_user=user)
    if action:
        events = events.filter(action=action)
    if date_from:
        events = events.filter(created_at__gte=local_midnight(date_from))
    if date_to:
        events = events.filter(created_at__lt=local_midnight(date_to + timedelta(days=1)))
    return events.order_by("-created_at", "-id")


def reservations_for_export(*, date_from, date_to, venue=None, status=""):
    reservations = Reservation.objects.filter(slot__day__gte=date_from, slot__day__lte=date_to)
    if venue is not None:
        reservations = reservations.filter(slot__venue=venue)
    if status:
        reservations = reservations.filter(status=status)
    return reservations.select_related("resident", "slot__venue", "slot__vaccine").order_by(
        "slot__starts_at", "slot__venue__code", "resident__family_name_kana", "pk")


# --- Rosters -----------------------------------------------------------------------------------------------


def roster(*, venue: Venue, day: date):
    """The reservations holding a place at the venue on the day (cancelled ones left out), by time then kana.
    One query, with the resident, the vaccine and the dose record."""
    return (
        Reservation.objects.filter(slot__venue=venue, slot__day=day)
        .exclude(status=Reservation.Status.CANCELLED)
        .select_related("resident", "slot__vaccine", "dose_record")
        .order_by("slot__starts_at", "resident__family_name_kana", "resident__given_name_kana", "pk")
    )


def day_counts(*, venues, day: date) -> dict[int, dict]:
    """Per venue: places, booked (from the slot counters), and reservations by status. Two queries."""
    slots = (Slot.objects.filter(venue__in=venues, day=day)
             .values("venue_id").annotate(capacity=Sum("capacity"), booked=Sum("booked")).order_by())
    counts = {row["venue_id"]: {**row, "done": 0, "no_show": 0, "cancelled": 0} for row in slots}
    statuses = (Reservation.objects.filter(slot__venue__in=venues, slot__day=day)
                .values("slot__venue_id").order_by()
                .annotate(done=Count("id", filter=Q(status=Reservation.Status.DONE)),
                          no_show=Count("id", filter=Q(status=Reservation.Status.NO_SHOW)),
                          cancelled=Count("id", filter=Q(status=Reservation.Status.CANCELLED))))
    for row in statuses:
        counts.setdefault(row["slot__venue_id"], {"capacity": 0, "booked": 0}).update(
            done=row["done"], no_show=row["no_show"], cancelled=row["cancelled"])
    return counts


# --- The console's home: today, tasks, audit events worth a look ------------------------------------------


def today_by_venue(*, day: date, venue_ids=None) -> list[dict]:
    """Per venue with slots on `day`: booked, checked in, no-shows, free places, vials opened and the doses
    they would waste. Four queries (dashboard_figures and day_counts)."""
    rows, _overall = dashboard_figures(start=day, days=1)
    figures = rows[0].venues if rows else []
    if venue_ids is not None:
        figures = [(venue, f) for venue, f in figures if venue["id"] in venue_ids]
    counts = day_counts(venues=[venue["id"] for venue, _f in figures], day=day) if figures else {}
    return [{"venue": venue, "booked": f.booked, "free": f.free, "vials": f.vials, "waste": f.waste,
             "done": counts.get(venue["id"], {}).get("done", 0),
             "no_show": counts.get(venue["id"], {}).get("no_show", 0)} for venue, f in figures]


@dataclass
class Tasks:
    free_tomorrow: int  # places free in tomorrow's open slots
    wanting_move_up: int  # active reservations whose resident asked for an earlier date
    offers_open: int  # move-up offers waiting for the resident's answer
    emails_failed: int  # emails the outbox gave up on


def tasks(*, now: datetime) -> Tasks:
    """What staff should look at today. Four queries, each a count."""
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    places = Slot.objects.filter(day=tomorrow, closed=False).aggregate(capacity=Sum("capacity"), booked=Sum("booked"))
    return Tasks(
        free_tomorrow=max((places["capacity"] or 0) - (places["booked"] or 0), 0),
        wanting_move_up=Reservation.objects.active().filter(wants_move_up=True, resident__active=True).count(),
        offers_open=MoveUpOffer.objects.filter(status=MoveUpOffer.Status.OPEN, expires_at__gt=now).count(),
        emails_failed=Notification.objects.filter(status=Notification.Status.FAILED,
                                                  channel=Notification.Channel.EMAIL).count(),
    )


# Staff acts that change what others rely on, or touch access: shown on the city admin's home.
WORTH_A_LOOK = ("staff.device_setup", "api_token.create", "api_token.authorise", "api_token.revoke",
                "venue.day_close", "slot.close", "slot.capacity", "booking_window.open", "booking_window.close",
                "notice.withdraw", "notification.send_again")


def audit_worth_a_look(*, limit: int = 8):
    """The latest audit events worth a look (access, closures, windows), and any lockout. One query."""
    return (AuditEvent.objects.filter(Q(action__in=WORTH_A_LOOK) | Q(action__endswith="lockout"))
            .select_related("actor_user", "resident", "reservation").order_by("-created_at", "-id")[:limit])


# --- Stewardship: freed places refilled, opened doses wasted (issue 14; the simulator's figures, for real data) --


@dataclass(frozen=True)
class StewardshipFigures:
    freed: int  # places freed before their day (cancelled, or left by a move)
    refilled: int  # of those, taken again before the day
    given: int  # doses given at our venues (check-ins)
    opened: int  # doses in the vials opened for them (whole vials per venue, vaccine and day)

    @property
    def wasted(self) -> int:
        return self.opened - self.given

    @property
    def refilled_percent(self) -> float:
        return 100.0 * self.refilled / self.freed if self.freed else 0.0

    @property
    def wasted_percent(self) -> float:
        return 100.0 * self.wasted / self.opened if self.opened else 0.0


def stewardship_figures(*, start: date, days: int, venue_id: int | None = None) -> StewardshipFigures:
    """Per session (venue, vaccine, day) from `start` for `days` days: places freed before the day are
    refilled unless the session began with places empty (capacity above what was booked); doses wasted are
    what the last vial had left (given rounded up to whole vials). Four queries whatever the data."""
    from math import ceil

    from .models import DoseRecord

    end = start + timedelta(days=days)
    sessions: dict[tuple, dict] = {}
    slots = Slot.objects.filter(day__gte=start, day__lt=end)
    if venue_id:
        slots = slots.filter(venue_id=venue_id)
    slots = slots.values_list(
        "pk", "venue_id", "vaccine_id", "day", "capacity", "booked", "starts_at", "vaccine__doses_per_vial")
    session_of = {}
    for pk, venue, vaccine, day, capacity, booked, starts_at, per_vial in slots:
        key = (venue, vaccine, day)
        session = sessions.setdefault(key, {"empty": 0, "freed": 0, "per_vial": per_vial, "given": 0})
        session["empty"] += max(capacity - booked, 0)
        session_of[pk] = (key, starts_at)
    cancelled = Reservation.objects.filter(slot_id__in=session_of, cancelled_at__isnull=False).values_list(
        "slot_id", "cancelled_at")
    for slot_id, cancelled_at in cancelled:
        key, starts_at = session_of[slot_id]
        if cancelled_at < starts_at:
            sessions[key]["freed"] += 1
    moves = AuditEvent.objects.filter(action="reservation.change", data__from_slot__in=list(session_of)).values_list(
        "data", "created_at")
    for data, created_at in moves:
        key, starts_at = session_of[data["from_slot"]]
        if created_at < starts_at:
            sessions[key]["freed"] += 1
    given = DoseRecord.objects.filter(source=DoseRecord.Source.CHECK_IN, reservation__slot_id__in=list(session_of))
    for slot_id in given.values_list("reservation__slot_id", flat=True):
        sessions[session_of[slot_id][0]]["given"] += 1
    freed = sum(s["freed"] for s in sessions.values())
    refilled = sum(s["freed"] - min(s["freed"], s["empty"]) for s in sessions.values())
    total_given = sum(s["given"] for s in sessions.values())
    opened = sum(ceil(s["given"] / s["per_vial"]) * s["per_vial"] for s in sessions.values())
    return StewardshipFigures(freed=freed, refilled=refilled, given=total_given, opened=opened)


# --- The standby list page: a venue's doses today, the last vial's leftover (issue 14) ----------------------


@dataclass(frozen=True)
class VialsToday:
    vaccine: str
    doses_per_vial: int
    booked: int  # places held today (checked in, no-shows and still to come)
    no_show: int
    done: int
    free_later: int  # free places in the slots still to start

    @property
    def coming(self) -> int:
        """Doses the day will give if everyone booked and not yet marked absent comes."""
        return self.booked - self.no_show

    @property
    def vials(self) -> int:
        return rules.vials_and_waste(booked=self.coming, doses_per_vial=self.doses_per_vial)[0]

    @property
    def left_in_last_vial(self) -> int:
        """Doses the last opened vial will have left: wasted unless the standby list takes them."""
        return rules.vials_and_waste(booked=self.coming, doses_per_vial=self.doses_per_vial)[1]


def vials_today(*, venue_id: int, day: date, now: datetime) -> list[VialsToday]:
    """Per vaccine at the venue on the day (open slots): places held, no-shows, check-ins, free places still
    to come, and from them the vials and the doses the last one will have left. Two queries."""
    slots = (Slot.objects.filter(venue_id=venue_id, day=day, closed=False)
             .values("vaccine_id", "vaccine__name", "vaccine__doses_per_vial")
             .annotate(held=Sum("booked"),
                       free_later=Sum(F("capacity") - F("booked"), filter=Q(starts_at__gt=now), default=0))
             .order_by("vaccine__name"))
    statuses = {row["slot__vaccine_id"]: row for row in
                Reservation.objects.filter(slot__venue_id=venue_id, slot__day=day, slot__closed=False)
                .values("slot__vaccine_id").order_by()
                .annotate(done=Count("id", filter=Q(status=Reservation.Status.DONE)),
                          no_show=Count("id", filter=Q(status=Reservation.Status.NO_SHOW)))}
    rows = []
    for row in slots:
        counts = statuses.get(row["vaccine_id"], {})
        rows.append(VialsToday(vaccine=row["vaccine__name"], doses_per_vial=row["vaccine__doses_per_vial"],
                               booked=row["held"] or 0, no_show=counts.get("no_show", 0),
                               done=counts.get("done", 0), free_later=max(row["free_later"] or 0, 0)))
    return rows


# --- The standby list (キャンセル待ち) of a venue on the day ----------------------------------------------------


def standby_waiting(*, venue_id: int, limit: int = 100):
    """Who waits for a place at this venue today: its own standby list first, then the waiting list (any
    venue), each first come, first served. One query."""
    return (StandbyEntry.objects.filter(status=StandbyEntry.Status.WAITING, resident__active=True)
            .filter(Q(venue_id=venue_id) | Q(venue__isnull=True))
            .annotate(own=Case(When(venue_id=venue_id, then=Value(0)), default=Value(1), output_field=IntegerField()))
            .select_related("resident").order_by("own", "created_at", "pk")[:limit])


def standby_slots(*, venue_id: int, day, now: datetime, dose_number: int | None = None):
    """The venue's open slots on the day that have not started: where a standby resident can be given a place
    (with its vaccine, to show and to check the age against)."""
    slots = (Slot.objects.filter(venue_id=venue_id, day=day, closed=False, starts_at__gt=now)
             .select_related("vaccine").order_by("starts_at", "pk"))
    if dose_number is not None:
        slots = [slot for slot in slots if slot.serves_dose(dose_number)]
    return slots
