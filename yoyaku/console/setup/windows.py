"""Booking windows (city admins): the list, opening a new one, closing one early."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yoyaku.booking import services
from yoyaku.booking.errors import BookingError
from yoyaku.booking.models import BookingWindow
from yoyaku.web.pages import page

from .common import actor, admin_only, window_status
from .forms import WindowCloseForm, WindowForm


@admin_only
@require_GET
def windows_view(request):
    now = timezone.now()
    windows = [{"window": w, "who": w.who(), "status": window_status(w, now)}
               for w in BookingWindow.objects.order_by("-opens_at", "-pk")]
    return page(request, "console/setup/windows.html", {"windows": windows})


@admin_only
@require_http_methods(["GET", "POST"])
def window_new_view(request):
    form = WindowForm(request.POST if request.method == "POST" else None, initial={"doses": ["1", "2"]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            window = services.booking_window_open(
                actor=actor(request), doses=data["doses"], opens_at=data["opens_at"], closes_at=data["closes_at"],
                born_on_or_before=data["born_on_or_before"], born_after=data["born_after"], group=data["group"],
                label=data["label"],
            )
        except BookingError as error:
            form.add_domain_error(error, form.FIELDS_BY_CODE)
        else:
            messages.success(request, _("Booking window opened: doses %(doses)s, for %(who)s.")
                             % {"doses": ", ".join(str(n) for n in window.doses), "who": window.who()})
            return redirect("console:setup_windows")
    return page(request, "console/setup/window_form.html", {"form": form}, forms=[form])


@admin_only
@require_http_methods(["GET", "POST"])
def window_close_view(request, window_id: int):
    window = get_object_or_404(BookingWindow, pk=window_id)
    form = WindowCloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_window_close(actor=actor(request), window=window, reason=form.cleaned_data["reason"],
                                          closes_at=form.cleaned_data["closes_at"])
        except BookingError as error:
            form.add_domain_error(error, form.FIELDS_BY_CODE)
        else:
            messages.success(request, _("The booking window is closed. Reservations already made stay."))
            return redirect("console:setup_windows")
    now = timezone.now()
    context = {"window": window, "who": window.who(), "status": window_status(window, now), "form": form}
    return page(request, "console/setup/window_close.html", context, forms=[form])
