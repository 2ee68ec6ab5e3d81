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
