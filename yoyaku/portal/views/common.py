"""Small helpers the resident views share."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from yoyaku.booking.errors import InvalidInput
from yoyaku.booking.models import Reservation
from yoyaku.booking.rules import normalize_reservation_code

from ..session import current_resident


def own_reservation(request, code: str) -> Reservation:
    """The logged-in resident's reservation with this code, or 404 (also for another resident's code)."""
    try:
        code = normalize_reservation_code(code)
    except InvalidInput:
        raise Http404 from None
    resident = current_resident(request)
    reservation = (
        Reservation.objects.select_related("slot__venue", "slot__vaccine").filter(code=code, resident=resident).first()
    )
    if reservation is None:
        raise Http404
    return reservation


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def page(request, template: str, context: dict, *, forms=(), status: int = 200):
    """Render with the error summary's entries and the title's error prefix when a form has errors."""
    errors = [item for form in forms if form is not None and form.is_bound for item in form.error_list()]
    context = {**context, "errors": errors, "form_has_errors": bool(errors)}
    return render(request, template, context, status=status)
