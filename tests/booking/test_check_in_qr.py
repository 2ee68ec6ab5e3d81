"""The reservation's check-in QR code (booking/qr.py) and check-in by QR code or typed 予約ID
(services/check_in.py): a forged or altered code is refused (and audited); wrong venue, wrong day, already
checked in, cancelled and no-show each refused with their own message, changing nothing."""

from datetime import timedelta

import pytest
from django.core import signing
from django.test import override_settings
from django.utils import timezone, translation

from tests import factories as f
from tests import qr_reader
from yoyaku.booking import errors, qr, rules, services
from yoyaku.booking.models import AuditEvent, DoseRecord, Reservation

from ..console import test_desk
from ..console.test_rosters import booked_today

pytestmark = pytest.mark.django_db


# --- The token ---------------------------------------------------------------------------------------------


def test_the_token_holds_the_reservation_id_and_a_signature_only():
    token = qr.check_in_token("K7M2QX9A")
    code, signature = token.split(":")
    assert code == "K7M2QX9A" and len(signature) >= 40
    assert qr.code_of_token(token) == "K7M2QX9A"
    assert qr.code_of_token(f"  {token}\n") == "K7M2QX9A"  # a scanner's trailing newline


@pytest.mark.parametrize("make", [
    lambda t: "K7M2QX9B" + t[8:],                      # another reservation's ID with this signature
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # the signature altered
    lambda t: t[:20],                                   # cut short
    lambda t: "K7M2QX9A:",                              # no signature
    lambda t: signing.Signer(salt="another-salt", sep=":").sign("K7M2QX9A"),  # signed for something else
    lambda t: "https://example.org/K7M2QX9A",           # another QR code altogether
    lambda t: "",
])
def test_a_forged_or_altered_token_is_refused(make):
    assert qr.code_of_token(make(qr.check_in_token("K7M2QX9A"))) is None


def test_a_token_signed_with_another_secret_key_is_refused_and_an_old_key_in_the_fallbacks_is_kept():
    with override_settings(SECRET_KEY="x" * 60):
        old = qr.check_in_token("K7M2QX9A")
    assert qr.code_of_token(old) is None
    with override_settings(SECRET_KEY_FALLBACKS=["x" * 60]):
        assert qr.code_of_token(old) == "K7M2QX9A"


def test_a_token_for_a_malformed_code_is_refused_even_with_a_good_signature():
    assert qr.code_of_token(qr.check_in_token("NOT-A-CODE-0")) is None


def test_the_svg_is_named_for_screen_readers_and_has_no_inline_style():
    svg = qr.qr_svg("K7M2QX9A", label='予約ID "K7M2QX9A" <x>')
    assert svg.startswith('<svg role="img" aria-label="予約ID &quot;K7M2QX9A&quot; &lt;x&gt;"')
    assert "style" not in svg and "<script" not in svg
    assert qr.qr_png("K7M2QX9A").startswith(b"\x89PNG\r\n")


def test_the_code_reads_back_as_the_token_from_the_png_and_the_svg():
    """jsQR (the console's reader where the browser has none) reads the emailed PNG and the pages' SVG of many
    reservations' codes as their tokens: the fixed mask costs nothing in readability."""
    codes = [rules.new_reservation_code() for _ in range(12)] + ["K7M2QX9A"]
    pictures = [qr_reader.png_pixels(qr.qr_png(code)) for code in codes]
    pictures += [qr_reader.svg_pixels(qr.qr_svg(code, label="x")) for code in codes]
    assert qr_reader.read(*pictures) == [qr.check_in_token(code) for code in codes] * 2


def test_the_code_is_drawn_with_a_fixed_mask_without_evaluating_the_eight(monkeypatch):
    """segno's search of the best of eight masks took 3 ms of the done page's ~12 (bench/README.md, issue 11):
    the code is drawn with one fixed mask (booking/qr.py, MASK) and no mask is evaluated."""
    from segno import encoder

    def evaluated(*args, **kwargs):
        raise AssertionError("a mask was evaluated")

    monkeypatch.setattr(encoder, "evaluate_mask", evaluated)
    svg = qr.qr_svg("K7M2QX9A", label="x")
    assert svg.startswith('<svg role="img" aria-label="x"') and qr.qr_png("K7M2QX9A").startswith(b"\x89PNG")
    assert qr._qr("K7M2QX9A").mask == qr.MASK


# --- The service -------------------------------------------------------------------------------------------

city = test_desk.city  # the fixture: two venues, さくら内科クリニック (own) and みどり医院 (other)


@pytest.fixture
def staff(django_user_model):
    user = django_user_model.objects.create_user("venue-staff", password="x")
    return services.Actor.for_staff(user, client_address="10.0.0.9")


@pytest.fixture
def hana(city):
    return booked_today(city["own"], city["pfz"], [f.resident(family_name="佐藤", given_name="ハナ")])[0]


def scan(staff, city, scanned, *, venue="own", day=None, venue_ids=None, lot="FF3847"):
    return services.reservation_check_in_scanned(actor=staff, venue=city[venue], day=day or timezone.localdate(),
                                                 scanned=scanned, lot=lot, venue_ids=venue_ids)


def refused(staff, city, scanned, **kwargs) -> errors.BookingError:
    with translation.override("en"), pytest.raises(errors.BookingError) as caught:
        scan(staff, city, scanned, **kwargs)
    assert not DoseRecord.objects.exists()
    return caught.value


def test_a_scanned_qr_code_checks_in_and_the_audit_says_it_was_by_qr(staff, city, hana):
    record = scan(staff, city, qr.check_in_token(hana.code))
    assert (record.reservation_id, record.lot, record.dose_number) == (hana.pk, "FF3847", 1)
    assert Reservation.objects.get(pk=hana.pk).status == Reservation.Status.DONE
    event = AuditEvent.objects.get(action="dose.record")
    assert event.data == {"lot": "FF3847", "dose": 1, "via": "qr"} and event.actor_user_id == staff.user.pk


def test_a_typed_reservation_id_checks_in_too(staff, city, hana):
    scan(staff, city, hana.code.lower()[:4] + "-" + hana.code[4:])
    assert AuditEvent.objects.get(action="dose.record").data["via"] == "id"


def test_verify_changes_nothing_and_names_the_reservation(staff, city, hana):
    found = services.reservation_check_in_verify(actor=staff, venue=city["own"], day=timezone.localdate(),
                                                 scanned=qr.check_in_token(hana.code))
    assert found.pk == hana.pk and found.resident.full_name == hana.resident.full_name
    assert Reservation.objects.get(pk=hana.pk).status == Reservation.Status.BOOKED
    assert not AuditEvent.objects.filter(action__startswith="dose").exists()


def test_a_forged_qr_code_is_refused_and_audited_without_what_was_scanned(staff, city, hana):
    forged = qr.check_in_token(hana.code)[:-2] + "xx"
    error = refused(staff, city, forged)
    assert isinstance(error, errors.CheckInTokenInvalid)
    assert "altered" in error.message and "reservation ID" in error.message
    event = AuditEvent.objects.get(action="check_in.token_refused")
    assert event.data == {"venue": city["own"].pk} and event.actor_user_id == staff.user.pk
    assert Reservation.objects.get(pk=hana.pk).status == Reservation.Status.BOOKED


def test_wrong_venue_names_the_right_one_and_its_time(staff, city, hana):
    error = refused(staff, city, qr.check_in_token(hana.code), venue="other")
    assert isinstance(error, errors.CheckInWrongVenue)
    assert error.message.startswith("Wrong venue: this reservation is at さくら内科クリニック on ")
    with translation.override("ja"):
        assert "会場が違います" in error.message and "さくら内科クリニック" in error.message


def test_a_typed_id_at_a_venue_this_staff_member_may_not_see_is_not_found(staff, city, hana):
    error = refused(staff, city, hana.code, venue="other", venue_ids=[city["other"].pk])
    assert isinstance(error, errors.CheckInNotFound)
    assert isinstance(refused(staff, city, hana.code, venue="other", venue_ids=None), errors.CheckInWrongVenue)


def test_wrong_day(staff, city, hana):
    tomorrow = timezone.localdate() + timedelta(days=1)
    error = refused(staff, city, qr.check_in_token(hana.code), day=tomorrow)
    assert isinstance(error, errors.CheckInWrongDay) and error.message.startswith("Wrong day: this reservation is")
    with translation.override("ja"):
        assert "日付が違います" in error.message


def test_already_checked_in_says_so_with_the_lot_and_records_nothing_more(staff, city, hana):
    scan(staff, city, qr.check_in_token(hana.code))
    with translation.override("en"), pytest.raises(errors.CheckInAlreadyDone) as caught:
        scan(staff, city, qr.check_in_token(hana.code), lot="OTHER1")
    message = caught.value.message
    assert message.startswith("Already checked in: dose 1 is recorded") and "FF3847" in message
    assert DoseRecord.objects.count() == 1 and AuditEvent.objects.filter(action="dose.record").count() == 1


def test_cancelled(staff, city, hana):
    services.reservation_cancel(actor=staff, reservation=hana, reason="電話で取消")
    error = refused(staff, city, qr.check_in_token(hana.code))
    assert isinstance(error, errors.CheckInCancelled) and "cancelled" in error.message


def test_no_show(staff, city, hana):
    services.reservation_mark_no_show(actor=staff, reservation=hana)
    error = refused(staff, city, qr.check_in_token(hana.code))
    assert isinstance(error, errors.CheckInNoShow) and "no-show" in error.message


def test_a_typed_id_that_is_no_reservation_is_not_found(staff, city, hana):
    assert isinstance(refused(staff, city, "ZZZZZZZZ"), errors.CheckInNotFound)
    assert isinstance(refused(staff, city, "hello"), errors.CheckInNotFound)


def test_only_staff_check_in(city, hana):
    with pytest.raises(errors.NotYours):
        scan(services.Actor.for_resident(hana.resident), city, qr.check_in_token(hana.code))


def test_checked_in_on_another_phone_between_verify_and_record_says_already_checked_in(staff, city, hana,
                                                                                        monkeypatch):
    from yoyaku.booking.services import check_in

    real = check_in._refuse_unless_checkable
    calls = []

    def first_passes(reservation, **kwargs):  # the other phone records the dose just after this one's check
        calls.append(1)
        real(reservation, **kwargs)
        if len(calls) == 1:
            services.reservation_check_in(actor=staff, reservation=reservation, lot="OTHER1")

    monkeypatch.setattr(check_in, "_refuse_unless_checkable", first_passes)
    with pytest.raises(errors.CheckInAlreadyDone) as caught:
        scan(staff, city, qr.check_in_token(hana.code))
    assert "OTHER1" in caught.value.message and DoseRecord.objects.get().lot == "OTHER1"


# --- The emails ---------------------------------------------------------------------------------------------


def test_the_confirmation_change_and_reminder_emails_attach_the_qr_code_and_a_cancellation_does_not(staff, city):
    from yoyaku.booking import notifications
    from yoyaku.notify.messages import build_message
    from yoyaku.notify.models import Notification

    resident = f.resident(email="hana@example.jp")
    first = f.slot(venue=city["own"], vaccine=city["pfz"], starts_at=f.at(5, 10))
    later = f.slot(venue=city["own"], vaccine=city["pfz"], starts_at=f.at(6, 10))
    reservation = services.reservation_book(actor=services.Actor.for_resident(resident), resident=resident,
                                            slot_id=first.pk, dose_number=1, email="hana@example.jp")
    services.reservation_change(actor=services.Actor.for_resident(resident), reservation=reservation,
                                slot_id=later.pk)
    kinds = {}
    for note in Notification.objects.filter(reservation=reservation).exclude(kind=Notification.WEBHOOK_KIND):
        with translation.override("en"):
            kinds[note.kind] = build_message(note)
    png = (f"check-in-qr-{reservation.code}.png", qr.qr_png(reservation.code), "image/png")
    for kind in (Notification.Kind.BOOKED, Notification.Kind.CHANGED):
        message = kinds[kind]
        assert png in message.attachments
        assert "QR code for the reception at the venue" in message.body
    tomorrow = services.reservation_book(
        actor=staff, resident=f.resident(email="jiro@example.jp"), dose_number=1, email="jiro@example.jp",
        slot_id=f.slot(venue=city["own"], vaccine=city["pfz"], starts_at=f.at(1, 15)).pk, reason="電話で予約")
    reminder = Notification.objects.create(
        kind=Notification.Kind.REMINDER, reservation_id=tomorrow.pk, language="ja", email="jiro@example.jp",
        payload=notifications.reservation_snapshot(tomorrow))
    message = build_message(reminder)
    assert (f"check-in-qr-{tomorrow.code}.png", qr.qr_png(tomorrow.code), "image/png") in message.attachments
    assert "添付の画像は会場受付用のQRコードです" in message.body
    services.reservation_cancel(actor=services.Actor.for_resident(resident), reservation=reservation)
    cancelled = Notification.objects.get(reservation=reservation, kind=Notification.Kind.CANCELLED)
    message = build_message(cancelled)
    assert all(name != png[0] for name, *_rest in message.attachments) and "QRコード" not in message.body
