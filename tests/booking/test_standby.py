"""The standby list (キャンセル待ち) and the waiting list: a resident without a place is phoned when one frees;
the entry and the place are taken in one transaction, through the booking engine's conditional update."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories as f
from tests.booking.test_concurrency import assert_integrity, storm
from yoyaku.booking import services
from yoyaku.booking.errors import NotActive, NotYours, SlotFull
from yoyaku.booking.models import AuditEvent, Reservation, Slot, StandbyEntry

SYSTEM = services.Actor.system()


def _city(capacity=1):
    f.open_window(opens_at=timezone.now() - timedelta(days=30))
    pfz = f.vaccine(code="PFZ", name="Pfizer")
    venue = f.venue(vaccines=[pfz], name="North Clinic")
    return venue, f.slot(venue=venue, vaccine=pfz, starts_at=f.at(1, hour=15), capacity=capacity), pfz


def _staff():
    return services.Actor.for_staff(f.staff_user("venue-staff"))


@pytest.mark.django_db
def test_joining_twice_keeps_one_waiting_entry():
    venue, _slot, _pfz = _city()
    resident = f.resident()
    actor = services.Actor.for_resident(resident)
    first = services.standby_join(actor=actor, resident=resident, dose_number=1, venue=venue)
    again = services.standby_join(actor=actor, resident=resident, dose_number=1, venue=venue)
    assert first.pk == again.pk
    assert StandbyEntry.objects.count() == 1
    assert AuditEvent.objects.filter(action="standby.join").count() == 1


@pytest.mark.django_db
def test_standby_book_takes_the_place_through_the_engine_and_audits_it():
    venue, slot, _pfz = _city()
    resident = f.resident()
    entry = services.standby_join(actor=SYSTEM, resident=resident, dose_number=1, venue=venue)
    reservation = services.standby_book(actor=_staff(), entry=entry, slot_id=slot.pk, reason="キャンセル待ち")
    assert reservation.slot_id == slot.pk and reservation.is_active
    assert Slot.objects.get(pk=slot.pk).booked == 1
    entry.refresh_from_db()
    assert entry.status == StandbyEntry.Status.BOOKED and entry.reservation_id == reservation.pk
    assert set(AuditEvent.objects.filter(reservation=reservation).values_list("action", flat=True)) == {
        "reservation.book", "standby.book"}


@pytest.mark.django_db
def test_standby_book_moves_a_later_appointment_up_instead_of_booking_twice():
    venue, slot, pfz = _city()
    later = f.slot(venue=venue, vaccine=pfz, starts_at=f.at(9), capacity=1)
    resident = f.resident()
    held = services.reservation_book(actor=SYSTEM, resident=resident, slot_id=later.pk, dose_number=1)
    entry = services.standby_join(actor=SYSTEM, resident=resident, dose_number=1, venue=venue)
    moved = services.standby_book(actor=_staff(), entry=entry, slot_id=slot.pk, reason="キャンセル待ち")
    assert moved.pk == held.pk and moved.slot_id == slot.pk
    assert Slot.objects.get(pk=later.pk).booked == 0
    assert Reservation.objects.active().filter(resident=resident).count() == 1


@pytest.mark.django_db
def test_a_full_slot_refuses_and_the_entry_stays_waiting():
    venue, slot, _pfz = _city()
    services.reservation_book(actor=SYSTEM, resident=f.resident(), slot_id=slot.pk, dose_number=1)
    entry = services.standby_join(actor=SYSTEM, resident=f.resident(), dose_number=1, venue=venue)
    with pytest.raises(SlotFull):
        services.standby_book(actor=_staff(), entry=entry, slot_id=slot.pk, reason="キャンセル待ち")
    entry.refresh_from_db()
    assert entry.status == StandbyEntry.Status.WAITING
    assert not AuditEvent.objects.filter(action="standby.book").exists()


@pytest.mark.django_db
def test_an_entry_booked_or_withdrawn_cannot_be_booked_again():
    venue, slot, pfz = _city(capacity=3)
    entry = services.standby_join(actor=SYSTEM, resident=f.resident(), dose_number=1, venue=venue)
    services.standby_withdraw(actor=SYSTEM, entry=entry)
    with pytest.raises(NotActive):
        services.standby_book(actor=_staff(), entry=entry, slot_id=slot.pk, reason="キャンセル待ち")


@pytest.mark.django_db
def test_only_staff_call_the_standby_list():
    venue, slot, _pfz = _city()
    resident = f.resident()
    entry = services.standby_join(actor=SYSTEM, resident=resident, dose_number=1, venue=venue)
    with pytest.raises(NotYours):
        services.standby_book(actor=services.Actor.for_resident(resident), entry=entry, slot_id=slot.pk)


@pytest.mark.django_db(transaction=True)
@pytest.mark.concurrency
def test_two_people_taking_the_same_freed_place_at_once_exactly_one_gets_it():
    """The place freed by a cancellation: the call centre books a waiting-list resident and the venue staff a
    standby resident at the same moment. One wins; the other is refused and stays on the list."""
    venue, slot, _pfz = _city()
    first = services.reservation_book(actor=SYSTEM, resident=f.resident(), slot_id=slot.pk, dose_number=1)
    services.reservation_cancel(actor=SYSTEM, reservation=first)
    waiting = services.standby_join(actor=SYSTEM, resident=f.resident(), dose_number=1)
    standby = services.standby_join(actor=SYSTEM, resident=f.resident(), dose_number=1, venue=venue)
    staff = _staff()
    results = storm([
        lambda entry=entry: services.standby_book(actor=staff, entry=entry, slot_id=slot.pk, reason="キャンセル待ち")
        for entry in (waiting, standby)
    ])
    winners = [r for r in results if isinstance(r, Reservation)]
    assert len(winners) == 1, results
    assert [type(r) for r in results if not isinstance(r, Reservation)] == [SlotFull]
    assert Slot.objects.get(pk=slot.pk).booked == 1
    assert StandbyEntry.objects.filter(status=StandbyEntry.Status.WAITING).count() == 1
    assert_integrity()


@pytest.mark.django_db(transaction=True)
@pytest.mark.concurrency
def test_two_staff_calling_the_same_entry_at_once_book_it_once():
    venue, slot, pfz = _city(capacity=2)
    other = f.slot(venue=venue, vaccine=pfz, starts_at=f.at(1, hour=16), capacity=2)
    entry = services.standby_join(actor=SYSTEM, resident=f.resident(), dose_number=1, venue=venue)
    staff = _staff()

    def call(slot_id):
        return services.standby_book(actor=staff, entry=entry, slot_id=slot_id, reason="キャンセル待ち")

    results = storm([lambda slot_id=slot_id: call(slot_id) for slot_id in (slot.pk, other.pk)])
    assert len([r for r in results if isinstance(r, Reservation)]) == 1, results
    assert Reservation.objects.active().count() == 1
    assert_integrity()
