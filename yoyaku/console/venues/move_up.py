"""Move-up (繰上げ): the free places of the coming days with their best candidates, and the move itself.

City admin and call-centre operators (who phone the residents). The list is paginated by slot; each page
reads its candidates in a fixed number of queries (move_up.candidates_for_slots).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yoyaku.booking import move_up, services
from yoyaku.booking.errors import BookingError
from yoyaku.booking.models import Reservation, Slot
from yoyaku.web.pages import page
from yoyaku.web.request import staff_actor
from yoyaku.web.templatetags.yoyaku_dates import when

from ..roles import CALL_CENTRE, CITY_ADMIN, staff_required
from .forms import MoveUpFilterForm, MoveUpForm

SLOTS_PER_PAGE = 20
CANDIDATES_PER_SLOT = 3
CANDIDATES_ON_SLOT_PAGE = 20


@require_GET
@staff_required(CITY_ADMIN, CALL_CENTRE)
def move_up_list_view(request):
    form = MoveUpFilterForm(request.GET or None)
    days, venue = form.values()
    now = timezone.now()
    slots = move_up.free_slots(now=now, days=days, venue_ids=[venue.pk] if venue else None)
    slot_page = Paginator(slots, SLOTS_PER_PAGE).get_page(request.GET.get("page"))
    found = move_up.candidates_for_slots(slots=list(slot_page.object_list), now=now, limit=CANDIDATES_PER_SLOT)
    rows = []
    for slot in slot_page.object_list:
        day = timezone.localdate(slot.starts_at)
        rows.append({"slot": slot, "candidates": [(c, c.days_earlier(day)) for c in found.by_slot[slot.pk]]})
    query = request.GET.copy()
    query.pop("page", None)
    return page(request, "console/venues/move_up_list.html", {
        "form": form, "rows": rows, "slot_page": slot_page, "complete": found.complete, "days": days,
        "filter_query": query.urlencode(),
    }, forms=[form])


@require_http_methods(["GET", "POST"])
@staff_required(CITY_ADMIN, CALL_CENTRE)
def move_up_slot_view(request, slot_id: int):
    slot = get_object_or_404(Slot.objects.select_related("venue", "vaccine"), pk=slot_id)
    now = timezone.now()
    is_free = move_up.free_slots(now=now, days=None).filter(pk=slot.pk).exists()
    found = move_up.candidates(slot=slot, now=now, limit=CANDIDATES_ON_SLOT_PAGE) if is_free else []
    form = MoveUpForm(request.POST or None, candidates=found)
    if request.method == "POST" and is_free and form.is_valid():
        reservation = Reservation.objects.get(pk=form.cleaned_data["reservation"])
        old_slot = reservation.slot
        try:
            moved = services.reservation_move_up(
                actor=staff_actor(request),
                reservation=reservation, slot_id=slot.pk, reason=form.cleaned_data["reason"], now=now,
            )
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _(
                "Moved up: reservation %(code)s is now at %(venue)s, %(when)s. The place it held on %(old)s "
                "is free."
            ) % {"code": moved.code, "venue": slot.venue.name, "when": when(slot.starts_at),
                 "old": when(old_slot.starts_at)})
            return redirect(reverse("console:move_up"))
    day = timezone.localdate(slot.starts_at)
    return page(request, "console/venues/move_up_slot.html", {
        "slot": slot, "is_free": is_free, "candidates": [(c, c.days_earlier(day)) for c in found],
        "form": form, "chosen": str(form["reservation"].value() or ""),
    }, forms=[form])
