"""The invariants under real concurrency: many threads, each with its own database connection,
released together by a barrier against a live database (SQLite file in WAL mode, or PostgreSQL).

After every storm the same checks run: exactly the right number of winners, `booked` equals the
reservations holding a place, nobody over capacity, nobody with two active reservations for a dose,
and `manage.py check_integrity` exits 0.
"""

import random
import threading
import time
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connections
from django.db.models import F

from tests import factories as f
from yoyaku.booking import selectors, services
from yoyaku.booking.errors import BookingError, SlotFull
from yoyaku.booking.models import Reservation, Resident, Slot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

CLIENTS = 60


def storm(jobs, *, timeout=120):
    """Run each job in its own thread, all released at once. Returns the results (value or exception)."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except BaseException as error:  # noqa: BLE001 - the caller inspects every outcome
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a client hung"
    return results


def integrity_problems() -> list[str]:
    problems = [f"slot {s.pk}: booked {s.booked} != {s.holding_count}" for s in selectors.integrity_mismatches()]
    problems += [f"slot {s.pk} over capacity" for s in Slot.objects.filter(booked__gt=F("capacity"))]
    problems += [f"double booking {row}" for row in selectors.double_bookings()]
    return problems


def assert_integrity():
    assert integrity_problems() == []
    call_command("check_integrity")  # raises CommandError (exit 1) on any mismatch


def book_job(resident, slot_id, **kw):
    def job():
        return services.reservation_book(
            actor=services.Actor.for_resident(resident), resident=resident, slot_id=slot_id, dose_number=1, **kw
        )

    return job


@pytest.fixture
def city():
    f.open_window()
    vaccine = f.vaccine(code="PFZ")
    venue = f.venue(vaccines=[vaccine])
    return vaccine, venue


def test_k_places_many_bookers_exactly_k_win(city):
    vaccine, venue = city
    slot = f.slot(venue=venue, vaccine=vaccine, capacity=7)
    residents = [f.resident() for _ in range(CLIENTS)]
    results = storm([book_job(r, slot.pk) for r in residents])

    winners = [r for r in results if isinstance(r, Reservation)]
    others = [r for r in results if not isinstance(r, Reservation)]
    assert len(winners) == 7
    assert all(isinstance(r, SlotFull) for r in others), Counter(type(r).__name__ for r in others)
    assert Slot.objects.get(pk=slot.pk).booked == 7
    assert_integrity()


def test_one_resident_submitting_many_times_at_once_gets_one_reservation(city):
    vaccine, venue = city
    slot = f.slot(venue=venue, vaccine=vaccine, capacity=100)
    resident = f.resident()
    results = storm([book_job(resident, slot.pk, request_key="submit-1") for _ in range(CLIENTS)])

    assert all(isinstance(r, Reservation) for r in results), Counter(type(r).__name__ for r in results)
    assert len({r.pk for r in results}) == 1  # every submit shows the same result
    assert Reservation.objects.filter(resident=resident).count() == 1
    assert Slot.objects.get(pk=slot.pk).booked == 1
    assert_integrity()


def test_one_resident_booking_different_slots_at_once_gets_one_reservation(city):
    vaccine, venue = city
    slots = [f.slot(venue=venue, vaccine=vaccine, capacity=100, starts_at=f.at(10, 9, m)) for m in range(0, 60, 5)]
    resident = f.resident()
    results = storm([book_job(resident, slots[i % len(slots)].pk) for i in range(CLIENTS)])

    kinds = Counter(type(r).__name__ for r in results)
    assert kinds == {"Reservation": 1, "AlreadyBooked": CLIENTS - 1}
    assert Reservation.objects.active().filter(resident=resident).count() == 1
    assert_integrity()


def test_concurrent_changes_and_cancels_keep_counters_true(city):
    vaccine, venue = city
    slots = [f.slot(venue=venue, vaccine=vaccine, capacity=6, starts_at=f.at(10 + d)) for d in range(6)]
    residents = [f.resident() for _ in range(CLIENTS)]
    reservations = []
    for i, resident in enumerate(residents[:30]):
        reservations.append(book_job(resident, slots[i % 5].pk)())  # 30 of the 36 places
    rng = random.Random(7)

    def act(reservation):
        actor = services.Actor.for_resident(reservation.resident)
        moves = []
        if rng.random() < 0.3:
            moves.append(lambda: services.reservation_cancel(actor=actor, reservation=reservation))
        else:
            target = rng.choice(slots)
            moves.append(lambda: services.reservation_change(actor=actor, reservation=reservation,
                                                             slot_id=target.pk))
        return lambda: [m() for m in moves]

    jobs = [act(r) for r in reservations]
    # The same reservations acted on twice at once, plus newcomers competing for the freed places.
    jobs += [act(r) for r in reservations[:15]]
    jobs += [book_job(r, rng.choice(slots).pk) for r in residents[30:45]]
    results = storm(jobs)

    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, BookingError)]
    assert unexpected == []
    assert_integrity()
    assert sum(s.booked for s in Slot.objects.all()) == Reservation.objects.active().count()


def naive_take_place(slot_id):
    """The bug the engine exists to prevent: read the counter, compare in Python, write it back."""
    slot = Slot.objects.get(pk=slot_id)
    if slot.booked >= slot.capacity:
        raise SlotFull()
    time.sleep(0.02)  # the time a real request spends between its read and its write
    Slot.objects.filter(pk=slot_id).update(booked=slot.booked + 1)


def test_the_storm_catches_read_then_write(city, monkeypatch, on_postgresql):
    """Proof that the first storm can fail: with the conditional update replaced by read-then-write,
    the same storm must find a breach. On SQLite, IMMEDIATE transactions take the write lock at
    BEGIN, so writers are serialised and even the naive code cannot race there; the race needs a
    database with concurrent writers (PostgreSQL)."""
    if not on_postgresql:
        pytest.skip("SQLite serialises write transactions (BEGIN IMMEDIATE): read-then-write cannot race")
    monkeypatch.setattr(services.reservations, "_take_place", naive_take_place)
    vaccine, venue = city
    slot = f.slot(venue=venue, vaccine=vaccine, capacity=7)
    residents = [f.resident() for _ in range(CLIENTS)]
    results = storm([book_job(r, slot.pk) for r in residents])
    winners = sum(isinstance(r, Reservation) for r in results)
    assert winners > 7 or integrity_problems(), "read-then-write went unnoticed"


def test_residents_table_untouched_by_storms(city):
    # Guard against a storm "fixing" itself by writing residents: the count stays what the test made.
    before = Resident.objects.count()
    vaccine, venue = city
    slot = f.slot(venue=venue, vaccine=vaccine, capacity=3)
    storm([book_job(f.resident(), slot.pk) for _ in range(10)])
    assert Resident.objects.count() == before + 10
