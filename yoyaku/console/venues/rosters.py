"""Rosters per venue and day (page, A4 print view, CSV, Excel), check-in with the lot number, no-shows.

City admin: every venue. Venue staff: only the venues of their StaffProfile; another venue's roster, or a
reservation at another venue, is a 404 (its existence is not revealed), whatever id or code is typed.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yoyaku.booking import reports, rules, selectors, services
from yoyaku.booking.errors import BookingError
from yoyaku.booking.models import Reservation, Venue
from yoyaku.web.pages import page
from yoyaku.web.query import day_or_404
from yoyaku.web.request import staff_actor
from yoyaku.web.templatetags.yoyaku_dates import clock

from ..exports import csv_response, xlsx_response
from ..roles import CITY_ADMIN, VENUE_STAFF, staff_required, venue_ids_of
from .forms import CheckInForm, DayForm, NoShowForm

ROLES = (CITY_ADMIN, VENUE_STAFF)
LOT_SESSION_KEY = "console:last-lot:{venue}"

# --- Reads ------------------------------------------------------------------------------------------------


def allowed_venues(user):
    """The venues whose rosters this user may see."""
    venue_ids = venue_ids_of(user)
    venues = Venue.objects.order_by("area", "code")
    return venues if venue_ids is None else venues.filter(pk__in=venue_ids)


def venue_for(user, venue_id: int) -> Venue:
    """The venue, or 404 for a venue this user may not see (as for one that does not exist)."""
    venue_ids = venue_ids_of(user)
    if venue_ids is not None and venue_id not in venue_ids:
        raise Http404
    return get_object_or_404(Venue, pk=venue_id)


def reservation_for(user, code: str) -> Reservation:
    """The reservation by its code, or 404: also for a reservation at a venue this user may not see."""
    reservation = selectors.reservation_by_code(code, venue_ids=venue_ids_of(user))
    if reservation is None:
        raise Http404
    return reservation


def _columns():
    return [_("Time"), _("Reservation ID"), _("Ticket number"), _("Name"), _("Kana"), _("Date of birth"), _("Age"),
            _("Dose"), _("Vaccine"), _("Status"), _("Phone"), _("Lot number")]


def roster_table(reservations, day: date) -> list[list]:
    rows = []
    for r in reservations:
        resident = r.resident
        record = getattr(r, "dose_record", None)
        rows.append([
            clock(r.slot.starts_at), r.code, resident.ticket_number, resident.full_name,
            f"{resident.family_name_kana} {resident.given_name_kana}".strip(), resident.birth_date,
            rules.age_on(resident.birth_date, day), r.dose_number, r.slot.vaccine.name, r.get_status_display(),
            r.recipient_phone or resident.phone, record.lot if record else "",
        ])
    return rows


# --- Pages ------------------------------------------------------------------------------------------------


@require_GET
@staff_required(*ROLES)
def rosters_view(request):
    form = DayForm(request.GET or None)
    day = timezone.localdate()
    if form.is_bound and form.is_valid() and form.cleaned_data["day"]:
        day = form.cleaned_data["day"]
    venues = list(allowed_venues(request.user))
    counts = reports.day_counts(venues=venues, day=day)
    rows = [{"venue": venue, **counts.get(venue.pk, {})} for venue in venues if venue.active or venue.pk in counts]
    return page(request, "console/venues/rosters.html", {
        "form": form, "day": day, "rows": rows, "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
    }, forms=[form])


def _roster_context(request, venue_id: int, day_text: str) -> dict:
    venue = venue_for(request.user, venue_id)
    day = day_or_404(day_text)
    reservations = list(reports.roster(venue=venue, day=day))
    counts = reports.day_counts(venues=[venue], day=day).get(venue.pk, {})
    return {"venue": venue, "day": day, "reservations": reservations, "counts": counts,
            "waiting": sum(1 for r in reservations if r.status == Reservation.Status.BOOKED),
            "previous_day": day - timedelta(days=1), "next_day": day + timedelta(days=1),
            "today": timezone.localdate()}


@require_GET
@staff_required(*ROLES)
def roster_view(request, venue_id: int, day: str):
    return render(request, "console/venues/roster.html", _roster_context(request, venue_id, day))


@require_GET
@staff_required(*ROLES)
def roster_print_view(request, venue_id: int, day: str):
    context = _roster_context(request, venue_id, day)
    context["printed_at"] = timezone.localtime()
    return render(request, "console/venues/roster_print.html", context)


def _export(request, venue_id: int, day_text: str, kind: str) -> HttpResponse:
    venue = venue_for(request.user, venue_id)
    day = day_or_404(day_text)
    rows = roster_table(reports.roster(venue=venue, day=day), day)
    services.audit_record(actor=staff_actor(request),
                          action="roster.export", obj=venue,
                          data={"venue": venue.pk, "day": day.isoformat(), "format": kind, "rows": len(rows)})
    filename = f"roster-{venue.code}-{day.isoformat()}.{kind}"
    if kind == "csv":
        return csv_response(filename=filename, header=_columns(), rows=rows)
    return xlsx_response(filename=filename, title=f"{venue.code} {day.isoformat()}", header=_columns(), rows=rows)


@require_GET
@staff_required(*ROLES)
def roster_csv_view(request, venue_id: int, day: str):
    return _export(request, venue_id, day, "csv")


@require_GET
@staff_required(*ROLES)
def roster_xlsx_view(request, venue_id: int, day: str):
    return _export(request, venue_id, day, "xlsx")


def _roster_url(reservation: Reservation) -> str:
    day = timezone.localdate(reservation.slot.starts_at)
    return reverse("console:roster", kwargs={"venue_id": reservation.slot.venue_id, "day": day.isoformat()})


@require_http_methods(["GET", "POST"])
@staff_required(*ROLES)
def check_in_view(request, code: str):
    reservation = reservation_for(request.user, code)
    lot_key = LOT_SESSION_KEY.format(venue=reservation.slot.venue_id)
    initial = {"lot": request.session.get(lot_key, "")}
    form = CheckInForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.reservation_check_in(
                actor=staff_actor(request),
                reservation=reservation, lot=form.cleaned_data["lot"], reason=form.cleaned_data["reason"],
            )
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            request.session[lot_key] = record.lot  # the next person is usually from the same vial
            messages.success(request, _("Dose %(dose)d recorded for reservation %(code)s (lot %(lot)s).") % {
                "dose": record.dose_number, "code": reservation.code, "lot": record.lot})
            return redirect(f"{_roster_url(reservation)}#r-{reservation.code}")
    return page(request, "console/venues/check_in.html", {
        "reservation": reservation, "form": form, "roster_url": _roster_url(reservation),
        "day": timezone.localdate(reservation.slot.starts_at), "today": timezone.localdate(),
    }, forms=[form])


@require_http_methods(["GET", "POST"])
@staff_required(*ROLES)
def no_show_view(request, code: str):
    reservation = reservation_for(request.user, code)
    form = NoShowForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reservation_mark_no_show(
                actor=staff_actor(request),
                reservation=reservation, reason=form.cleaned_data["reason"],
            )
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Reservation %(code)s marked as a no-show.") % {"code": reservation.code})
            return redirect(f"{_roster_url(reservation)}#r-{reservation.code}")
    return page(request, "console/venues/no_show.html", {
        "reservation": reservation, "form": form, "roster_url": _roster_url(reservation),
        "day": timezone.localdate(reservation.slot.starts_at), "today": timezone.localdate(),
    }, forms=[form])
