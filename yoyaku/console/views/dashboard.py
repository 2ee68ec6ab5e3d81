"""The dashboard (city admin): per day and venue, capacity, booked, free, cancellations, and the doses that
opened vials would waste; bookings and cancellations in the last hour.

Read from the slot counters and from aggregates, never row by row: a fixed number of queries, whatever the
number of residents, slots or reservations (tests/console/test_dashboard.py pins it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Sum
from django.utils import timezone
from django.views.decorators.http import require_GET

from yoyaku.booking.models import AuditEvent, Reservation, Slot
from yoyaku.web.pages import page

from ..forms_venues import DashboardForm
from ..roles import CITY_ADMIN, staff_required

# --- The pure rule ------------------------------------------------------------------------------------


def vials_and_waste(*, booked: int, doses_per_vial: int) -> tuple[int, int]:
    """Vials opened for `booked` doses, and the doses left in the last one (wasted unless someone else
    comes): vials = ceil(booked / doses per vial), waste = vials x doses per vial - booked."""
    if booked <= 0:
        return 0, 0
    per_vial = max(1, doses_per_vial)
    vials = -(-booked // per_vial)
    return vials, vials * per_vial - booked


# --- Reads ----------------------------------------------------------------------------------------------


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
        vials, waste = vials_and_waste(booked=row["booked"], doses_per_vial=row["vaccine__doses_per_vial"])
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


# --- Page -----------------------------------------------------------------------------------------------


@require_GET
@staff_required(CITY_ADMIN)
def dashboard_view(request):
    form = DashboardForm(request.GET or None)
    now = timezone.now()
    start, days, venue = timezone.localdate(now), 7, None
    if form.is_bound and form.is_valid():
        start = form.cleaned_data["day"] or start
        days = form.cleaned_data["days"] or days
        venue = form.cleaned_data["venue"]
    day_rows, overall = dashboard_figures(start=start, days=days, venue_id=venue.pk if venue else None)
    return page(request, "console/venues/dashboard.html", {
        "form": form, "start": start, "end": start + timedelta(days=days - 1), "days": days, "venue": venue,
        "day_rows": day_rows, "overall": overall, "last_hour": last_hour(now=now), "now": now,
    }, forms=[form])
