"""Small helpers the resident views share."""

from __future__ import annotations

from django.http import Http404

from yoyaku.booking import selectors
from yoyaku.booking.models import Reservation

from ..session import current_resident


def own_reservation(request, code: str) -> Reservation:
    """The logged-in resident's reservation with this code, or 404 (also for another resident's code)."""
    resident = current_resident(request)
    reservation = selectors.reservation_by_code(code, resident_id=resident.pk if resident else 0)
    if reservation is None:
        raise Http404
    return reservation
