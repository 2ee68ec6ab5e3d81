"""services.reservation_move_up: one step, atomic, audited; the old place is free at once."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import move_up, services
from yoyaku.booking.errors import (
    MoveUpNotPossible,
    NotActive,
    NotEligible,
    ReasonRequired,
    SlotFull,
    SlotUnavailable,
    TooEarly,
)
from yoyaku.booking.models import AuditEvent, BookingWindow, Reservation, Slot
from yoyaku.notify.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(db, django_user_model):
    f.open_window(opens_at=timezone.now() - timedelta(days=30))
    pfz = f.vaccine(code="PFZ", name="Pfizer", next_dose_min_days=21)
    venue = f.venue(vaccines=[pfz])
    user = django_user_model.objects.create_user("admin-m", password="x-long-password-123")
    return {
        "pfz": pfz, "venue": venue,
        "staff": services.Actor.for_staff(user, client_address="10.0.0.1"),
        "early": f.slot(venue=venue, vaccine=pfz, starts_at=f.at(2), capacity=1),
        "late": f.slot(venue=venue, vaccine=pfz, starts_at=f.at(20), capacity=5),
    }


def book(resident, slot, *, dose=1, wants=True):
    return services.reservation_book(actor=services.Actor.system(), resident=resident, slot_id=slot.pk,
                                     dose_number=dose, wants_move_up=wants)


def counters(*slots):
    return [Slot.objects.get(pk=s.pk).booked for s in slots]


def integrity_ok() -> bool:
    out = StringIO()
    call_command("check_integrity", stdout=out)
    return out.getvalue().startswith("ok")


def test_moving_up_takes_the_new_place_frees_the_old_and_audits_why(city):
    reservation = book(f.resident(email="a@example.com"), city["late"])
    moved = services.reservation_move_up(actor=city["staff"], reservation=reservation, slot_id=city["early"].pk,
                                         reason="電話で了承")
    assert moved.slot_id == city["early"].pk and moved.status == Reservation.Status.BOOKED
    assert counters(city["early"], city["late"]) == [1, 0]
    event = AuditEvent.objects.get(action="reservation.move_up")
    assert (event.reservation_id, event.reason, event.actor_user_id) == (reservation.pk, "電話で了承",
                                                                         city["staff"].user.pk)
    assert event.data == {"from_slot": city["late"].pk, "to_slot": city["early"].pk, "days_earlier": 18}
    assert AuditEvent.objects.filter(action="reservation.change", reservation=reservation).count() == 1
    assert Notification.objects.filter(reservation=reservation, kind=Notification.Kind.CHANGED).count() == 1
    assert integrity_ok()


def test_the_freed_place_shows_as_free_at_once(city):
    reservation = book(f.resident(), city["late"])
    Slot.objects.filter(pk=city["late"].pk).update(capacity=1)
    assert city["late"].pk not in set(move_up.free_slots(now=timezone.now(), days=30).values_list("pk", flat=True))
    services.reservation_move_up(actor=city["staff"], reservation=reservation, slot_id=city["early"].pk,
                                 reason="繰上げ")
    free = set(move_up.free_slots(now=timezone.now(), days=30).values_list("pk", flat=True))
    assert city["late"].pk in free and city["early"].pk not in free


def test_a_reason_is_required_from_staff(city):
    reservation = book(f.resident(), city["late"])
    with pytest.raises(ReasonRequired):
        services.reservation_move_up(actor=city["staff"], reservation=reservation, slot_id=city["early"].pk,
                                     reason="  ")
    assert counters(city["early"], city["late"]) == [0, 1]


def test_only_residents_who_asked_are_moved_up(city):
    reservation = book(f.resident(), city["late"], wants=False)
    with pytest.raises(MoveUpNotPossible) as error:
        services.reservation_move_up(actor=city["staff"], reservation=reservation, slot_id=city["early"].pk,
                                     reason="x")
    assert error.value.reason == "not_wanted"
    assert counters(city["early"], city["late"]) == [0, 1]


def test_a_later_time_is_not_a_move_up(city):
    reservation = book(f.resident(), city["early"])
    with pytest.raises(MoveUpNotPossible) as error:
        services.reservation_move_up(actor=city["staff"], reservation=reservation, slot_id=city["late"].pk,
                                     reason="x")
    assert error.value.reason == "not_earlier"


def test_a_full_slot_refuses_and_nothing_moves(city):
    book(f.resident(), city["early"], wants=False)
    reservation = book(f.resident(), city["late"])
    with pytest.raises(SlotFull):
        services.reservation_move_up(actor=city["staff"], reservation=reservation, slot_id=city["early"].pk,
                                     reason="x")
    assert counters(city["early"], city["late"]) == [1, 1]
    assert Reservation.objects.get(pk=reservation.pk).slot_id == city["late"].pk
    assert not AuditEvent.objects.filter(action__in=["reservation.move_up", "reservation.change"]).exists()
    assert integrity_ok()


def test_the_rules_of_a_change_hold(city):
    resident = f.resident()
    book(resident, f.slot(venue=city["venue"], vaccine=city["pfz"], starts_at=f.at(1)), wants=False)
    dose_two = book(resident, f.slot(venue=city["venue"], vaccine=city["pfz"], starts_at=f.at(30)), dose=2)
    with pytest.raises(TooEarly):  # day 2 is one day after dose 1
        services.reservation_move_up(actor=city["staff"], reservation=dose_two, slot_id=city["early"].pk,
                                     reason="x")


def test_booking_must_still_be_open_to_the_resident(city):
    reservation = book(f.resident(), city["late"])
    BookingWindow.objects.update(closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(NotEligible):
        services.reservation_move_up(actor=city["staff"], reservation=reservation, slot_id=city["early"].pk,
                                     reason="x")


def test_unknown_slots_and_inactive_reservations_are_refused(city):
    reservation = book(f.resident(), city["late"])
    with pytest.raises(SlotUnavailable):
        services.reservation_move_up(actor=city["staff"], reservation=reservation, slot_id=999999, reason="x")
    services.reservation_cancel(actor=city["staff"], reservation=reservation, reason="本人から")
    with pytest.raises(NotActive):
        services.reservation_move_up(actor=city["staff"], reservation=reservation, slot_id=city["early"].pk,
                                     reason="x")


def test_every_candidate_the_list_offers_can_be_moved(city):
    """The list and the service agree: whoever `candidates` offers, the service moves."""
    for _n in range(3):
        book(f.resident(), city["late"])
    Slot.objects.filter(pk=city["early"].pk).update(capacity=3)
    city["early"].refresh_from_db()
    offered = move_up.candidates(slot=city["early"], now=timezone.now())
    assert len(offered) == 3
    for candidate in offered:
        reservation = Reservation.objects.get(pk=candidate.reservation_id)
        services.reservation_move_up(actor=city["staff"], reservation=reservation, slot_id=city["early"].pk,
                                     reason="繰上げ")
    assert counters(city["early"], city["late"]) == [3, 0]
    assert integrity_ok()
