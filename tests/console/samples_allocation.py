from datetime import timedelta

from django.utils import timezone

from tests import factories as f
from yoyaku.booking import services
from yoyaku.booking.models import BookingWindow

from .permissions import CALL_CENTRE, CITY_ADMIN, Sample


def _window():
    window = BookingWindow.objects.allocation().filter(label="permission sample round").first()
    if window is None:
        now = timezone.now()
        window = services.allocation_window_open(
            actor=services.Actor.system(), doses=[1, 2], opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=1), first_day=timezone.localdate() + timedelta(days=3),
            last_day=timezone.localdate() + timedelta(days=30), label="permission sample round")
    return window


def samples(world):
    window = _window()
    caller = f.resident()
    return [Sample("allocation", allowed=frozenset({CITY_ADMIN, CALL_CENTRE})),
            Sample("allocation_preview", {"window_id": window.pk}, allowed=frozenset({CITY_ADMIN}), query="seed=1"),
            Sample("allocation_resident_wishes", {"resident_id": caller.pk, "window_id": window.pk},
                   allowed=frozenset({CITY_ADMIN, CALL_CENTRE}))]
