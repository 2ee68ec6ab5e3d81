"""Reads whose SQL is built once per process (booking/prepared.py): the same instances as the ORM's, for less."""

from datetime import date

import pytest
from django.db.models import Count, Model
from django.db.models.sql.compiler import SQLCompiler

from tests import factories as f
from yoyaku.booking import availability, selectors
from yoyaku.booking.models import DoseRecord, Reservation, Resident
from yoyaku.booking.prepared import PreparedRead

pytestmark = pytest.mark.django_db


def values(obj: Model) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def orm_history(resident):
    return (list(DoseRecord.objects.filter(resident=resident).select_related("vaccine").order_by("pk")),
            list(Reservation.objects.filter(resident=resident).exclude(status=Reservation.Status.CANCELLED)
                 .select_related("slot__venue", "slot__vaccine").order_by("pk")))


@pytest.fixture
def resident_with_history():
    f.open_window()
    resident = f.resident()
    pfizer = f.vaccine(code="PFZ", name="Pfizer", name_en="Pfizer (en)")
    given = f.slot(vaccine=pfizer, starts_at=f.at(-30))
    done = Reservation.objects.create(resident=resident, slot=given, dose_number=1, code="DVNE2345",
                                      status=Reservation.Status.DONE)
    DoseRecord.objects.create(resident=resident, dose_number=1, vaccine=pfizer, given_on=date(2026, 10, 1),
                              lot="AB123", reservation=done)
    Reservation.objects.create(resident=resident, slot=f.slot(vaccine=pfizer, starts_at=f.at(3)), dose_number=2,
                               code="CANC2346", status=Reservation.Status.CANCELLED)
    Reservation.objects.create(resident=resident, slot=f.slot(vaccine=pfizer, starts_at=f.at(5, 14, 30)),
                               dose_number=2, code="BVVK2345", email="a@example.com")
    Reservation.objects.create(resident=f.resident(), slot=given, dose_number=1, code="VTHR2345")  # someone else's
    return resident


def test_the_dose_history_is_the_orms_rows_with_their_related_rows_cached(resident_with_history,
                                                                          django_assert_num_queries):
    records, reservations = orm_history(resident_with_history)
    with django_assert_num_queries(2):
        history = selectors.dose_history(resident=resident_with_history)
    assert [values(r) for r in history.records] == [values(r) for r in records]
    assert [values(r) for r in history.reservations] == [values(r) for r in reservations]
    assert [r.code for r in history.reservations] == ["DVNE2345", "BVVK2345"]
    with django_assert_num_queries(0):  # the related rows came with them, as with select_related
        got = [(r.slot.starts_at, values(r.slot.venue), values(r.slot.vaccine)) for r in history.reservations]
        assert [record.vaccine.name_en for record in history.records] == ["Pfizer (en)"]
    assert got == [(r.slot.starts_at, values(r.slot.venue), values(r.slot.vaccine)) for r in reservations]
    assert history.reservations[1].slot.starts_at == f.at(5, 14, 30)  # an aware datetime, on either database
    assert history.reservations[1].slot.starts_at.tzinfo is not None
    assert not history.reservations[1]._state.adding  # saved instances: they can be saved and refreshed
    assert history.reservations[1]._state.db == "default"


def test_a_resident_pages_reads_are_built_into_sql_once_per_process(resident_with_history, monkeypatch):
    selectors.dose_history(resident=resident_with_history)
    selectors.active_resident(resident_with_history.pk)
    built = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: built.append(1) or original(self, *a, **k))
    for _ in range(3):
        selectors.dose_history(resident=resident_with_history)
        selectors.active_resident(resident_with_history.pk)
    assert built == []


def test_the_logged_in_resident_is_read_only_while_their_ticket_is_active():
    resident = f.resident()
    assert selectors.active_resident(resident.pk) == resident
    assert values(selectors.active_resident(resident.pk)) == values(Resident.objects.get(pk=resident.pk))
    Resident.objects.filter(pk=resident.pk).update(active=False)
    assert selectors.active_resident(resident.pk) is None
    assert selectors.active_resident(resident.pk + 1000) is None


def test_a_prepared_read_refuses_a_query_whose_parameter_is_not_a_plain_parameter_once():
    twice = PreparedRead(Resident, lambda pk: Resident.objects.filter(pk=pk).exclude(pk=pk), "pk")
    with pytest.raises(ValueError, match="once"):
        twice.read(pk=1)
    missing = PreparedRead(Resident, lambda pk: Resident.objects.filter(active=True), "pk")
    with pytest.raises(ValueError, match="once"):
        missing.read(pk=1)


def test_a_residents_reservation_by_code_is_the_orms_with_its_related_rows(resident_with_history,
                                                                          django_assert_num_queries):
    for code in ("DVNE2345", "bvvk2345", "CANC2346"):
        orm = (Reservation.objects.select_related("resident", "slot__venue", "slot__vaccine", "dose_record")
               .get(code=code.upper()))
        with django_assert_num_queries(1):
            got = selectors.reservation_by_code(code, resident_id=resident_with_history.pk)
        with django_assert_num_queries(0):
            assert values(got.resident) == values(orm.resident)
            assert values(got.slot.venue) == values(orm.slot.venue)
            assert values(got.slot.vaccine) == values(orm.slot.vaccine)
            assert hasattr(got, "dose_record") == hasattr(orm, "dose_record") == (code == "DVNE2345")
            if code == "DVNE2345":
                assert values(got.dose_record) == values(orm.dose_record)
        assert values(got) == values(orm)
    assert selectors.reservation_by_code("VTHR2345", resident_id=resident_with_history.pk) is None  # not theirs
    assert selectors.reservation_by_code("NVPE2345", resident_id=resident_with_history.pk) is None
    assert selectors.reservation_by_code("VTHR2345") is not None  # the console's question is the ORM's as before


def test_the_drafts_slot_is_read_with_its_venue_or_only_its_id(django_assert_num_queries):
    slot = f.slot()
    with django_assert_num_queries(1):
        got = selectors.slot_by_pk(slot.pk)
    with django_assert_num_queries(0):
        assert (got.venue.name, got.vaccine.code) == (slot.venue.name, slot.vaccine.code)
    assert values(got) == values(slot)
    assert selectors.slot_by_pk(str(slot.pk), with_venue=False).pk == slot.pk
    assert selectors.slot_by_pk(slot.pk + 1000) is None
    assert selectors.slot_by_pk(None) is None
    assert selectors.slot_by_pk("4; DROP") is None


def test_a_prepared_read_makes_model_instances_only():
    for build in (lambda pk: Resident.objects.filter(pk=pk).values("pk"),
                  lambda pk: Resident.objects.filter(pk=pk).prefetch_related("reservations"),
                  lambda pk: Resident.objects.filter(pk=pk).annotate(n=Count("reservations"))):
        with pytest.raises(ValueError, match="model instances"):
            PreparedRead(Resident, build, "pk").read(pk=1)


# --- PreparedRows: the calendar's and the times' values() queries -------------------------------------------


@pytest.fixture
def city_with_times():
    """Two vaccines, three venues (one inactive), slots over a week: open, full, closed, for dose 2 only."""
    from datetime import timedelta

    from django.utils import timezone

    pfizer, moderna = f.vaccine(code="PFZ", name="ファイザー", name_en="Pfizer"), f.vaccine(code="MOD")
    east = f.venue(vaccines=[pfizer, moderna], name="東", name_en="East", area="北区")
    west = f.venue(vaccines=[pfizer], name="西", area="南区")
    shut = f.venue(vaccines=[pfizer], active=False)
    for days in (3, 4, 6):
        f.slot(venue=east, vaccine=pfizer, starts_at=f.at(days, 9), capacity=4)
        f.slot(venue=east, vaccine=moderna, starts_at=f.at(days, 9, 30), capacity=2, booked=2)  # full
        f.slot(venue=west, vaccine=pfizer, starts_at=f.at(days, 14), capacity=3, booked=1)
        f.slot(venue=shut, vaccine=pfizer, starts_at=f.at(days, 10))
        f.slot(venue=west, vaccine=pfizer, starts_at=f.at(days, 15), closed=True)
        f.slot(venue=west, vaccine=moderna, starts_at=f.at(days, 16), doses=(2,))
    today = timezone.localdate()
    return {"pfizer": pfizer.pk, "moderna": moderna.pk, "east": east.pk, "west": west.pk,
            "days": [today + timedelta(days=d) for d in (3, 4, 5, 6)], "today": today}


def dose_times_variants(city):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    for dose in (1, 2):
        for vaccines in ((city["pfizer"],), (city["pfizer"], city["moderna"]), ()):
            for latest in (None, city["days"][1], city["days"][3] + timedelta(days=30)):
                yield availability.DoseTimes(dose_number=dose, earliest_day=city["today"] + timedelta(days=1),
                                             latest_day=latest, vaccine_ids=vaccines, now=now)


def orm_rows(query, dose_times, **more) -> list[dict]:
    """The query as the ORM runs it: a fresh QuerySet with the real values."""
    terms = {"now": dose_times.now, "earliest_day": dose_times.earliest_day, "latest_day": dose_times.latest_day,
             "vaccine_ids": dose_times.vaccine_ids}
    if query is availability._venues_query:
        return list(query(vaccine_ids=dose_times.vaccine_ids))
    return list(query(dose_times.dose_number, **terms, **more))


def test_the_calendars_and_the_times_rows_are_the_orms_for_every_shape(city_with_times, django_assert_num_queries):
    from datetime import timedelta

    checked = 0
    for dose_times in dose_times_variants(city_with_times):
        start, end = dose_times.earliest_day, dose_times.earliest_day + timedelta(days=42)
        for venue_id in (None, city_with_times["east"], city_with_times["west"]):
            got = availability._DAYS.rows(dose_times.dose_number, **dose_times._terms(), venue_id=venue_id,
                                          start=start, end=end)
            assert sorted(got, key=str) == sorted(orm_rows(availability._days_query, dose_times, venue_id=venue_id,
                                                           start=start, end=end), key=str)
            for day in city_with_times["days"]:
                got = availability._TIMES.rows(dose_times.dose_number, **dose_times._terms(), venue_id=venue_id,
                                               day=day)
                assert got == orm_rows(availability._times_query, dose_times, venue_id=venue_id, day=day)
                checked += len(got)
                assert all(row["starts_at"].tzinfo is not None for row in got)  # aware, on either database
        for day in city_with_times["days"]:
            got = availability._DAY_VENUES.rows(dose_times.dose_number, **dose_times._terms(), day=day)
            assert got == orm_rows(availability._day_venues_query, dose_times, day=day)
        if dose_times.vaccine_ids:
            assert availability._VENUES.rows(vaccine_ids=dose_times.vaccine_ids) == orm_rows(
                availability._venues_query, dose_times)
        else:
            with django_assert_num_queries(0):  # an IN list of no ids: no row, and no query
                assert availability._TIMES.rows(1, **dose_times._terms(), day=city_with_times["days"][0]) == []
    assert checked > 50  # the shapes above found times, not only empty answers


def test_the_times_of_another_day_or_venue_are_read_without_building_sql_again(city_with_times, monkeypatch):
    """Each venue and day is its own key in the availability memo, so the venue page's times were read afresh on
    most pages of the rush, and the ORM built their SQL every time (4 ms of CPU for 16 rows; issue 11, round 7)."""
    from datetime import timedelta

    dose_times = next(dose_times_variants(city_with_times))
    end = dose_times.earliest_day + timedelta(days=42)
    first_day, other_days = city_with_times["days"][0], [city_with_times["days"][1], city_with_times["days"][3]]
    dose_times.times(day=first_day, venue_id=city_with_times["east"])
    dose_times.days(venue_id=city_with_times["east"], start=dose_times.earliest_day, end=end)
    dose_times.day_venues(day=first_day)
    built = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: built.append(1) or original(self, *a, **k))
    for day in other_days:
        assert dose_times.times(day=day, venue_id=city_with_times["west"])
        dose_times.days(venue_id=city_with_times["west"], start=dose_times.earliest_day, end=end)
        dose_times.day_venues(day=day)
    assert built == []


def test_prepared_rows_refuse_a_parameter_the_sql_does_not_carry_and_values_of_other_kinds():
    from yoyaku.booking.prepared import PreparedRows

    missing = PreparedRows(Resident, lambda *, pk: Resident.objects.filter(active=True).values("pk"))
    with pytest.raises(ValueError, match="not in the SQL"):
        missing.rows(pk=1)
    text = PreparedRows(Resident, lambda *, ticket: Resident.objects.filter(ticket_number=ticket).values("pk"))
    with pytest.raises(TypeError, match="an int, a date or an aware datetime"):
        text.rows(ticket="0123456789")
    instances = PreparedRows(Resident, lambda *, pk: Resident.objects.filter(pk=pk))
    with pytest.raises(ValueError, match="values"):
        instances.rows(pk=1)


def test_a_parameter_that_appears_twice_gets_its_value_in_both_places():
    from yoyaku.booking.prepared import PreparedRows

    one, two = f.resident(), f.resident()
    both = PreparedRows(Resident, lambda *, pk: Resident.objects.filter(pk__gte=pk, pk__lte=pk).values("pk"))
    assert both.rows(pk=one.pk) == [{"pk": one.pk}]
    assert both.rows(pk=two.pk) == [{"pk": two.pk}]
