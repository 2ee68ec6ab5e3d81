"""Who is asking: the client's address (behind trusted proxies) and the staff actor for the services."""

from __future__ import annotations

from django.conf import settings

from yoyaku.booking import services


def client_address(request) -> str:
    """The client's address. Behind a proxy, set YOYAKU_PROXY_COUNT to the number of trusted proxies."""
    proxies = settings.YOYAKU["PROXY_COUNT"]
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 - a label, not a bind address


def staff_actor(request) -> services.Actor:
    """The logged-in staff member acting from this request, for the services' audit trail."""
    return services.Actor.for_staff(request.user, client_address=client_address(request))
