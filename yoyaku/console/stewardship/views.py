"""The same-day standby list (キャンセル待ち) of a venue: today's doses per vaccine with what the last opened
vial will have left, the residents waiting (the venue's own list, then the city's waiting list), putting a
resident on the list, and giving one a place (services.standby_join / standby_book: audited, one transaction).

City admin: every venue. Venue staff: their own venues; another venue, or an entry of another venue's list,
is a 404 (as in the rosters). The ticket number is POSTed; URLs hold only database ids.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yoyaku.booking import reports, rules, services
from yoyaku.booking.errors import BookingError, NotActive
from yoyaku.booking.models import Resident, StandbyEntry
from yoyaku.web.pages import page
from yoyaku.web.request import staff_actor
from yoyaku.web.templatetags.yoyaku_dates import when

from ..roles import CITY_ADMIN, VENUE_STAFF, staff_required
from ..venues.rosters import allowed_venues, venue_for
from .forms import StandbyAddForm, StandbyCallForm

ROLES = (CITY_ADMIN, VENUE_STAFF)


def _entry_for(venue, entry_id: int) -> StandbyEntry:
    """A waiting entry of this venue's list or of the waiting list (any venue); 404 otherwise."""
    entry = (StandbyEntry.objects.select_related("resident", "venue")
             .filter(pk=entry_id, status=StandbyEntry.Status.WAITING).first())
    if entry is None or entry.venue_id not in (None, venue.pk):
        raise Http404
    return entry


@require_GET
@staff_required(*ROLES)
def standby_venues_view(request):
    venues = list(allowed_venues(request.user).filter(active=True))
    return page(request, "console/stewardship/venues.html", {"venues": venues})


@require_http_methods(["GET", "POST"])
@staff_required(*ROLES)
def standby_view(request, venue_id: int):
    venue = venue_for(request.user, venue_id)
    now = timezone.now()
    today = timezone.localdate(now)
    form = StandbyAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        resident = Resident.objects.filter(ticket_number=form.cleaned_data["ticket_number"]).first()
        dose = form.cleaned_data["dose_number"]
        waiting = (StandbyEntry.objects.select_related("venue")
                   .filter(resident=resident, dose_number=dose, status=StandbyEntry.Status.WAITING).first()
                   if resident else None)
        if resident is None:
            form.add_error("ticket_number", _("No resident has this ticket number. Check the number on the ticket."))
        elif not resident.active:
            form.add_error("ticket_number", _("This resident's ticket is no longer active."))
        elif waiting is not None:
            form.add_error(None, _("%(name)s is already waiting for dose %(dose)s (%(list)s).") % {
                "name": resident.full_name, "dose": dose,
                "list": waiting.venue.name if waiting.venue else _("the waiting list, any venue")})
        else:
            try:
                services.standby_join(actor=staff_actor(request), resident=resident, dose_number=dose, venue=venue,
                                      phone=form.cleaned_data["phone"], reason=form.cleaned_data["reason"], now=now)
            except BookingError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("%(name)s is on the standby list for today.") % {
                    "name": resident.full_name})
                return redirect("console:standby", venue_id=venue.pk)
    entries = [{"entry": entry, "age": rules.age_on(entry.resident.birth_date, today)}
               for entry in reports.standby_waiting(venue_id=venue.pk)]
    return page(request, "console/stewardship/standby.html", {
        "venue": venue, "today": today, "vials": reports.vials_today(venue_id=venue.pk, day=today, now=now),
        "entries": entries, "form": form,
    }, forms=[form])


@require_http_methods(["GET", "POST"])
@staff_required(*ROLES)
def standby_call_view(request, venue_id: int, entry_id: int):
    venue = venue_for(request.user, venue_id)
    entry = _entry_for(venue, entry_id)
    now = timezone.now()
    today = timezone.localdate(now)
    slots = reports.standby_slots(venue_id=venue.pk, day=today, now=now, dose_number=entry.dose_number)
    form = StandbyCallForm(request.POST or None, slots=slots)
    if request.method == "POST" and form.is_valid():
        try:
            reservation = services.standby_book(
                actor=staff_actor(request), entry=entry, slot_id=form.cleaned_data["slot"],
                add_place=form.cleaned_data["add_place"], reason=form.cleaned_data["reason"], now=now)
        except NotActive:
            messages.info(request, _("This resident is no longer waiting: someone else gave them a place or "
                                     "took them off the list."))
            return redirect("console:standby", venue_id=venue.pk)
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(name)s has a place: %(when)s, reservation %(code)s.") % {
                "name": entry.resident.full_name, "when": when(reservation.slot.starts_at), "code": reservation.code})
            return redirect(reverse("console:standby", kwargs={"venue_id": venue.pk}))
    return page(request, "console/stewardship/call.html", {
        "venue": venue, "today": today, "entry": entry, "age": rules.age_on(entry.resident.birth_date, today),
        "slots": slots, "form": form, "vials": reports.vials_today(venue_id=venue.pk, day=today, now=now),
    }, forms=[form])
