"""standby_book(add_place=True): a dose left in the last opened vial, for a time that is full. The slot gets
one more place and the resident takes it, in one transaction (the console's standby list)."""

import pytest

from tests import factories as f
from tests.booking.test_concurrency import assert_integrity, storm
from tests.booking.test_standby import SYSTEM, _city, _staff
from yoyaku.booking import services
from yoyaku.booking.errors import NotYours, SlotFull
from yoyaku.booking.models import AuditEvent, Reservation, Slot, StandbyEntry


@pytest.mark.django_db
def test_a_place_is_added_and_taken_together_and_both_are_audited_with_the_reason():
    venue, slot, _pfz = _city(capacity=1)
    services.reservation_book(actor=SYSTEM, resident=f.resident(), slot_id=slot.pk, dose_number=1)
    entry = services.standby_join(actor=SYSTEM, resident=f.resident(), dose_number=1, venue=venue)
    staff = _staff()
    with pytest.raises(SlotFull):
        services.standby_book(actor=staff, entry=entry, slot_id=slot.pk, reason="残り1回分")
    reservation = services.standby_book(actor=staff, entry=entry, slot_id=slot.pk, reason="残り1回分",
                                        add_place=True)
    slot.refresh_from_db()
    assert (slot.capacity, slot.booked) == (2, 2) and reservation.slot_id == slot.pk
    capacity = AuditEvent.objects.get(action="slot.capacity")
    assert (capacity.reason, capacity.data) == ("残り1回分", {"from": 1, "to": 2})
    assert AuditEvent.objects.get(action="standby.book").data["added_place"] is True


@pytest.mark.django_db
def test_a_refused_booking_adds_no_place():
    venue, slot, _pfz = _city(capacity=1)
    Slot.objects.filter(pk=slot.pk).update(closed=True)
    entry = services.standby_join(actor=SYSTEM, resident=f.resident(), dose_number=1, venue=venue)
    with pytest.raises(Exception):  # noqa: B017 - whichever refusal the engine gives, nothing may change
        services.standby_book(actor=_staff(), entry=entry, slot_id=slot.pk, reason="残り", add_place=True)
    assert Slot.objects.get(pk=slot.pk).capacity == 1
    assert StandbyEntry.objects.get(pk=entry.pk).status == StandbyEntry.Status.WAITING
    assert not AuditEvent.objects.filter(action__in=["slot.capacity", "standby.book"]).exists()


@pytest.mark.django_db
def test_residents_cannot_add_places():
    venue, slot, _pfz = _city(capacity=1)
    resident = f.resident()
    entry = services.standby_join(actor=SYSTEM, resident=resident, dose_number=1, venue=venue)
    with pytest.raises(NotYours):
        services.standby_book(actor=services.Actor.for_resident(resident), entry=entry, slot_id=slot.pk,
                              add_place=True)
    assert Slot.objects.get(pk=slot.pk).capacity == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.concurrency
def test_two_staff_adding_a_place_to_the_same_full_time_at_once_both_get_one():
    """Two leftover doses, two residents, two staff at the same moment: the slot's row is locked before its
    capacity is read, so neither addition is lost (each gets its place; capacity up by two)."""
    venue, slot, _pfz = _city(capacity=1)
    services.reservation_book(actor=SYSTEM, resident=f.resident(), slot_id=slot.pk, dose_number=1)
    entries = [services.standby_join(actor=SYSTEM, resident=f.resident(), dose_number=1, venue=venue)
               for _ in range(2)]
    staff = _staff()
    results = storm([
        lambda entry=entry: services.standby_book(actor=staff, entry=entry, slot_id=slot.pk, reason="残り",
                                                  add_place=True)
        for entry in entries
    ])
    assert all(isinstance(r, Reservation) for r in results), results
    slot.refresh_from_db()
    assert (slot.capacity, slot.booked) == (3, 3)
    assert_integrity()
