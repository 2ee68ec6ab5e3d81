"""Move-up (繰上げ): the ordering rule and who can take a freed place (pure), then the reads on a database."""

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import move_up, rules, services
from yoyaku.booking.errors import MoveUpNotPossible, NotEligible, SlotUnavailable, TooEarly, TooYoung, WrongVaccine
from yoyaku.booking.models import DoseRecord, Reservation

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=TOKYO)
OPEN = rules.Window(doses=frozenset({1, 2}), opens_at=NOW - timedelta(days=30))
CONTEXT = {"windows": [OPEN], "now": NOW, "allow_vaccine_switch": False, "max_dose": 2}


def slot_facts(day=date(2026, 6, 3), hour=10, vaccine="PFZ", min_age=12, doses=0b11):
    return move_up.SlotFacts(slot_id=1, starts_at=datetime(day.year, day.month, day.day, hour, tzinfo=TOKYO), day=day,
                            dose_mask=doses, vaccine_code=vaccine, vaccine_name=vaccine, vaccine_min_age=min_age,
                            vaccine_next_dose_min_days=21)


def dose(n, on, vaccine="PFZ", given=False, days=21):
    return rules.PreviousDose(dose_number=n, on=on, vaccine_code=vaccine, vaccine_name=vaccine,
                              next_dose_min_days=days, given=given)


def candidate(**fields):
    values = {
        "reservation_id": 1, "code": "AAAAAAAA", "dose_number": 1, "asked_at": NOW - timedelta(days=10),
        "current_slot_id": 9, "current_starts_at": datetime(2026, 6, 20, 10, tzinfo=TOKYO), "current_venue": "Clinic",
        "resident_id": 1, "family_name": "山田", "given_name": "花子", "family_name_kana": "ヤマダ",
        "given_name_kana": "ハナコ", "birth_date": date(1950, 1, 1), "phone": "0195-00-0000",
    }
    values.update(fields)
    return move_up.Candidate(**values)


# --- The ordering rule ------------------------------------------------------------------------------


def test_whoever_asked_first_comes_first():
    late = candidate(reservation_id=1, asked_at=NOW - timedelta(days=1))
    early = candidate(reservation_id=2, asked_at=NOW - timedelta(days=9))
    middle = candidate(reservation_id=3, asked_at=NOW - timedelta(days=5))
    assert [c.reservation_id for c in move_up.rank([late, early, middle])] == [2, 3, 1]


def test_the_ordering_does_not_depend_on_how_many_days_are_gained():
    gains_little = candidate(reservation_id=1, asked_at=NOW - timedelta(days=9),
                             current_starts_at=datetime(2026, 6, 4, 10, tzinfo=TOKYO))
    gains_much = candidate(reservation_id=2, asked_at=NOW - timedelta(days=1),
                           current_starts_at=datetime(2026, 7, 30, 10, tzinfo=TOKYO))
    assert move_up.rank([gains_much, gains_little])[0] is gains_little


def test_a_tie_in_time_goes_to_the_lower_reservation_number():
    same = NOW - timedelta(days=3)
    assert [c.reservation_id for c in move_up.rank([candidate(reservation_id=7, asked_at=same),
                                                   candidate(reservation_id=4, asked_at=same)])] == [4, 7]


# --- Who can take a slot (pure) -------------------------------------------------------------------------


def test_a_dose_one_candidate_with_a_later_appointment_can_take_the_slot():
    assert move_up.why_not(candidate(), slot_facts(), **CONTEXT) is None


def test_an_appointment_not_later_than_the_slot_is_no_move_up():
    same_time = candidate(current_starts_at=datetime(2026, 6, 3, 10, tzinfo=TOKYO))
    assert isinstance(move_up.why_not(same_time, slot_facts(), **CONTEXT), MoveUpNotPossible)
    earlier_same_day = candidate(current_starts_at=datetime(2026, 6, 3, 9, tzinfo=TOKYO))
    assert isinstance(move_up.why_not(earlier_same_day, slot_facts(), **CONTEXT), MoveUpNotPossible)
    later_same_day = candidate(current_starts_at=datetime(2026, 6, 3, 15, tzinfo=TOKYO))
    assert move_up.why_not(later_same_day, slot_facts(), **CONTEXT) is None


def test_a_slot_that_does_not_serve_the_dose_is_refused():
    assert isinstance(move_up.why_not(candidate(dose_number=2, previous=dose(1, date(2026, 5, 1))),
                                     slot_facts(doses=0b01), **CONTEXT), SlotUnavailable)


def test_dose_two_must_keep_the_interval_after_dose_one():
    too_soon = candidate(dose_number=2, previous=dose(1, date(2026, 5, 20)))  # earliest 6/10
    assert isinstance(move_up.why_not(too_soon, slot_facts(), **CONTEXT), TooEarly)
    on_time = candidate(dose_number=2, previous=dose(1, date(2026, 5, 13)))  # earliest 6/3
    assert move_up.why_not(on_time, slot_facts(), **CONTEXT) is None


def test_dose_two_must_be_the_same_vaccine_unless_the_city_allows_a_switch():
    other = candidate(dose_number=2, previous=dose(1, date(2026, 5, 1), vaccine="MDN", days=28))
    assert isinstance(move_up.why_not(other, slot_facts(), **CONTEXT), WrongVaccine)
    assert move_up.why_not(other, slot_facts(), **{**CONTEXT, "allow_vaccine_switch": True}) is None


def test_moving_dose_one_must_keep_a_booked_dose_two_valid():
    # Dose 2 booked with another vaccine: dose 1 may not move to a slot of this vaccine.
    other_vaccine = candidate(following=dose(2, date(2026, 7, 10), vaccine="MDN", days=28))
    assert isinstance(move_up.why_not(other_vaccine, slot_facts(), **CONTEXT), WrongVaccine)
    same_vaccine = candidate(following=dose(2, date(2026, 7, 10)))
    assert move_up.why_not(same_vaccine, slot_facts(), **CONTEXT) is None


def test_the_following_dose_interval_is_checked_with_the_slots_vaccine():
    # Dose 2 on 6/20: dose 1 must be on or before 5/30 (21 days): a slot on 6/3 is too close.
    too_close = candidate(following=dose(2, date(2026, 6, 20)),
                          current_starts_at=datetime(2026, 6, 10, 10, tzinfo=TOKYO))
    assert isinstance(move_up.why_not(too_close, slot_facts(), **CONTEXT), TooEarly)


def test_the_minimum_age_is_checked_on_the_slots_day():
    # The minimum age counts on the slot's day (age in law: a year older on the day before the birthday).
    young = candidate(birth_date=date(2008, 6, 5))  # 17 on 6/3, 18 from 6/4
    assert isinstance(move_up.why_not(young, slot_facts(min_age=18), **CONTEXT), TooYoung)
    assert move_up.why_not(young, slot_facts(day=date(2026, 6, 4), min_age=18), **CONTEXT) is None


def test_booking_must_be_open_to_the_resident_for_the_dose():
    only_old = rules.Window(doses=frozenset({1}), opens_at=NOW - timedelta(days=1),
                            born_on_or_before=date(1940, 1, 1))
    closed = rules.Window(doses=frozenset({1}), opens_at=NOW - timedelta(days=9), closes_at=NOW - timedelta(days=1))
    for windows in ([only_old], [closed], []):
        assert isinstance(move_up.why_not(candidate(), slot_facts(), **{**CONTEXT, "windows": windows}), NotEligible)
    group = rules.Window(doses=frozenset({1}), opens_at=NOW - timedelta(days=1), group="medical")
    assert move_up.why_not(candidate(groups=frozenset({"medical"})), slot_facts(),
                          **{**CONTEXT, "windows": [group]}) is None


def test_a_dose_already_recorded_as_given_is_not_moved():
    assert isinstance(move_up.why_not(candidate(given_doses=frozenset({1})), slot_facts(), **CONTEXT), NotEligible)


def test_days_earlier_counts_local_days():
    c = candidate(current_starts_at=datetime(2026, 6, 10, 0, 30, tzinfo=TOKYO))
    assert c.days_earlier(date(2026, 6, 3)) == 7
    assert replace(c, current_starts_at=datetime(2026, 6, 3, 23, tzinfo=TOKYO)).days_earlier(date(2026, 6, 3)) == 0


# --- Reads on the database --------------------------------------------------------------------------


@pytest.fixture
def city(db):
    f.open_window(opens_at=timezone.now() - timedelta(days=60))
    pfz = f.vaccine(code="PFZ", name="Pfizer", next_dose_min_days=21, min_age=12)
    venue = f.venue(vaccines=[pfz])
    return {"pfz": pfz, "venue": venue}


def book(resident, slot, *, dose=1, wants=True, asked_days_ago=1, **kw):
    return services.reservation_book(actor=services.Actor.system(), resident=resident, slot_id=slot.pk,
                                     dose_number=dose, wants_move_up=wants,
                                     now=timezone.now() - timedelta(days=asked_days_ago), **kw)


def test_candidates_are_those_who_asked_with_a_later_appointment_first_asked_first(city):
    freed = f.slot(venue=city["venue"], vaccine=city["pfz"], starts_at=f.at(2), capacity=3)
    later = f.slot(venue=city["venue"], vaccine=city["pfz"], starts_at=f.at(20), capacity=10)
    earlier = f.slot(venue=city["venue"], vaccine=city["pfz"], starts_at=f.at(1), capacity=10)
    second = book(f.resident(), later, asked_days_ago=2)
    first = book(f.resident(), later, asked_days_ago=5)
    book(f.resident(), later, wants=False)  # did not ask
    moved_away = f.resident()
    book(moved_away, later)
    moved_away.active = False
    moved_away.save()
    book(f.resident(), earlier)  # already earlier than the freed slot
    cancelled = book(f.resident(), later)
    services.reservation_cancel(actor=services.Actor.system(), reservation=cancelled)
    found = move_up.candidates(slot=freed, now=timezone.now())
    assert [c.code for c in found] == [first.code, second.code]
    assert found[0].days_earlier(timezone.localdate(freed.starts_at)) == 18


def test_inactive_residents_are_never_candidates(city):
    later = f.slot(venue=city["venue"], vaccine=city["pfz"], starts_at=f.at(20))
    resident = f.resident()
    book(resident, later)
    resident.active = False
    resident.save()
    assert move_up.candidates(slot=f.slot(venue=city["venue"], vaccine=city["pfz"], starts_at=f.at(3)),
                             now=timezone.now()) == []


def test_dose_two_candidates_need_the_interval_and_the_vaccine(city):
    mdn = f.vaccine(code="MDN", name="Moderna", next_dose_min_days=28)
    venue = city["venue"]
    venue.vaccines.add(mdn)
    late_pfz = f.slot(venue=venue, vaccine=city["pfz"], starts_at=f.at(40), capacity=10)
    late_mdn = f.slot(venue=venue, vaccine=mdn, starts_at=f.at(40), capacity=10)
    freed = f.slot(venue=venue, vaccine=city["pfz"], starts_at=f.at(25), capacity=2)
    # Dose 1 given 10 days ago (interval ok on day 25), Pfizer: a candidate.
    ok = f.resident()
    DoseRecord.objects.create(resident=ok, dose_number=1, vaccine=city["pfz"], given_on=timezone.localdate()
                              - timedelta(days=10))
    ok_res = book(ok, late_pfz, dose=2)
    # Dose 1 booked on day 8: day 25 is only 17 days later, too soon.
    soon = f.resident()
    book(soon, f.slot(venue=venue, vaccine=city["pfz"], starts_at=f.at(8)), wants=False)
    book(soon, late_pfz, dose=2)
    # Dose 1 given with Moderna: a Pfizer slot is the wrong vaccine.
    other = f.resident()
    DoseRecord.objects.create(resident=other, dose_number=1, vaccine=mdn, given_on=timezone.localdate()
                              - timedelta(days=30))
    book(other, late_mdn, dose=2)
    assert [c.code for c in move_up.candidates(slot=freed, now=timezone.now())] == [ok_res.code]


def test_vaccine_switch_setting_lets_another_vaccine_in(city, settings):
    mdn = f.vaccine(code="MDN", name="Moderna", next_dose_min_days=28)
    city["venue"].vaccines.add(mdn)
    other = f.resident()
    DoseRecord.objects.create(resident=other, dose_number=1, vaccine=mdn, given_on=timezone.localdate()
                              - timedelta(days=40))
    settings.YOYAKU = {**settings.YOYAKU, "ALLOW_VACCINE_SWITCH": True}
    reservation = book(other, f.slot(venue=city["venue"], vaccine=mdn, starts_at=f.at(40)), dose=2)
    freed = f.slot(venue=city["venue"], vaccine=city["pfz"], starts_at=f.at(5))
    assert [c.code for c in move_up.candidates(slot=freed, now=timezone.now())] == [reservation.code]
    settings.YOYAKU = {**settings.YOYAKU, "ALLOW_VACCINE_SWITCH": False}
    assert move_up.candidates(slot=freed, now=timezone.now()) == []


def test_too_young_for_the_slots_vaccine_on_its_day(city):
    mdn = f.vaccine(code="MDN", name="Moderna", min_age=18)
    city["venue"].vaccines.add(mdn)
    today = timezone.localdate()
    # 18 in law from the day before the 18th birthday, which is 10 days from today.
    turns_18 = f.resident(birth_date=(today + timedelta(days=10)).replace(year=today.year - 18))
    book(turns_18, f.slot(venue=city["venue"], vaccine=mdn, starts_at=f.at(30)))
    early = f.slot(venue=city["venue"], vaccine=mdn, starts_at=f.at(5))
    assert move_up.candidates(slot=early, now=timezone.now()) == []
    assert len(move_up.candidates(slot=f.slot(venue=city["venue"], vaccine=mdn, starts_at=f.at(9)),
                                 now=timezone.now())) == 1


def test_free_slots_are_open_on_sale_within_the_days_and_not_full(city):
    venue, pfz = city["venue"], city["pfz"]
    free = f.slot(venue=venue, vaccine=pfz, starts_at=f.at(1), capacity=2)
    full = f.slot(venue=venue, vaccine=pfz, starts_at=f.at(1, 11), capacity=1)
    book(f.resident(), full)
    f.slot(venue=venue, vaccine=pfz, starts_at=f.at(2), closed=True)
    f.slot(venue=venue, vaccine=pfz, starts_at=f.at(2, 11), bookable_from=timezone.now() + timedelta(days=1))
    beyond = f.slot(venue=venue, vaccine=pfz, starts_at=f.at(7))
    past = f.slot(venue=venue, vaccine=pfz, starts_at=timezone.now() - timedelta(hours=1))
    ids = set(move_up.free_slots(now=timezone.now(), days=7).values_list("pk", flat=True))
    assert free.pk in ids and beyond.pk not in ids and past.pk not in ids and full.pk not in ids
    assert len(ids) == 1
    assert beyond.pk in set(move_up.free_slots(now=timezone.now(), days=8).values_list("pk", flat=True))
    assert not move_up.free_slots(now=timezone.now(), days=7, venue_ids=[]).exists()


def test_the_query_gives_the_same_order_as_the_rule(city):
    later = f.slot(venue=city["venue"], vaccine=city["pfz"], starts_at=f.at(30), capacity=30)
    for days_ago in (3, 9, 1, 9, 4, 7, 2, 9):
        book(f.resident(), later, asked_days_ago=days_ago)
    Reservation.objects.update(created_at=timezone.now() - timedelta(days=9))  # ties: the number decides
    found = move_up.candidates(slot=f.slot(venue=city["venue"], vaccine=city["pfz"], starts_at=f.at(3)),
                              now=timezone.now())
    assert len(found) == 8 and found == move_up.rank(found)


def test_many_slots_are_served_in_a_fixed_number_of_queries_whatever_the_data(city):
    venue, pfz = city["venue"], city["pfz"]

    def queries(slots):
        with CaptureQueriesContext(connection) as captured:
            found = move_up.candidates_for_slots(slots=slots, now=timezone.now(), limit=3)
        return len(captured), found

    later = f.slot(venue=venue, vaccine=pfz, starts_at=f.at(40), capacity=200)
    book(f.resident(), later)
    few_slots = [f.slot(venue=venue, vaccine=pfz, starts_at=f.at(2, hour)) for hour in (9, 10)]
    small, _found = queries(list(move_up.free_slots(now=timezone.now(), days=3)))
    for n in range(60):
        book(f.resident(), later, dose=1, asked_days_ago=1 + n % 5)
    few_slots += [f.slot(venue=venue, vaccine=pfz, starts_at=f.at(day, 9)) for day in range(3, 12)]
    large, found = queries(list(move_up.free_slots(now=timezone.now(), days=12)))
    assert small == large == 3  # windows, vaccines, one chunk of candidates
    assert all(len(found.by_slot[slot.pk]) == 3 for slot in few_slots) and found.complete


def test_the_scan_stops_in_chunks_and_says_when_it_was_cut_short(city):
    venue, pfz = city["venue"], city["pfz"]
    later = f.slot(venue=venue, vaccine=pfz, starts_at=f.at(40), capacity=20)
    for n in range(6):
        book(f.resident(), later, asked_days_ago=10 - n)
    freed = f.slot(venue=venue, vaccine=pfz, starts_at=f.at(3))
    found = move_up.candidates_for_slots(slots=[freed], now=timezone.now(), limit=5, chunk=2)
    assert len(found.by_slot[freed.pk]) == 5 and found.complete
    cut = move_up.candidates_for_slots(slots=[freed], now=timezone.now(), limit=5, chunk=2, max_scan=4)
    assert len(cut.by_slot[freed.pk]) == 4 and not cut.complete
