"""Move-up offers (繰上げ) sent by email, newest first, with their outcomes (city admin, call centre).

An open offer past its time shows as expired. `?status=` filters by outcome; the page reads a fixed number of
queries whatever the number of offers (one page of rows with their slot, venue, reservation and resident).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.http import require_GET

from yoyaku.booking.models import MoveUpOffer
from yoyaku.web.pages import page

from ..roles import CALL_CENTRE, CITY_ADMIN, staff_required

OFFERS_PER_PAGE = 50


@require_GET
@staff_required(CITY_ADMIN, CALL_CENTRE)
def offers_view(request):
    now = timezone.now()
    offers = MoveUpOffer.objects.select_related("slot__venue", "reservation__resident",
                                                  "standby_entry__resident").order_by("-created_at", "-pk")
    status = request.GET.get("status", "")
    if status == MoveUpOffer.Status.EXPIRED:
        offers = offers.filter(Q(status=status) | Q(status=MoveUpOffer.Status.OPEN, expires_at__lte=now))
    elif status == MoveUpOffer.Status.OPEN:
        offers = offers.filter(status=status, expires_at__gt=now)
    elif status in MoveUpOffer.Status.values:
        offers = offers.filter(status=status)
    else:
        status = ""
    offer_page = Paginator(offers, OFFERS_PER_PAGE).get_page(request.GET.get("page"))
    labels = dict(MoveUpOffer.Status.choices)
    rows = [{"offer": offer, "outcome": offer.outcome(now), "label": labels[offer.outcome(now)]}
            for offer in offer_page.object_list]
    return page(request, "console/venues/move_up_offers.html", {
        "rows": rows, "offer_page": offer_page, "status": status, "statuses": MoveUpOffer.Status.choices,
        "filter_query": f"status={status}" if status else "",
    })
