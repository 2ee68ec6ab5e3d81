"""History (予約履歴), detail (詳細), change (編集), cancel (キャンセル), the deadline, and other people's codes."""

import re
from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import services
from yoyaku.booking.models import Reservation, Slot

pytestmark = pytest.mark.django_db


def book(resident, slot, dose=1):
    return services.reservation_book(actor=services.Actor.for_resident(resident), resident=resident,
                                     slot_id=slot.pk, dose_number=dose)


@pytest.fixture
def reservation(city, resident):
    return book(resident, city["slots"][10])


def test_history_lists_every_reservation_including_cancelled(logged_in, city, resident):
    first = book(resident, city["slots"][10])
    services.reservation_cancel(actor=services.Actor.for_resident(resident), reservation=first)
    second = book(resident, city["slots"][12])
    html = logged_in.get("/reservations/").content.decode()
    assert "予約履歴" in html and first.code in html and second.code in html
    assert "キャンセル済み" in html and "詳細" in html


def test_detail_offers_edit_and_cancel_before_the_deadline(logged_in, reservation):
    html = logged_in.get(f"/reservations/{reservation.code}/").content.decode()
    assert "編集" in html and "キャンセル" in html and reservation.code in html


def test_past_the_deadline_no_buttons_but_the_call_centre(logged_in, city, resident):
    soon = f.slot(venue=city["venues"][0], vaccine=city["vaccine"], starts_at=f.at(1, 15))
    staff = services.Actor.for_staff(f.staff_user())
    reservation = services.reservation_book(actor=staff, resident=resident, slot_id=soon.pk, dose_number=1,
                                            reason="booked by phone")
    html = logged_in.get(f"/reservations/{reservation.code}/").content.decode()
    assert "期限を過ぎています" in html and "0120-000-000" in html
    assert f"/reservations/{reservation.code}/change/" not in html
    assert f"/reservations/{reservation.code}/cancel/" not in html
    # Forcing the URLs changes nothing.
    assert logged_in.get(f"/reservations/{reservation.code}/cancel/").status_code == 302
    logged_in.post(f"/reservations/{reservation.code}/cancel/")
    assert Reservation.objects.get(pk=reservation.pk).is_active
    assert "期限を過ぎています" in logged_in.get(f"/reservations/{reservation.code}/").content.decode()


def test_cancel_asks_then_yes_cancels_and_frees_the_place(logged_in, reservation):
    html = logged_in.get(f"/reservations/{reservation.code}/cancel/").content.decode()
    assert "この予約をキャンセルしますか" in html and "はい" in html
    assert Reservation.objects.get(pk=reservation.pk).is_active  # asking changes nothing
    response = logged_in.post(f"/reservations/{reservation.code}/cancel/")
    assert response["Location"] == f"/reservations/{reservation.code}/"
    assert Reservation.objects.get(pk=reservation.pk).status == Reservation.Status.CANCELLED
    assert Slot.objects.get(pk=reservation.slot_id).booked == 0
    # A second はい (double click) changes nothing and is not an error.
    logged_in.post(f"/reservations/{reservation.code}/cancel/")
    assert "予約をキャンセルしました" in logged_in.get(f"/reservations/{reservation.code}/").content.decode()


def test_change_starts_at_the_reservations_own_venue_and_day(logged_in, reservation):
    html = logged_in.get(f"/reservations/{reservation.code}/change/").content.decode()
    day = timezone.localdate(reservation.slot.starts_at)
    assert f'day={day.isoformat()}#times" aria-current="date"' in html
    assert re.search(rf'<option value="{reservation.slot.venue_id}" selected', html)


def test_change_moves_the_reservation_through_a_check_page(logged_in, city, reservation):
    other_day = timezone.localdate(reservation.slot.starts_at) + timedelta(days=1)
    html = logged_in.get(f"/reservations/{reservation.code}/change/", {"day": other_day}).content.decode()
    ids = [int(x) for x in re.findall(r'name="slot" value="(\d+)"', html)]
    assert ids and reservation.slot_id not in ids
    target = ids[0]
    assert logged_in.post(f"/reservations/{reservation.code}/change/",
                          {"slot": target, "day": other_day}).status_code == 302
    check = logged_in.get(f"/reservations/{reservation.code}/change/check/").content.decode()
    assert "まだ予約は変更されていません" in check
    assert Reservation.objects.get(pk=reservation.pk).slot_id == reservation.slot_id
    logged_in.post(f"/reservations/{reservation.code}/change/check/", {"slot": target})
    moved = Reservation.objects.get(pk=reservation.pk)
    assert moved.slot_id == target
    assert Slot.objects.get(pk=reservation.slot_id).booked == 0 and Slot.objects.get(pk=target).booked == 1
    # Submitting the same change again (back and resubmit) changes nothing.
    again = logged_in.post(f"/reservations/{reservation.code}/change/check/", {"slot": target})
    assert again["Location"] == f"/reservations/{reservation.code}/"
    assert Reservation.objects.get(pk=reservation.pk).slot_id == target


def test_change_into_a_time_that_filled_meanwhile_returns_to_the_choice(logged_in, city, reservation):
    other_day = timezone.localdate(reservation.slot.starts_at) + timedelta(days=1)
    html = logged_in.get(f"/reservations/{reservation.code}/change/", {"day": other_day}).content.decode()
    target = int(re.findall(r'name="slot" value="(\d+)"', html)[0])
    logged_in.post(f"/reservations/{reservation.code}/change/", {"slot": target, "day": other_day})
    slot = Slot.objects.get(pk=target)
    for _ in range(slot.capacity):
        book(f.resident(), slot)
    response = logged_in.post(f"/reservations/{reservation.code}/change/check/", {"slot": target})
    assert response["Location"].endswith("/change/#time")
    assert Reservation.objects.get(pk=reservation.pk).slot_id == reservation.slot_id


@pytest.mark.parametrize("suffix", ["", "done/", "change/", "change/check/", "cancel/", "calendar.ics"])
def test_another_residents_code_is_a_404(logged_in, city, suffix):
    other = book(f.resident(), city["slots"][20])
    assert logged_in.get(f"/reservations/{other.code}/{suffix}").status_code == 404
    if suffix in ("cancel/", "change/check/"):
        assert logged_in.post(f"/reservations/{other.code}/{suffix}").status_code == 404
    assert Reservation.objects.get(pk=other.pk).is_active


def test_code_in_lower_case_or_full_width_finds_the_reservation(logged_in, reservation):
    assert logged_in.get(f"/reservations/{reservation.code.lower()}/").status_code == 200


def test_calendar_file_is_valid_icalendar_with_the_right_time(logged_in, reservation):
    response = logged_in.get(f"/reservations/{reservation.code}/calendar.ics")
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    start = reservation.slot.starts_at.astimezone(UTC)
    assert f"DTSTART:{start:%Y%m%dT%H%M%SZ}" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_calendar_file_names_the_venue_in_the_pages_language(logged_in, reservation):
    venue = reservation.slot.venue
    venue.name, venue.name_en, venue.address = "中央クリニック", "Central Clinic", "盛岡市内丸1-1"
    venue.save()
    logged_in.cookies["django_language"] = "en"
    text = logged_in.get(f"/reservations/{reservation.code}/calendar.ics").content.decode()
    assert "LOCATION:Central Clinic 盛岡市内丸1-1" in text.replace("\r\n ", "")


def test_cancelled_reservation_shows_no_actions(logged_in, resident, reservation):
    services.reservation_cancel(actor=services.Actor.for_resident(resident), reservation=reservation)
    html = logged_in.get(f"/reservations/{reservation.code}/").content.decode()
    assert "キャンセル済み" in html and "/change/" not in html
    response = logged_in.get(f"/reservations/{reservation.code}/change/")
    assert response["Location"] == f"/reservations/{reservation.code}/"


def test_deadline_is_two_days_before_at_2359(logged_in, city, resident):
    slot = f.slot(venue=city["venues"][0], vaccine=city["vaccine"], starts_at=f.at(5, 9))
    reservation = book(resident, slot)
    html = logged_in.get(f"/reservations/{reservation.code}/").content.decode()
    deadline = timezone.localdate() + timedelta(days=3)
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in html and "23:59" in html


# --- Self-service details after booking (issue 13, item 4) ---------------------------------------------

def test_detail_shows_phone_booker_email_and_move_up_wish(logged_in, city, resident):
    reservation = services.reservation_book(
        actor=services.Actor.for_resident(resident), resident=resident, slot_id=city["slots"][10].pk,
        dose_number=1, recipient_phone="0195-23-3111", booker_name="山田花子", booker_relation="娘",
        booker_phone="090-1111-2222", email="taro@example.jp", wants_move_up=True)
    html = logged_in.get(f"/reservations/{reservation.code}/").content.decode()
    for shown in ("0195-23-3111", "山田花子", "(娘)", "090-1111-2222", "taro@example.jp",
                  "希望する", "連絡先などの変更"):
        assert shown in html, shown


def details_post(**changes) -> dict:
    data = {"booker": "proxy", "booker_name": "山田花子", "booker_relation": "娘", "booker_phone": "090-1111-2222",
            "recipient_phone": "０１９５－２３－９９９９", "email": "new@example.jp", "wants_move_up": "yes"}
    data.update(changes)
    return data


def test_resident_changes_contact_details_booker_and_move_up_wish(logged_in, city, resident):
    from yoyaku.booking.models import AuditEvent
    from yoyaku.notify.messages import build_message
    from yoyaku.notify.models import Notification

    reservation = services.reservation_book(
        actor=services.Actor.for_resident(resident), resident=resident, slot_id=city["slots"][10].pk,
        dose_number=1, recipient_phone="0195-23-3111", email="taro@example.jp")
    url = f"/reservations/{reservation.code}/details/"
    form = logged_in.get(url).content.decode()
    assert "連絡先などの変更" in form and 'value="0195-23-3111"' in form  # today's details filled in
    response = logged_in.post(url, details_post())
    assert response.status_code == 302 and response["Location"] == f"/reservations/{reservation.code}/"
    after = Reservation.objects.get(pk=reservation.pk)
    assert (after.recipient_phone, after.booker_name, after.booker_relation, after.booker_phone, after.email,
            after.wants_move_up) == ("0195-23-9999", "山田花子", "娘", "090-1111-2222", "new@example.jp", True)
    assert after.slot_id == reservation.slot_id
    event = AuditEvent.objects.get(action="reservation.update_details")
    assert event.reservation_id == reservation.pk and set(event.data["fields"]) == {
        "recipient_phone", "booker_name", "booker_relation", "booker_phone", "email", "wants_move_up"}
    assert "0195-23-9999" not in str(event.data)  # the field names, not the values
    # A confirmation to the new address, and one to the old one (an address change never goes unnoticed).
    notes = Notification.objects.filter(kind="details_changed", reservation_id=reservation.pk).order_by("pk")
    assert [n.email for n in notes] == ["new@example.jp", "taro@example.jp"]
    message = build_message(notes[0])
    assert reservation.code in message.subject and "連絡先などを変更しました" in message.body
    assert "メールアドレス" in message.body and "接種日の繰上げを希望するか" in message.body
    assert "変更前に登録されていた" in build_message(notes[1]).body
    assert "連絡先などを変更しました" in logged_in.get(response["Location"]).content.decode()


def test_details_back_to_self_clears_the_booker(logged_in, reservation):
    url = f"/reservations/{reservation.code}/details/"
    logged_in.post(url, details_post())
    logged_in.post(url, details_post(booker="self", booker_name="x", email="new@example.jp", wants_move_up="no"))
    after = Reservation.objects.get(pk=reservation.pk)
    assert (after.booker_name, after.booker_phone, after.wants_move_up) == ("", "", False)


def test_details_with_errors_are_shown_and_nothing_changes(logged_in, reservation):
    url = f"/reservations/{reservation.code}/details/"
    html = logged_in.post(url, details_post(booker_name="", recipient_phone="12", email="x@")).content.decode()
    assert "<title>エラー：" in html and 'href="#id_booker_name"' in html and 'href="#id_recipient_phone"' in html
    assert Reservation.objects.get(pk=reservation.pk).email == reservation.email


def test_unchanged_details_write_no_audit_event_and_no_email(logged_in, reservation):
    from yoyaku.booking.models import AuditEvent
    from yoyaku.notify.models import Notification

    same = details_post(booker="self", recipient_phone=reservation.recipient_phone, email=reservation.email,
                        wants_move_up="no")
    logged_in.post(f"/reservations/{reservation.code}/details/", same)
    assert not AuditEvent.objects.filter(action="reservation.update_details").exists()
    assert not Notification.objects.filter(kind="details_changed").exists()


def test_details_cannot_be_changed_past_the_web_deadline(logged_in, city, resident):
    from yoyaku.booking.errors import DeadlinePassed

    soon = f.slot(venue=city["venues"][0], vaccine=city["vaccine"], starts_at=f.at(1, 15))
    staff = services.Actor.for_staff(f.staff_user())
    reservation = services.reservation_book(actor=staff, resident=resident, slot_id=soon.pk, dose_number=1,
                                            reason="booked by phone", email="taro@example.jp")
    url = f"/reservations/{reservation.code}/details/"
    assert f'href="{url}"' not in logged_in.get(f"/reservations/{reservation.code}/").content.decode()
    assert logged_in.get(url).status_code == 302
    logged_in.post(url, details_post())
    assert Reservation.objects.get(pk=reservation.pk).email == "taro@example.jp"
    with pytest.raises(DeadlinePassed):
        services.reservations.reservation_update_details(
            actor=services.Actor.for_resident(resident), reservation=reservation, recipient_phone="0195-00-0000",
            booker_name="", booker_relation="", booker_phone="", email="", wants_move_up=False)


def test_details_of_another_residents_reservation_are_404(logged_in, city):
    other = f.resident()
    theirs = book(other, city["slots"][11])
    assert logged_in.get(f"/reservations/{theirs.code}/details/").status_code == 404
    assert logged_in.post(f"/reservations/{theirs.code}/details/", details_post()).status_code == 404


# --- The printable confirmation (issue 13, item 5) -------------------------------------------------------

def test_printable_confirmation_has_id_time_venue_address_map_and_what_to_bring(logged_in, reservation):
    from django.utils import timezone as tz

    from yoyaku.booking.models import Venue

    Venue.objects.filter(pk=reservation.slot.venue_id).update(address="二戸市福岡1-1", address_en="1-1 Fukuoka")
    url = f"/reservations/{reservation.code}/print/"
    assert f'href="{url}"' in logged_in.get(f"/reservations/{reservation.code}/").content.decode()
    html = logged_in.get(url).content.decode()
    local = tz.localtime(reservation.slot.starts_at)
    for shown in ("ワクチン接種予約確認書", reservation.code, f"{local.month}月{local.day}日", f"{local:%H:%M}",
                  "North Clinic", "二戸市福岡1-1", "https://www.google.com/maps/search/", "持ち物",
                  'id="reservation-qr"', "print-sheet"):
        assert shown in html, shown
    logged_in.cookies["django_language"] = "en"
    html = logged_in.get(url).content.decode()
    assert "Vaccination reservation confirmation" in html and "1-1 Fukuoka" in html and "What to bring" in html
    assert '<span lang="ja">二戸市福岡1-1</span>' in html  # the Japanese address too, for a taxi or a map


def test_printable_confirmation_of_a_cancelled_reservation_says_it_is_not_valid(logged_in, reservation, resident):
    services.reservation_cancel(actor=services.Actor.for_resident(resident), reservation=reservation)
    html = logged_in.get(f"/reservations/{reservation.code}/print/").content.decode()
    assert "この確認書は無効です" in html


def test_printable_confirmation_of_another_residents_reservation_is_404(logged_in, city):
    theirs = book(f.resident(), city["slots"][11])
    assert logged_in.get(f"/reservations/{theirs.code}/print/").status_code == 404


def test_print_stylesheet_fits_a4_and_hides_the_site_chrome():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "yoyaku/static/css/site.css").read_text()
    assert "@page { size: A4;" in css
    print_rules = css[css.index("@media print"):]
    assert ".site-header, .site-nav, .site-footer, .actions, .no-print" in print_rules
