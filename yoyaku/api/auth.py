"""Who is calling: the bearer token (hashed lookup), its scopes, its rate limit, and the Actor it acts as.

Rate limit: a fixed one-minute window per token, counted in the shared cache with an atomic increment
(Redis INCR; without Redis a locked step, web/shared.py), so every app process counts the same calls."""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from yoyaku.booking import services
from yoyaku.booking.integrations import TOKEN_PREFIX, ApiToken, token_digest
from yoyaku.web import shared
from yoyaku.web.request import client_address

from .problems import Problem

log = logging.getLogger("yoyaku.api")


class TokenAuth(HttpBearer):
    """`Authorization: Bearer yk_…`. A missing, unknown or revoked token is a 401 problem."""

    def __call__(self, request):
        token = super().__call__(request)
        if token is None:
            raise Problem(401, "token_missing", _("Send an API token: Authorization: Bearer <token>."),
                          headers={"WWW-Authenticate": 'Bearer realm="yoyaku"'})
        return token

    def authenticate(self, request, token: str):
        if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
            return None
        found = (ApiToken.objects.usable().select_related("user", "resident")
                 .filter(digest=token_digest(token)).first())
        if found is None:
            return None
        if found.kind == ApiToken.Kind.RESIDENT and not found.resident.active:
            return None
        rate_limit(found)
        now = timezone.now()
        # At most one write a minute per token for "last used": not a write per call.
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.api_token = found
        log.info("api %s %s by token %s", request.method, request.resolver_match.route if request.resolver_match
                 else "", found.prefix)
        return found


def rate_limit(token: ApiToken) -> None:
    window = int(time.time() // 60)
    key = f"api:rate:{token.prefix}:{token.pk}:{window}"
    with shared.serialized("api-rate"):
        cache.add(key, 0, 120)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, 120)
            count = 1
    if count > token.rate_per_minute:
        wait = 60 - int(time.time()) % 60
        raise Problem(429, "rate_limited", _("Too many requests with this token. Try again in %(n)d seconds.")
                      % {"n": wait}, headers={"Retry-After": str(wait)})


def require(request, scope: str) -> ApiToken:
    token: ApiToken = request.auth
    if not token.allows(scope):
        raise Problem(403, "scope_missing", _("This token does not have the scope %(scope)s.") % {"scope": scope})
    return token


def actor_for(request) -> services.Actor:
    """The Actor the services see: a system token's own account (staff-like: reasons required, audited under
    its name), or the resident a bot token belongs to."""
    token: ApiToken = request.auth
    address = client_address(request)
    if token.kind == ApiToken.Kind.RESIDENT:
        return services.Actor.for_resident(token.resident, client_address=address)
    return services.Actor.for_staff(token.user, client_address=address)
