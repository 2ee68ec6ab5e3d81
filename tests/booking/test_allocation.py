"""Allocation mode: wishes registered during the period, a seeded lottery after priority, each resident offered the
best place within their wishes and the dose rules, places taken by the booking engine's conditional update;
confirm, decline, expire, and the place going to the next in the order."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import allocation as pure
from yoyaku.booking import selectors, services
from yoyaku.booking.errors import BookingError, NotEligible
from yoyaku.booking.models import (
    AllocationRegistration,
    AuditEvent,
    BookingWindow,
    DoseRecord,
    Reservation,
    Slot,
)
from yoyaku.notify.models import Notification

SYSTEM = services.Actor.system()
Status = AllocationRegistration.Status


def allocation_window(*, registering=True, priorities=(), **fields):
    now = timezone.now()
    opens = now - timedelta(days=2)
    closes = now + timedelta(days=1) if registering else now - timedelta(hours=1)
    return services.allocation_window_open(
        actor=SYSTEM, doses=[1, 2], opens_at=opens, closes_at=closes,
        first_day=timezone.localdate() + timedelta(days=3),
        last_day=timezone.localdate() + timedelta(days=40), priorities=priorities, label="lottery", **fields)


def register(window, resident, **wishes):
    return services.allocation_register(actor=services.Actor.for_resident(resident), window=window,
                                        resident=resident, email="r@example.jp", **wishes)


def close(window):
    BookingWindow.objects.filter(pk=window.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    window.refresh_from_db()


@pytest.fixture
def city(db):
    pfz = f.vaccine(code="PFZ", name="Pfizer", min_age=12, next_dose_min_days=21)
    north = f.venue(vaccines=[pfz], name="North", area="North")
    south = f.venue(vaccines=[pfz], name="South", area="South")
    return {"pfz": pfz, "north": north, "south": south}


def test_an_allocation_window_takes_wishes_not_bookings(city):
    window = allocation_window()
    resident = f.resident()
    slot = f.slot(venue=city["north"], vaccine=city["pfz"], starts_at=f.at(10))
    with pytest.raises(NotEligible):
        services.reservation_book(actor=services.Actor.for_resident(resident), resident=resident, slot_id=slot.pk,
                                  dose_number=1)
    registration = register(window, resident, venue_ids=[city["north"].pk])
    assert registration.status == Status.REGISTERED and registration.dose_number == 1
    assert AuditEvent.objects.filter(action="allocation.register", resident=resident).count() == 1


def test_wishes_can_be_changed_and_withdrawn_until_the_period_closes(city):
    window = allocation_window()
    resident = f.resident()
    register(window, resident, venue_ids=[city["north"].pk])
    changed = register(window, resident, areas=["South"], weekdays=[5, 6])
    assert changed.areas == ["South"] and changed.weekday_mask == 0b1100000
    assert AllocationRegistration.objects.count() == 1
    services.allocation_withdraw(actor=services.Actor.for_resident(resident), registration=changed)
    assert AllocationRegistration.objects.get().status == Status.WITHDRAWN
    close(window)
    with pytest.raises(pure.AllocationError) as error:
        register(window, resident)
    assert error.value.reason == "registration_closed"


def test_only_residents_the_window_admits_may_register(city):
    window = allocation_window(born_on_or_before=date(1957, 4, 1))
    young = f.resident(birth_date=date(1990, 1, 1))
    with pytest.raises(NotEligible):
        register(window, young)


def test_the_call_centre_registers_for_a_caller_with_a_reason(city):
    window = allocation_window()
    resident = f.resident()
    staff = services.Actor.for_staff(f.staff_user())
    with pytest.raises(BookingError):
        services.allocation_register(actor=staff, window=window, resident=resident)
    registration = services.allocation_register(actor=staff, window=window, resident=resident, reason="phone call")
    assert registration.channel == "phone"
    assert AuditEvent.objects.get(action="allocation.register").reason == "phone call"


def test_priority_groups_come_first_then_the_lottery(city):
    window = allocation_window(priorities=[{"label": "65+", "born_on_or_before": date(1957, 4, 1)}])
    f.slot(venue=city["north"], vaccine=city["pfz"], starts_at=f.at(10), capacity=2)
    old = [f.resident(birth_date=date(1940, 1, 1)) for _ in range(2)]
    young = [f.resident(birth_date=date(1990, 1, 1)) for _ in range(5)]
    for person in young + old:
        register(window, person)
    close(window)
    summary = services.allocation_run(actor=SYSTEM, window=window, seed=7)
    offered = set(AllocationRegistration.objects.filter(status=Status.OFFERED).values_list("resident_id", flat=True))
    assert offered == {p.pk for p in old}
    assert summary.allocated == 2 and summary.lowest_priority_served == 1 and summary.overbooked == 0
    # Everyone waiting has a place in the order, kept for the next round.
    assert not AllocationRegistration.objects.filter(position__isnull=True).exists()


def test_each_resident_gets_the_best_place_within_their_wishes(city):
    window = allocation_window()
    north_late = f.slot(venue=city["north"], vaccine=city["pfz"], starts_at=f.at(20, 10), capacity=1)
    north_saturday = None
    for days in range(10, 17):
        if (timezone.localdate() + timedelta(days=days)).weekday() == 5:
            north_saturday = f.slot(venue=city["north"], vaccine=city["pfz"], starts_at=f.at(days, 14), capacity=1)
    south_early = f.slot(venue=city["south"], vaccine=city["pfz"], starts_at=f.at(5, 10), capacity=5)
    wants_north = register(window, f.resident(), venue_ids=[city["north"].pk, city["south"].pk], parts=[pure.MORNING])
    wants_saturday = register(window, f.resident(), areas=["North"], weekdays=[5])
    anywhere = register(window, f.resident())
    late = register(window, f.resident(), earliest_date=timezone.localdate() + timedelta(days=30))
    close(window)
    services.allocation_run(actor=SYSTEM, window=window, seed=1)
    slot_of = {r.pk: r.reservation.slot_id if r.reservation else None
               for r in AllocationRegistration.objects.select_related("reservation")}
    assert slot_of[wants_north.pk] == north_late.pk  # first choice North, mornings only
    assert slot_of[wants_saturday.pk] == north_saturday.pk
    assert slot_of[anywhere.pk] == south_early.pk  # no wishes: the earliest place
    assert slot_of[late.pk] is None  # nothing on or after the earliest date: stays registered
    assert AllocationRegistration.objects.get(pk=late.pk).status == Status.REGISTERED


def test_dose_rules_hold_interval_and_vaccine(city):
    window = allocation_window()
    mdn = f.vaccine(code="MDN", name="Moderna", next_dose_min_days=28)
    city["south"].vaccines.add(mdn)
    resident = f.resident()
    DoseRecord.objects.create(resident=resident, dose_number=1, vaccine=city["pfz"],
                              given_on=timezone.localdate() - timedelta(days=5))
    f.slot(venue=city["south"], vaccine=mdn, starts_at=f.at(20), capacity=5)  # wrong vaccine
    f.slot(venue=city["north"], vaccine=city["pfz"], starts_at=f.at(10), capacity=5)  # too early (day 16 first)
    right = f.slot(venue=city["north"], vaccine=city["pfz"], starts_at=f.at(17), capacity=5)
    registration = register(window, resident)
    assert registration.dose_number == 2
    close(window)
    services.allocation_run(actor=SYSTEM, window=window, seed=3)
    registration.refresh_from_db()
    assert registration.reservation.slot_id == right.pk and registration.reservation.dose_number == 2


def test_dry_run_writes_nothing_and_gives_the_same_figures(city):
    window = allocation_window()
    f.slot(venue=city["north"], vaccine=city["pfz"], starts_at=f.at(10), capacity=3)
    for _ in range(5):
        register(window, f.resident())
    close(window)
    dry = services.allocation_run(actor=SYSTEM, window=window, seed=5, dry_run=True)
    assert Reservation.objects.count() == 0 and not AllocationRegistration.objects.filter(position__isnull=False)
    real = services.allocation_run(actor=SYSTEM, window=window, seed=5)
    assert (dry.allocated, dry.places, dry.places_left) == (real.allocated, real.places, real.places_left) == (3, 3, 0)
    assert Reservation.objects.count() == 3 and Slot.objects.get().booked == 3


def test_allocate_command_prints_the_figures(city):
    window = allocation_window()
    f.slot(venue=city["north"], vaccine=city["pfz"], starts_at=f.at(10), capacity=2)
    for _ in range(3):
        register(window, f.resident())
    close(window)
    out = StringIO()
    call_command("allocate", "--all", "--dry-run", "--seed", "1", stdout=out)
    assert out.getvalue().splitlines()[-1] == "allocated 2 of 3 registrations, 0 places left, 0 overbooked"
    out = StringIO()
    call_command("allocate", "--window", str(window.pk), "--seed", "1", stdout=out)
    assert out.getvalue().splitlines()[-1] == "allocated 2 of 3 registrations, 0 places left, 0 overbooked"


def test_a_place_taken_meanwhile_is_never_overbooked(city, monkeypatch):
    """A booking elsewhere takes the last place between the matching and the publishing: the conditional update
    refuses, and the resident is placed elsewhere on a second pass."""
    window = allocation_window()
    first = f.slot(venue=city["north"], vaccine=city["pfz"], starts_at=f.at(10), capacity=1)
    second = f.slot(venue=city["north"], vaccine=city["pfz"], starts_at=f.at(11), capacity=1)
    registration = register(window, f.resident())
    close(window)
    real_publish = services.allocation._publish

    def sneaky(window, assignments, *, now):
        Slot.objects.filter(pk=first.pk).update(booked=1, capacity=1)
        return real_publish(window, assignments, now=now)

    monkeypatch.setattr(services.allocation, "_publish", sneaky)
    Slot.objects.filter(pk=first.pk).update(capacity=1)
    summary = services.allocation_run(actor=SYSTEM, window=window, seed=1)
    registration.refresh_from_db()
    assert registration.reservation.slot_id == second.pk
    assert summary.overbooked == 0 and Slot.objects.get(pk=first.pk).booked == 1


def offered_city(city, *, people=3, capacity=1):
    window = allocation_window(confirm_hours=48)
    slot = f.slot(venue=city["north"], vaccine=city["pfz"], starts_at=f.at(20), capacity=capacity)
    residents = [f.resident() for _ in range(people)]
    for person in residents:
        register(window, person)
    close(window)
    services.allocation_run(actor=SYSTEM, window=window, seed=11)
    order = list(AllocationRegistration.objects.order_by("position"))
    return window, slot, order


def test_confirming_keeps_the_appointment_and_sends_the_booking_email(city):
    window, slot, order = offered_city(city)
    first = order[0]
    assert first.status == Status.OFFERED
    assert Notification.objects.filter(kind=Notification.Kind.ALLOCATED, reservation=first.reservation).exists()
    services.allocation_confirm(actor=services.Actor.for_resident(first.resident), registration=first)
    first.refresh_from_db()
    assert first.status == Status.CONFIRMED and first.reservation.is_active
    assert Notification.objects.filter(kind=Notification.Kind.BOOKED, reservation=first.reservation).exists()


def test_another_resident_cannot_answer(city):
    window, slot, order = offered_city(city)
    with pytest.raises(services.NotYours):
        services.allocation_confirm(actor=services.Actor.for_resident(order[1].resident), registration=order[0])


def test_declining_gives_the_place_to_the_next_in_the_order(city):
    window, slot, order = offered_city(city)
    services.allocation_decline(actor=services.Actor.for_resident(order[0].resident), registration=order[0])
    statuses = dict(AllocationRegistration.objects.values_list("pk", "status"))
    assert statuses[order[0].pk] == Status.DECLINED
    assert statuses[order[1].pk] == Status.OFFERED and statuses[order[2].pk] == Status.REGISTERED
    assert Slot.objects.get(pk=slot.pk).booked == 1
    assert not selectors.integrity_mismatches().exists()


def test_unconfirmed_places_expire_and_go_to_the_next(city):
    window, slot, order = offered_city(city)
    later = timezone.now() + timedelta(hours=49)
    assert services.allocations_expire(now=later) == 1
    statuses = dict(AllocationRegistration.objects.values_list("pk", "status"))
    assert statuses[order[0].pk] == Status.EXPIRED and statuses[order[1].pk] == Status.OFFERED
    with pytest.raises(pure.AllocationError):
        services.allocation_confirm(actor=services.Actor.for_resident(order[0].resident), registration=order[0])
    assert not selectors.integrity_mismatches().exists()
    assert AuditEvent.objects.filter(action="allocation.expire").count() == 1


def test_lottery_order_is_the_same_for_the_same_seed_and_differs_for_another():
    wishes = [pure.Wish(registration_id=i, resident_id=i, dose_number=1, birth_date=date(1950, 1, 1))
              for i in range(50)]
    first = [w.registration_id for w in pure.lottery_order(wishes, seed=1)]
    again = [w.registration_id for w in pure.lottery_order(list(reversed(wishes)), seed=1)]
    other = [w.registration_id for w in pure.lottery_order(wishes, seed=2)]
    assert first == again and first != other


def test_equal_priority_residents_are_served_uniformly():
    """10 equal residents, 1 place, 5000 seeds: who wins follows a uniform distribution (chi-square, 9 degrees of
    freedom, critical value 27.88 at p = 0.001)."""
    place = pure.Place(slot_id=1, venue_id=1, area="", starts_at=timezone.now() + timedelta(days=5),
                       day=date(2030, 1, 7), hour=10, vaccine_code="PFZ", vaccine_name="P", vaccine_min_age=12,
                       vaccine_next_dose_min_days=21, free=1)
    wishes = [pure.Wish(registration_id=i, resident_id=i, dose_number=1, birth_date=date(1950, 1, 1))
              for i in range(10)]
    wins = [0] * 10
    runs = 5000
    for seed in range(runs):
        matching = pure.allocate(pure.lottery_order(wishes, seed=seed), [place], allow_vaccine_switch=False)
        (winner,) = matching.assignments
        wins[winner] += 1
    expected = runs / 10
    chi_square = sum((w - expected) ** 2 / expected for w in wins)
    assert chi_square < 27.88, wins
