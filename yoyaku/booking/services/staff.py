"""Staff accounts' second factor: the authenticator device set up at the first login, and the login itself.

A device is created unconfirmed when a staff member first reaches the second-factor page, and confirmed by
the first code it produces, in the same transaction as the login's audit event."""

from __future__ import annotations

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import Actor, audit_record

__all__ = ["staff_device_for_setup", "staff_log_in", "staff_second_factor_failed"]


def staff_device_for_setup(*, actor: Actor) -> TOTPDevice:
    """The staff member's unconfirmed authenticator device, created (and audited) the first time."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=actor.user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=actor.user, name="authenticator", confirmed=False)
            audit_record(actor=actor, action="staff.device_setup", obj=device)
        return device


def staff_log_in(*, actor: Actor, device: TOTPDevice | None = None) -> None:
    """Record a staff login completed with its second factor; a device still being set up is confirmed."""
    setting_up = device is not None and not device.confirmed
    with transaction.atomic():
        if setting_up:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
        audit_record(actor=actor, action="staff.login", data={"second_factor_setup": setting_up})


def staff_second_factor_failed(*, actor: Actor, site: str = "console") -> None:
    """Record a wrong or expired second-factor code (never the code typed)."""
    audit_record(actor=actor, action="staff.second_factor_failed", data={"site": site})
