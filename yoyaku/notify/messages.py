"""The emails: one entry in KINDS per kind of notification, with its templates under
templates/notify/email/<kind>_subject.txt and <kind>_body.txt, rendered in the notification's language.

Adding a kind of message (for example a move-up offer) is: a `Notification.Kind` choice, two templates, and
`register(MessageKind(...))` here (or from the app that owns it) with a context function, and, if the message
can go stale between queueing and sending, a `prepare` function that says whether it is still to be sent.
The worker knows nothing about kinds: it calls `build_message`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yoyaku.booking import rules
from yoyaku.portal.templatetags.yoyaku_dates import clock, when

from .conf import notify_setting
from .ics import city_host, reservation_ics
from .models import Notification


@dataclass(frozen=True)
class MessageKind:
    kind: str
    context: Callable[[Notification], dict]
    # Attach the reservation's calendar file (.ics).
    calendar: bool = False
    # Called just before sending: False means the message is no longer wanted (marked skipped). It may
    # refresh notification.payload (saved by the worker).
    prepare: Callable[[Notification], bool] | None = None


KINDS: dict[str, MessageKind] = {}


def register(spec: MessageKind) -> None:
    KINDS[spec.kind] = spec


class NotStillWanted(Exception):
    """The message went stale between queueing and sending (a reminder for a cancelled reservation)."""


def mail_host() -> str:
    return notify_setting("MAIL_HOST") or city_host()


def message_id(notification: Notification) -> str:
    """Stable for the notification, whatever the attempt: a copy sent twice is recognisable as one."""
    return f"<notification-{notification.pk}@{mail_host()}>"


def _times(payload: dict) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(payload["starts_at"]), datetime.fromisoformat(payload["ends_at"])


def _line(label: str, value: str) -> str:
    return _("%(label)s: %(value)s") % {"label": label, "value": value}


def reservation_details(payload: dict, *, short: bool = False) -> str:
    """The appointment as label: value lines, in the active language (short: only when and where)."""
    starts_at, ends_at = _times(payload)
    when_line = _line(_("Date and time"), f"{when(starts_at)}–{clock(ends_at)}")
    if short:
        return "\n".join([when_line, _line(_("Venue"), payload["venue_name"])])
    lines = [
        _line(_("Reservation ID"), payload["code"]),
        _line(_("Dose"), _("Dose %(n)s") % {"n": payload["dose_number"]}),
        when_line,
        _line(_("Venue"), payload["venue_name"]),
    ]
    if payload.get("venue_address"):
        lines.append(_line(_("Address"), payload["venue_address"]))
    if payload.get("venue_phone"):
        lines.append(_line(_("Venue phone"), payload["venue_phone"]))
    lines.append(_line(_("Vaccine"), payload["vaccine_name"]))
    return "\n".join(lines)


def reservation_context(notification: Notification) -> dict:
    payload = notification.payload
    city = settings.YOYAKU
    starts_at, ends_at = _times(payload)
    previous = payload.get("previous")
    deadline = rules.web_deadline(
        starts_at,
        days_before=city["WEB_DEADLINE_DAYS_BEFORE"],
        at=rules.parse_clock(city["WEB_DEADLINE_TIME"]),
        tz=timezone.get_current_timezone(),
    )
    return {
        "notification": notification,
        "by_staff": notification.by_staff,
        "code": payload["code"],
        "starts_at": starts_at,
        "ends_at": ends_at,
        "details": reservation_details(payload),
        "previous_details": reservation_details(previous, short=True) if previous else "",
        "web_deadline": deadline,
        "web_open": rules.within_web_deadline(timezone.now(), deadline),
        "city_name": city["CITY_NAME"],
        "call_centre_phones": " / ".join(city["CALL_CENTRE_PHONES"]),
        "call_centre_hours": city["CALL_CENTRE_HOURS"],
        "what_to_bring": city["WHAT_TO_BRING"],
    }


def _reminder_prepare(notification: Notification) -> bool:
    """A reminder goes only to a reservation still booked for the day it was queued for; the details are
    read afresh (a move to another time of the same day is reported right)."""
    from yoyaku.booking.models import Reservation

    from .services import reservation_snapshot

    reservation = (Reservation.objects.select_related("slot__venue", "slot__vaccine")
                   .filter(pk=notification.reservation_id).first())
    if reservation is None or not reservation.is_active:
        return False
    queued_for = timezone.localdate(datetime.fromisoformat(notification.payload["starts_at"]))
    if timezone.localdate(reservation.slot.starts_at) != queued_for:
        return False
    notification.payload = reservation_snapshot(reservation)
    return True


register(MessageKind(Notification.Kind.BOOKED, reservation_context, calendar=True))
register(MessageKind(Notification.Kind.CHANGED, reservation_context, calendar=True))
register(MessageKind(Notification.Kind.CANCELLED, reservation_context))
register(MessageKind(Notification.Kind.REMINDER, reservation_context, prepare=_reminder_prepare))


def moveup_offer_context(notification: Notification) -> dict:
    """The offer (the earlier time, how long it holds, the link) and the booking the resident has now."""
    offer = notification.payload["offer"]
    lines = [reservation_details(offer, short=True)]
    if offer.get("venue_address"):
        lines.append(_line(_("Address"), offer["venue_address"]))
    lines.append(_line(_("Vaccine"), offer["vaccine_name"]))
    return {
        **reservation_context(notification),
        "current_details": reservation_details(notification.payload, short=True),
        "offer_details": "\n".join(lines),
        "offer_expires_at": datetime.fromisoformat(offer["expires_at"]),
        "offer_minutes": offer["minutes"],
        "offer_url": offer["url"],
    }


def _moveup_offer_prepare(notification: Notification) -> bool:
    """An offer that was accepted, taken or withdrawn before its email left, or has expired, is not sent."""
    from yoyaku.booking.models import MoveUpOffer

    return MoveUpOffer.objects.filter(pk=notification.payload["offer"]["id"], status=MoveUpOffer.Status.OPEN,
                                      expires_at__gt=timezone.now()).exists()


register(MessageKind(Notification.Kind.MOVEUP_OFFER, moveup_offer_context, prepare=_moveup_offer_prepare))


def calendar_file(notification: Notification) -> tuple[str, str]:
    payload = notification.payload
    starts_at, ends_at = _times(payload)
    body = reservation_ics(
        code=payload["code"], dose_number=payload["dose_number"], starts_at=starts_at, ends_at=ends_at,
        venue_name=payload["venue_name"], venue_address=payload.get("venue_address", ""),
        summary=_("Vaccination (dose %(dose)d)") % {"dose": payload["dose_number"]},
        description=_("Reservation ID: %(code)s") % {"code": payload["code"]},
        host=city_host(), sequence=payload.get("sequence", 0),
    )
    return f"vaccination-{payload['code']}.ics", body


def build_message(notification: Notification, *, connection=None) -> EmailMessage:
    """The email for a notification, in its language. Raises NotStillWanted for a stale one."""
    spec = KINDS[notification.kind]
    if spec.prepare is not None and not spec.prepare(notification):
        raise NotStillWanted(notification.pk)
    with translation.override(notification.language or settings.LANGUAGE_CODE):
        context = spec.context(notification)
        template = f"notify/email/{notification.kind}"
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_body.txt", context)
        body = re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
        message = EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.email],
            connection=connection,
            headers={"Message-ID": message_id(notification), "Auto-Submitted": "auto-generated"},
        )
        if spec.calendar:
            filename, ics = calendar_file(notification)
            message.attach(filename, ics, "text/calendar")
    return message
