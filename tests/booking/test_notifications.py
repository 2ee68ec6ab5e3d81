"""Booking's emails on top of the outbox: the one language rule, the dates as the language writes them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from tests import factories as f
from yoyaku.booking import services
from yoyaku.booking.models import MoveUpOffer
from yoyaku.booking.notifications import email_language, reminders_queue
from yoyaku.notify.messages import build_message
from yoyaku.notify.models import Notification

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


@pytest.fixture
def city():
    f.open_window(opens_at=timezone.now() - timedelta(days=30))
    pfz = f.vaccine(code="PFZ", name="Pfizer")
    return {"vaccine": pfz, "venue": f.venue(vaccines=[pfz], name="North Clinic")}


def web_booking(city, resident, *, language, starts_at=None, wants_move_up=False):
    slot = f.slot(venue=city["venue"], vaccine=city["vaccine"], starts_at=starts_at or f.at(10), capacity=1)
    with translation.override(language):
        return services.reservation_book(actor=services.Actor.for_resident(resident), resident=resident,
                                         slot_id=slot.pk, dose_number=1, email=resident.email,
                                         wants_move_up=wants_move_up)


def language_of(reservation, kind):
    return Notification.objects.filter(reservation=reservation, kind=kind).latest("pk").language


def test_after_a_web_booking_every_email_keeps_the_language_the_resident_read(city):
    """Recorded as Korean, booked on the English page: the staff's change and the reminder follow in English."""
    resident = f.resident(email="k@example.jp", language="ko")
    reservation = web_booking(city, resident, language="en")
    assert language_of(reservation, Kind.BOOKED) == "en"
    staff = services.Actor.for_staff(f.staff_user())
    with translation.override("ja"):  # the operator's console is in Japanese
        services.reservation_change(actor=staff, reservation=reservation, reason="phone",
                                    slot_id=f.slot(venue=city["venue"], vaccine=city["vaccine"],
                                                   starts_at=f.at(1, 11)).pk)
    assert language_of(reservation, Kind.CHANGED) == "en"
    with translation.override("ja"):  # the worker runs in any language
        assert reminders_queue(now=f.at(0, 10)) == 1
    assert language_of(reservation, Kind.REMINDER) == "en"


def test_staff_acts_before_any_email_use_the_recorded_language(city):
    resident = f.resident(email="k@example.jp", language="ko")
    slot = f.slot(venue=city["venue"], vaccine=city["vaccine"])
    with translation.override("ja"):
        reservation = services.reservation_book(actor=services.Actor.for_staff(f.staff_user()), resident=resident,
                                                slot_id=slot.pk, dose_number=1, email=resident.email, reason="phone")
    assert language_of(reservation, Kind.BOOKED) == "ko"


def test_an_unknown_recorded_language_falls_back_to_japanese(city):
    reservation = web_booking(city, f.resident(email="x@example.jp", language="xx"), language="en")
    Notification.objects.all().delete()
    assert email_language(reservation, on_the_web=False) == "ja"
    with translation.override("ko"):
        assert email_language(reservation, on_the_web=True) == "ko"


def test_a_move_up_offer_is_in_the_language_the_resident_booked_in(city, settings):
    settings.YOYAKU = {**settings.YOYAKU, "MOVE_UP_OFFERS": True, "MOVE_UP_OFFER_MIN_HOURS": 3}
    early = f.slot(venue=city["venue"], vaccine=city["vaccine"], starts_at=f.at(5), capacity=1)
    holder = f.resident(email="a@example.jp")
    held = services.reservation_book(actor=services.Actor.for_resident(holder), resident=holder, slot_id=early.pk,
                                     dose_number=1, email=holder.email)
    waiting = web_booking(city, f.resident(email="b@example.jp", language="ja"), language="zh-hans",
                          starts_at=f.at(12), wants_move_up=True)
    with translation.override("ko"):  # whoever frees the place, the offer is in the waiting resident's language
        services.reservation_cancel(actor=services.Actor.for_resident(holder), reservation=held)
    assert MoveUpOffer.objects.filter(reservation=waiting).exists()
    assert language_of(waiting, Kind.MOVE_UP_OFFER) == "zh-hans"


@pytest.mark.parametrize("language, expected", [
    ("ja", "2031年3月4日（火）9:15–9:45"),
    ("en", "Tue 4 Mar 2031, 9:15–9:45"),
    ("ko", "2031년 3월 4일 (화요일) 9:15–9:45"),
])
def test_email_dates_are_written_as_the_language_writes_them(city, language, expected):
    start = datetime(2031, 3, 4, 9, 15, tzinfo=ZoneInfo("Asia/Tokyo"))
    reservation = web_booking(city, f.resident(email="d@example.jp"), language=language, starts_at=start)
    assert expected in build_message(Notification.objects.get(reservation=reservation)).body


# --- The city's names per language in the emails ---------------------------------------------------------------


@pytest.fixture
def named_city():
    f.open_window(opens_at=timezone.now() - timedelta(days=30))
    pfz = f.vaccine(code="PFZ", name="ファイザー社製", name_en="Pfizer", name_ko="화이자")
    venue = f.venue(vaccines=[pfz], name="中央クリニック", address="盛岡市内丸1-1", name_en="Central Clinic",
                    address_en="1-1 Uchimaru, Morioka")
    return {"vaccine": pfz, "venue": venue}


def test_the_confirmation_names_venue_vaccine_and_address_in_the_residents_language(named_city):
    reservation = web_booking(named_city, f.resident(email="e@example.jp"), language="en")
    message = build_message(Notification.objects.get(reservation=reservation, kind=Kind.BOOKED))
    assert "Venue: Central Clinic" in message.body and "Vaccine: Pfizer" in message.body
    # The Japanese address beside the English one: the one a taxi driver or a map knows.
    assert "Address: 1-1 Uchimaru, Morioka / 盛岡市内丸1-1" in message.body
    assert "中央クリニック" not in message.body
    ics = message.attachments[0][1]
    assert "LOCATION:Central Clinic 盛岡市内丸1-1" in ics


def test_a_language_the_city_gave_no_name_in_falls_back_to_japanese(named_city):
    reservation = web_booking(named_city, f.resident(email="k@example.jp"), language="ko")
    body = build_message(Notification.objects.get(reservation=reservation, kind=Kind.BOOKED)).body
    assert "中央クリニック" in body and "盛岡市内丸1-1" in body and "화이자" in body
    assert "Central Clinic" not in body and "Uchimaru" not in body


def test_reminders_read_the_names_afresh(named_city):
    """Booked by staff in the resident's recorded English; the city renames the venue before the reminder."""
    resident = f.resident(email="j@example.jp", language="en")
    slot = f.slot(venue=named_city["venue"], vaccine=named_city["vaccine"], starts_at=f.at(1, 11))
    with translation.override("ja"):
        reservation = services.reservation_book(actor=services.Actor.for_staff(f.staff_user()), resident=resident,
                                                slot_id=slot.pk, dose_number=1, email=resident.email, reason="phone")
    assert "Venue: Central Clinic\n" in build_message(Notification.objects.get(reservation=reservation)).body
    venue = named_city["venue"]
    venue.name_en = "Central Clinic (new building)"
    venue.save()
    with translation.override("ja"):
        assert reminders_queue(now=f.at(0, 10)) == 1
    reminder = Notification.objects.get(reservation=reservation, kind=Kind.REMINDER)
    assert "Venue: Central Clinic (new building)" in build_message(reminder).body
