"""The resident's login session: who is logged in, idle expiry, logout, and whom they are booking for.

Booking for a household member (docs/allocation.md, Households) never logs in as the member: the session keeps the
logged-in resident and, under BOOKING_FOR_KEY, the member chosen on the household page. `booking_for` checks
that choice against the household on every request (a member removed meanwhile, or made inactive, falls back
to the logged-in resident); services get the logged-in resident as the actor and the member as the resident,
and check the household again themselves."""

from __future__ import annotations

import time
from functools import wraps
from urllib.parse import quote

from django.conf import settings
from django.shortcuts import redirect

from yoyaku.booking import selectors
from yoyaku.booking.models import Resident

RESIDENT_KEY = "resident_id"
SEEN_KEY = "seen"
BOOKING_FOR_KEY = "booking_for"
# The session's expiry is pushed back at most once a minute: an idle timeout without a session write on
# every request.
TOUCH_EVERY = 60


def log_in(request, resident: Resident) -> None:
    request.session.cycle_key()  # a new session key at login: a planted key is worthless
    request.session[RESIDENT_KEY] = resident.pk
    request.session[SEEN_KEY] = int(time.time())


def log_out(request) -> None:
    request.session.flush()


def current_resident(request) -> Resident | None:
    if hasattr(request, "_resident"):
        return request._resident
    resident = None
    resident_id = request.session.get(RESIDENT_KEY)
    if resident_id is not None:
        now = int(time.time())
        seen = request.session.get(SEEN_KEY, 0)
        if now - seen > settings.SESSION_COOKIE_AGE:
            request.session.flush()
        else:
            resident = selectors.active_resident(resident_id)
            if resident is None:
                request.session.flush()
            elif now - seen > TOUCH_EVERY:
                request.session[SEEN_KEY] = now
    request._resident = resident
    return resident


def booking_for(request) -> Resident | None:
    """Whom the resident pages act on: the household member chosen on the household page, else the logged-in
    resident (None when nobody is logged in)."""
    if hasattr(request, "_booking_for"):
        return request._booking_for
    resident = current_resident(request)
    subject = resident
    member_id = request.session.get(BOOKING_FOR_KEY) if resident is not None else None
    if member_id is not None:
        member = selectors.household_member(holder_id=resident.pk, member_id=member_id)
        if member is None:
            request.session.pop(BOOKING_FOR_KEY, None)
        else:
            subject = member
    request._booking_for = subject
    return subject


def set_booking_for(request, member: Resident | None) -> None:
    """Act for this household member from now on (None: for the logged-in resident again). The caller has
    checked the member is in the household; `booking_for` checks it again on every request."""
    if member is None or member.pk == request.session.get(RESIDENT_KEY):
        request.session.pop(BOOKING_FOR_KEY, None)
    else:
        request.session[BOOKING_FOR_KEY] = member.pk
    for name in ("_booking_for",):
        if hasattr(request, name):
            delattr(request, name)


def resident_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if current_resident(request) is None:
            return redirect(f"{settings.LOGIN_URL}?next={quote(request.path)}")
        return view(request, *args, **kwargs)

    return wrapper
