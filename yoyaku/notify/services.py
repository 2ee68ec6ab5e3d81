"""Queueing notifications. Always called inside the transaction of the change being reported."""

from django.utils import timezone

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


def notification_queue(*, kind: str, reservation, by_staff: bool, previous: dict | None = None) -> Notification:
    payload = reservation_snapshot(reservation)
    if previous:
        payload["previous"] = previous
    email = reservation.email
    return Notification.objects.create(
        kind=kind,
        reservation=reservation,
        payload=payload,
        email=email,
        language=reservation.resident.language or "ja",
        by_staff=by_staff,
        status=Notification.Status.PENDING if email else Notification.Status.SKIPPED,
        next_attempt_at=timezone.now(),
    )
