"""The resident's side, for a chat bot (LINE): the resident authorises the bot once with ticket number and birth
date, throttled exactly as the web login (yoyaku/web/throttle.py), and the bot gets a token that reads
availability and the resident's own reservations, books, changes and cancels them as the resident would on
the web (same rules, deadline included), and can be revoked."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from yoyaku.booking import availability as booking_availability
from yoyaku.booking import rules, services
from yoyaku.booking.errors import InvalidInput, call_centre_text
from yoyaku.booking.models import Reservation, Resident, Slot
from yoyaku.booking.services.contact import resident_set_contact_channel
from yoyaku.booking.services.integrations import api_token_revoke, resident_token_create
from yoyaku.web import throttle
from yoyaku.web.request import client_address

from . import data
from .auth import actor_for, require
from .idempotency import idempotent
from .problems import Problem
from .schemas import (
    AuthoriseIn,
    BotBookIn,
    BotChangeIn,
    ContactIn,
    ContactOut,
    IsoDate,
    ReservationOut,
    RevokedOut,
    SlotOut,
    TokenOut,
)
from .system import ERRORS, PATH_ID, ok

router = Router()
OWN = "own:reservations"


def _wait_text(seconds: int) -> str:
    if seconds >= 60:
        return _("%(n)d minutes") % {"n": (seconds + 59) // 60}
    return _("%(n)d seconds") % {"n": seconds}


@router.post("/bot/authorise", auth=None, response={201: TokenOut, **ERRORS}, tags=["resident bot"])
def authorise(request, body: AuthoriseIn):
    """A resident lets a bot act for them: ticket number and birth date, as on the login page (and throttled
    the same way). Answers a token for their own reservations and availability, shown once."""
    resident = None
    ticket = None
    try:
        ticket = rules.normalize_ticket_number(body.ticket_number)
    except InvalidInput as error:
        raise Problem(422, error.code, error.message) from None
    address = client_address(request)
    verdict = throttle.attempt(ticket=ticket, address=address)  # counted first, then decided
    if not verdict.allowed:
        if verdict.scope == "ticket":
            message = _("Login with this ticket number is paused after several failed attempts. Try again in "
                        "%(wait)s, or call us.") % {"wait": _wait_text(verdict.retry_after)}
        else:
            message = _("Too many failed attempts from your connection. Try again in %(wait)s, or call us.") % {
                "wait": _wait_text(verdict.retry_after)}
        raise Problem(429, "login_paused", message + " " + call_centre_text(),
                      headers={"Retry-After": str(verdict.retry_after)})
    resident = Resident.objects.filter(ticket_number=ticket).first()
    if resident is None or not resident.active or resident.birth_date != body.birth_date:
        throttle.failed(ticket=ticket, address=address, counted=True)
        raise Problem(401, "login_failed", _(
            "The ticket number or the password (date of birth) is not right. Check both and try again."))
    throttle.succeeded(ticket=ticket, address=address)
    actor = services.Actor.for_resident(resident, client_address=address)
    token, secret = resident_token_create(actor=actor, name=body.name)
    return Status(201, {"token": secret, "prefix": token.prefix, "scopes": token.scopes})


def _own(request, reservation_id: int) -> Reservation:
    token = require(request, OWN)
    return get_object_or_404(Reservation.objects.select_related("resident", "slot__vaccine"), pk=reservation_id,
                             resident_id=token.resident_id)


def _out(reservation: Reservation) -> dict:
    fresh = Reservation.objects.select_related("resident", "slot__vaccine").get(pk=reservation.pk)
    return data.reservation_out(fresh)


@router.get("/me/reservations", response=ok(list[ReservationOut]), tags=["resident bot"])
def my_reservations(request):
    """The resident's reservations (every status), newest dose first."""
    token = require(request, OWN)
    found = (Reservation.objects.filter(resident_id=token.resident_id).select_related("resident", "slot__vaccine")
             .order_by("-dose_number", "-created_at"))
    return [data.reservation_out(r) for r in found]


class TimesQuery(Schema):
    dose_number: int = Field(..., ge=1, le=16)
    day: IsoDate
    venue_id: int | None = Field(None, ge=1, le=2**31 - 1)


@router.get("/me/times", response=ok(list[SlotOut]), tags=["resident bot"])
def my_times(request, query: Query[TimesQuery]):
    """The free times this resident may book for this dose on a day (the booking page's list)."""
    token = require(request, OWN)
    times = booking_availability.dose_times_for(resident=token.resident, dose_number=query.dose_number,
                                                now=timezone.now())
    ids = [t.pk for t in times.times(day=query.day, venue_id=query.venue_id)]
    slots = Slot.objects.filter(pk__in=ids).select_related("vaccine").order_by("starts_at", "venue_id")
    return [data.slot_out(s) for s in slots]


@router.post("/me/reservations", response=ok(ReservationOut, 201), tags=["resident bot"])
def my_book(request, body: BotBookIn):
    token = require(request, OWN)

    def run():
        from .system import _booking_key

        reservation = services.reservation_book(actor=actor_for(request), resident=token.resident,
                                                slot_id=body.slot_id, dose_number=body.dose_number,
                                                email=body.email.strip(), request_key=_booking_key(request))
        return 201, _out(reservation)

    return idempotent(request, run)


@router.post("/me/reservations/{reservation_id}/change", response=ok(ReservationOut), tags=["resident bot"])
def my_change(request, body: BotChangeIn, reservation_id: int = PATH_ID):
    reservation = _own(request, reservation_id)
    return idempotent(request, lambda: (200, _out(services.reservation_change(
        actor=actor_for(request), reservation=reservation, slot_id=body.slot_id))))


@router.post("/me/reservations/{reservation_id}/cancel", response=ok(ReservationOut), tags=["resident bot"])
def my_cancel(request, reservation_id: int = PATH_ID):
    reservation = _own(request, reservation_id)
    return idempotent(request, lambda: (200, _out(services.reservation_cancel(
        actor=actor_for(request), reservation=reservation))))


@router.post("/me/token/revoke", response=ok(RevokedOut), tags=["resident bot"])
def my_revoke(request):
    """The resident (or the bot) withdraws the bot's access: the token stops working at once."""
    token = require(request, OWN)
    return idempotent(request, lambda: (200, {"revoked": api_token_revoke(actor=actor_for(request), token=token)}))


@router.post("/me/contact", response=ok(ContactOut), tags=["resident bot"])
def my_contact(request, body: ContactIn):
    """How the city sends the resident messages (docs/channels.md). A LINE bot links LINE by sending the chat's
    LINE user id with channel "line" once the resident authorised it; "email" or "sms" switches back (the
    LINE link stays until another id is sent). Refused (422) when the city does not offer the channel, or the
    resident has no address for it (SMS: a mobile number)."""
    token = require(request, OWN)

    def run():
        resident_set_contact_channel(actor=actor_for(request), resident=token.resident, channel=body.channel,
                                     line_user_id=body.line_user_id)
        resident = Resident.objects.get(pk=token.resident_id)
        return 200, {"channel": resident.contact_channel, "line_linked": bool(resident.line_user_id)}

    return idempotent(request, run)

