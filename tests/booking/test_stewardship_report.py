"""The dashboard's stewardship figures for real data (reports.stewardship_figures)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import reports, services

SYSTEM = services.Actor.system()


@pytest.mark.django_db
def test_a_freed_place_refilled_and_the_last_vial_leftover_counted():
    f.open_window(opens_at=timezone.now() - timedelta(days=30))
    pfz = f.vaccine(code="PFZ", doses_per_vial=6)
    venue = f.venue(vaccines=[pfz])
    slot = f.slot(venue=venue, vaccine=pfz, starts_at=f.at(3), capacity=5, doses=(1,))
    people = [services.reservation_book(actor=SYSTEM, resident=f.resident(), slot_id=slot.pk, dose_number=1)
              for _ in range(5)]
    services.reservation_cancel(actor=SYSTEM, reservation=people[0])
    services.reservation_book(actor=SYSTEM, resident=f.resident(), slot_id=slot.pk, dose_number=1)
    services.reservation_cancel(actor=SYSTEM, reservation=people[1])  # freed, never refilled
    staff = services.Actor.for_staff(f.staff_user())
    on_the_day = slot.starts_at + timedelta(minutes=5)
    for reservation in people[2:]:
        services.reservation_check_in(actor=staff, reservation=reservation, lot="L1", now=on_the_day)
    figures = reports.stewardship_figures(start=slot.day, days=1)
    assert (figures.freed, figures.refilled) == (2, 1)
    assert (figures.given, figures.opened, figures.wasted) == (3, 6, 3)
    assert figures.refilled_percent == 50.0 and figures.wasted_percent == 50.0
