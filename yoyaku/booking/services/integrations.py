"""API tokens: created and revoked by a city admin (console), a resident's bot token by the resident
(ticket number and birth date through the API, throttled like the web login). Each act audited."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import InvalidInput, NotYours
from ..integrations import RESIDENT_SCOPES, SCOPES, ApiToken, new_secret, token_digest
from ..models import Resident
from .audit import Actor, audit_record

__all__ = ["api_token_create", "api_token_revoke", "resident_token_create"]


def api_token_create(*, actor: Actor, name: str, scopes, rate_per_minute: int = 120,
                     now: datetime | None = None) -> tuple[ApiToken, str]:
    """A city system's token; returns (token, secret). The secret exists only in this return value."""
    if not actor.is_staff:
        raise NotYours()
    name = (name or "").strip()
    if not name or len(name) > ApiToken._meta.get_field("name").max_length:
        raise InvalidInput(_("Enter a name of at most 100 characters."), code="token_name")
    scopes = sorted(set(scopes))
    if not scopes or set(scopes) - set(SCOPES):
        raise InvalidInput(_("Choose at least one scope."), code="token_scopes")
    now = now or timezone.now()
    secret, prefix = new_secret()
    with transaction.atomic():
        user = get_user_model().objects.create_user(f"api-{prefix}", password=None, is_staff=False)
        token = ApiToken.objects.create(kind=ApiToken.Kind.SYSTEM, name=name, prefix=prefix,
                                        digest=token_digest(secret), scopes=scopes, user=user,
                                        rate_per_minute=rate_per_minute, created_by=actor.user, created_at=now)
        audit_record(actor=actor, action="api_token.create", obj=token, now=now,
                     data={"name": name, "prefix": prefix, "scopes": scopes})
    return token, secret


def resident_token_create(*, actor: Actor, name: str = "", now: datetime | None = None) -> tuple[ApiToken, str]:
    """A resident's bot token, limited to their own reservations and availability."""
    if not actor.is_resident:
        raise NotYours()
    now = now or timezone.now()
    secret, prefix = new_secret()
    with transaction.atomic():
        resident = Resident.objects.get(pk=actor.resident.pk)
        token = ApiToken.objects.create(kind=ApiToken.Kind.RESIDENT, name=(name or "bot")[:100], prefix=prefix,
                                        digest=token_digest(secret), scopes=list(RESIDENT_SCOPES),
                                        resident=resident, rate_per_minute=60, created_at=now)
        audit_record(actor=actor, action="api_token.authorise", resident=resident, obj=token, now=now,
                     data={"prefix": prefix})
    return token, secret


def api_token_revoke(*, actor: Actor, token: ApiToken, reason: str = "", now: datetime | None = None) -> bool:
    """Revoke (staff: any token; a resident: their own). Revoking twice changes nothing; returns whether
    this call revoked it."""
    if actor.is_resident and token.resident_id != actor.resident.pk:
        raise NotYours()
    now = now or timezone.now()
    with transaction.atomic():
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
        if revoked:
            token.revoked_at = now
            audit_record(actor=actor, action="api_token.revoke", obj=token, now=now, reason=reason,
                         resident=token.resident if token.resident_id else None, data={"prefix": token.prefix})
    return bool(revoked)
