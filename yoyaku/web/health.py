"""/healthz for load balancers and monitoring: can this app server serve, and is the outbox keeping up?

    {"status": "ok", "database": "ok", "cache": "ok", "oldest_unsent_seconds": 12}

200 when the database answers and the cache takes a write and reads it back; 503 (same JSON, the failing
part saying "error: <class>") when not. oldest_unsent_seconds is the age of the oldest notification not
sent yet (pending or being sent, retries included; null when there is none or the database is down): for
monitoring to alert on, not a reason to take this server out of the pool, since a mail outage is not
this server's fault. No personal data: no counts per person, no addresses, no error messages.

HealthMiddleware answers before anything else: no HTTPS redirect (a load balancer checks the app server
over plain HTTP), no host check (it may use the server's address as Host), no admission gate, no session.
The answer has nothing in it that depends on the host or could be cached.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache
from django.db import connection
from django.db.models import Min
from django.http import JsonResponse
from django.utils import timezone

PATH = "/healthz"


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure is an unhealthy database
        return f"error: {type(error).__name__}"
    return "ok"


def _cache() -> str:
    token = secrets.token_hex(8)
    try:
        cache.set("healthz", token, 30)
        if cache.get("healthz") != token:
            return "error: read back a different value"
    except Exception as error:  # noqa: BLE001 - any failure is an unhealthy cache
        return f"error: {type(error).__name__}"
    return "ok"


def _oldest_unsent_seconds() -> int | None:
    from yoyaku.notify.models import Notification

    try:
        oldest = Notification.objects.filter(
            status__in=[Notification.Status.PENDING, Notification.Status.SENDING]
        ).aggregate(oldest=Min("created_at"))["oldest"]
    except Exception:  # noqa: BLE001 - the database check reports it
        return None
    return None if oldest is None else max(int((timezone.now() - oldest).total_seconds()), 0)


def health_view(request) -> JsonResponse:
    report = {"database": _database(), "cache": _cache()}
    report["oldest_unsent_seconds"] = _oldest_unsent_seconds() if report["database"] == "ok" else None
    healthy = report["database"] == "ok" and report["cache"] == "ok"
    response = JsonResponse({"status": "ok" if healthy else "error", **report}, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # a load balancer asks every few seconds: the JSON is the report
    return response


class HealthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path in (PATH, PATH + "/") and request.method in ("GET", "HEAD"):
            return health_view(request)
        return self.get_response(request)
