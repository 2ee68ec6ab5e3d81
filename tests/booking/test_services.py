"""Each test states one rule of the booking services."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import imports, services
from yoyaku.booking.errors import (
    AlreadyBooked,
    CapacityBelowBooked,
    DeadlinePassed,
    InvalidInput,
    NotActive,
    NotEligible,
    ReasonRequired,
    SlotFull,
    SlotUnavailable,
    TicketInactive,
    TooEarly,
    TooYoung,
    WrongVaccine,
)
from yoyaku.booking.models import AuditEvent, DoseRecord, Reservation, Resident, Slot, Venue
from yoyaku.booking.slot_patterns import SlotPattern, parse_times
from yoyaku.notify.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def window():
    return f.open_window()


@pytest.fixture
def pfz():
    return f.vaccine(code="PFZ", name="Pfizer", next_dose_min_days=21, min_age=12)


def book(resident, slot, dose=1, **kw):
    actor = kw.pop("actor", None) or services.Actor.for_resident(resident, client_address="127.0.0.1")
    return services.reservation_book(actor=actor, resident=resident, slot_id=slot.pk, dose_number=dose, **kw)


def staff_actor(django_user_model):
    user = django_user_model.objects.create_user("operator", password="x-long-password-123")
    return services.Actor.for_staff(user, client_address="10.0.0.1")


def test_booking_takes_a_place_writes_audit_and_queues_confirmation(window):
    resident = f.resident(email="a@example.com")
    slot = f.slot(capacity=2)
    reservation = book(resident, slot, email="a@example.com")
    slot.refresh_from_db()
    assert slot.booked == 1
    assert reservation.status == Reservation.Status.BOOKED
    assert len(reservation.code) == 8
    event = AuditEvent.objects.get(reservation=reservation)
    assert (event.action, event.actor_kind, event.actor_resident_id) == ("reservation.book", "resident", resident.pk)
    note = Notification.objects.get(reservation=reservation)
    assert (note.kind, note.status, note.payload["code"]) == ("booked", "pending", reservation.code)


def test_booking_without_email_records_a_skipped_notification(window):
    reservation = book(f.resident(), f.slot())
    assert Notification.objects.get(reservation=reservation).status == Notification.Status.SKIPPED


def test_full_slot_refuses_and_changes_nothing(window):
    slot = f.slot(capacity=1)
    book(f.resident(), slot)
    with pytest.raises(SlotFull):
        book(f.resident(), slot)
    slot.refresh_from_db()
    assert slot.booked == 1
    assert Reservation.objects.count() == 1
    assert AuditEvent.objects.count() == 1


def test_second_booking_of_same_dose_is_refused_naming_the_first(window):
    resident = f.resident()
    first = book(resident, f.slot())
    with pytest.raises(AlreadyBooked) as caught:
        book(resident, f.slot())
    assert caught.value.reservation == first
    assert first.code in caught.value.message


def test_same_request_key_returns_the_same_reservation(window):
    resident = f.resident()
    slot = f.slot()
    first = book(resident, slot, request_key="abc")
    again = book(resident, slot, request_key="abc")
    assert again.pk == first.pk
    assert Slot.objects.get(pk=slot.pk).booked == 1


def test_request_keys_are_per_resident(window):
    slot = f.slot()
    first = book(f.resident(), slot, request_key="same")
    other = book(f.resident(), slot, request_key="same")
    assert other.pk != first.pk


def test_window_not_open_yet_says_from_when():
    opens = timezone.now() + timedelta(days=3)
    f.open_window(opens_at=opens)
    with pytest.raises(NotEligible) as caught:
        book(f.resident(), f.slot())
    assert caught.value.reason == "not_open_yet"
    assert caught.value.available_from == opens


def test_window_for_older_residents_excludes_younger():
    from datetime import date

    f.open_window(born_on_or_before=date(1961, 4, 1))
    with pytest.raises(NotEligible) as caught:
        book(f.resident(birth_date=date(1990, 1, 1)), f.slot())
    assert caught.value.reason == "no_window"
    book(f.resident(birth_date=date(1950, 1, 1)), f.slot())


def test_inactive_ticket_cannot_book(window):
    with pytest.raises(TicketInactive):
        book(f.resident(active=False), f.slot())


def test_dose_two_needs_dose_one(window, pfz):
    with pytest.raises(NotEligible) as caught:
        book(f.resident(), f.slot(vaccine=pfz), dose=2)
    assert caught.value.reason == "previous_dose_missing"


def test_dose_two_respects_the_interval_and_names_the_first_allowed_day(window, pfz):
    resident = f.resident()
    venue = f.venue(vaccines=[pfz])
    book(resident, f.slot(venue=venue, vaccine=pfz, starts_at=f.at(5)))
    with pytest.raises(TooEarly) as caught:
        book(resident, f.slot(venue=venue, vaccine=pfz, starts_at=f.at(25)), dose=2)
    assert caught.value.first_allowed == timezone.localdate() + timedelta(days=26)
    second = book(resident, f.slot(venue=venue, vaccine=pfz, starts_at=f.at(26)), dose=2)
    assert second.dose_number == 2


def test_dose_two_must_be_the_same_vaccine(window, pfz):
    resident = f.resident()
    other = f.vaccine(code="MDN", name="Moderna", next_dose_min_days=28)
    book(resident, f.slot(vaccine=pfz, starts_at=f.at(3)))
    with pytest.raises(WrongVaccine):
        book(resident, f.slot(vaccine=other, starts_at=f.at(40)), dose=2)


def test_vaccine_switch_allowed_by_city_setting(window, pfz, settings):
    settings.YOYAKU = {**settings.YOYAKU, "ALLOW_VACCINE_SWITCH": True}
    resident = f.resident()
    other = f.vaccine(code="MDN", name="Moderna", next_dose_min_days=28)
    book(resident, f.slot(vaccine=pfz, starts_at=f.at(3)))
    assert book(resident, f.slot(vaccine=other, starts_at=f.at(40)), dose=2).dose_number == 2


def test_too_young_for_the_vaccine(window):
    from datetime import date

    moderna = f.vaccine(code="MDN", min_age=18)
    child = f.resident(birth_date=timezone.localdate().replace(year=timezone.localdate().year - 15))
    with pytest.raises(TooYoung):
        book(child, f.slot(vaccine=moderna))
    assert child.birth_date < date.today()


@pytest.mark.parametrize(
    "fields",
    [{"closed": True}, {"bookable_from_days": 1}, {"doses": (2,)}, {"starts_in_days": -1}],
    ids=["closed", "not-yet-on-sale", "wrong-dose", "in-the-past"],
)
def test_unbookable_slot_is_refused(window, fields):
    extra = {}
    if "closed" in fields:
        extra["closed"] = True
    if "bookable_from_days" in fields:
        extra["bookable_from"] = timezone.now() + timedelta(days=fields["bookable_from_days"])
    if "doses" in fields:
        extra["doses"] = fields["doses"]
    starts = f.at(fields.get("starts_in_days", 10))
    slot = f.slot(starts_at=starts, **extra)
    with pytest.raises(SlotUnavailable):
        book(f.resident(), slot)
    assert Slot.objects.get(pk=slot.pk).booked == 0


def test_web_booking_closes_at_the_web_deadline_but_staff_can_book(window, django_user_model):
    slot = f.slot(starts_at=f.at(1))
    with pytest.raises(SlotUnavailable):
        book(f.resident(), slot)
    reservation = book(f.resident(), slot, actor=staff_actor(django_user_model), reason="called in")
    assert reservation.channel == Reservation.Channel.PHONE


def test_staff_acts_need_a_reason(window, django_user_model):
    with pytest.raises(ReasonRequired):
        book(f.resident(), f.slot(), actor=staff_actor(django_user_model), reason="  ")


def test_change_moves_the_place_atomically(window):
    resident = f.resident()
    old, new = f.slot(capacity=1), f.slot(capacity=1)
    reservation = book(resident, old)
    actor = services.Actor.for_resident(resident)
    moved = services.reservation_change(actor=actor, reservation=reservation, slot_id=new.pk)
    assert moved.slot_id == new.pk
    assert (Slot.objects.get(pk=old.pk).booked, Slot.objects.get(pk=new.pk).booked) == (0, 1)
    assert Notification.objects.filter(reservation=reservation, kind="changed").count() == 1
    assert AuditEvent.objects.filter(action="reservation.change", reservation=reservation).count() == 1


def test_change_into_full_slot_keeps_the_old_place(window):
    resident = f.resident()
    old, full = f.slot(), f.slot(capacity=1)
    book(f.resident(), full)
    reservation = book(resident, old)
    with pytest.raises(SlotFull):
        services.reservation_change(actor=services.Actor.for_resident(resident), reservation=reservation,
                                    slot_id=full.pk)
    reservation.refresh_from_db()
    assert reservation.slot_id == old.pk
    assert (Slot.objects.get(pk=old.pk).booked, Slot.objects.get(pk=full.pk).booked) == (1, 1)


def test_moving_dose_one_must_keep_dose_two_valid(window, pfz):
    resident = f.resident()
    first = book(resident, f.slot(vaccine=pfz, starts_at=f.at(5)))
    book(resident, f.slot(vaccine=pfz, starts_at=f.at(30)), dose=2)
    with pytest.raises(TooEarly) as caught:
        services.reservation_change(actor=services.Actor.for_resident(resident), reservation=first,
                                    slot_id=f.slot(vaccine=pfz, starts_at=f.at(12)).pk)
    assert caught.value.last_allowed == timezone.localdate() + timedelta(days=9)


def test_cancel_frees_the_place_and_twice_changes_nothing(window):
    resident = f.resident()
    slot = f.slot()
    reservation = book(resident, slot)
    actor = services.Actor.for_resident(resident)
    services.reservation_cancel(actor=actor, reservation=reservation)
    services.reservation_cancel(actor=actor, reservation=reservation)
    assert Slot.objects.get(pk=slot.pk).booked == 0
    assert AuditEvent.objects.filter(action="reservation.cancel").count() == 1
    assert Notification.objects.filter(kind="cancelled").count() == 1
    # A cancelled dose can be booked again.
    assert book(resident, slot).status == Reservation.Status.BOOKED


def test_web_deadline_blocks_resident_change_and_cancel_not_staff(window, django_user_model):
    resident = f.resident()
    slot = f.slot(starts_at=f.at(5))
    reservation = book(resident, slot)
    later = timezone.now() + timedelta(days=4)
    actor = services.Actor.for_resident(resident)
    with pytest.raises(DeadlinePassed) as caught:
        services.reservation_cancel(actor=actor, reservation=reservation, now=later)
    assert "0120" in caught.value.message  # the call centre's number, from settings
    with pytest.raises(DeadlinePassed):
        services.reservation_change(actor=actor, reservation=reservation, slot_id=f.slot().pk, now=later)
    services.reservation_cancel(actor=staff_actor(django_user_model), reservation=reservation,
                                reason="resident phoned", now=later)
    assert Slot.objects.get(pk=slot.pk).booked == 0


def test_resident_cannot_act_on_another_residents_reservation(window):
    reservation = book(f.resident(), f.slot())
    intruder = services.Actor.for_resident(f.resident())
    with pytest.raises(services.NotYours):
        services.reservation_cancel(actor=intruder, reservation=reservation)
    assert Reservation.objects.get(pk=reservation.pk).is_active


def test_recording_the_dose_given_marks_done_and_keeps_the_place(window, django_user_model):
    reservation = book(f.resident(), f.slot())
    actor = staff_actor(django_user_model)
    on_the_day = reservation.slot.starts_at
    record = services.reservation_check_in(actor=actor, reservation=reservation, lot=" AB123 ", now=on_the_day)
    assert (record.lot, record.dose_number) == ("AB123", 1)
    assert Reservation.objects.get(pk=reservation.pk).status == Reservation.Status.DONE
    assert Slot.objects.get(pk=reservation.slot_id).booked == 1
    with pytest.raises(NotActive):
        services.reservation_check_in(actor=actor, reservation=reservation, lot="AB123", now=on_the_day)
    call_command("check_integrity")


def test_dose_and_no_show_are_recorded_from_the_appointment_day_only(window, django_user_model):
    from yoyaku.booking.errors import CheckInNotYet

    reservation = book(f.resident(), f.slot(starts_at=f.at(3)))
    actor = staff_actor(django_user_model)
    with pytest.raises(CheckInNotYet):
        services.reservation_check_in(actor=actor, reservation=reservation, lot="L1")
    with pytest.raises(CheckInNotYet):
        services.reservation_mark_no_show(actor=actor, reservation=reservation)
    assert Reservation.objects.get(pk=reservation.pk).is_active


def test_dose_already_recorded_elsewhere_is_refused_with_a_message(window, pfz, django_user_model):
    from yoyaku.booking.errors import DoseAlreadyRecorded

    resident = f.resident()
    reservation = book(resident, f.slot(vaccine=pfz, starts_at=f.at(3)))
    DoseRecord.objects.create(resident=resident, dose_number=1, vaccine=pfz, given_on=timezone.localdate(),
                              source=DoseRecord.Source.IMPORT)
    with pytest.raises(DoseAlreadyRecorded):
        services.reservation_check_in(actor=staff_actor(django_user_model), reservation=reservation, lot="L1",
                             now=reservation.slot.starts_at)
    assert Reservation.objects.get(pk=reservation.pk).is_active


def test_dose_given_counts_as_previous_dose(window, pfz, django_user_model):
    resident = f.resident()
    first = book(resident, f.slot(vaccine=pfz, starts_at=f.at(3)))
    services.reservation_check_in(actor=staff_actor(django_user_model), reservation=first, lot="L1",
                         now=first.slot.starts_at)
    assert DoseRecord.objects.filter(resident=resident).count() == 1
    with pytest.raises(NotEligible) as caught:
        book(resident, f.slot(vaccine=pfz, starts_at=f.at(40)))
    assert caught.value.reason == "already_given"
    assert book(resident, f.slot(vaccine=pfz, starts_at=f.at(40)), dose=2).dose_number == 2


def test_capacity_never_below_booked(window, django_user_model):
    slot = f.slot(capacity=3)
    book(f.resident(), slot)
    book(f.resident(), slot)
    actor = staff_actor(django_user_model)
    with pytest.raises(CapacityBelowBooked):
        services.slot_set_capacity(actor=actor, slot=slot, capacity=1, reason="fewer staff")
    assert services.slot_set_capacity(actor=actor, slot=slot, capacity=2, reason="fewer staff").capacity == 2


# --- audit_records_bulk, imports, slots and windows ----------------------------------------------------

RESIDENTS_CSV = (
    "ticket_number,birth_date,family_name,given_name,family_name_kana,given_name_kana,phone,email,postal_code,"
    "address,groups\n"
    "0000000001,1945-01-01,山田,花子,ヤマダ,ハナコ,,,,,medical\n"
    "0000000002,1950-03-15,岩手,一郎,イワテ,イチロウ,,,,,\n"
)


def parsed(text, schema, **context):
    rows, errors = imports.parse(text, schema, imports.Context(today=timezone.localdate(), **context))
    assert errors == []
    return rows


def test_audit_records_bulk_writes_the_fields_audit_record_writes(django_user_model):
    actor = staff_actor(django_user_model)
    resident = f.resident()
    now = timezone.now()
    single = services.audit_record(actor=actor, action="x.one", resident=resident, obj=resident, reason="why",
                                   data={"fields": ["phone"]}, now=now)
    [bulk] = services.audit_records_bulk(actor=actor, now=now, records=[
        {"action": "x.one", "resident": resident, "obj": resident, "reason": "why", "data": {"fields": ["phone"]}},
    ])
    fields = ["created_at", "actor_kind", "actor_user_id", "actor_resident_id", "action", "resident_id",
              "reservation_id", "object_type", "object_id", "reason", "data", "client_address"]
    stored = list(AuditEvent.objects.order_by("id"))  # the bulk one read back, whatever the database returns
    assert [event.pk for event in stored][0] == single.pk and len(stored) == 2
    assert [getattr(stored[0], name) for name in fields] == [getattr(stored[1], name) for name in fields]
    assert stored[0].actor_kind == "staff" and stored[0].client_address == "10.0.0.1"


def test_residents_import_creates_with_the_actors_audit_events(django_user_model):
    actor = staff_actor(django_user_model)
    result = services.residents_import(actor=actor, rows=parsed(RESIDENTS_CSV, imports.RESIDENTS))
    assert (result.created, result.updated, result.unchanged, result.dry_run) == (2, 0, 0, False)
    assert Resident.objects.get(ticket_number="0000000001").group_set == frozenset({"medical"})
    events = AuditEvent.objects.filter(action="resident.import_create")
    assert events.count() == 2
    assert {(e.actor_kind, e.actor_user_id, e.client_address) for e in events} == {("staff", actor.user.pk, "10.0.0.1")}
    assert {e.resident.ticket_number for e in events} == {"0000000001", "0000000002"}


def test_residents_import_dry_run_counts_and_writes_nothing():
    f.resident(ticket_number="0000000001")
    result = services.residents_import(actor=services.Actor.system(), rows=parsed(RESIDENTS_CSV, imports.RESIDENTS),
                                       dry_run=True)
    assert (result.created, result.updated, result.unchanged, result.dry_run) == (1, 1, 0, True)
    assert Resident.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_import_refused_by_the_database_writes_nothing_and_says_so():
    # Rows normally come clean from imports.parse; one that slips past it meets the CHECK constraint.
    good = parsed(RESIDENTS_CSV, imports.RESIDENTS)
    bad = imports.Row(9, "12345", {**good[0].values, "ticket_number": "12345"})
    with pytest.raises(InvalidInput, match="The database refused a row") as caught:
        services.residents_import(actor=services.Actor.system(), rows=[*good, bad])
    assert caught.value.code == "import_refused"
    assert "12345" not in caught.value.message
    assert not Resident.objects.exists()
    assert not AuditEvent.objects.exists()


def test_venues_import_rolls_back_when_a_vaccine_is_gone_since_the_file_was_checked():
    f.vaccine(code="pfizer")
    rows = parsed("code,name,kind,area,address,phone,notes,vaccines\n"
                  "C01,Clinic,clinic,A,1-1,,,pfizer\n"
                  "C02,Clinic 2,clinic,A,1-2,,,pfizer|astra\n",
                  imports.VENUES, vaccine_codes=frozenset({"pfizer", "astra"}))
    with pytest.raises(InvalidInput, match="line 3: vaccines: unknown vaccine code astra; nothing written"):
        services.venues_import(actor=services.Actor.system(), rows=rows)
    assert not Venue.objects.exists()
    assert not AuditEvent.objects.exists()


def test_vaccines_import_then_venues_import_offer_the_vaccines():
    services.vaccines_import(actor=services.Actor.system(), rows=parsed(
        "code,name,min_age,next_dose_min_days,doses_per_vial\npfizer,ファイザー,12,21,6\n", imports.VACCINES))
    result = services.venues_import(actor=services.Actor.system(), rows=parsed(
        "code,name,kind,area,address,phone,notes,vaccines\nC01,Clinic,clinic,A,1-1,,,pfizer\n",
        imports.VENUES, vaccine_codes=frozenset({"pfizer"})))
    assert result.created == 1
    assert [v.code for v in Venue.objects.get(code="C01").vaccines.all()] == ["pfizer"]
    assert AuditEvent.objects.filter(action__in=["vaccine.import_create", "venue.import_create"]).count() == 2


def test_slots_generate_and_booking_window_open_are_services_with_audit(django_user_model, pfz):
    actor = staff_actor(django_user_model)
    venue = f.venue(vaccines=[pfz])
    day = timezone.localdate() + timedelta(days=7)
    pattern = SlotPattern(first_day=day, last_day=day, weekdays=frozenset(range(7)),
                          times=tuple(parse_times("09:00,09:30")), minutes=30)
    result = services.slots_generate(actor=actor, venue=venue, vaccine=pfz, pattern=pattern, capacity=3, doses=[1])
    assert (result.created, result.existed) == (2, 0)
    window = services.booking_window_open(actor=actor, doses=[1], opens_at=timezone.now(), group="medical")
    assert window.group == "medical"
    events = AuditEvent.objects.filter(action__in=["slot.generate", "booking_window.open"])
    assert {(e.action, e.actor_kind) for e in events} == {("slot.generate", "staff"), ("booking_window.open", "staff")}
    with pytest.raises(InvalidInput):
        services.booking_window_open(actor=actor, doses=[1], opens_at=timezone.now(), group="care home")


def test_capacity_cannot_be_negative(window, django_user_model):
    from yoyaku.booking.errors import InvalidInput

    slot = f.slot(capacity=3)
    with pytest.raises(InvalidInput):
        services.slot_set_capacity(actor=staff_actor(django_user_model), slot=slot, capacity=-1, reason="typo")
    assert Slot.objects.get(pk=slot.pk).capacity == 3
