"""The rush's data set, built fast with bulk inserts: residents with known logins, fewer places than people.

Run inside Django (run.py calls it in a subprocess with the benchmark's environment).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from yoyaku.booking.models import BookingWindow, Resident, Slot, Vaccine, Venue, dose_mask

from .people import birth_date_of, ticket_of


def build(*, residents: int, venues: int = 10, days: int = 10, times_per_day: int = 16, capacity: int = 8,
          seed: int = 1) -> dict:
    rng = random.Random(seed)
    vaccine = Vaccine.objects.create(code="PFZ", name="ファイザー社製", min_age=12, next_dose_min_days=21,
                                     doses_per_vial=6)
    venue_objs = [Venue(code=f"V{n:02d}", name=f"会場{n:02d}", area=f"地区{n % 4}", address="二戸市")
                  for n in range(venues)]
    Venue.objects.bulk_create(venue_objs)
    for venue in venue_objs:
        venue.vaccines.add(vaccine)
    today = timezone.localdate()
    slots = []
    for venue in venue_objs:
        for d in range(3, 3 + days):
            day = today + timedelta(days=d)
            for t in range(times_per_day):
                start = timezone.make_aware(datetime(day.year, day.month, day.day, 9, 0) + timedelta(minutes=30 * t))
                slots.append(Slot(venue=venue, vaccine=vaccine, starts_at=start, ends_at=start + timedelta(minutes=30),
                                  capacity=capacity, dose_mask=dose_mask([1, 2])))
    Slot.objects.bulk_create(slots, batch_size=2000)
    people = [
        Resident(ticket_number=ticket_of(i), birth_date=birth_date_of(i), family_name="試験", given_name=f"{i}",
                 family_name_kana="シケン", given_name_kana="タロウ",
                 phone=f"0195-{rng.randint(10, 99)}-{i % 10000:04d}")
        for i in range(residents)
    ]
    Resident.objects.bulk_create(people, batch_size=5000)
    BookingWindow.objects.create(dose_mask=dose_mask([1, 2]), opens_at=timezone.now() - timedelta(hours=1),
                                 label="rush")
    return {"residents": residents, "slots": len(slots), "places": len(slots) * capacity}
