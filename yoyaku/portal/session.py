"""The resident's login session: who is logged in, idle expiry, logout."""

from __future__ import annotations

import time
from functools import wraps
from urllib.parse import quote

from django.conf import settings
from django.shortcuts import redirect

from yoyaku.booking.models import Resident

RESIDENT_KEY = "resident_id"
SEEN_KEY = "seen"
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
            resident = Resident.objects.filter(pk=resident_id, active=True).first()
            if resident is None:
                request.session.flush()
            elif now - seen > TOUCH_EVERY:
                request.session[SEEN_KEY] = now
    request._resident = resident
    return resident


def resident_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if current_resident(request) is None:
            return redirect(f"{settings.LOGIN_URL}?next={quote(request.path)}")
        return view(request, *args, **kwargs)

    return wrapper
