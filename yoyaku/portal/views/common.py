"""Small helpers the resident views share."""

from __future__ import annotations

from django.http import Http404

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
