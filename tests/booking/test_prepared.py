"""Reads whose SQL is built once per process (booking/prepared.py): the same instances as the ORM's, for less."""

from datetime import date

import pytest
from django.db.models import Count, Model
from django.db.models.sql.compiler import SQLCompiler

from tests import factories as f
from yoyaku.booking import selectors
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
