"""The call centre's pages: find a resident, see everything about them, book, change and cancel for them.

Searches are POSTed (names, phone numbers, birth dates and ticket numbers never go into a URL or a log);
the last search is kept in the session so that the results come back after visiting a resident. URLs
carry only the resident's database id, reservation codes, venue ids and dates.

Booking for a caller takes the resident's steps (time, details, a check page): the answers wait in the session
as a draft (like the resident site's), and the check page puts the reason next to the button that books, so the
operator reads everything back to the caller before confirming.

Acts on a resident's behalf go through the same services as the resident site, with a staff actor:
the engine's invariants hold, the web deadline does not bind, a reason is required and audited, and the
channel is "phone". The calendar offers every time the rules allow from today (`dose_times_for(web=False)`).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yoyaku.booking import availability, deadline, search, selectors, services
from yoyaku.booking.errors import (
    AlreadyBooked,
    BookingError,
    NotActive,
    SlotFull,
    SlotUnavailable,
    TicketInactive,
    TooEarly,
    WrongVaccine,
)
from yoyaku.booking.models import AuditEvent, Reservation, Resident, Slot
from yoyaku.web.forms import DetailsForm, TimeForm
from yoyaku.web.pages import page
from yoyaku.web.query import query_day, query_int
from yoyaku.web.request import staff_actor
from yoyaku.web.templatetags.yoyaku_dates import when
from yoyaku.web.time_choice import TimeChoice, slot_groups

from ..forms import ReasonForm
from ..roles import CALL_CENTRE, CITY_ADMIN, staff_required
from .forms import CallReasonForm, ResidentSearchForm

SEARCH_KEY = "console:resident_search"
AUDIT_LIMIT = 200
BOOKING_FIELDS = ["recipient_phone", "booker_name", "booker_relation", "booker_phone", "email"]
DETAIL_FIELDS = ["booker", *BOOKING_FIELDS, "wants_move_up"]


def _choice(request, *, dose_times, default_venue=None, default_day=None, moving=None) -> TimeChoice:
    """The venue and day from the calendar's links (GET) or the form's hidden fields (POST)."""
    source = request.POST if request.method == "POST" else request.GET
    venue_id = query_int(source.get("venue")) if "venue" in source else default_venue
    day = query_day(source.get("day")) if "day" in source else default_day
    choice = TimeChoice(dose_times=dose_times, venue_id=venue_id, day=day)
    if moving is not None:  # a move offers the other times, not the one the reservation has
        choice.slots = [slot for slot in choice.slots if slot.pk != moving.slot_id]
    return choice


def _resident_reservation(resident_id: int, code: str) -> Reservation:
    reservation = selectors.reservation_by_code(code, resident_id=resident_id)
    if reservation is None:
        raise Http404
    return reservation


# --- Find a resident ------------------------------------------------------------------------------------


@staff_required(CITY_ADMIN, CALL_CENTRE)
@require_http_methods(["GET", "POST"])
def search_view(request):
    if request.method == "POST":
        saved = request.session.get(SEARCH_KEY) or {}
        if "clear" in request.POST:
            request.session.pop(SEARCH_KEY, None)
            return redirect("console:resident_search")
        if "clear_filters" in request.POST:
            if saved:
                request.session[SEARCH_KEY] = {**saved, **dict.fromkeys(ResidentSearchForm.FILTERS, "")}
            return redirect("console:resident_search")
        form = ResidentSearchForm(request.POST)
        if form.is_valid():
            # What was typed, not the cleaned values: the form re-shows it as the operator wrote it.
            typed = {name: request.POST.get(name, "") for name in form.fields}
            if form.understood().ignored_filters:
                typed.update(dict.fromkeys(ResidentSearchForm.FILTERS, ""))
                messages.info(request, _("The filters were cleared: a ticket number or a reservation ID "
                                         "names one resident."))
            request.session[SEARCH_KEY] = typed
            return redirect("console:resident_search")
        return page(request, "console/residents/search.html", {"form": form}, forms=[form])

    saved = request.session.get(SEARCH_KEY)
    form = ResidentSearchForm(saved) if saved else ResidentSearchForm()
    context = {"form": form}
    if saved and form.is_valid():
        understood = form.understood()
        results = list(search.found(understood)[: search.LIMIT + 1])
        context.update(understood=understood, results=results[: search.LIMIT], more=len(results) > search.LIMIT,
                       limit=search.LIMIT)
    return page(request, "console/residents/search.html", context, forms=[form])


# --- The resident's page ----------------------------------------------------------------------------------


def _dose_rows(resident: Resident, reservations, records, now) -> list[dict]:
    """Per dose number: the active reservation, the dose given, or whether it can be booked now (and why not)."""
    active = {r.dose_number: r for r in reservations if r.is_active}
    given = {d.dose_number: d for d in records}
    rows = []
    for dose in range(1, settings.YOYAKU["MAX_DOSE"] + 1):
        row = {"dose": dose, "reservation": active.get(dose), "record": given.get(dose), "why_not": ""}
        if row["reservation"] is None and row["record"] is None and resident.active:
            eligibility = selectors.dose_eligibility(resident=resident, dose_number=dose, now=now)
            row["why_not"] = "" if eligibility.allowed else eligibility.error.message
            row["can_book"] = eligibility.allowed
        rows.append(row)
    return rows


@staff_required(CITY_ADMIN, CALL_CENTRE)
def detail_view(request, resident_id: int):
    resident = get_object_or_404(Resident, pk=resident_id)
    reservations = list(
        resident.reservations.select_related("slot__venue", "slot__vaccine").order_by("dose_number", "-created_at")
    )
    records = list(resident.doses.select_related("vaccine", "venue").order_by("dose_number"))
    events = list(
        AuditEvent.objects.filter(resident=resident).select_related("actor_user", "reservation")
        .order_by("-created_at", "-id")[: AUDIT_LIMIT + 1]
    )
    return page(request, "console/residents/detail.html", {
        "resident": resident,
        "reservations": reservations,
        "records": records,
        "doses": _dose_rows(resident, reservations, records, timezone.now()),
        "events": events[:AUDIT_LIMIT],
        "more_events": len(events) > AUDIT_LIMIT,
        "audit_limit": AUDIT_LIMIT,
    })


# --- Booking on the resident's behalf ------------------------------------------------------------------------


def _booking_refusal(request, resident: Resident, dose: int, now):
    """A redirect to the resident's page, with the reason, when this dose cannot be booked now; else None."""
    if not 1 <= dose <= settings.YOYAKU["MAX_DOSE"]:
        raise Http404
    refusal = selectors.booking_refusal(resident=resident, dose_number=dose, now=now)
    if isinstance(refusal, TicketInactive):
        messages.error(request, _("This resident's ticket is no longer active (moved away or deceased): "
                                  "nothing can be booked."))
    elif isinstance(refusal, AlreadyBooked):
        messages.info(request, refusal.message)
    elif refusal is not None:
        messages.error(request, refusal.message)
    return None if refusal is None else redirect("console:resident_detail", resident_id=resident.pk)


def _draft_key(resident_id: int, dose: int) -> str:
    return f"console:draft:book:{resident_id}:{dose}"


def _book_url(name: str, resident: Resident, dose: int) -> str:
    return reverse(f"console:{name}", kwargs={"resident_id": resident.pk, "dose": dose})


def _already_booked(request, resident: Resident):
    """A second click, or a resubmit after success: the resident's page with the reservation the first made."""
    key = request.POST.get("request_key", "")[:64]
    done = selectors.booked_by_request(resident_id=resident.pk, request_key=key) if key else None
    if done is None:
        return None
    request.session.pop(_draft_key(resident.pk, done.dose_number), None)
    messages.success(request, _booked_message(done))
    return redirect("console:resident_detail", resident_id=resident.pk)


@staff_required(CITY_ADMIN, CALL_CENTRE)
@require_http_methods(["GET", "POST"])
def book_view(request, resident_id: int, dose: int):
    """Step 1 of 3: the venue, the day and the time (the calendar offers what the rules allow from today)."""
    resident = get_object_or_404(Resident, pk=resident_id)
    if refusal := _booking_refusal(request, resident, dose, timezone.now()):
        return refusal
    key = _draft_key(resident.pk, dose)
    draft = request.session.get(key) or {}
    dose_times = availability.dose_times_for(resident=resident, dose_number=dose, now=timezone.now(), web=False)
    choice = _choice(request, dose_times=dose_times, default_venue=draft.get("venue"),
                     default_day=query_day(draft.get("day")))
    if request.method == "POST":
        time_form = TimeForm(request.POST, slots=choice.slots)
        if time_form.is_valid():
            slot_id = time_form.cleaned_data["slot"]
            request.session[key] = {**draft, "slot": slot_id, "venue": choice.venue_of(slot_id),
                                    "day": choice.day.isoformat()}
            return redirect(_book_url("resident_book_details", resident, dose))
    else:
        time_form = TimeForm(slots=choice.slots, initial={"slot": draft.get("slot")})
    return page(request, "console/residents/book.html", {
        "resident": resident, "dose": dose, "mode": "book", "step": 1, "time_form": time_form,
        "slot_groups": slot_groups(time_form, choice.slots), "deadline_days": deadline.days_before(),
        "form_action": _book_url("resident_book", resident, dose),
        **choice.context(),
    }, forms=[time_form])


def _draft_slot(draft: dict):
    return Slot.objects.select_related("venue", "vaccine").filter(pk=draft.get("slot")).first() if draft else None


@staff_required(CITY_ADMIN, CALL_CENTRE)
@require_http_methods(["GET", "POST"])
def book_details_view(request, resident_id: int, dose: int):
    """Step 2 of 3: the resident site's questions (booker, phones, email, move-up), asked on the phone."""
    resident = get_object_or_404(Resident, pk=resident_id)
    if refusal := _booking_refusal(request, resident, dose, timezone.now()):
        return refusal
    key = _draft_key(resident.pk, dose)
    draft = request.session.get(key) or {}
    slot = _draft_slot(draft)
    if slot is None:
        return redirect(_book_url("resident_book", resident, dose))
    if request.method == "POST":
        form = DetailsForm(request.POST)
        if form.is_valid():
            request.session[key] = {**draft, **{name: form.cleaned_data[name] for name in DETAIL_FIELDS}}
            return redirect(_book_url("resident_book_check", resident, dose))
    else:
        form = DetailsForm(initial={"booker": DetailsForm.BOOKER_SELF, "recipient_phone": resident.phone,
                                    "email": resident.email, **{k: v for k, v in draft.items() if k in DETAIL_FIELDS}})
    return page(request, "console/residents/book_details.html", {
        "resident": resident, "dose": dose, "step": 2, "slot": slot, "form": form,
        "time_url": _book_url("resident_book", resident, dose),
        "form_action": _book_url("resident_book_details", resident, dose),
    }, forms=[form])


@staff_required(CITY_ADMIN, CALL_CENTRE)
@require_http_methods(["GET", "POST"])
def book_check_view(request, resident_id: int, dose: int):
    """Step 3 of 3: everything read back to the caller, the reason next to the button that books."""
    resident = get_object_or_404(Resident, pk=resident_id)
    if request.method == "POST" and (done := _already_booked(request, resident)):
        return done
    if refusal := _booking_refusal(request, resident, dose, timezone.now()):
        return refusal
    key = _draft_key(resident.pk, dose)
    draft = request.session.get(key) or {}
    slot = _draft_slot(draft)
    if slot is None:
        return redirect(_book_url("resident_book", resident, dose))
    if not all(name in draft for name in DETAIL_FIELDS):
        return redirect(_book_url("resident_book_details", resident, dose))
    if not draft.get("request_key"):
        draft = request.session[key] = {**draft, "request_key": secrets.token_urlsafe(16)}
    form = CallReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reservation = services.reservation_book(
                actor=staff_actor(request), resident=resident, slot_id=slot.pk, dose_number=dose,
                wants_move_up=draft["wants_move_up"] == "yes", request_key=draft["request_key"],
                channel=Reservation.Channel.PHONE, reason=form.cleaned_data["reason"],
                **{name: draft[name] for name in BOOKING_FIELDS},
            )
        except (SlotFull, SlotUnavailable, TooEarly, WrongVaccine) as error:
            # The time filled (or closed) since step 1: choose again, the details and the reason kept.
            request.session[key] = {**draft, "slot": None}
            messages.error(request, error.message)
            return redirect(_book_url("resident_book", resident, dose) + "#time")
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            request.session.pop(key, None)
            messages.success(request, _booked_message(reservation))
            return redirect("console:resident_detail", resident_id=resident.pk)
    return page(request, "console/residents/book_check.html", {
        "resident": resident, "dose": dose, "step": 3, "slot": slot, "draft": draft, "form": form,
        "time_url": _book_url("resident_book", resident, dose),
        "details_url": _book_url("resident_book_details", resident, dose),
        "form_action": _book_url("resident_book_check", resident, dose),
    }, forms=[form])


def _booked_message(reservation: Reservation) -> str:
    return _("Booked: reservation ID %(code)s, %(when)s.") % {
        "code": reservation.code, "when": when(reservation.slot.starts_at)}


# --- Changing and cancelling --------------------------------------------------------------------------------


def _not_active(request, reservation: Reservation):
    messages.error(request, NotActive().message)
    return redirect("console:resident_detail", resident_id=reservation.resident_id)


@staff_required(CITY_ADMIN, CALL_CENTRE)
@require_http_methods(["GET", "POST"])
def change_view(request, resident_id: int, code: str):
    reservation = _resident_reservation(resident_id, code)
    if not reservation.is_active:
        return _not_active(request, reservation)
    dose_times = availability.dose_times_for(resident=reservation.resident, dose_number=reservation.dose_number,
                                             web=False, moving_reservation_id=reservation.pk)
    defaults = {"default_venue": reservation.slot.venue_id,
                "default_day": timezone.localdate(reservation.slot.starts_at), "moving": reservation}
    choice = _choice(request, dose_times=dose_times, **defaults)
    if request.method == "POST":
        time_form = TimeForm(request.POST, slots=choice.slots)
        form = ReasonForm(request.POST)
        if time_form.is_valid() & form.is_valid():
            try:
                moved = services.reservation_change(
                    actor=staff_actor(request), reservation=reservation, slot_id=time_form.cleaned_data["slot"],
                    reason=form.cleaned_data["reason"],
                )
            except BookingError as error:
                form.add_error(None, error.message)
                choice = _choice(request, dose_times=dose_times, **defaults)
                time_form = TimeForm(slots=choice.slots)
            else:
                messages.success(request, _("Reservation %(code)s moved to %(when)s.") % {
                    "code": moved.code, "when": when(moved.slot.starts_at)})
                return redirect("console:resident_detail", resident_id=reservation.resident_id)
    else:
        time_form = TimeForm(slots=choice.slots)
        form = ReasonForm()
    return page(request, "console/residents/book.html", {
        "resident": reservation.resident, "reservation": reservation, "dose": reservation.dose_number,
        "mode": "change", "time_form": time_form, "form": form, "slot_groups": slot_groups(time_form, choice.slots),
        "deadline_days": deadline.days_before(),
        "form_action": reverse("console:resident_reservation_change",
                               kwargs={"resident_id": reservation.resident_id, "code": reservation.code}),
        **choice.context(),
    }, forms=[time_form, form])


@staff_required(CITY_ADMIN, CALL_CENTRE)
@require_http_methods(["GET", "POST"])
def cancel_view(request, resident_id: int, code: str):
    reservation = _resident_reservation(resident_id, code)
    if not reservation.is_active:
        return _not_active(request, reservation)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reservation_cancel(actor=staff_actor(request), reservation=reservation,
                                        reason=form.cleaned_data["reason"])
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Reservation %(code)s cancelled; the place is free again.")
                             % {"code": reservation.code})
            return redirect("console:resident_detail", resident_id=reservation.resident_id)
    return page(request, "console/residents/cancel.html", {
        "resident": reservation.resident, "reservation": reservation, "form": form,
    }, forms=[form])
