"""API tokens: created and revoked by a city admin (console), a resident's bot token by the resident
(ticket number and birth date through the API, throttled like the web login). Webhook endpoints: made and
disabled by a city admin, deliveries sent again. Each act audited."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yoyaku.notify.channels import webhook_secret
from yoyaku.notify.models import WebhookEndpoint
from yoyaku.notify.services import webhook_deliveries_resend

from ..errors import InvalidInput, NotYours
from ..integrations import RESIDENT_SCOPES, SCOPES, WEBHOOK_EVENTS, ApiToken, new_secret, token_digest
from ..models import Resident
from .audit import Actor, audit_record

__all__ = ["api_token_create", "api_token_revoke", "resident_token_create", "webhook_deliveries_send_again",
           "webhook_endpoint_create", "webhook_endpoint_disable"]


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


# --- Webhook endpoints (the outbox delivers to them: yoyaku/notify/channels.py) -------------------------------


def webhook_endpoint_create(*, actor: Actor, name: str, url: str, events,
                            now: datetime | None = None) -> tuple[WebhookEndpoint, str]:
    """A city system's URL for events; returns (endpoint, secret). The secret signs every delivery."""
    if not actor.is_staff:
        raise NotYours()
    name, url = (name or "").strip(), (url or "").strip()
    if not name or len(name) > WebhookEndpoint._meta.get_field("name").max_length:
        raise InvalidInput(_("Enter a name of at most 100 characters."), code="webhook_name")
    try:
        URLValidator(schemes=["http", "https"])(url)
        if len(url) > WebhookEndpoint._meta.get_field("url").max_length:
            raise ValidationError("too long")
    except ValidationError:
        raise InvalidInput(_("Enter the receiver's full address, starting with https://."),
                           code="webhook_url") from None
    events = sorted(set(events))
    if not events or set(events) - set(WEBHOOK_EVENTS):
        raise InvalidInput(_("Choose at least one event."), code="webhook_events")
    now = now or timezone.now()
    secret = webhook_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(name=name, url=url, secret=secret, events=events, created_at=now)
        audit_record(actor=actor, action="webhook.create", obj=endpoint, now=now,
                     data={"name": name, "url": url, "events": events})
    return endpoint, secret


def webhook_endpoint_disable(*, actor: Actor, endpoint: WebhookEndpoint, now: datetime | None = None) -> bool:
    """No more events to this endpoint; deliveries not yet sent are dropped (skipped) by the worker. Returns
    whether this call disabled it."""
    if not actor.is_staff:
        raise NotYours()
    now = now or timezone.now()
    with transaction.atomic():
        done = WebhookEndpoint.objects.filter(pk=endpoint.pk, disabled_at__isnull=True).update(disabled_at=now)
        if done:
            endpoint.disabled_at = now
            audit_record(actor=actor, action="webhook.disable", obj=endpoint, now=now, data={"name": endpoint.name})
    return bool(done)


def webhook_deliveries_send_again(*, actor: Actor, notification_ids) -> int:
    """Deliveries sent again from the console (failed ones queued afresh; sent ones as a new delivery of the
    same event id). Returns how many were queued."""
    if not actor.is_staff:
        raise NotYours()
    with transaction.atomic():
        queued = webhook_deliveries_resend(notification_ids=notification_ids)
        if queued:
            audit_record(actor=actor, action="webhook.send_again", data={"deliveries": sorted(queued)})
    return len(queued)
