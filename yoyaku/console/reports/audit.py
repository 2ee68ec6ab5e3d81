"""The audit log (city admin): filter by resident, staff member, action and dates, paginated; and the CSV
export of reservations with filters.

A resident is chosen by ticket number in a POSTed form (the number never goes into a URL); the page then
filters by the resident's database id (`?resident=<id>`), which the resident links on the page also use.
"""

from __future__ import annotations

import csv

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yoyaku.booking import reports, services
from yoyaku.booking.models import Resident
from yoyaku.web.pages import page
from yoyaku.web.request import staff_actor

from ..exports import csv_cell
from ..roles import CITY_ADMIN, staff_required
from .forms import SECURITY, AuditFilterForm, AuditResidentForm, ReservationExportForm

EVENTS_PER_PAGE = 50

# --- Pages ----------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required(CITY_ADMIN)
def audit_view(request):
    ticket_form = AuditResidentForm(request.POST or None)
    if request.method == "POST" and ticket_form.is_valid():
        resident = Resident.objects.filter(ticket_number=ticket_form.cleaned_data["ticket_number"]).first()
        if resident is not None:
            return redirect(f"{reverse('console:audit')}?resident={resident.pk}")
        ticket_form.add_error("ticket_number", _("No resident has this ticket number."))
    form = AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {"resident_id": data["resident"], "user": data["staff"], "action": data["action"],
                   "date_from": data["date_from"], "date_to": data["date_to"]}
    resident = Resident.objects.filter(pk=filters["resident_id"]).first() if filters.get("resident_id") else None
    security = filters.get("action") == SECURITY
    if security:
        filters["action"] = ""
    events = reports.audit_events(**filters)
    if security:  # failed logins, lockouts, second-factor failures (issue 18)
        events = events.filter(action__in=services.SECURITY_ACTIONS)
    events = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    without_resident = query.copy()
    without_resident.pop("resident", None)
    return page(request, "console/reports/audit.html", {
        "form": form, "ticket_form": ticket_form, "events": events, "resident": resident,
        "filter_query": query.urlencode(), "without_resident_query": without_resident.urlencode(),
    }, forms=[ticket_form, form])


class _Echo:
    def write(self, value):
        return value


@require_GET
@staff_required(CITY_ADMIN)
def reservations_export_view(request):
    """The form; with `download`, the CSV (streamed: a month of a city is tens of thousands of rows)."""
    form = ReservationExportForm(request.GET or None,
                                 initial=ReservationExportForm.default_range(timezone.localdate()))
    if form.is_bound and "download" in request.GET and form.is_valid():
        data = form.cleaned_data
        services.audit_record(
            actor=staff_actor(request),
            action="reservations.export",
            data={"from": data["date_from"].isoformat(), "to": data["date_to"].isoformat(),
                  "venue": data["venue"].pk if data["venue"] else None, "status": data["status"]},
        )
        rows = reports.reservations_for_export(date_from=data["date_from"], date_to=data["date_to"],
                                               venue=data["venue"], status=data["status"])
        filename = f"reservations-{data['date_from'].isoformat()}-{data['date_to'].isoformat()}.csv"
        response = StreamingHttpResponse(_csv_lines(rows, language=translation.get_language()),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return page(request, "console/reports/export.html", {"form": form}, forms=[form])


def _csv_lines(reservations, *, language: str):
    # Streamed after the view has returned: the page's language is set again for the headers and labels.
    with translation.override(language):
        yield from _csv_rows(reservations)


def _csv_rows(reservations):
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff".encode()  # the BOM: Excel then reads UTF-8
    yield writer.writerow([
        _("Reservation ID"), _("Status"), _("Dose"), _("Date"), _("Time"), _("Venue code"), _("Venue"), _("Vaccine"),
        _("Ticket number"), _("Name"), _("Kana"), _("Date of birth"), _("Phone"), _("Channel"),
        _("Wants an earlier date"), _("Booked at"), _("Cancelled at"),
    ]).encode()
    for r in reservations.iterator(chunk_size=2000):
        starts = timezone.localtime(r.slot.starts_at)
        resident = r.resident
        yield writer.writerow([csv_cell(value) for value in (
            r.code, r.get_status_display(), r.dose_number, starts.date(), f"{starts:%H:%M}", r.slot.venue.code,
            r.slot.venue.name, r.slot.vaccine.name, resident.ticket_number, resident.full_name,
            f"{resident.family_name_kana} {resident.given_name_kana}".strip(), resident.birth_date,
            r.recipient_phone or resident.phone, r.get_channel_display(), _("yes") if r.wants_move_up else _("no"),
            f"{timezone.localtime(r.created_at):%Y-%m-%d %H:%M}",
            f"{timezone.localtime(r.cancelled_at):%Y-%m-%d %H:%M}" if r.cancelled_at else "",
        )]).encode()

