"""Slots (city admins): a venue's days, a day's slots, one slot (capacity), closing and reopening, and
generating slots from a pattern with a preview, exactly as `manage.py generate_slots` does.

Closing keeps the reservations booked; the day's page and the slot's page then list the residents who
must be called (name, phones, reservation ID, time). URLs carry only venue and slot ids and dates.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from yoyaku.booking import selectors, services
from yoyaku.booking.errors import BookingError
from yoyaku.booking.models import Slot, Venue
from yoyaku.web.pages import page
from yoyaku.web.query import day_or_404, query_day

from ..forms import ReasonForm
from .common import actor, admin_only
from .forms import CapacityForm, SlotsGenerateForm

DAYS_SHOWN = 42  # six weeks of a venue's days on one page


def _slots_url(venue, first_day) -> str:
    return reverse("console:setup_slots") + "?" + urlencode({"venue": venue.pk, "from": first_day.isoformat()})


def _day_url(venue_id: int, day) -> str:
    return reverse("console:setup_venue_day", kwargs={"venue_id": venue_id, "day": day.isoformat()})


@admin_only
@require_GET
def slots_view(request):
    """Choose a venue; see its days with slots (six weeks from `from`), each linking to the day."""
    venues = list(Venue.objects.order_by("area", "code"))
    today = timezone.localdate()
    bad_day = bool(request.GET.get("from")) and query_day(request.GET.get("from")) is None
    first_day = query_day(request.GET.get("from")) or today
    problems = []
    if bad_day:
        problems.append(_("The first day in the address is not a date (YYYY-MM-DD); showing from today."))
    venue = None
    venue_param = (request.GET.get("venue") or "").strip()
    if venue_param:
        venue = next((v for v in venues if str(v.pk) == venue_param), None)
        if venue is None:
            problems.append(_("There is no such venue. Choose a venue from the list."))
    last_day = first_day + timedelta(days=DAYS_SHOWN - 1)
    days = selectors.venue_day_totals(venue=venue, first_day=first_day, last_day=last_day) if venue else []
    for row in days:
        row["url"] = _day_url(venue.pk, row["day"])
    context = {
        "venues": venues, "venue": venue, "days": days, "first_day": first_day, "last_day": last_day,
        "problems": problems,
    }
    if venue:
        context["earlier_url"] = _slots_url(venue, first_day - timedelta(days=DAYS_SHOWN))
        context["later_url"] = _slots_url(venue, first_day + timedelta(days=DAYS_SHOWN))
    return page(request, "console/setup/slots.html", context)


def _to_call(slots):
    return list(selectors.reservations_to_call(slot_ids=[slot.pk for slot in slots if slot.closed]))


@admin_only
@require_GET
def venue_day_view(request, venue_id: int, day: str):
    venue = get_object_or_404(Venue, pk=venue_id)
    day = day_or_404(day)
    slots = list(selectors.venue_day_slots(venue=venue, day=day))
    now = timezone.now()
    context = {
        "venue": venue, "day": day, "slots": slots, "to_call": _to_call(slots),
        "can_close_day": any(not slot.closed and slot.starts_at > now for slot in slots),
        "previous_url": _day_url(venue.pk, day - timedelta(days=1)),
        "next_url": _day_url(venue.pk, day + timedelta(days=1)),
        "slots_url": _slots_url(venue, day),
        "totals": {"capacity": sum(s.capacity for s in slots), "booked": sum(s.booked for s in slots),
                   "free": sum(s.free for s in slots if not s.closed), "closed": sum(1 for s in slots if s.closed)},
    }
    return page(request, "console/setup/venue_day.html", context)


def _slot(slot_id: int) -> Slot:
    return get_object_or_404(Slot.objects.select_related("venue", "vaccine"), pk=slot_id)


def _slot_context(slot) -> dict:
    return {"slot": slot, "day_url": _day_url(slot.venue_id, slot.day),
            "started": slot.starts_at <= timezone.now()}


@admin_only
@require_http_methods(["GET", "POST"])
def slot_view(request, slot_id: int):
    """One slot: its numbers, a capacity change (never below what is booked), the residents to call if closed."""
    slot = _slot(slot_id)
    form = CapacityForm(request.POST if request.method == "POST" else None, initial={"capacity": slot.capacity})
    if request.method == "POST" and form.is_valid():
        try:
            services.slot_set_capacity(actor=actor(request), slot=slot, capacity=form.cleaned_data["capacity"],
                                       reason=form.cleaned_data["reason"])
        except BookingError as error:
            form.add_error("capacity", error.message)
        else:
            messages.success(request, _("The capacity is now %(capacity)d.") % {"capacity": form.cleaned_data[
                "capacity"]})
            return redirect("console:setup_slot", slot_id=slot.pk)
    context = {**_slot_context(slot), "form": form, "to_call": _to_call([slot])}
    return page(request, "console/setup/slot.html", context, forms=[form])


@admin_only
@require_http_methods(["GET", "POST"])
def slot_close_view(request, slot_id: int):
    slot = _slot(slot_id)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.slot_close(actor=actor(request), slot=slot, reason=form.cleaned_data["reason"])
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            if result.closed:
                messages.success(request, ngettext(
                    "The slot is closed. %(n)d resident must be called: see the list below.",
                    "The slot is closed. %(n)d residents must be called: see the list below.",
                    result.to_call) % {"n": result.to_call})
            else:
                messages.info(request, _("This slot was already closed."))
            return redirect("console:setup_slot", slot_id=slot.pk)
    return page(request, "console/setup/slot_close.html", {**_slot_context(slot), "form": form}, forms=[form])


@admin_only
@require_http_methods(["GET", "POST"])
def slot_reopen_view(request, slot_id: int):
    slot = _slot(slot_id)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            reopened = services.slot_reopen(actor=actor(request), slot=slot, reason=form.cleaned_data["reason"])
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The slot is open for booking again.") if reopened
                             else _("This slot was not closed."))
            return redirect("console:setup_slot", slot_id=slot.pk)
    return page(request, "console/setup/slot_reopen.html", {**_slot_context(slot), "form": form}, forms=[form])


@admin_only
@require_http_methods(["GET", "POST"])
def venue_day_close_view(request, venue_id: int, day: str):
    venue = get_object_or_404(Venue, pk=venue_id)
    day = day_or_404(day)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.venue_day_close(actor=actor(request), venue=venue, day=day,
                                              reason=form.cleaned_data["reason"])
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, ngettext(
                "%(slots)d slot closed.", "%(slots)d slots closed.", result.closed) % {"slots": result.closed}
                + " " + ngettext("%(n)d resident must be called: see the list below.",
                                 "%(n)d residents must be called: see the list below.",
                                 result.to_call) % {"n": result.to_call})
            return redirect(_day_url(venue.pk, day))
    slots = list(selectors.venue_day_slots(venue=venue, day=day))
    now = timezone.now()
    closing = [slot for slot in slots if not slot.closed and slot.starts_at > now]
    context = {"venue": venue, "day": day, "form": form, "closing": len(closing),
               "booked": sum(slot.booked for slot in closing), "day_url": _day_url(venue.pk, day)}
    return page(request, "console/setup/day_close.html", context, forms=[form])


@admin_only
@require_http_methods(["GET", "POST"])
def slots_generate_view(request):
    """The pattern form; "preview" counts with a dry run, "create" writes; "edit" goes back to the form."""
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST":
        form = SlotsGenerateForm(request.POST)
    else:
        initial = {"weekdays": ["mon", "tue", "wed", "thu", "fri"], "minutes": 30,
                   "doses": [str(n) for n in range(1, settings.YOYAKU["MAX_DOSE"] + 1)]}
        venue_param = request.GET.get("venue", "")
        if venue_param.isdigit():
            initial["venue"] = venue_param
        form = SlotsGenerateForm(initial=initial)
    if action in ("preview", "create") and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.slots_generate(
                actor=actor(request), venue=data["venue"], vaccine=data["vaccine"], pattern=data["pattern"],
                capacity=data["capacity"], doses=data["doses"], bookable_from=data["bookable_from"],
                dry_run=action == "preview",
            )
        except BookingError as error:
            form.add_domain_error(error, form.FIELDS_BY_CODE)
        else:
            if action == "create":
                messages.success(request, _("%(created)d created, %(existed)d already existed.")
                                 % {"created": result.created, "existed": result.existed})
                return redirect(_slots_url(data["venue"], data["pattern"].first_day))
            return page(request, "console/setup/generate_preview.html", {"form": form, "result": result,
                                                                          "data": data})
    return page(request, "console/setup/generate.html", {"form": form}, forms=[form])
