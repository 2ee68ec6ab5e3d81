"""Faults answered, never a bare 500: the database or the cache (Redis) failing gives the 503 page.

What counts as a fault (fault_kind): the database unreachable, its connection killed, locked beyond the
busy timeout, read-only (django.db OperationalError, InterfaceError, InternalError), and Redis unreachable,
timing out or read-only (redis ConnectionError, TimeoutError, ReadOnlyError), or the database cache not
keeping a write (web/shared.py, SharedCacheUnavailable), also when one of them caused the exception
being handled. A programming error (IntegrityError, ProgrammingError, DataError, anything
else) stays a 500: it is a bug to fix, not a moment to wait out.

Three places answer, all with fault_response():
- FaultMiddleware.process_exception, for a fault raised by a view;
- server_error (handler500 in urls.py), for one raised by a middleware: the gate asking Redis, the session
  loaded or saved after the view;
- bad_request (handler400): Django turns a database session's failed save into SessionInterrupted (400).

The page (templates/503.html) is in the page's language (the language cookie or Accept-Language, as
LocaleMiddleware decides, without the database or the session), says to try again in a minute, gives the
call centre, and after a step that may have written (「予約を登録する」, a change, a cancellation, accepting a
move-up offer) says to check 予約履歴 (reservation history) before trying again: the booking may have been
committed before the fault, and is then there (a retry with the same request key also finds it). It is
rendered without the request's context processors, which read the session and the database. The response
has Retry-After and no-store. One log line (instead of Django's), without personal data: the fault's kind,
the method, the masked path, the error's class and first line.
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, InternalError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.views import defaults

from .logs import mask_path
from .shared import SharedCacheUnavailable

try:
    from redis import exceptions as redis_exceptions
except ImportError:  # pragma: no cover - redis is a dependency; without it there is no Redis to fail
    redis_exceptions = None

logger = logging.getLogger("yoyaku.faults")

RETRY_AFTER = 30  # seconds: a blip (a restarted database, a failover) is usually over by then
# The resident site's steps that may have written something the resident should look for before retrying.
WRITE_STEPS = {"book_check", "change_check", "cancel", "move_up_offer", "moveup_offer"}

DATABASE_FAULTS = (OperationalError, InterfaceError, InternalError)
CACHE_FAULTS = (SharedCacheUnavailable,) + (
    (redis_exceptions.ConnectionError, redis_exceptions.TimeoutError, redis_exceptions.ReadOnlyError)
    if redis_exceptions else ())


def fault_kind(error: BaseException | None) -> str | None:
    """"database" or "cache" when the error (or one that caused it) is a fault to wait out; else None."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, DATABASE_FAULTS):
            return "database"
        if isinstance(error, CACHE_FAULTS):
            return "cache"
        error = error.__cause__ or error.__context__
        seen += 1
    return None


def _after_write(request) -> bool:
    if request.method != "POST":
        return False
    try:
        match = getattr(request, "resolver_match", None) or resolve(request.path_info)
    except Resolver404:
        return False
    return match.namespace == "portal" and match.url_name in WRITE_STEPS


def _language(request) -> str:
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language_from_request(request)
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _stylesheet() -> str | None:
    try:
        return static("css/site.css")
    except ValueError:  # no manifest (collectstatic not run): the page still reads fine without it
        return None


def fault_response(request, error: BaseException, kind: str) -> HttpResponse:
    after_write = _after_write(request)
    # The error's first line ("database is locked", "Connection refused"): faults' messages name no one.
    detail = (str(error).strip().splitlines() or [""])[0][:160]
    logger.warning("503 %s fault on %s %s: %s%s", kind, request.method, mask_path(request.path),
                   type(error).__name__, f": {detail}" if detail else "", extra={"fault": kind})
    city = settings.YOYAKU
    with translation.override(_language(request)):
        html = render_to_string("503.html", {
            "LANGUAGE_CODE": translation.get_language(), "after_write": after_write,
            "history_url": reverse("portal:history"), "top_url": reverse("portal:top"),
            "city_name": city["CITY_NAME"], "call_centre_phones": city["CALL_CENTRE_PHONES"],
            "call_centre_hours": city["CALL_CENTRE_HOURS"], "stylesheet": _stylesheet(),
            "retry_minutes": max(RETRY_AFTER // 60, 1),
        })
    response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    response.yoyaku_fault = kind  # for the request log line (web/logs.py)
    response._has_been_logged = True  # the line above says it all: not Django's "Service Unavailable" again
    return response


class FaultMiddleware:
    """A fault raised by a view: the 503 page instead of Django's 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        kind = fault_kind(exception)
        return fault_response(request, exception, kind) if kind else None


def bad_request(request, exception=None):
    """handler400: Django turns a session save the database refused into SessionInterrupted, a 400; caused by
    a fault, it is the 503 page."""
    kind = fault_kind(exception)
    if kind:
        return fault_response(request, exception, kind)
    return defaults.bad_request(request, exception)


def server_error(request):
    """handler500: a fault raised outside the view (a middleware) gets the 503 page; anything else the 500."""
    error = sys.exc_info()[1]
    kind = fault_kind(error)
    if kind:
        return fault_response(request, error, kind)
    return defaults.server_error(request)
