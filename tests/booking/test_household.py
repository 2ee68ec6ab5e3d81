"""Households (docs/allocation.md, Households): adding and removing family members, and booking, changing and
cancelling for them through the reservation services with the logged-in resident recorded as the booker."""

from datetime import date

import pytest

from tests import factories as f
from yoyaku.booking import services
from yoyaku.booking.errors import (
    HouseholdAlreadyMember,
    HouseholdFull,
    HouseholdNotVerified,
    HouseholdSelf,
    NotYours,
    ReasonRequired,
)
from yoyaku.booking.models import AuditEvent, HouseholdMember, Reservation

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(db):
    holder = f.resident(ticket_number="1000000001", birth_date=date(1980, 5, 5), family_name="山田", given_name="太郎")
    child = f.resident(ticket_number="1000000002", birth_date=date(2010, 4, 1), family_name="山田", given_name="花子")
    return holder, child


def _add(holder, ticket, birth_date, actor=None, **kwargs):
    return services.household_member_add(actor=actor or services.Actor.for_resident(holder), holder=holder,
                                         ticket_number=ticket, birth_date=birth_date, **kwargs)


def test_a_member_is_added_only_when_both_ticket_and_birth_date_match(family):
    holder, child = family
    with pytest.raises(HouseholdNotVerified):
        _add(holder, "1000000002", date(2010, 4, 2))  # right ticket, wrong birth date
    with pytest.raises(HouseholdNotVerified):
        _add(holder, "1000000009", date(2010, 4, 1))  # unknown ticket, a birth date that exists
    assert not HouseholdMember.objects.exists()
    assert not AuditEvent.objects.filter(action="household.member_add").exists()
    link = _add(holder, "1000000002", date(2010, 4, 1))
    assert (link.holder, link.member) == (holder, child)
    event = AuditEvent.objects.get(action="household.member_add")
    assert (event.actor_resident_id, event.resident_id, event.data) == (holder.pk, child.pk, {"holder": holder.pk})


def test_an_inactive_ticket_gets_the_answer_of_a_wrong_birth_date(family):
    holder, child = family
    child.active = False
    child.save()
    with pytest.raises(HouseholdNotVerified):
        _add(holder, "1000000002", date(2010, 4, 1))


def test_not_oneself_not_twice_and_not_past_the_limit(family, settings):
    holder, child = family
    with pytest.raises(HouseholdSelf):
        _add(holder, "1000000001", date(1980, 5, 5))
    _add(holder, "1000000002", date(2010, 4, 1))
    with pytest.raises(HouseholdAlreadyMember):
        _add(holder, "1000000002", date(2010, 4, 1))
    settings.YOYAKU = {**settings.YOYAKU, "HOUSEHOLD_LIMIT": 2}
    f.resident(ticket_number="1000000003", birth_date=date(2012, 1, 1))
    f.resident(ticket_number="1000000004", birth_date=date(2014, 1, 1))
    _add(holder, "1000000003", date(2012, 1, 1))
    with pytest.raises(HouseholdFull) as refused:
        _add(holder, "1000000004", date(2014, 1, 1))
    assert "2" in refused.value.message
    assert HouseholdMember.objects.filter(holder=holder).count() == 2


def test_the_default_limit_is_six(family, settings):
    assert settings.YOYAKU["HOUSEHOLD_LIMIT"] == 6


def test_a_resident_manages_only_their_own_household_and_staff_give_a_reason(family):
    holder, child = family
    stranger = f.resident(ticket_number="1000000005", birth_date=date(1970, 1, 1))
    with pytest.raises(NotYours):
        _add(holder, "1000000002", date(2010, 4, 1), actor=services.Actor.for_resident(stranger))
    staff = services.Actor.for_staff(f.staff_user())
    with pytest.raises(ReasonRequired):
        _add(holder, "1000000002", date(2010, 4, 1), actor=staff)
    _add(holder, "1000000002", date(2010, 4, 1), actor=staff, reason="caller asked")
    assert HouseholdMember.objects.filter(holder=holder, member=child).exists()


def test_removing_keeps_the_members_reservations_and_is_audited(family):
    holder, child = family
    _add(holder, "1000000002", date(2010, 4, 1))
    actor = services.Actor.for_resident(holder)
    assert services.household_member_remove(actor=actor, holder=holder, member_id=child.pk) is True
    assert services.household_member_remove(actor=actor, holder=holder, member_id=child.pk) is False
    assert not HouseholdMember.objects.exists()
    event = AuditEvent.objects.get(action="household.member_remove")
    assert (event.actor_resident_id, event.resident_id) == (holder.pk, child.pk)


@pytest.fixture
def open_city(db):
    f.open_window()
    vaccine = f.vaccine(code="PFZ", next_dose_min_days=21)
    venue = f.venue(vaccines=[vaccine])
    return [f.slot(venue=venue, vaccine=vaccine, starts_at=f.at(day), capacity=2) for day in (10, 11, 12)]


def test_booking_changing_and_cancelling_for_a_member_records_the_booker(family, open_city):
    holder, child = family
    actor = services.Actor.for_resident(holder)
    with pytest.raises(NotYours):  # not (yet) in the household
        services.reservation_book(actor=actor, resident=child, slot_id=open_city[0].pk, dose_number=1)
    _add(holder, "1000000002", date(2010, 4, 1))
    reservation = services.reservation_book(actor=actor, resident=child, slot_id=open_city[0].pk, dose_number=1,
                                            recipient_phone="0195-23-3111")
    assert (reservation.resident, reservation.booked_by) == (child, holder)
    services.reservation_change(actor=actor, reservation=reservation, slot_id=open_city[1].pk)
    services.reservation_cancel(actor=actor, reservation=reservation)
    events = AuditEvent.objects.filter(reservation=reservation).order_by("pk")
    assert [e.action for e in events] == ["reservation.book", "reservation.change", "reservation.cancel"]
    for event in events:  # who acted for whom
        assert (event.actor_resident_id, event.resident_id, event.data["booked_by"]) == (holder.pk, child.pk,
                                                                                          holder.pk)
    own = services.reservation_book(actor=actor, resident=holder, slot_id=open_city[2].pk, dose_number=1)
    assert own.booked_by is None
    assert "booked_by" not in AuditEvent.objects.get(reservation=own).data


def test_after_removal_the_holder_can_no_longer_act_for_the_member(family, open_city):
    holder, child = family
    _add(holder, "1000000002", date(2010, 4, 1))
    actor = services.Actor.for_resident(holder)
    reservation = services.reservation_book(actor=actor, resident=child, slot_id=open_city[0].pk, dose_number=1)
    services.household_member_remove(actor=actor, holder=holder, member_id=child.pk)
    with pytest.raises(NotYours):
        services.reservation_cancel(actor=actor, reservation=reservation)
    assert Reservation.objects.get(pk=reservation.pk).is_active
    # The member is not the holder's holder: the relation goes one way.
    _add(holder, "1000000002", date(2010, 4, 1))
    own = services.reservation_book(actor=actor, resident=holder, slot_id=open_city[1].pk, dose_number=1)
    with pytest.raises(NotYours):
        services.reservation_cancel(actor=services.Actor.for_resident(child), reservation=own)


@pytest.mark.django_db(transaction=True)
@pytest.mark.concurrency
def test_adds_at_once_never_pass_the_limit(settings):
    """Eight family members added at the same moment to a household with room for three: exactly three are
    added, the others are told the household is full (the holder's row is locked first)."""
    from tests.booking.test_concurrency import storm

    settings.YOYAKU = {**settings.YOYAKU, "HOUSEHOLD_LIMIT": 3}
    holder = f.resident(ticket_number="1000000100", birth_date=date(1980, 5, 5))
    for n in range(8):
        f.resident(ticket_number=f"10000002{n:02d}", birth_date=date(2010, 1, 1 + n))
    actor = services.Actor.for_resident(holder)
    results = storm([
        lambda n=n: services.household_member_add(actor=actor, holder=holder, ticket_number=f"10000002{n:02d}",
                                                  birth_date=date(2010, 1, 1 + n))
        for n in range(8)
    ])
    added = [r for r in results if isinstance(r, HouseholdMember)]
    assert len(added) == 3, results
    assert all(isinstance(r, HouseholdFull) for r in results if not isinstance(r, HouseholdMember)), results
    assert HouseholdMember.objects.filter(holder=holder).count() == 3
    assert AuditEvent.objects.filter(action="household.member_add").count() == 3
