"""The venue's desk on a phone (受付): the day's people at one venue in big rows, found by name, kana, 予約ID or
ticket number, checked in with one tap using the lot number set once for the session.

The lot number is kept in the session per venue (the next people are usually from the same vial), as the
check-in page already did; the desk asks for it before it offers the one-tap button. What is typed in the
search box is POSTed and kept in the session per venue and day (a name never goes into a URL), like the
residents search. The one-tap check-in is the same service call as the full check-in page
(`services.reservation_check_in`), so the day rule, the dose rules and the audit are the same.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yoyaku.booking import reports, search, selectors, services
from yoyaku.booking.errors import BookingError
from yoyaku.booking.models import Reservation
from yoyaku.web.pages import page
from yoyaku.web.query import day_or_404
from yoyaku.web.request import staff_actor
from yoyaku.web.templatetags import yoyaku_dates

from ..roles import staff_required
from .forms import DeskSearchForm, LotForm
from .rosters import LOT_SESSION_KEY, ROLES, venue_for

SEARCH_SESSION_KEY = "console:desk-search:{venue}:{day}"


def desk_start(request, venue_id: int, day_text: str, url_name: str):
    """What the desk and the QR scanner (scan.py) start with: the venue (404 if not this user's), the day, the
    page's URL, the session's lot number for the venue and its form."""
    venue = venue_for(request.user, venue_id)
    day = day_or_404(day_text)
    url = reverse(url_name, kwargs={"venue_id": venue.pk, "day": day.isoformat()})
    lot = request.session.get(LOT_SESSION_KEY.format(venue=venue.pk), "")
    return venue, day, url, lot, LotForm(prefix="lot", initial={"lot": lot})


def lot_set(request, venue) -> tuple[LotForm, bool]:
    """The lot number POSTed (`set_lot`): kept in the session for the venue's next check-ins (True), or the
    form with its error (False)."""
    lot_form = LotForm(request.POST, prefix="lot")
    if not lot_form.is_valid():
        return lot_form, False
    request.session[LOT_SESSION_KEY.format(venue=venue.pk)] = lot_form.cleaned_data["lot"]
    messages.success(request, _("Lot number %(lot)s is used for the next check-ins.")
                     % {"lot": lot_form.cleaned_data["lot"]})
    return lot_form, True


@require_http_methods(["GET", "POST"])
@staff_required(*ROLES)
def desk_view(request, venue_id: int, day: str):
    venue, day, url, lot, lot_form = desk_start(request, venue_id, day, "console:desk")
    search_key = SEARCH_SESSION_KEY.format(venue=venue.pk, day=day.isoformat())
    search_form = DeskSearchForm(initial={"q": request.session.get(search_key, "")})
    if request.method == "POST":
        if "check_in" in request.POST:
            return _check_in(request, venue, day, url)
        if "set_lot" in request.POST:
            lot_form, saved = lot_set(request, venue)
            if saved:
                return redirect(url)
        elif "clear" in request.POST:
            request.session.pop(search_key, None)
            return redirect(url)
        else:
            search_form = DeskSearchForm(request.POST)
            if search_form.is_valid():
                request.session[search_key] = search_form.cleaned_data["q"]
                return redirect(url + "#people")
    typed = request.session.get(search_key, "")
    everyone = list(reports.roster(venue=venue, day=day))
    shown = search.roster_filter(everyone, typed)
    waiting = [r for r in shown if r.status == Reservation.Status.BOOKED]
    return page(request, "console/venues/desk.html", {
        "venue": venue, "day": day, "today": timezone.localdate(), "lot": lot,
        "lot_form": lot_form, "search_form": search_form, "typed": typed,
        "waiting": waiting, "others": [r for r in shown if r.status != Reservation.Status.BOOKED],
        "total": len(everyone), "total_waiting": sum(1 for r in everyone if r.status == Reservation.Status.BOOKED),
        "roster_url": reverse("console:roster", kwargs={"venue_id": venue.pk, "day": day.isoformat()}),
    }, forms=[lot_form, search_form])


def _check_in(request, venue, day, url: str):
    """One tap: check the person in with the session's lot number, then back to the desk at the list."""
    reservation = selectors.reservation_by_code(request.POST.get("check_in", "")[:20], venue_ids=[venue.pk])
    if reservation is None:  # malformed, or not at this venue
        messages.error(request, _("No reservation with this ID at this venue."))
        return redirect(url + "#people")
    appointment_day = timezone.localdate(reservation.slot.starts_at)
    if appointment_day != day:
        messages.error(request, _("Reservation %(code)s is for %(date)s, not this day.") % {
            "code": reservation.code, "date": yoyaku_dates.day(appointment_day)})
        return redirect(url + "#people")
    lot = request.session.get(LOT_SESSION_KEY.format(venue=venue.pk), "")
    if not lot:
        messages.error(request, _("Set the lot number of the vial first."))
        return redirect(url + "#lot")
    try:
        record = services.reservation_check_in(actor=staff_actor(request), reservation=reservation, lot=lot)
    except BookingError as error:
        messages.error(request, _("%(name)s (%(code)s): %(message)s") % {
            "name": reservation.resident.full_name, "code": reservation.code, "message": error.message})
        return redirect(url + "#people")
    messages.success(request, _("%(name)s: dose %(dose)d recorded (reservation %(code)s, lot %(lot)s).") % {
        "name": reservation.resident.full_name, "dose": record.dose_number, "code": reservation.code,
        "lot": record.lot})
    return redirect(url + "#people")
