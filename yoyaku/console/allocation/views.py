"""Allocation rounds in the console: the list, the preview and publish, the call centre's wishes for a caller."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from yoyaku.booking.errors import BookingError
from yoyaku.booking.models import AllocationRegistration, BookingWindow, Resident
from yoyaku.booking.services import allocation as rounds
from yoyaku.web.allocation_forms import WishesForm
from yoyaku.web.forms import BaseForm
from yoyaku.web.pages import page
from yoyaku.web.request import staff_actor

from ..forms import reason_field
from ..roles import CALL_CENTRE, CITY_ADMIN, staff_required

Status = AllocationRegistration.Status
MAX_SEED = 2**31 - 1


class PublishForm(BaseForm):
    seed = forms.IntegerField(min_value=0, max_value=MAX_SEED, widget=forms.HiddenInput)
    reason = reason_field()


class CallerWishesForm(WishesForm):
    reason = reason_field(help_text=gettext_lazy("For example: registered by phone at the caller's request."))


def _seed(text) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and int(text) <= MAX_SEED else None


@staff_required(CITY_ADMIN, CALL_CENTRE)
def rounds_view(request):
    windows = (BookingWindow.objects.allocation().order_by("-opens_at")
               .annotate(waiting=Count("allocation_registrations",
                                       filter=Q(allocation_registrations__status=Status.REGISTERED)),
                         offered=Count("allocation_registrations",
                                       filter=Q(allocation_registrations__status=Status.OFFERED)),
                         confirmed=Count("allocation_registrations",
                                         filter=Q(allocation_registrations__status=Status.CONFIRMED))))
    return page(request, "console/allocation/rounds.html", {"windows": windows, "now": timezone.now()})


@require_http_methods(["GET", "POST"])
@staff_required(CITY_ADMIN)
def preview_view(request, window_id: int):
    window = get_object_or_404(BookingWindow.objects.allocation(), pk=window_id)
    now = timezone.now()
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            summary = rounds.allocation_run(actor=staff_actor(request), window=window, seed=form.cleaned_data["seed"],
                                            reason=form.cleaned_data["reason"])
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Published: %(allocated)s of %(registrations)s registrations allocated "
                                        "(seed %(seed)s).") % {"allocated": summary.allocated,
                                                               "registrations": summary.registrations,
                                                               "seed": summary.seed})
            return redirect("console:allocation_preview", window_id=window.pk)
    seed = form.data.get("seed") if form.is_bound else None
    seed = _seed(seed) if seed is not None else _seed(request.GET.get("seed"))
    if seed is None:
        seed = secrets.randbelow(MAX_SEED)
    if not form.is_bound:
        form = PublishForm(initial={"seed": seed})
    summary = rounds.allocation_run(actor=staff_actor(request), window=window, seed=seed, dry_run=True,
                                    reason="preview", now=now)
    areas = sorted(summary.by_area.items())
    return page(request, "console/allocation/preview.html", {
        "window": window, "summary": summary, "areas": areas, "seed": seed, "form": form,
        "is_open": rounds.registration_open(window, now),
        "lowest_label": summary.priority_labels.get(summary.lowest_priority_served, _("everyone else"))
        if summary.lowest_priority_served is not None else "",
    }, forms=[form])


@require_http_methods(["GET", "POST"])
@staff_required(CITY_ADMIN, CALL_CENTRE)
def wishes_view(request, resident_id: int, window_id: int):
    resident = get_object_or_404(Resident, pk=resident_id)
    window = get_object_or_404(BookingWindow.objects.allocation(), pk=window_id)
    registration = rounds.registration_of(window=window, resident=resident)
    can_change = registration is not None and registration.status == Status.REGISTERED
    if not rounds.registration_open(window, timezone.now()) or (
            registration is not None and registration.status not in (Status.REGISTERED, Status.WITHDRAWN)):
        raise Http404
    form = CallerWishesForm(request.POST or None,
                            initial=WishesForm.initial_for(registration if can_change else None,
                                                           email=resident.email))
    if request.method == "POST" and form.is_valid():
        try:
            rounds.allocation_register(actor=staff_actor(request), window=window, resident=resident,
                                       reason=form.cleaned_data["reason"], **form.wishes())
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The caller's wishes are registered."))
            return redirect("console:resident_detail", resident_id=resident.pk)
    return page(request, "console/allocation/wishes.html",
                {"resident": resident, "window": window, "form": form, "can_change": can_change}, forms=[form])
