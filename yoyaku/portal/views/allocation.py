"""Allocation mode on the resident site (docs/allocation.md): register, change or withdraw wishes during the
registration period; see the state of the round (registered, with the place in the order after a run;
allocated: confirm or decline before the deadline; confirmed); what happens next and when.

/allocation/ lists the allocation-mode windows the resident takes part in (or may register in now); each has
its own pages under /allocation/<window id>/. Another resident's registration is never reachable: every page
reads the registration of the logged-in resident.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yoyaku.booking import services
from yoyaku.booking.errors import BookingError
from yoyaku.booking.models import AllocationRegistration, BookingWindow
from yoyaku.booking.services import allocation as rounds
from yoyaku.web.allocation_forms import WishesForm, wishes_summary
from yoyaku.web.pages import page
from yoyaku.web.request import client_address

from ..session import current_resident, resident_required

Status = AllocationRegistration.Status


def round_state(window: BookingWindow, registration: AllocationRegistration | None, *, now) -> dict:
    """What the pages show for one window: the state word, what the resident can do, and what happens next."""
    is_open = rounds.registration_open(window, now)
    status = registration.status if registration is not None else None
    if status == Status.REGISTERED and not is_open:
        state = "waiting" if registration.position is None else "not_allocated"
    elif status == Status.OFFERED and registration.confirm_by <= now:
        state = "expiring"  # the job has not run yet: the answer is too late all the same
    elif status is None:
        state = "open" if is_open else ("not_yet" if now < window.opens_at else "closed")
    else:
        state = status
    return {
        "window": window, "registration": registration, "state": state, "is_open": is_open,
        "can_register": is_open and status in (None, Status.WITHDRAWN),
        "can_change": is_open and status == Status.REGISTERED,
        "can_answer": state == Status.OFFERED,
        "wishes": wishes_summary(registration) if registration is not None else [],
        "reservation": registration.reservation if registration is not None else None,
    }


def _actor(request, resident):
    return services.Actor.for_resident(resident, client_address=client_address(request))


def _window(resident, window_id: int, now) -> BookingWindow:
    window = next((w for w in rounds.windows_for(resident, now=now) if w.pk == window_id), None)
    if window is None:
        raise Http404
    return window


@resident_required
def allocation_view(request):
    resident = current_resident(request)
    now = timezone.now()
    rows = [round_state(w, rounds.registration_of(window=w, resident=resident), now=now)
            for w in rounds.windows_for(resident, now=now)]
    return page(request, "portal/allocation/index.html", {"nav": "allocation", "rows": rows, "now": now})


@resident_required
@require_http_methods(["GET", "POST"])
def wishes_view(request, window_id: int):
    resident = current_resident(request)
    now = timezone.now()
    window = _window(resident, window_id, now)
    registration = rounds.registration_of(window=window, resident=resident)
    state = round_state(window, registration, now=now)
    if not (state["can_register"] or state["can_change"]):
        messages.error(request, _("The registration period is closed; wishes can no longer be changed.")
                       if state["state"] != "not_yet" else _("The registration period has not started yet."))
        return redirect("portal:allocation")
    form = WishesForm(request.POST or None,
                      initial=WishesForm.initial_for(registration if state["can_change"] else None,
                                                     email=resident.email))
    if request.method == "POST" and form.is_valid():
        try:
            rounds.allocation_register(actor=_actor(request, resident), window=window, resident=resident,
                                       **form.wishes())
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your wishes have been changed.") if state["can_change"]
                             else _("Your wishes have been registered."))
            return redirect("portal:allocation")
    return page(request, "portal/allocation/wishes.html",
                {"nav": "allocation", "form": form, "row": state, "window": window}, forms=[form])


def _registration_or_404(resident, window_id: int, now):
    window = _window(resident, window_id, now)
    registration = rounds.registration_of(window=window, resident=resident)
    if registration is None:
        raise Http404
    return window, registration


def _act(request, service, resident, registration, done: str):
    """Withdraw, confirm or decline through the service; back to the rounds page with what happened."""
    try:
        service(actor=_actor(request, resident), registration=registration)
    except BookingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("portal:allocation")


@resident_required
@require_http_methods(["GET", "POST"])
def withdraw_view(request, window_id: int):
    resident = current_resident(request)
    now = timezone.now()
    window, registration = _registration_or_404(resident, window_id, now)
    state = round_state(window, registration, now=now)
    if request.method == "POST":
        return _act(request, rounds.allocation_withdraw, resident, registration,
                    _("Your registration has been withdrawn."))
    if not state["can_change"]:
        return redirect("portal:allocation")
    return page(request, "portal/allocation/withdraw.html", {"nav": "allocation", "row": state, "window": window})


@resident_required
@require_POST
def confirm_view(request, window_id: int):
    resident = current_resident(request)
    now = timezone.now()
    _window_, registration = _registration_or_404(resident, window_id, now)
    return _act(request, rounds.allocation_confirm, resident, registration,
                _("Done: the appointment is yours. We send a confirmation by email."))


@resident_required
@require_http_methods(["GET", "POST"])
def decline_view(request, window_id: int):
    resident = current_resident(request)
    now = timezone.now()
    window, registration = _registration_or_404(resident, window_id, now)
    state = round_state(window, registration, now=now)
    if request.method == "POST":
        return _act(request, rounds.allocation_decline, resident, registration,
                    _("You declined the appointment. The place goes to the next person."))
    if not state["can_answer"]:
        return redirect("portal:allocation")
    return page(request, "portal/allocation/decline.html", {"nav": "allocation", "row": state, "window": window})
