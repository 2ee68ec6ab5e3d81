"""What booking tells residents by email, on top of the outbox (yoyaku.notify), which knows nothing of booking.

- Queueing: `notification_for_reservation` (booked, changed, cancelled), `notification_for_details_change`
  (contact details, booker, move-up wish), `notification_for_move_up_offer` and
  `notification_for_waiting_list_offer` (an offer to a waiting-list entry, which has no reservation yet)
  freeze what the email must say (`reservation_snapshot`) and call notify's one `notification_queue`,
  inside the transaction of the act. `reminders_queue` is the periodic job that queues the day-before
  reminders (the worker runs it; `manage.py queue_reminders` by hand).
- Language: `email_language` is the one rule for every email about a reservation.
- Rendering: the context of each kind, its calendar file, and the checks just before sending (`prepare`)
  that drop a message gone stale. `register_notifications` (called by BookingConfig.ready) registers the kinds
  and the reminders job with notify.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from yoyaku.notify import jobs, messages
from yoyaku.notify.conf import mail_host, notify_setting
from yoyaku.notify.ics import reservation_ics
from yoyaku.notify.messages import MessageKind, NotStillWanted
from yoyaku.notify.models import Notification
from yoyaku.notify.services import notification_queue, notifications_queue_many, webhook_event_queue

from . import deadline, qr, rules
from .delivery import delivery_for
from .models import MoveUpOffer, Reservation, Resident

Kind = Notification.Kind

# --- What an email says, frozen at the time of the act ------------------------------------------------


# The city's names per language (Venue.name_en…): frozen beside the Japanese ones as venue_name_en…, and
# read in the email's language by `_local` (empty or missing: the Japanese).
_LANGUAGE_SUFFIXES = ("en", "zh_hans", "ko")


def _names(slot) -> dict:
    """The venue's and vaccine's names and the address, in Japanese and in each language the city gave."""
    venue, vaccine = slot.venue, slot.vaccine
    names = {"venue_name": venue.name, "venue_address": venue.address, "vaccine_name": vaccine.name}
    for suffix in _LANGUAGE_SUFFIXES:
        for key, value in (("venue_name", venue.localized("name", suffix)),
                           ("venue_address", venue.localized("address", suffix)),
                           ("vaccine_name", vaccine.localized("name", suffix))):
            if value != names[key]:
                names[f"{key}_{suffix}"] = value
    return names


def _local(payload: dict, key: str) -> str:
    """A frozen name in the active language (the email's), or the Japanese."""
    suffix = (translation.get_language() or "ja").lower().replace("-", "_")
    return payload.get(f"{key}_{suffix}") or payload.get(key, "")


def _address(payload: dict) -> str:
    """The address in the email's language, with the Japanese one beside it (for a taxi or a map)."""
    local, japanese = _local(payload, "venue_address"), payload.get("venue_address", "")
    return local if local == japanese else f"{local} / {japanese}"


def reservation_snapshot(reservation: Reservation) -> dict:
    """What an email about this reservation must say, frozen at the time of the change."""
    slot = reservation.slot
    return {
        "code": reservation.code,
        "dose_number": reservation.dose_number,
        "status": reservation.status,
        "starts_at": slot.starts_at.isoformat(),
        "ends_at": slot.ends_at.isoformat(),
        **_names(slot),
        "venue_phone": slot.venue.phone,
    }


def email_language(reservation: Reservation, *, on_the_web: bool) -> str:
    """The one rule for the language of an email about a reservation: the page's language when the resident
    (or the family member booking for them) acts on the web; otherwise (a staff act, a reminder, a move-up
    offer) the language of the last email about this reservation, so the resident keeps reading the language
    they chose; else the resident's recorded language; else the city's default."""
    known = {code for code, _name in settings.LANGUAGES}
    if on_the_web and translation.get_language() in known:
        return translation.get_language()
    if reservation.pk is not None:
        last = (Notification.objects.filter(reservation_id=reservation.pk).exclude(kind=Notification.WEBHOOK_KIND)
                .order_by("-pk")
                .values_list("language", flat=True).first())
        if last in known:
            return last
    recorded = (reservation.resident.language or "").lower().replace("_", "-")
    return recorded if recorded in known else settings.LANGUAGE_CODE


# --- Queueing ---------------------------------------------------------------------------------------


def notification_for_reservation(kind: str, reservation: Reservation, *, by_staff: bool,
                                 previous: dict | None = None) -> Notification:
    """Queue the email about a booking, change or cancellation (inside the act's transaction). `previous`:
    the snapshot before a change, so the email can say what it was."""
    payload = reservation_snapshot(reservation)
    if previous:
        payload["previous"] = previous
    if kind == Kind.CHANGED:
        # The calendar file of a change replaces the booking's event (same UID, higher SEQUENCE).
        payload["sequence"] = Notification.objects.filter(reservation_id=reservation.pk, kind=kind).count() + 1
    note, _created = notification_queue(
        kind=kind, reservation_id=reservation.pk, payload=payload, **delivery_for(reservation),
        language=email_language(reservation, on_the_web=not by_staff), by_staff=by_staff,
    )
    event_for_reservation(_EVENT_OF_KIND[kind], reservation, previous=previous)
    return note


def notification_for_move_up_offer(offer: MoveUpOffer, reservation: Reservation, *, url: str,
                                   now: datetime) -> Notification:
    """Queue the offer's email: the earlier time, how long it holds, the link; and the booking held now."""
    slot = offer.slot
    payload = reservation_snapshot(reservation)
    payload["offer"] = {
        "id": offer.pk,
        "starts_at": slot.starts_at.isoformat(),
        "ends_at": slot.ends_at.isoformat(),
        **_names(slot),
        "expires_at": offer.expires_at.isoformat(),
        "minutes": max(1, round((offer.expires_at - now).total_seconds() / 60)),
        "url": url,
    }
    note, _created = notification_queue(
        kind=Kind.MOVE_UP_OFFER, reservation_id=reservation.pk, payload=payload, **delivery_for(reservation),
        language=email_language(reservation, on_the_web=False), dedupe_key=f"move_up_offer:{offer.pk}",
    )
    if _created:
        event_for_move_up_offer("move_up_offer.made", offer, reservation)
    return note


def notification_for_waiting_list_offer(offer: MoveUpOffer, entry, *, url: str, now: datetime) -> Notification:
    """Queue the offer's email to a waiting-list entry (no reservation yet): the time, how long it holds, the
    link. By email to the address given when joining the list, in the resident's language."""
    slot = offer.slot
    payload = {"dose_number": entry.dose_number, "offer": {
        "id": offer.pk, "starts_at": slot.starts_at.isoformat(), "ends_at": slot.ends_at.isoformat(), **_names(slot),
        "expires_at": offer.expires_at.isoformat(),
        "minutes": max(1, round((offer.expires_at - now).total_seconds() / 60)), "url": url}}
    known = {code for code, _name in settings.LANGUAGES}
    recorded = (entry.resident.language or "").lower().replace("_", "-")
    note, _created = notification_queue(
        kind=Kind.WAITING_LIST_OFFER, reservation_id=None, payload=payload, email=entry.email,
        language=recorded if recorded in known else settings.LANGUAGE_CODE, dedupe_key=f"move_up_offer:{offer.pk}")
    return note


def notification_for_details_change(reservation: Reservation, *, changed: list[str], by_staff: bool,
                                    previous_email: str = "") -> list[Notification]:
    """Queue the confirmation that the contact details, booker or move-up wish changed (`changed`: the field
    names). Also to `previous_email`, when the address itself changed: its owner learns of the change."""
    payload = {**reservation_snapshot(reservation), "changed_fields": list(changed)}
    language = email_language(reservation, on_the_web=not by_staff)
    # The resident's channel (no address: a skipped row, so the act is still on record in the outbox); the
    # previous email address by email.
    deliveries = [delivery_for(reservation)]
    if previous_email and previous_email != reservation.email:
        deliveries.append({"channel": Notification.Channel.EMAIL, "email": previous_email, "recipient": ""})
    notes = []
    for index, delivery in enumerate(deliveries):
        note, _created = notification_queue(kind=Kind.DETAILS_CHANGED, reservation_id=reservation.pk,
                                            payload={**payload, "to_previous": index > 0},
                                            language=language, by_staff=by_staff, **delivery)
        notes.append(note)
    return notes


# --- Webhook events for the city's systems (the outbox delivers them: yoyaku/notify/channels.py) ----------------
# Queued in the act's transaction, like the email; nothing is queued when no endpoint wants the event. An event
# says what happened and to which reservation, never who: no name, ticket number, address or phone. A system
# that needs more reads it through the API with its token (GET /api/v1/reservations/{id}), which is audited.

_EVENT_OF_KIND = {Kind.BOOKED: "reservation.booked", Kind.CHANGED: "reservation.changed",
                  Kind.CANCELLED: "reservation.cancelled"}


def event_reservation(reservation: Reservation) -> dict:
    slot = reservation.slot
    return {"id": reservation.pk, "code": reservation.code, "status": reservation.status,
            "dose_number": reservation.dose_number, "slot_id": slot.pk, "venue_id": slot.venue_id,
            "vaccine_code": slot.vaccine.code, "starts_at": slot.starts_at.isoformat(),
            "ends_at": slot.ends_at.isoformat()}


def event_for_reservation(event_type: str, reservation: Reservation, *, previous: dict | None = None,
                          **extra) -> list[Notification]:
    """Queue a reservation's event (reservation.booked/changed/cancelled, dose.recorded, ...) for the endpoints
    that want it. `previous`: the snapshot before a change (its time and venue go in the event)."""
    def data() -> dict:  # built only when an endpoint wants the event (no cost to a city without webhooks)
        # Read afresh: the caller's object may hold the time before the act (an offer accepted moves it).
        built = {"reservation": event_reservation(
            Reservation.objects.select_related("slot__vaccine").get(pk=reservation.pk))}
        built.update({key: value() if callable(value) else value for key, value in extra.items()})
        if previous:
            built["previous"] = {key: previous[key] for key in ("starts_at", "ends_at") if key in previous}
        return built

    return webhook_event_queue(event_type=event_type, reservation_id=reservation.pk, data=data)


def event_for_move_up_offer(event_type: str, offer: MoveUpOffer, reservation: Reservation) -> list[Notification]:
    """move_up_offer.made / move_up_offer.accepted: the offer (its slot and time) and the reservation."""
    return event_for_reservation(event_type, reservation, offer=lambda: {
        "id": offer.pk, "status": offer.status, "slot_id": offer.slot_id, "venue_id": offer.slot.venue_id,
        "starts_at": offer.slot.starts_at.isoformat(), "expires_at": offer.expires_at.isoformat()})


def event_for_dose(record, reservation: Reservation) -> list[Notification]:
    """dose.recorded: the dose given at the venue (check-in), with its reservation."""
    return event_for_reservation("dose.recorded", reservation, dose=lambda: {
        "id": record.pk, "dose_number": record.dose_number, "vaccine_code": record.vaccine.code,
        "given_on": record.given_on.isoformat(), "source": record.source})


# --- The day-before reminders (a periodic job of the worker) ---------------------------------------------


def reminder_key(reservation_id: int, day) -> str:
    return f"reminder:{reservation_id}:{day.isoformat()}"


def _reminder_time():
    raw = notify_setting("REMINDER_TIME")
    try:
        return rules.parse_clock(raw)
    except (ValueError, TypeError):
        raise ImproperlyConfigured(f"YOYAKU_NOTIFY_REMINDER_TIME must be a time like 09:00, not {raw!r}.") from None


def _chunks(items: list, size: int = 500):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def reminders_queue(*, now: datetime | None = None) -> int:
    """Queue one reminder for every active reservation (with an email address) whose appointment is
    tomorrow, local time. Runs from REMINDER_TIME on; any number of times, from any number of workers:
    a reminder exists once per reservation and appointment day (moved to another day, it gets a new
    one). Returns how many were queued."""
    now = now or timezone.now()
    local_now = timezone.localtime(now)
    if local_now.time() < _reminder_time():
        return 0
    tomorrow = local_now.date() + timedelta(days=1)
    start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    tomorrows = Reservation.objects.filter(
        Q(email__gt="") | Q(resident__contact_channel__in=[Resident.ContactChannel.SMS, Resident.ContactChannel.LINE]),
        status=Reservation.Status.BOOKED, slot__starts_at__gte=start, slot__starts_at__lt=start + timedelta(days=1))
    keys = {pk: reminder_key(pk, tomorrow) for pk in tomorrows.values_list("pk", flat=True)}
    # Every few minutes, so cheap when everything is queued already: two queries.
    done = {key for chunk in _chunks(list(keys.values()))
            for key in Notification.objects.filter(dedupe_key__in=chunk).values_list("dedupe_key", flat=True)}
    missing = [pk for pk, key in keys.items() if key not in done]
    queued = 0
    related = tomorrows.select_related("slot__venue", "slot__vaccine", "resident")
    for chunk in _chunks(missing):
        for reservation in related.filter(pk__in=chunk).order_by("pk"):
            delivery = delivery_for(reservation)
            if not (delivery["email"] or delivery["recipient"]):
                continue  # SMS wanted, but no mobile number and no email: nothing to send a reminder to
            _note, created = notification_queue(
                kind=Kind.REMINDER, reservation_id=reservation.pk, payload=reservation_snapshot(reservation),
                **delivery, language=email_language(reservation, on_the_web=False),
                dedupe_key=keys[reservation.pk],
            )
            queued += created
    return queued


# --- Rendering ------------------------------------------------------------------------------------------


def _when(value: datetime) -> str:
    # The language's DATETIME_FORMAT (yoyaku/web/formats), as on the pages.
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _clock(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value), "TIME_FORMAT")


def _times(payload: dict) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(payload["starts_at"]), datetime.fromisoformat(payload["ends_at"])


def _line(label: str, value: str) -> str:
    return _("%(label)s: %(value)s") % {"label": label, "value": value}


def reservation_details(payload: dict, *, short: bool = False) -> str:
    """The appointment as label: value lines, in the active language (short: only when and where)."""
    starts_at, ends_at = _times(payload)
    when_line = _line(_("Date and time"), f"{_when(starts_at)}–{_clock(ends_at)}")
    if short:
        return "\n".join([when_line, _line(_("Venue"), _local(payload, "venue_name"))])
    lines = [
        _line(_("Reservation ID"), payload["code"]),
        _line(_("Dose"), _("Dose %(n)s") % {"n": payload["dose_number"]}),
        when_line,
        _line(_("Venue"), _local(payload, "venue_name")),
    ]
    if payload.get("venue_address"):
        lines.append(_line(_("Address"), _address(payload)))
    if payload.get("venue_phone"):
        lines.append(_line(_("Venue phone"), payload["venue_phone"]))
    lines.append(_line(_("Vaccine"), _local(payload, "vaccine_name")))
    return "\n".join(lines)


def reservation_context(notification: Notification) -> dict:
    payload = notification.payload
    city = settings.YOYAKU
    starts_at, ends_at = _times(payload)
    previous = payload.get("previous")
    return {
        "notification": notification,
        "by_staff": notification.by_staff,
        "code": payload["code"],
        "starts_at": starts_at,
        "ends_at": ends_at,
        "details": reservation_details(payload),
        "previous_details": reservation_details(previous, short=True) if previous else "",
        "web_deadline": deadline.web_deadline(starts_at),
        "web_open": deadline.web_open(starts_at),
        **_city_context(),
        "what_to_bring": city["WHAT_TO_BRING"],
    }


def details_changed_label(name: str) -> str:
    """A changed field as the email names it, in the active language."""
    return {
        "recipient_phone": _("Phone number of the person receiving the vaccination"),
        "booker_name": _("Booker's name"),
        "booker_relation": _("Relation to the person"),
        "booker_phone": _("Booker's phone number"),
        "email": _("Email address"),
        "wants_move_up": _("Would you like an earlier date?"),
    }.get(name, name)


def details_changed_context(notification: Notification) -> dict:
    """The reservation (unchanged time and place) and which details changed, by name, without their values."""
    return {**reservation_context(notification),
            "changed": [details_changed_label(name) for name in notification.payload.get("changed_fields", [])],
            "to_previous": notification.payload.get("to_previous", False)}


def _offer_context(offer: dict) -> dict:
    """An offer's time and place (with the address and vaccine), how long it holds, the link."""
    lines = [reservation_details(offer, short=True)]
    if offer.get("venue_address"):
        lines.append(_line(_("Address"), _address(offer)))
    lines.append(_line(_("Vaccine"), _local(offer, "vaccine_name")))
    return {"offer_details": "\n".join(lines), "offer_expires_at": datetime.fromisoformat(offer["expires_at"]),
            "offer_minutes": offer["minutes"], "offer_url": offer["url"]}


def move_up_offer_context(notification: Notification) -> dict:
    """The offer and the booking the resident has now."""
    return {**reservation_context(notification), **_offer_context(notification.payload["offer"]),
            "current_details": reservation_details(notification.payload, short=True)}


def _city_context() -> dict:
    city = settings.YOYAKU
    return {"city_name": city["CITY_NAME"], "call_centre_phones": " / ".join(city["CALL_CENTRE_PHONES"]),
            "call_centre_hours": city["CALL_CENTRE_HOURS"]}


def waiting_list_offer_context(notification: Notification) -> dict:
    """The offer to a waiting-list entry, for its dose (no reservation yet)."""
    return {**_city_context(), **_offer_context(notification.payload["offer"]), "notification": notification,
            "dose_number": notification.payload["dose_number"]}


def calendar_file(notification: Notification) -> tuple[str, str]:
    """vaccination-<code>.ics; its UID's host is the city's mail host, the same for every version."""
    payload = notification.payload
    starts_at, ends_at = _times(payload)
    body = reservation_ics(
        code=payload["code"], dose_number=payload["dose_number"], starts_at=starts_at, ends_at=ends_at,
        # The Japanese address: the one map and calendar apps find (as Venue.map_url).
        venue_name=_local(payload, "venue_name"), venue_address=payload.get("venue_address", ""),
        summary=_("Vaccination (dose %(dose)d)") % {"dose": payload["dose_number"]},
        description=_("Reservation ID: %(code)s") % {"code": payload["code"]},
        host=mail_host(), sequence=payload.get("sequence", 0),
    )
    return f"vaccination-{payload['code']}.ics", body


def qr_attachment(notification: Notification) -> list[tuple[str, bytes, str]]:
    """The check-in QR code (booking/qr.py) as a PNG attachment: plain-text emails carry no inline image, and an
    attached PNG is shown by every mail client (docs/check-in-qr.md says why not HTML or a link)."""
    code = notification.payload["code"]
    return [(f"check-in-qr-{code}.png", qr.qr_png(code), "image/png")]


# --- Just before sending ---------------------------------------------------------------------------------


def reminder_prepare(notification: Notification) -> None:
    """A reminder says "tomorrow": it goes only before the appointment's day, and only to a reservation still
    booked for the day it was queued for (a long mail outage must not send it on the day or later). The
    details are read afresh (a move to another time of the same day is reported right)."""
    reservation = (Reservation.objects.select_related("slot__venue", "slot__vaccine")
                   .filter(pk=notification.reservation_id).first())
    if reservation is None or not reservation.is_active:
        raise NotStillWanted("the reservation is no longer booked")
    day = timezone.localdate(reservation.slot.starts_at)
    if day != timezone.localdate(datetime.fromisoformat(notification.payload["starts_at"])):
        raise NotStillWanted("the appointment moved to another day")
    if timezone.localdate() >= day:
        raise NotStillWanted("too late: the appointment's day has come")
    notification.payload = reservation_snapshot(reservation)


def move_up_offer_prepare(notification: Notification) -> None:
    """An offer that was accepted, taken or withdrawn before its email left, or has expired, is not sent; nor
    an offer to a waiting-list entry that is no longer waiting (booked by staff, or taken off the list)."""
    if not MoveUpOffer.objects.filter(pk=notification.payload["offer"]["id"], status=MoveUpOffer.Status.OPEN,
                                      expires_at__gt=timezone.now()).exclude(
            standby_entry__isnull=False, standby_entry__status__in=["booked", "withdrawn"]).exists():
        raise NotStillWanted("the offer is no longer open")


def register_notifications() -> None:
    """Tell the outbox about booking's kinds of email and its periodic job (BookingConfig.ready)."""
    messages.register(MessageKind(Kind.BOOKED, reservation_context, calendar=calendar_file,
                                  attachments=qr_attachment))
    messages.register(MessageKind(Kind.CHANGED, reservation_context, calendar=calendar_file,
                                  attachments=qr_attachment))
    messages.register(MessageKind(Kind.CANCELLED, reservation_context))
    messages.register(MessageKind(Kind.REMINDER, reservation_context, prepare=reminder_prepare,
                                  attachments=qr_attachment))
    messages.register(MessageKind(Kind.MOVE_UP_OFFER, move_up_offer_context, prepare=move_up_offer_prepare))
    messages.register(MessageKind(Kind.WAITING_LIST_OFFER, waiting_list_offer_context, prepare=move_up_offer_prepare))
    messages.register(MessageKind(Kind.DETAILS_CHANGED, details_changed_context))
    jobs.register("reminders", reminders_queue, every_seconds=lambda: notify_setting("REMINDER_EVERY_SECONDS"),
                  check=_reminder_time)
    messages.register(MessageKind(Kind.ALLOCATED, allocation_context, calendar=calendar_file,
                                  prepare=allocation_prepare))
    jobs.register("allocations", _allocations_expire, every_seconds=lambda: notify_setting("REMINDER_EVERY_SECONDS"))


# --- Allocation mode (services/allocation.py): the place allocated, to confirm ----------------------------------


def allocation_url() -> str:
    from django.urls import reverse

    return settings.YOYAKU["SITE_URL"] + reverse("portal:allocation")


def notifications_for_allocations(reservations: list[Reservation], *, confirm_by: datetime) -> None:
    """Queue the emails of allocated places: the appointment, until when to confirm, the page to answer on. New
    reservations have no email yet, so email_language's rule gives the resident's recorded language."""
    url = allocation_url()
    known = {code for code, _name in settings.LANGUAGES}
    items = []
    for reservation in reservations:
        payload = reservation_snapshot(reservation)
        payload["allocation"] = {"confirm_by": confirm_by.isoformat(), "url": url}
        language = (reservation.resident.language or "").lower().replace("_", "-")
        items.append({"kind": Kind.ALLOCATED, "reservation_id": reservation.pk, "payload": payload,
                      **delivery_for(reservation), "by_staff": False,
                      "language": language if language in known else settings.LANGUAGE_CODE})
    notifications_queue_many(items)


def allocation_context(notification: Notification) -> dict:
    allocation = notification.payload["allocation"]
    return {**reservation_context(notification), "confirm_by": datetime.fromisoformat(allocation["confirm_by"]),
            "allocation_url": allocation["url"]}


def allocation_prepare(notification: Notification) -> None:
    """An allocation already answered, given up or past its time is not announced any more."""
    from .models import AllocationRegistration

    if not AllocationRegistration.objects.filter(reservation_id=notification.reservation_id,
                                                 status=AllocationRegistration.Status.OFFERED,
                                                 confirm_by__gt=timezone.now()).exists():
        raise NotStillWanted("the allocated place is no longer waiting for an answer")


def _allocations_expire() -> int:
    from .services.allocation import allocations_expire  # the job runs a service; services import this module

    return allocations_expire()
