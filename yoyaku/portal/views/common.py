"""Small helpers the resident views share."""

from __future__ import annotations

from django.http import Http404

from yoyaku.booking import selectors, services
from yoyaku.booking.models import Reservation
from yoyaku.web.request import client_address

from ..session import booking_for, current_resident


def own_reservation(request, code: str) -> Reservation:
    """The reservation with this code of the resident the pages act for (the logged-in resident, or the
    household member chosen: session.booking_for), or 404 (also for anyone else's code)."""
    subject = booking_for(request)
    reservation = selectors.reservation_by_code(code, resident_id=subject.pk if subject else 0)
    if reservation is None:
        raise Http404
    return reservation


def resident_actor(request) -> services.Actor:
    """The actor of a resident page's write: always the logged-in resident, also when booking for a household
    member (the services record them as the booker)."""
    return services.Actor.for_resident(current_resident(request), client_address=client_address(request))
