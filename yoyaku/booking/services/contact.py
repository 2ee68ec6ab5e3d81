"""How a resident wants our messages (docs/channels.md): email, SMS or LINE, changed by the resident (on the
web, or through their bot for LINE) or by staff for a caller, audited. The channel is used when a message is
queued (booking/notifications.py, delivery_for)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yoyaku.notify.channels import channel_available

from .. import rules
from ..errors import InvalidInput, NotYours
from ..models import Reservation, Resident
from .audit import Actor, audit_record, require_reason

__all__ = ["resident_set_contact_channel", "resident_sms_number"]

Channel = Resident.ContactChannel


def resident_sms_number(resident: Resident) -> str | None:
    """The mobile number SMS would go to without a reservation at hand: the resident's own phone, else the
    recipient phone of their latest active reservation (E.164), or None."""
    number = rules.sms_number(resident.phone)
    if number:
        return number
    phones = (Reservation.objects.filter(resident=resident, status=Reservation.Status.BOOKED)
              .order_by("-created_at").values_list("recipient_phone", flat=True))
    return next((n for n in map(rules.sms_number, phones) if n), None)


def resident_set_contact_channel(*, actor: Actor, resident: Resident, channel: str, line_user_id: str | None = None,
                                 reason: str = "", now: datetime | None = None) -> bool:
    """Set the resident's channel (and, from their LINE bot, their LINE user id). Refused with a message a
    person can act on when the city does not offer the channel, or it has no address: SMS needs a mobile number,
    LINE a linked LINE account. Returns whether anything changed (one audit event then, without the id)."""
    if actor.is_resident and (actor.resident is None or actor.resident.pk != resident.pk):
        raise NotYours()
    require_reason(actor, reason)
    if channel not in Channel.values:
        raise InvalidInput(_("Choose how we send you messages."), code="contact_channel")
    if not channel_available(channel):
        raise InvalidInput(_("The city does not send messages by %(channel)s. Choose another way.")
                           % {"channel": Channel(channel).label}, code="contact_channel_unavailable")
    if line_user_id is not None and not rules.valid_line_user_id(line_user_id):
        raise InvalidInput(_("This LINE user ID is not valid."), code="line_user_id")
    now = now or timezone.now()
    with transaction.atomic():
        current = Resident.objects.select_for_update().get(pk=resident.pk)
        new_line_id = current.line_user_id if line_user_id is None else line_user_id
        if channel == Channel.LINE and not new_line_id:
            raise InvalidInput(_("To receive messages on LINE, first add the city's LINE account as a friend and "
                                 "link it to your ticket number there."), code="line_not_linked")
        if channel == Channel.SMS and not resident_sms_number(current):
            raise InvalidInput(_("SMS needs a mobile phone number (starting 070, 080 or 090). Enter it as the "
                                 "phone number in your reservation's contact details first."), code="no_mobile")
        linked = new_line_id != current.line_user_id
        if channel == current.contact_channel and not linked:
            return False
        data = {"from": current.contact_channel, "to": channel}
        if linked:
            data["line"] = "linked" if new_line_id else "unlinked"  # never the id itself
        Resident.objects.filter(pk=current.pk).update(contact_channel=channel, line_user_id=new_line_id,
                                                      updated_at=now)
        audit_record(actor=actor, action="resident.contact_channel", resident=current, reason=reason, data=data,
                     now=now)
    resident.contact_channel, resident.line_user_id = channel, new_line_id
    return True
