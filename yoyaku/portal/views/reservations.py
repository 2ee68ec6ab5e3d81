"""Reservation history (予約履歴), detail (詳細), the contact details (連絡先などの変更), cancel (キャンセル),
the printable confirmation and the calendar file."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yoyaku.booking import deadline, rules, services
from yoyaku.booking.errors import BookingError
from yoyaku.booking.models import Reservation
from yoyaku.booking.services.reservations import reservation_update_details
from yoyaku.notify.conf import mail_host
from yoyaku.notify.ics import reservation_ics
from yoyaku.web.forms import DetailsForm
from yoyaku.web.pages import page

from ..session import booking_for, resident_required
from .common import own_reservation, resident_actor


@resident_required
def history_view(request):
    reservations = (
        Reservation.objects.filter(resident=booking_for(request))
        .select_related("slot__venue", "slot__vaccine")
        .order_by("dose_number", "-created_at")
    )
    return page(request, "portal/history.html", {"nav": "history", "reservations": reservations})


def _web_actions(reservation) -> dict:
    last = deadline.web_deadline(reservation.slot.starts_at)
    open_ = reservation.is_active and rules.within_web_deadline(timezone.now(), last)
    return {"can_edit": open_, "deadline": last, "past_deadline": reservation.is_active and not open_}


@resident_required
def detail_view(request, code: str):
    reservation = own_reservation(request, code)
    return page(request, "portal/detail.html", {"nav": "history", "reservation": reservation,
                                                **_web_actions(reservation)})


def _details_initial(reservation) -> dict:
    return {
        "booker": DetailsForm.BOOKER_PROXY if reservation.booker_name else DetailsForm.BOOKER_SELF,
        "booker_name": reservation.booker_name, "booker_relation": reservation.booker_relation,
        "booker_phone": reservation.booker_phone, "recipient_phone": reservation.recipient_phone,
        "email": reservation.email, "wants_move_up": "yes" if reservation.wants_move_up else "no",
    }


@resident_required
@require_http_methods(["GET", "POST"])
def details_view(request, code: str):
    """The contact details, the proxy booker and the move-up wish, changed by the resident up to the web
    deadline (編集 changes the date and time; this changes who we call and write to)."""
    reservation = own_reservation(request, code)
    if not _web_actions(reservation)["can_edit"]:
        return redirect("portal:detail", code=reservation.code)
    if request.method == "POST":
        form = DetailsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                changed = reservation_update_details(
                    actor=resident_actor(request),
                    reservation=reservation, recipient_phone=data["recipient_phone"],
                    booker_name=data["booker_name"], booker_relation=data["booker_relation"],
                    booker_phone=data["booker_phone"], email=data["email"],
                    wants_move_up=data["wants_move_up"] == "yes",
                )
            except BookingError as error:
                messages.error(request, error.message)
            else:
                if changed:
                    messages.success(request, _("Your details have been changed."))
                else:
                    messages.info(request, _("Nothing was changed."))
            return redirect("portal:detail", code=reservation.code)
    else:
        form = DetailsForm(initial=_details_initial(reservation))
    return page(request, "portal/details.html", {"nav": "history", "reservation": reservation,
                                                 "details_form": form, **_web_actions(reservation)},
                forms=[form])


@resident_required
@require_http_methods(["GET", "POST"])
def cancel_view(request, code: str):
    reservation = own_reservation(request, code)
    if request.method == "POST":
        try:
            services.reservation_cancel(
                actor=resident_actor(request),
                reservation=reservation,
            )
        except BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your reservation has been cancelled."))
        return redirect("portal:detail", code=reservation.code)
    actions = _web_actions(reservation)
    if not actions["can_edit"]:
        return redirect("portal:detail", code=reservation.code)
    return page(request, "portal/cancel.html", {"nav": "history", "reservation": reservation})


@resident_required
def print_view(request, code: str):
    """The confirmation to print (A4) or keep on the phone: 予約ID, when, where, the map, what to bring."""
    reservation = own_reservation(request, code)
    return page(request, "portal/print.html", {"nav": "history", "reservation": reservation,
                                               "resident": booking_for(request), **_web_actions(reservation)})


@resident_required
def ics_view(request, code: str):
    reservation = own_reservation(request, code)
    slot = reservation.slot
    body = reservation_ics(
        code=reservation.code, dose_number=reservation.dose_number, starts_at=slot.starts_at, ends_at=slot.ends_at,
        # The venue in the page's language; the Japanese address, the one calendar and map apps find.
        venue_name=slot.venue.local_name, venue_address=slot.venue.address,
        summary=_("Vaccination (dose %(dose)d)") % {"dose": reservation.dose_number},
        description=_("Reservation ID: %(code)s") % {"code": reservation.code},
        host=mail_host(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vaccination-{reservation.code}.ics"'
    return response
