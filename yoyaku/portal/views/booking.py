"""The booking page (ワクチン接種予約ページ), the check page (内容確認) and the change of time (編集).

The day is chosen with links (GET ?venue=&day=), the time with radio buttons in the form (POST): no
JavaScript needed. What the resident entered is kept in the session as a draft until it is registered,
so the check page's change links and a time that filled in the meantime lose nothing.
"""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yoyaku.booking import availability, deadline, selectors, services
from yoyaku.booking.errors import AlreadyBooked, BookingError, SlotFull, SlotUnavailable, TooEarly, WrongVaccine
from yoyaku.booking.models import Slot
from yoyaku.web.forms import DetailsForm, TimeForm
from yoyaku.web.pages import page
from yoyaku.web.query import query_day, query_int
from yoyaku.web.time_choice import TimeChoice, slot_groups

from ..session import booking_for, current_resident, resident_required
from .common import own_reservation, resident_actor

DETAIL_FIELDS = ["booker", "booker_name", "booker_relation", "booker_phone", "recipient_phone", "email",
                 "wants_move_up"]


def _draft_key(kind: str, ref) -> str:
    return f"draft:{kind}:{ref}"


def _choice_from_request(request, draft: dict) -> tuple[int | None, date | None]:
    source = request.POST if request.method == "POST" else request.GET
    venue_id = query_int(source.get("venue")) if "venue" in source else draft.get("venue")
    day = query_day(source.get("day")) if "day" in source else query_day(draft.get("day"))
    return venue_id, day


def _resident_defaults(resident, holder=None) -> dict:
    """The details form's first values; booking for a household member, the logged-in resident is the
    booker (their relation to the member is theirs to say)."""
    if holder is not None and holder.pk != resident.pk:
        return {"booker": DetailsForm.BOOKER_PROXY, "booker_name": holder.full_name, "booker_phone": holder.phone,
                "recipient_phone": resident.phone or holder.phone, "email": resident.email or holder.email}
    return {"booker": DetailsForm.BOOKER_SELF, "recipient_phone": resident.phone, "email": resident.email}


def _slot_for_draft(draft: dict, *, with_venue: bool = True) -> Slot | None:
    return selectors.slot_by_pk(draft.get("slot"), with_venue=with_venue)


# --- Booking a dose ----------------------------------------------------------------------------------


def _check_can_book(request, resident, dose: int, now, history=None):
    """A redirect when this dose cannot be booked now (with the reason as a message), else None."""
    if not 1 <= dose <= settings.YOYAKU["MAX_DOSE"]:
        raise Http404
    refusal = selectors.booking_refusal(resident=resident, dose_number=dose, now=now, history=history)
    if isinstance(refusal, AlreadyBooked):
        messages.info(request, refusal.message)
        return redirect("portal:detail", code=refusal.reservation.code)
    if refusal is not None:
        messages.error(request, refusal.message)
        return redirect("portal:top")
    return None


@resident_required
@require_http_methods(["GET", "POST"])
def book_view(request, dose: int):
    resident = booking_for(request)
    now = timezone.now()
    history = selectors.dose_history(resident=resident)  # read once for both questions below
    if refusal := _check_can_book(request, resident, dose, now, history):
        return refusal
    key = _draft_key("book", f"{resident.pk}:{dose}")  # per person: a household member's draft is theirs
    draft = request.session.get(key, {})
    dose_times = availability.dose_times_for(resident=resident, dose_number=dose, now=now, history=history)
    venue_id, day = _choice_from_request(request, draft)
    if request.method == "GET" and "day" not in request.GET and not draft and request.GET.get("from"):
        day = query_day(request.GET.get("from"))
    choice = TimeChoice(dose_times=dose_times, venue_id=venue_id, day=day, venue_first=True)
    if request.method == "POST":
        time_form = TimeForm(request.POST, slots=choice.slots)
        details_form = DetailsForm(request.POST)
        if time_form.is_valid() & details_form.is_valid():
            request.session[key] = {
                "slot": time_form.cleaned_data["slot"], "day": choice.day.isoformat(),
                "venue": choice.venue_of(time_form.cleaned_data["slot"]),
                **{name: details_form.cleaned_data[name] for name in DETAIL_FIELDS},
            }
            return redirect("portal:book_check", dose=dose)
    else:
        time_form = TimeForm(slots=choice.slots if choice.show_times else [], initial={"slot": draft.get("slot")})
        details_form = DetailsForm(initial={**_resident_defaults(resident, current_resident(request)), **draft})
    return page(request, "portal/book.html", {
        "dose": dose, "time_form": time_form, "details_form": details_form, "mode": "book",
        "slot_groups": slot_groups(time_form, choice.slots) if choice.show_times else [],
        "form_action": reverse("portal:book", kwargs={"dose": dose}),
        **choice.context(),
    }, forms=[time_form, details_form])


@resident_required
@require_http_methods(["GET", "POST"])
def book_check_view(request, dose: int):
    resident = booking_for(request)
    key = _draft_key("book", f"{resident.pk}:{dose}")  # per person: a household member's draft is theirs
    draft = request.session.get(key)
    # A POST asks only whether the draft's time still exists: reservation_book reads the slot in its transaction.
    slot = _slot_for_draft(draft, with_venue=request.method != "POST") if draft else None
    if request.method == "POST":
        request_key = request.POST.get("request_key", "")[:64]
        # A back-and-resubmit or a second click after success: show the reservation the first one made. With
        # the draft and its time still there, reservation_book answers a repeated request key itself (its first
        # read, in its transaction): one query less on the way to 予約を登録する.
        done = selectors.booked_by_request(resident_id=resident.pk, request_key=request_key) if slot is None else None
        if done is not None:
            return redirect("portal:done", code=done.code)
    if not draft:
        return redirect("portal:book", dose=dose)
    if request.method == "POST" and slot is not None:
        try:
            reservation = services.reservation_book(
                actor=resident_actor(request),
                resident=resident, slot_id=slot.pk, dose_number=dose,
                recipient_phone=draft["recipient_phone"], booker_name=draft["booker_name"],
                booker_relation=draft["booker_relation"], booker_phone=draft["booker_phone"],
                email=draft["email"], wants_move_up=draft["wants_move_up"] == "yes", request_key=request_key or None,
            )
        except (SlotFull, SlotUnavailable, TooEarly, WrongVaccine) as error:
            # The time filled (or closed) since the booking page: choose again, everything else kept.
            draft["slot"] = None
            request.session[key] = draft
            messages.error(request, error.message)
            return redirect(reverse("portal:book", kwargs={"dose": dose}) + "#time")
        except BookingError as error:
            messages.error(request, error.message)
            return redirect("portal:top")
        request.session.pop(key, None)
        return redirect("portal:done", code=reservation.code)
    if slot is None:
        return redirect("portal:book", dose=dose)
    request.session[key] = {**draft, "request_key": draft.get("request_key") or secrets.token_urlsafe(16)}
    return page(request, "portal/check.html", {
        "dose": dose, "slot": slot, "draft": request.session[key], "mode": "book",
        "change_url": reverse("portal:book", kwargs={"dose": dose}),
        "form_action": reverse("portal:book_check", kwargs={"dose": dose}),
    })


@resident_required
def done_view(request, code: str):
    reservation = own_reservation(request, code)
    next_dose = None
    if reservation.is_active and reservation.dose_number < settings.YOYAKU["MAX_DOSE"]:
        resident = booking_for(request)
        following = reservation.dose_number + 1
        history = selectors.dose_history(resident=resident)  # read once: is the next dose booked, and from when
        if history.active(following) is None:
            dose_times = availability.dose_times_for(resident=resident, dose_number=following, history=history)
            next_dose = {"dose": following, "from": dose_times.earliest_day}
    return page(request, "portal/done.html", {
        "reservation": reservation, "next_dose": next_dose,
        "deadline_days": deadline.days_before(),
    })


# --- Changing the time of a reservation (編集) -------------------------------------------------


def _check_can_change(request, reservation, now):
    if not reservation.is_active:
        messages.error(request, _("This reservation is no longer active."))
        return redirect("portal:detail", code=reservation.code)
    if not deadline.web_open(reservation.slot.starts_at, now):
        return redirect("portal:detail", code=reservation.code)
    return None


@resident_required
@require_http_methods(["GET", "POST"])
def change_view(request, code: str):
    reservation = own_reservation(request, code)
    resident = booking_for(request)
    now = timezone.now()
    if refusal := _check_can_change(request, reservation, now):
        return refusal
    key = _draft_key("change", reservation.code)
    draft = request.session.get(key, {})
    dose_times = availability.dose_times_for(resident=resident, dose_number=reservation.dose_number, now=now,
                                   moving_reservation_id=reservation.pk)
    # 編集 starts at the reservation's own venue and day: most people move within the same place.
    draft = draft or {"venue": reservation.slot.venue_id,
                      "day": timezone.localdate(reservation.slot.starts_at).isoformat()}
    venue_id, day = _choice_from_request(request, draft)
    choice = TimeChoice(dose_times=dose_times, venue_id=venue_id, day=day, venue_first=True)
    if request.method == "POST" or choice.show_times:
        choice.slots = [s for s in choice.slots if s.pk != reservation.slot_id]
    if request.method == "POST":
        time_form = TimeForm(request.POST, slots=choice.slots)
        if time_form.is_valid():
            request.session[key] = {"slot": time_form.cleaned_data["slot"],
                                    "venue": choice.venue_of(time_form.cleaned_data["slot"]),
                                    "day": choice.day.isoformat()}
            return redirect("portal:change_check", code=reservation.code)
    else:
        time_form = TimeForm(slots=choice.slots if choice.show_times else [], initial={"slot": draft.get("slot")})
    return page(request, "portal/book.html", {
        "dose": reservation.dose_number, "reservation": reservation, "time_form": time_form, "mode": "change",
        "slot_groups": slot_groups(time_form, choice.slots) if choice.show_times else [],
        "form_action": reverse("portal:change", kwargs={"code": reservation.code}),
        **choice.context(),
    }, forms=[time_form])


@resident_required
@require_http_methods(["GET", "POST"])
def change_check_view(request, code: str):
    reservation = own_reservation(request, code)
    key = _draft_key("change", reservation.code)
    draft = request.session.get(key)
    slot = _slot_for_draft(draft) if draft else None
    if slot is None:
        if request.method == "POST" and reservation.slot_id == query_int(request.POST.get("slot")):
            return redirect("portal:detail", code=reservation.code)  # the change went through already
        return redirect("portal:change", code=reservation.code)
    if request.method == "POST":
        try:
            services.reservation_change(
                actor=resident_actor(request),
                reservation=reservation, slot_id=slot.pk,
            )
        except (SlotFull, SlotUnavailable, TooEarly, WrongVaccine) as error:
            draft["slot"] = None
            request.session[key] = draft
            messages.error(request, error.message)
            return redirect(reverse("portal:change", kwargs={"code": reservation.code}) + "#time")
        except BookingError as error:
            messages.error(request, error.message)
            return redirect("portal:detail", code=reservation.code)
        request.session.pop(key, None)
        messages.success(request, _("Your reservation has been changed."))
        return redirect("portal:detail", code=reservation.code)
    return page(request, "portal/check.html", {
        "dose": reservation.dose_number, "slot": slot, "reservation": reservation, "mode": "change",
        "change_url": reverse("portal:change", kwargs={"code": reservation.code}),
        "form_action": reverse("portal:change_check", kwargs={"code": reservation.code}),
    })
