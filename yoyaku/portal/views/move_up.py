"""Move-up offers (繰上げ): the page the emailed link opens, where the resident accepts an earlier time.

Only the resident the offer was made to sees it (logged in; another resident gets a 404, like another
resident's reservation). An offer already used, expired, or taken by someone else shows a page saying so,
and that the reservation has not changed. An offer to a waiting-list entry (no reservation yet) books the time.
"""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yoyaku.booking import services
from yoyaku.booking.errors import OfferClosed
from yoyaku.booking.models import MoveUpOffer, StandbyEntry
from yoyaku.web.pages import page
from yoyaku.web.request import client_address

from ..session import current_resident, resident_required


def _closed(request, offer: MoveUpOffer, status: str):
    return page(request, "portal/move_up_closed.html", {
        "nav": "history", "offer": offer, "message": OfferClosed(status=status).message,
        "reservation": offer.reservation, "entry": offer.standby_entry,
    })


@resident_required
@require_http_methods(["GET", "POST"])
def offer_view(request, token: str):
    resident = current_resident(request)
    # An offer to move a reservation of theirs, or to their waiting-list entry (no reservation yet).
    offer = (MoveUpOffer.objects.select_related("slot__venue", "slot__vaccine", "reservation__slot__venue",
                                                "reservation__slot__vaccine", "standby_entry")
             .filter(Q(reservation__resident=resident) | Q(standby_entry__resident=resident), token=token).first())
    if offer is None:
        raise Http404
    if request.method == "POST":
        try:
            result = services.move_up_offer_accept(
                actor=services.Actor.for_resident(resident, client_address=client_address(request)), token=token)
        except OfferClosed as closed:
            return _closed(request, offer, closed.status)
        except (MoveUpOffer.DoesNotExist, services.NotYours):
            raise Http404 from None
        if result.status != MoveUpOffer.Status.ACCEPTED:
            if offer.reservation is not None:
                offer.reservation.refresh_from_db()
            return _closed(request, offer, result.status)
        if offer.standby_entry is not None:
            booked = StandbyEntry.objects.select_related("reservation").get(pk=offer.standby_entry_id).reservation
            messages.success(request, _("Done: the time is booked for you, and you are off the waiting list."))
            return redirect("portal:detail", code=booked.code)
        messages.success(request, _("Done: your reservation has been moved to the earlier time."))
        return redirect("portal:detail", code=offer.reservation.code)
    outcome = offer.outcome()
    if outcome == MoveUpOffer.Status.OPEN and offer.slot.booked >= offer.slot.capacity:
        outcome = MoveUpOffer.Status.TAKEN  # as it will be when accepted: say so now
    if outcome != MoveUpOffer.Status.OPEN:
        return _closed(request, offer, outcome)
    return page(request, "portal/move_up.html", {"nav": "history" if offer.reservation else "top", "offer": offer,
                                                 "reservation": offer.reservation, "entry": offer.standby_entry})
