"""API tokens: how a city system (or a resident's chat bot) is let into the integration API (yoyaku/api).

Here, in the domain, because both the console (creates and revokes them) and the API (checks them) need the
model, and neither site imports the other. The secret is shown once and never stored: the row keeps its
SHA-256. A token is 32 random bytes, so a plain digest is enough (no salt or slow hash is needed against a
guess of 256 bits; it is how GitHub and Stripe store theirs), and lookup by digest is one indexed query.

A system token acts through its own user account (`user`, named api-<prefix>, no password, no console
role): its writes go through the same services as a call-centre operator's, and the audit log names it.
A resident (bot) token acts as its resident and may only read availability and their own reservations.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "yk_"  # noqa: S105 - a label that tells a token apart, not a secret

# Scopes a city system can be given. A resident token has RESIDENT_SCOPES and nothing else.
SCOPES = {
    "availability:read": _("read venues, slots, booking windows and availability"),
    "reservations:read": _("read reservations"),
    "reservations:write": _("book, change and cancel reservations on a resident's behalf"),
    "residents:read": _("look residents up by ticket number"),
    "doses:read": _("export dose records"),
    "doses:write": _("import dose records"),
    "audit:read": _("read the audit log"),
}
RESIDENT_SCOPES = ("availability:read", "own:reservations")


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> tuple[str, str]:
    """(secret shown once, its prefix kept to recognise it in lists)."""
    prefix = secrets.token_hex(4)
    return f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}", prefix


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    class Kind(models.TextChoices):
        SYSTEM = "system", _("city system")
        RESIDENT = "resident", _("resident's bot")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SYSTEM)
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    # The account a system token acts as (audit trail); a resident token acts as its resident.
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="api_token")
    resident = models.ForeignKey("booking.Resident", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="api_tokens")
    rate_per_minute = models.PositiveIntegerField(_("requests per minute"), default=120)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        app_label = "booking"
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({TOKEN_PREFIX}{self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


# The events a city system can receive by webhook (console, Integrations, Webhooks). Each is queued in the
# transaction of its act (booking/notifications.py) and delivered by the outbox (yoyaku/notify/channels.py).
WEBHOOK_EVENTS = {
    "reservation.booked": _("a reservation is booked"),
    "reservation.changed": _("a reservation is changed (moved to another time)"),
    "reservation.cancelled": _("a reservation is cancelled"),
    "dose.recorded": _("a dose is recorded at the venue"),
    "move_up_offer.made": _("a move-up offer is made"),
    "move_up_offer.accepted": _("a move-up offer is accepted"),
}
