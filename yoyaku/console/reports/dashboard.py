"""The dashboard (city admin): per day and venue, capacity, booked, free, cancellations, and the doses that
opened vials would waste; bookings and cancellations in the last hour; the period's stewardship figures
(freed places refilled before their day, doses left in the vials opened for the check-ins).

Read from the slot counters and from aggregates, never row by row: a fixed number of queries, whatever the
number of residents, slots or reservations (tests/console/test_dashboard.py pins it).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.views.decorators.http import require_GET

from yoyaku.booking import reports
from yoyaku.web.pages import page

from ..roles import CITY_ADMIN, staff_required
from .forms import DashboardForm

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
    day_rows, overall = reports.dashboard_figures(start=start, days=days, venue_id=venue.pk if venue else None)
    return page(request, "console/reports/dashboard.html", {
        "form": form, "start": start, "end": start + timedelta(days=days - 1), "days": days, "venue": venue,
        "day_rows": day_rows, "overall": overall, "last_hour": reports.last_hour(now=now), "now": now,
        "stewardship": reports.stewardship_figures(start=start, days=days, venue_id=venue.pk if venue else None),
    }, forms=[form])
