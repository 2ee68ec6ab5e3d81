"""Check-in by QR code (QRコードで受付) at one venue and day: the phone's camera reads the QR code of the
resident's confirmation (screen, printout or email), or staff type the 予約ID; staff check the person against
what the page shows, then record the dose with the session's lot number (the desk's, per venue).

The page works without JavaScript (typing the 予約ID). static/js/scan.js adds the camera: the browser's
BarcodeDetector where it reads QR codes, else the vendored jsQR (static/vendor/jsqr-1.4.0/), loaded only
then; and "read from a photo" (a file input) for a phone whose camera the browser may not use. What was
read is POSTed like a typed 予約ID (never in a URL); services.reservation_check_in_verify says who it is or
why not (forged code, wrong venue or day, already checked in, cancelled, no-show), and
services.reservation_check_in_scanned records the dose (audited as dose.record, via qr or id).

Permissions-Policy: camera=(self) on this page only; every other page keeps camera=().
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yoyaku.booking import services
from yoyaku.booking.errors import BookingError
from yoyaku.web.pages import page
from yoyaku.web.request import staff_actor

from ..roles import staff_required, venue_ids_of
from .desk import desk_start, lot_set
from .forms import ScanForm
from .rosters import ROLES

PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=()"


@require_http_methods(["GET", "POST"])
@staff_required(*ROLES)
def scan_view(request, venue_id: int, day: str):
    venue, day, url, lot, lot_form = desk_start(request, venue_id, day, "console:desk_scan")
    form = ScanForm()
    found, scanned = None, ""
    if request.method == "POST":
        if "set_lot" in request.POST:
            lot_form, saved = lot_set(request, venue)
            if saved:
                return redirect(url)
        elif "check_in" in request.POST:
            return _check_in(request, venue, day, url, lot)
        else:
            form = ScanForm(request.POST)
            if form.is_valid():
                scanned = form.cleaned_data["scanned"]
                try:
                    found = services.reservation_check_in_verify(
                        actor=staff_actor(request), venue=venue, day=day, scanned=scanned,
                        venue_ids=venue_ids_of(request.user))
                except BookingError as error:
                    form.add_error("scanned", error.message)
                else:
                    form = ScanForm()  # empty for the next person; the code read goes with the button
    response = page(request, "console/venues/scan.html", {
        "venue": venue, "day": day, "today": timezone.localdate(), "lot": lot, "lot_form": lot_form,
        "form": form, "found": found, "scanned": scanned,
        "desk_url": reverse("console:desk", kwargs={"venue_id": venue.pk, "day": day.isoformat()}),
    }, forms=[lot_form, form])
    response["Permissions-Policy"] = PERMISSIONS_POLICY
    return response


def _check_in(request, venue, day, url: str, lot: str):
    """Record the dose for the person confirmed on the page, then back to the scanner for the next one."""
    if not lot:
        messages.error(request, _("Set the lot number of the vial first."))
        return redirect(url + "#lot")
    try:
        record = services.reservation_check_in_scanned(
            actor=staff_actor(request), venue=venue, day=day, scanned=request.POST.get("check_in", "")[:200],
            lot=lot, venue_ids=venue_ids_of(request.user))
    except BookingError as error:
        messages.error(request, error.message)
        return redirect(url)
    reservation = record.reservation
    messages.success(request, _("%(name)s: dose %(dose)d recorded (reservation %(code)s, lot %(lot)s).") % {
        "name": reservation.resident.full_name, "dose": record.dose_number, "code": reservation.code,
        "lot": record.lot})
    return redirect(url)
