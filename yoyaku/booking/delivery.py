"""Which channel a message about a reservation goes by, and to which address (docs/channels.md).

The resident's preference (Resident.contact_channel) decides: LINE to their linked LINE user id, SMS to a
mobile number (the reservation's recipient phone, else the resident's own), email to the reservation's
address. A preference that cannot be served now (the city stopped offering the channel, no LINE link, no
mobile number) falls back to email, so a message is never dropped for a channel's sake. Read when a message
is queued (booking/notifications.py): the row keeps its channel and address, and the worker sends it by them.
"""

from __future__ import annotations

from yoyaku.notify.channels import channel_available
from yoyaku.notify.models import Notification

from . import rules
from .models import Reservation, Resident

Channel = Resident.ContactChannel


def delivery_for(reservation: Reservation) -> dict:
    """The keyword arguments of notify's notification_queue for this reservation: channel, email, recipient."""
    resident = reservation.resident
    preferred = resident.contact_channel
    if preferred == Channel.LINE and resident.line_user_id and channel_available(Notification.Channel.LINE):
        return {"channel": Notification.Channel.LINE, "email": "", "recipient": resident.line_user_id}
    if preferred == Channel.SMS and channel_available(Notification.Channel.SMS):
        number = rules.sms_number(reservation.recipient_phone) or rules.sms_number(resident.phone)
        if number:
            return {"channel": Notification.Channel.SMS, "email": "", "recipient": number}
    return {"channel": Notification.Channel.EMAIL, "email": reservation.email, "recipient": ""}


def reachable(reservation: Reservation) -> bool:
    """Would a message about this reservation have an address? (The reminders job queues only those.)"""
    delivery = delivery_for(reservation)
    return bool(delivery["email"] or delivery["recipient"])


def contact_channel_choices() -> list[tuple[str, str]]:
    """The channels a resident may choose now (email always; SMS and LINE when the city offers them)."""
    return [(value, label) for value, label in Channel.choices if channel_available(value)]
