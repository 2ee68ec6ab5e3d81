"""Each test states one rule of the city's set-up services (services/city.py)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from tests import factories as f
from yoyaku.booking import rules, selectors, services
from yoyaku.booking.errors import InvalidInput, NotEligible, ReasonRequired, SlotUnavailable
from yoyaku.booking.models import AuditEvent, BookingWindow, Notice, Reservation, Slot, Vaccine, Venue
from yoyaku.booking.services import NotYours

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(django_user_model):
    user = django_user_model.objects.create_user("admin", password="x-long-password-123")
    return services.Actor.for_staff(user, client_address="10.0.0.9")


@pytest.fixture
def window():
    return f.open_window()


def book(resident, slot, dose=1):
    return services.reservation_book(actor=services.Actor.for_resident(resident), resident=resident,
                                     slot_id=slot.pk, dose_number=dose)


def vaccine_values(**overrides):
    values = {"code": "PFZ", "name": "ファイザー", "min_age": 12, "next_dose_min_days": 21, "doses_per_vial": 6}
    values.update(overrides)
    return values


# --- Vaccines --------------------------------------------------------------------------------------------


def test_vaccine_save_creates_with_an_audit_event(admin):
    vaccine = services.vaccine_save(actor=admin, **vaccine_values(code=" PFZ "))
    assert (vaccine.code, vaccine.name, vaccine.active) == ("PFZ", "ファイザー", True)
    event = AuditEvent.objects.get(action="vaccine.create")
    assert (event.actor_user_id, event.object_id, event.client_address) == (admin.user.pk, str(vaccine.pk), "10.0.0.9")


def test_vaccine_save_edits_and_audits_only_what_changed(admin):
    vaccine = services.vaccine_save(actor=admin, **vaccine_values())
    services.vaccine_save(actor=admin, vaccine=vaccine, reason="new guidance",
                          **vaccine_values(next_dose_min_days=28, active=False))
    vaccine.refresh_from_db()
    assert (vaccine.next_dose_min_days, vaccine.active) == (28, False)
    event = AuditEvent.objects.get(action="vaccine.update")
    assert event.data["changes"] == {"next_dose_min_days": [21, 28], "active": [True, False]}
    assert event.reason == "new guidance"


def test_vaccine_save_without_changes_writes_no_audit_event(admin):
    vaccine = services.vaccine_save(actor=admin, **vaccine_values())
    services.vaccine_save(actor=admin, vaccine=vaccine, **vaccine_values())
    assert not AuditEvent.objects.filter(action="vaccine.update").exists()


def test_vaccine_code_must_be_unique(admin):
    services.vaccine_save(actor=admin, **vaccine_values())
    other = services.vaccine_save(actor=admin, **vaccine_values(code="MOD"))
    with pytest.raises(InvalidInput) as caught:
        services.vaccine_save(actor=admin, **vaccine_values())
    assert caught.value.code == "code_taken"
    with pytest.raises(InvalidInput):
        services.vaccine_save(actor=admin, vaccine=other, **vaccine_values())
    assert Vaccine.objects.count() == 2


@pytest.mark.parametrize(("field", "value", "code"), [
    ("code", "P F Z", "code_invalid"),
    ("code", "", "code_empty"),
    ("code", "X" * 21, "code_invalid"),
    ("name", "  ", "name_empty"),
    ("min_age", -1, "min_age_invalid"),
    ("min_age", 121, "min_age_invalid"),
    ("next_dose_min_days", 3651, "next_dose_min_days_invalid"),
    ("doses_per_vial", 0, "doses_per_vial_invalid"),
    ("doses_per_vial", "6", "doses_per_vial_invalid"),
])
def test_vaccine_save_refuses_bad_values_and_writes_nothing(admin, field, value, code):
    with pytest.raises(InvalidInput) as caught:
        services.vaccine_save(actor=admin, **vaccine_values(**{field: value}))
    assert caught.value.code == code
    assert not Vaccine.objects.exists()
    assert not AuditEvent.objects.exists()


def test_residents_cannot_use_city_services():
    resident = f.resident()
    with pytest.raises(NotYours):
        services.vaccine_save(actor=services.Actor.for_resident(resident), **vaccine_values())


# --- Venues ----------------------------------------------------------------------------------------------


def test_venue_save_creates_with_vaccines_and_audits(admin):
    pfz, mod = f.vaccine(code="PFZ"), f.vaccine(code="MOD")
    venue = services.venue_save(actor=admin, code="C01", name="中央クリニック", kind="clinic", area="北",
                                address="1-1", phone="0195-23-3111", notes="駐車場あり", vaccines=[mod, pfz])
    assert sorted(venue.vaccines.values_list("code", flat=True)) == ["MOD", "PFZ"]
    event = AuditEvent.objects.get(action="venue.create")
    assert event.data["vaccines"] == ["MOD", "PFZ"]


def test_venue_save_edit_records_the_vaccines_that_changed(admin):
    pfz, mod = f.vaccine(code="PFZ"), f.vaccine(code="MOD")
    venue = services.venue_save(actor=admin, code="C01", name="Clinic", kind="clinic", vaccines=[pfz])
    services.venue_save(actor=admin, venue=venue, code="C01", name="Clinic", kind="group", vaccines=[mod],
                        active=False)
    venue.refresh_from_db()
    assert (venue.kind, venue.active, [v.code for v in venue.vaccines.all()]) == ("group", False, ["MOD"])
    event = AuditEvent.objects.get(action="venue.update")
    assert event.data["changes"] == {"kind": ["clinic", "group"], "active": [True, False],
                                     "vaccines": [["PFZ"], ["MOD"]]}


def test_venue_save_refuses_an_unknown_kind_and_a_taken_code(admin):
    f.venue(code="C01")
    with pytest.raises(InvalidInput) as caught:
        services.venue_save(actor=admin, code="C02", name="X", kind="hospital")
    assert caught.value.code == "kind_invalid"
    with pytest.raises(InvalidInput) as caught:
        services.venue_save(actor=admin, code="C01", name="X", kind="clinic")
    assert caught.value.code == "code_taken"
    assert Venue.objects.count() == 1


def test_venue_save_refuses_a_vaccine_deleted_meanwhile(admin):
    gone = f.vaccine(code="GONE")
    gone_id = gone.pk
    gone.delete()
    gone.pk = gone_id
    with pytest.raises(InvalidInput) as caught:
        services.venue_save(actor=admin, code="C01", name="X", kind="clinic", vaccines=[gone])
    assert caught.value.code == "vaccine_gone"
    assert not Venue.objects.exists()


# --- Names and texts per language --------------------------------------------------------------------------


def test_vaccine_save_keeps_names_per_language_and_audits_their_change(admin):
    vaccine = services.vaccine_save(actor=admin, **vaccine_values(name_en=" Pfizer ", name_ko="화이자"))
    assert (vaccine.name_en, vaccine.name_zh_hans, vaccine.name_ko) == ("Pfizer", "", "화이자")
    assert AuditEvent.objects.get(action="vaccine.create").data["values"]["name_en"] == "Pfizer"
    services.vaccine_save(actor=admin, vaccine=vaccine, **vaccine_values(name_en="Pfizer-BioNTech"))
    vaccine.refresh_from_db()
    # Not given (None): the stored Korean name stays; given: the English one changes, and the audit says so.
    assert (vaccine.name_en, vaccine.name_ko) == ("Pfizer-BioNTech", "화이자")
    assert AuditEvent.objects.get(action="vaccine.update").data["changes"] == {
        "name_en": ["Pfizer", "Pfizer-BioNTech"]}
    with translation.override("en"):
        assert vaccine.local_name == "Pfizer-BioNTech"
    with translation.override("zh-hans"):
        assert vaccine.local_name == "ファイザー"  # no Chinese name: the Japanese


def test_venue_save_keeps_names_areas_addresses_and_notes_per_language(admin):
    venue = services.venue_save(actor=admin, code="C01", name="中央クリニック", kind="clinic", area="北",
                                address="盛岡市1-1", notes="駐車場あり", name_en="Central Clinic", area_en="North",
                                address_en="1-1 Morioka", notes_en="Parking available", name_zh_hans="中央诊所")
    venue.refresh_from_db()
    with translation.override("en"):
        assert (venue.local_name, venue.local_area, venue.local_address, venue.local_notes) == (
            "Central Clinic", "North", "1-1 Morioka", "Parking available")
    with translation.override("ko"):
        assert venue.local_name == "中央クリニック"
    services.venue_save(actor=admin, venue=venue, code="C01", name="中央クリニック", kind="clinic", area="北",
                        address="盛岡市1-1", notes="駐車場あり", notes_en="", reason="parking closed")
    venue.refresh_from_db()
    assert (venue.notes_en, venue.name_en, venue.name_zh_hans) == ("", "Central Clinic", "中央诊所")
    event = AuditEvent.objects.get(action="venue.update")
    assert event.data["changes"] == {"notes_en": ["Parking available", ""]} and event.reason == "parking closed"


def test_names_per_language_too_long_are_refused_and_nothing_changes(admin):
    with pytest.raises(InvalidInput) as caught:
        services.vaccine_save(actor=admin, **vaccine_values(name_ko="x" * 101))
    assert caught.value.code == "name_ko_too_long"
    with pytest.raises(InvalidInput) as caught:
        services.venue_save(actor=admin, code="C01", name="X", kind="clinic", address_en="x" * 201)
    assert caught.value.code == "address_en_too_long"
    assert not Vaccine.objects.exists() and not Venue.objects.exists() and not AuditEvent.objects.exists()


def test_venue_save_refuses_a_field_it_does_not_know(admin):
    with pytest.raises(TypeError):
        services.venue_save(actor=admin, code="C01", name="X", kind="clinic", name_fr="Clinique")
    assert not Venue.objects.exists()


# --- Closing slots and days ------------------------------------------------------------------------------


def test_closing_a_slot_keeps_its_reservations_and_stops_new_bookings(admin, window):
    slot = f.slot(capacity=3)
    first = book(f.resident(), slot)
    result = services.slot_close(actor=admin, slot=slot, reason="doctor ill")
    assert (result.closed, result.already_closed, result.to_call) == (1, 0, 1)
    slot.refresh_from_db()
    first.refresh_from_db()
    assert slot.closed and slot.booked == 1
    assert first.status == Reservation.Status.BOOKED
    with pytest.raises(SlotUnavailable):
        book(f.resident(), slot)
    assert [r.pk for r in selectors.reservations_to_call(slot_ids=[slot.pk])] == [first.pk]


def test_closing_a_slot_is_audited_with_the_reason_also_on_each_residents_trail(admin, window):
    slot = f.slot()
    reservation = book(f.resident(), slot)
    services.slot_close(actor=admin, slot=slot, reason="doctor ill")
    event = AuditEvent.objects.get(action="slot.close")
    assert (event.reason, event.object_id, event.data["to_call"]) == ("doctor ill", str(slot.pk), 1)
    trail = AuditEvent.objects.get(action="reservation.slot_closed")
    assert (trail.resident_id, trail.reservation_id, trail.reason) == (reservation.resident_id, reservation.pk,
                                                                      "doctor ill")


def test_closing_needs_a_reason(admin):
    slot = f.slot()
    with pytest.raises(ReasonRequired):
        services.slot_close(actor=admin, slot=slot, reason="  ")
    with pytest.raises(ReasonRequired):
        services.venue_day_close(actor=admin, venue=slot.venue, day=timezone.localdate(slot.starts_at), reason="")
    slot.refresh_from_db()
    assert not slot.closed


def test_closing_a_closed_slot_changes_nothing(admin):
    slot = f.slot(closed=True)
    result = services.slot_close(actor=admin, slot=slot, reason="again")
    assert (result.closed, result.already_closed) == (0, 1)
    assert not AuditEvent.objects.exists()


def test_a_slot_that_has_begun_cannot_be_closed(admin):
    slot = f.slot(starts_at=timezone.now() - timedelta(minutes=5))
    with pytest.raises(InvalidInput) as caught:
        services.slot_close(actor=admin, slot=slot, reason="late")
    assert caught.value.code == "slot_started"


def test_reopening_a_slot_lets_residents_book_again(admin, window):
    slot = f.slot(closed=True)
    assert services.slot_reopen(actor=admin, slot=slot, reason="doctor back") is True
    slot.refresh_from_db()
    assert not slot.closed
    assert book(f.resident(), slot).slot_id == slot.pk
    assert AuditEvent.objects.get(action="slot.reopen").reason == "doctor back"
    assert services.slot_reopen(actor=admin, slot=slot, reason="again") is False
    with pytest.raises(ReasonRequired):
        services.slot_reopen(actor=admin, slot=slot, reason="")


def test_closing_a_day_closes_its_coming_slots_at_that_venue_only(admin, window):
    vaccine = f.vaccine()
    venue, other = f.venue(vaccines=[vaccine]), f.venue(vaccines=[vaccine])
    morning = f.slot(venue=venue, vaccine=vaccine, starts_at=f.at(3, 9))
    afternoon = f.slot(venue=venue, vaccine=vaccine, starts_at=f.at(3, 14))
    next_day = f.slot(venue=venue, vaccine=vaccine, starts_at=f.at(4, 9))
    elsewhere = f.slot(venue=other, vaccine=vaccine, starts_at=f.at(3, 9))
    already = f.slot(venue=venue, vaccine=vaccine, starts_at=f.at(3, 16), closed=True)
    book(f.resident(), morning)
    book(f.resident(), afternoon)
    result = services.venue_day_close(actor=admin, venue=venue, day=timezone.localdate(morning.starts_at),
                                      reason="power cut")
    assert (result.closed, result.already_closed, result.to_call) == (2, 1, 2)
    closed = set(Slot.objects.filter(closed=True).values_list("pk", flat=True))
    assert closed == {morning.pk, afternoon.pk, already.pk}
    assert next_day.pk not in closed and elsewhere.pk not in closed
    event = AuditEvent.objects.get(action="venue.day_close")
    assert sorted(event.data["slots"]) == sorted([morning.pk, afternoon.pk])
    assert AuditEvent.objects.filter(action="reservation.slot_closed").count() == 2


def test_closing_today_leaves_the_slots_that_have_begun(admin):
    vaccine = f.vaccine()
    venue = f.venue(vaccines=[vaccine])
    now = f.at(0, 12)  # noon today, so both slots fall on the same day whatever the clock says
    begun = f.slot(venue=venue, vaccine=vaccine, starts_at=now - timedelta(minutes=1))
    later = f.slot(venue=venue, vaccine=vaccine, starts_at=now + timedelta(minutes=1))
    day = timezone.localdate(begun.starts_at)
    result = services.venue_day_close(actor=admin, venue=venue, day=day, reason="storm", now=now)
    assert result.closed == 1
    begun.refresh_from_db()
    later.refresh_from_db()
    assert (begun.closed, later.closed) == (False, True)


def test_closing_a_day_without_coming_slots_says_so(admin):
    venue = f.venue()
    with pytest.raises(InvalidInput) as caught:
        services.venue_day_close(actor=admin, venue=venue, day=timezone.localdate() + timedelta(days=3),
                                 reason="x")
    assert caught.value.code == "day_nothing_to_close"


def test_a_local_day_is_counted_in_local_time():
    vaccine = f.vaccine()
    venue = f.venue(vaccines=[vaccine])
    late = f.slot(venue=venue, vaccine=vaccine, starts_at=f.at(3, 23, 30))
    early = f.slot(venue=venue, vaccine=vaccine, starts_at=f.at(4, 0, 30))
    day = timezone.localdate(late.starts_at)
    assert [s.pk for s in selectors.venue_day_slots(venue=venue, day=day)] == [late.pk]
    rows = selectors.venue_day_totals(venue=venue, first_day=day, last_day=day + timedelta(days=1))
    assert [(row["day"], row["slot_count"]) for row in rows] == [(day, 1), (day + timedelta(days=1), 1)]
    assert early.pk


# --- Booking windows -------------------------------------------------------------------------------------


def test_closing_an_open_window_now_stops_booking_and_keeps_reservations(admin):
    window = f.open_window()
    slot = f.slot()
    resident = f.resident()
    reservation = book(resident, slot)
    now = timezone.now()
    services.booking_window_close(actor=admin, window=window, reason="vaccine shortage", now=now)
    window.refresh_from_db()
    assert window.closes_at == now
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.BOOKED
    with pytest.raises(NotEligible) as caught:
        book(f.resident(), slot)
    assert caught.value.reason == "window_closed"
    event = AuditEvent.objects.get(action="booking_window.close")
    assert event.reason == "vaccine shortage" and event.data["before"]["closes_at"] is None


def test_closing_a_window_at_a_later_time(admin):
    window = f.open_window(closes_at=timezone.now() + timedelta(days=10))
    later = timezone.now() + timedelta(days=2)
    services.booking_window_close(actor=admin, window=window, reason="earlier end", closes_at=later)
    window.refresh_from_db()
    assert window.closes_at == later


@pytest.mark.parametrize(("closes_in", "code"), [
    (timedelta(days=-1), "window_close_in_past"),
    (timedelta(days=10), "window_close_not_earlier"),
    (timedelta(days=11), "window_close_not_earlier"),
])
def test_closing_a_window_refuses_times_that_do_not_close_it_early(admin, closes_in, code):
    window = f.open_window(closes_at=timezone.now() + timedelta(days=10))
    window.closes_at = window.closes_at.replace(microsecond=0)
    window.save()
    with pytest.raises(InvalidInput) as caught:
        services.booking_window_close(actor=admin, window=window, reason="x",
                                      closes_at=window.closes_at + closes_in - timedelta(days=10))
    assert caught.value.code == code


def test_a_closed_window_cannot_be_closed_again(admin):
    window = f.open_window(closes_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(InvalidInput) as caught:
        services.booking_window_close(actor=admin, window=window, reason="x")
    assert caught.value.code == "window_already_closed"


def test_closing_a_window_that_has_not_opened_means_it_never_opens(admin):
    opens_at = timezone.now() + timedelta(days=5)
    window = f.open_window(opens_at=opens_at)
    with pytest.raises(InvalidInput) as caught:
        services.booking_window_close(actor=admin, window=window, reason="x", closes_at=opens_at - timedelta(days=1))
    assert caught.value.code == "window_close_before_opening"
    now = timezone.now()
    services.booking_window_close(actor=admin, window=window, reason="postponed", now=now)
    window.refresh_from_db()
    assert window.opens_at == window.closes_at == now
    # Residents read "closed", not "you can book from …".
    with pytest.raises(NotEligible) as caught:
        book(f.resident(), f.slot())
    assert caught.value.reason == "window_closed"


def test_closing_a_window_needs_a_reason(admin):
    window = f.open_window()
    with pytest.raises(ReasonRequired):
        services.booking_window_close(actor=admin, window=window, reason="")
    assert BookingWindow.objects.get(pk=window.pk).closes_at is None


def test_age_on_a_day_becomes_a_birth_date_bound():
    assert rules.latest_birth_date_for_age(65, date(2022, 3, 31)) == date(1957, 4, 1)


# --- Notices ---------------------------------------------------------------------------------------------

TEXTS = {"title_ja": "接種会場の変更", "body_ja": "本文", "title_en": "Venue change", "body_en": "Text"}


def test_notice_save_writes_and_schedules_with_an_audit_event(admin):
    start = timezone.now() + timedelta(days=1)
    notice = services.notice_save(actor=admin, texts={**TEXTS, "title_ko": "공지"}, publish_from=start,
                                  publish_until=start + timedelta(days=7))
    assert (notice.title_ja, notice.title_ko, notice.title_zh_hans) == ("接種会場の変更", "공지", "")
    assert not Notice.objects.published().exists()
    assert Notice.objects.published(now=start + timedelta(hours=1)).get() == notice
    event = AuditEvent.objects.get(action="notice.create")
    assert event.data["languages"] == ["ja", "en", "ko"]
    assert "接種会場の変更" not in str(event.data)  # the texts stay in the notice, the audit names fields


@pytest.mark.parametrize("missing", ["title_ja", "body_ja"])
def test_notice_needs_japanese(admin, missing):  # only Japanese: other languages fall back to it (issue 12)
    with pytest.raises(InvalidInput) as caught:
        services.notice_save(actor=admin, texts={**TEXTS, missing: " "}, publish_from=timezone.now())
    assert caught.value.code == f"{missing}_empty"
    assert not Notice.objects.exists()


def test_notice_until_must_be_after_from(admin):
    now = timezone.now()
    with pytest.raises(InvalidInput) as caught:
        services.notice_save(actor=admin, texts=TEXTS, publish_from=now, publish_until=now)
    assert caught.value.code == "notice_until_before_from"


def test_notice_edit_audits_the_changed_fields(admin):
    notice = services.notice_save(actor=admin, texts=TEXTS, publish_from=timezone.now())
    services.notice_save(actor=admin, notice=notice, texts={**TEXTS, "body_en": "New text"},
                         publish_from=notice.publish_from, reason="typo")
    notice.refresh_from_db()
    assert notice.body_en == "New text"
    event = AuditEvent.objects.get(action="notice.update")
    assert (event.data["fields"], event.reason) == (["body_en"], "typo")


def test_withdrawing_a_notice_ends_it_now(admin):
    notice = services.notice_save(actor=admin, texts=TEXTS, publish_from=timezone.now() - timedelta(days=1))
    assert Notice.objects.published().exists()
    now = timezone.now()
    services.notice_withdraw(actor=admin, notice=notice, reason="wrong date", now=now)
    notice.refresh_from_db()
    assert notice.publish_until == now
    assert not Notice.objects.published().exists()
    assert AuditEvent.objects.get(action="notice.withdraw").reason == "wrong date"
    services.notice_withdraw(actor=admin, notice=notice)  # again: nothing changes
    assert AuditEvent.objects.filter(action="notice.withdraw").count() == 1


def test_withdrawing_a_scheduled_notice_means_it_never_shows(admin):
    start = timezone.now() + timedelta(days=1)
    notice = services.notice_save(actor=admin, texts=TEXTS, publish_from=start)
    services.notice_withdraw(actor=admin, notice=notice)
    assert not Notice.objects.published(now=start + timedelta(hours=1)).exists()
