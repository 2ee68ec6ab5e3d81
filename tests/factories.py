"""Small builders for test data. Plain functions: each test says what it needs."""

from datetime import date, datetime, timedelta
from itertools import count

from django.utils import timezone

from yoyaku.booking.models import BookingWindow, Resident, Slot, Vaccine, Venue, dose_mask

_seq = count(1)


def resident(**fields) -> Resident:
    n = next(_seq)
    values = {
        "ticket_number": f"{n:010d}",
        "birth_date": date(1950, 1, 1),
        "family_name": "山田",
        "given_name": f"太郎{n}",
        "family_name_kana": "ヤマダ",
        "given_name_kana": "タロウ",
        "phone": "0195-00-0000",
    }
    values.update(fields)
    return Resident.objects.create(**values)


def vaccine(**fields) -> Vaccine:
    n = next(_seq)
    values = {"code": f"V{n}", "name": f"Vaccine {n}", "min_age": 12, "next_dose_min_days": 21, "doses_per_vial": 6}
    values.update(fields)
    return Vaccine.objects.get_or_create(code=values.pop("code"), defaults=values)[0]


def venue(*, vaccines=(), **fields) -> Venue:
    n = next(_seq)
    values = {"code": f"VEN{n}", "name": f"Clinic {n}", "area": "Central", "address": "1-1"}
    values.update(fields)
    v = Venue.objects.create(**values)
    if vaccines:
        v.vaccines.set(vaccines)
    return v


def at(days: int, hour: int = 10, minute: int = 0) -> datetime:
    """A local time `days` from today."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def slot(*, venue=None, vaccine=None, starts_at=None, capacity=5, doses=(1, 2), **fields) -> Slot:
    vaccine = vaccine or globals()["vaccine"]()
    venue = venue or globals()["venue"](vaccines=[vaccine])
    starts_at = starts_at or at(10)
    return Slot.objects.create(
        venue=venue,
        vaccine=vaccine,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
        capacity=capacity,
        dose_mask=dose_mask(doses),
        **fields,
    )


def open_window(*, doses=(1, 2), **fields) -> BookingWindow:
    values = {"opens_at": timezone.now() - timedelta(days=1), "dose_mask": dose_mask(doses)}
    values.update(fields)
    return BookingWindow.objects.create(**values)


def staff_user(username: str = "operator", **fields):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username, password="a-long-test-password-123", is_staff=True,
                                                **fields)
