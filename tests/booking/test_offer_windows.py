"""Offer windows that shorten as the day nears (MOVE_UP_OFFER_WINDOW_SHARE)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import services
from yoyaku.booking.models import MoveUpOffer
from yoyaku.booking.services.move_up_offers import offer_window

SYSTEM = services.Actor.system()


@pytest.fixture
def windows(settings):
    settings.YOYAKU = {**settings.YOYAKU, "MOVE_UP_OFFERS": True, "MOVE_UP_OFFERS_PER_PLACE": 1,
                       "MOVE_UP_OFFER_MINUTES": 240, "MOVE_UP_OFFER_MIN_HOURS": 1,
                       "MOVE_UP_OFFER_WINDOW_SHARE": 0.1, "MOVE_UP_OFFER_MIN_MINUTES": 15}
    return settings


def test_with_share_zero_the_window_is_the_fixed_minutes(settings):
    settings.YOYAKU = {**settings.YOYAKU, "MOVE_UP_OFFER_MINUTES": 60, "MOVE_UP_OFFER_WINDOW_SHARE": 0}
    assert offer_window(timedelta(days=10)) == offer_window(timedelta(hours=2)) == timedelta(minutes=60)


def test_the_window_shortens_as_the_day_nears_between_the_bounds(windows):
    assert offer_window(timedelta(days=5)) == timedelta(minutes=240)  # capped at MOVE_UP_OFFER_MINUTES
    assert offer_window(timedelta(hours=10)) == timedelta(minutes=60)  # a tenth of the time left
    assert offer_window(timedelta(hours=2)) == timedelta(minutes=15)  # never below MOVE_UP_OFFER_MIN_MINUTES


@pytest.mark.django_db
def test_an_offer_made_on_the_day_expires_sooner_than_one_made_days_before(windows):
    f.open_window(opens_at=timezone.now() - timedelta(days=30))
    pfz = f.vaccine(code="PFZ")
    venue = f.venue(vaccines=[pfz])
    now = timezone.now()
    soon = f.slot(venue=venue, vaccine=pfz, starts_at=now + timedelta(hours=5), capacity=1)
    later = f.slot(venue=venue, vaccine=pfz, starts_at=now + timedelta(days=20), capacity=5)
    holder = services.reservation_book(actor=SYSTEM, resident=f.resident(email="a@example.jp"), slot_id=soon.pk,
                                       dose_number=1, email="a@example.jp")
    services.reservation_book(actor=SYSTEM, resident=f.resident(email="b@example.jp"), slot_id=later.pk,
                              dose_number=1, email="b@example.jp", wants_move_up=True)
    services.reservation_cancel(actor=SYSTEM, reservation=holder, now=now)
    offer = MoveUpOffer.objects.get(slot=soon)
    assert offer.expires_at - now == timedelta(minutes=30)  # a tenth of 5 hours
