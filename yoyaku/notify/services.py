"""Queueing notifications.

`notification_queue` is always called inside the transaction of the change being reported, so the row
commits or rolls back with it. `reminders_queue` is run by the worker loop (and `manage.py
queue_reminders`); its unique `dedupe_key` makes each reminder exist once, whoever queues it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone, translation

from yoyaku.booking import rules

from .conf import notify_setting
from .models import Notification


def reservation_snapshot(reservation) -> dict:
    """What an email about this reservation must say, frozen at the time of the change."""
    slot = reservation.slot
    venue = slot.venue
    return {
        "code": reservation.code,
        "dose_number": reservation.dose_number,
        "status": reservation.status,
        "starts_at": slot.starts_at.isoformat(),
        "ends_at": slot.ends_at.isoformat(),
        "venue_name": venue.name,
        "venue_address": venue.address,
        "venue_phone": venue.phone,
        "vaccine_name": slot.vaccine.name,
    }


def _language_for(reservation, *, by_staff: bool) -> str:
    """The language the email is written in: the page's when the resident (or the family member booking
    for them) acted on the web, else the resident's recorded language."""
    known = {code for code, _name in settings.LANGUAGES}
    if not by_staff:
        active = translation.get_language()
        if active in known:
            return active
    language = (reservation.resident.language or "").lower().replace("_", "-")
    return language if language in known else settings.LANGUAGE_CODE


def notification_queue(*, kind: str, reservation, by_staff: bool, previous: dict | None = None) -> Notification:
    payload = reservation_snapshot(reservation)
    if previous:
        payload["previous"] = previous
    if kind == Notification.Kind.CHANGED:
        # The calendar file of a change replaces the booking's event (same UID, higher SEQUENCE).
        payload["sequence"] = Notification.objects.filter(reservation=reservation, kind=kind).count() + 1
    email = reservation.email
    return Notification.objects.create(
        kind=kind,
        reservation=reservation,
        payload=payload,
        email=email,
        language=_language_for(reservation, by_staff=by_staff),
        by_staff=by_staff,
        status=Notification.Status.PENDING if email else Notification.Status.SKIPPED,
        last_error="" if email else "no email address",
        next_attempt_at=timezone.now(),
    )


def _chunks(items: list, size: int = 500):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _in_chunks(queryset, pks: list):
    for chunk in _chunks(pks):
        yield from queryset.filter(pk__in=chunk).order_by("pk")


def reminder_key(reservation_id: int, day) -> str:
    return f"reminder:{reservation_id}:{day.isoformat()}"


def reminders_queue(*, now: datetime | None = None) -> int:
    """Queue one reminder for every active reservation (with an email address) whose appointment is
    tomorrow, local time. Runs from REMINDER_TIME on; any number of times, from any number of workers:
    a reminder exists once per reservation and appointment day (moved to another day, it gets a new
    one). Returns how many were queued."""
    from yoyaku.booking.models import Reservation

    now = now or timezone.now()
    local_now = timezone.localtime(now)
    if local_now.time() < rules.parse_clock(notify_setting("REMINDER_TIME")):
        return 0
    tomorrow = local_now.date() + timedelta(days=1)
    tz = timezone.get_current_timezone()
    start = datetime.combine(tomorrow, datetime.min.time(), tzinfo=tz)
    tomorrows = Reservation.objects.filter(status=Reservation.Status.BOOKED, slot__starts_at__gte=start,
                                           slot__starts_at__lt=start + timedelta(days=1)).exclude(email="")
    keys = {pk: reminder_key(pk, tomorrow) for pk in tomorrows.values_list("pk", flat=True)}
    # Every few minutes, so cheap when everything is queued already: two queries.
    done = {key for chunk in _chunks(list(keys.values()))
            for key in Notification.objects.filter(dedupe_key__in=chunk).values_list("dedupe_key", flat=True)}
    missing = [pk for pk, key in keys.items() if key not in done]
    queued = 0
    for reservation in _in_chunks(tomorrows.select_related("slot__venue", "slot__vaccine", "resident"), missing):
        # In the language of the last email about this reservation (the page's language when booked).
        language = (Notification.objects.filter(reservation=reservation).exclude(kind=Notification.Kind.REMINDER)
                    .order_by("-pk").values_list("language", flat=True).first())
        _note, made = Notification.objects.get_or_create(
            dedupe_key=keys[reservation.pk],
            defaults={
                "kind": Notification.Kind.REMINDER,
                "reservation": reservation,
                "payload": reservation_snapshot(reservation),
                "email": reservation.email,
                "language": language or _language_for(reservation, by_staff=True),
                "by_staff": False,
                "next_attempt_at": now,
            },
        )
        queued += made
    return queued
