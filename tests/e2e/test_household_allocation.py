"""Allocation mode and households in a browser, in Japanese at 375 px (issue 15): registering wishes in an
allocation window, confirming an allocated appointment, adding a family member and booking for them. Every page
is checked by axe-core (zero violations) and for sideways scrolling at 375 and 320 px (browse.check)."""

from __future__ import annotations

import re
from datetime import timedelta

from .conftest import expect
from .test_resident_walk import JA, PFIZER, heading

L = JA
W = {
    "allocation": "抽選による予約",
    "register_wishes": "希望を登録する",
    "first_choice": "第1希望",
    "weekdays": "ご都合のよい曜日",
    "register": "登録する",
    "registered": "希望登録済み",
    "confirm_or_decline": "確定または辞退する",
    "confirm": "この予約を確定する",
    "household": "家族の予約",
    "member_ticket": "ご家族の接種券番号",
    "member_birth": "ご家族の生年月日",
    "add": "家族に追加する",
    "not_right": "接種券番号または生年月日が正しくありません",
    "booking_for": "さん（家族）の予約をしています。",
    "back_to_own": "ご自身の予約に戻る",
    "relation": "接種を受ける方との続柄",
    "booker_phone": "予約者の電話番号",
}


def _log_in(page, login) -> None:
    page.goto("/login/")
    page.get_by_label(L.ticket).fill(login.ticket_number)
    page.get_by_label(L.password).fill(f"{login.birth_date:%Y%m%d}")
    page.get_by_role("button", name=L.log_in, exact=True).click()
    expect(heading(page, L.top)).to_be_visible()


def _demo_window():
    from yoyaku.booking.models import BookingWindow

    return BookingWindow.objects.get(mode=BookingWindow.Mode.ALLOCATION)


def test_registering_wishes_in_an_allocation_window(browse, demo_city):
    from yoyaku.booking.models import AllocationRegistration

    page = browse.new_page()
    browse.prefix = "allocation-wishes-"
    _log_in(page, demo_city)
    browse.check(page, "top")
    page.get_by_role("link", name=W["register_wishes"], exact=True).first.click()
    expect(heading(page, W["allocation"])).to_be_visible()
    browse.check(page, "round")
    page.get_by_role("link", name=W["register_wishes"], exact=True).click()
    expect(heading(page, W["register_wishes"])).to_be_visible()
    first = page.get_by_label(W["first_choice"])
    first.select_option(index=1)  # the first venue or area listed
    weekdays = page.get_by_role("group", name=re.compile("^" + W["weekdays"]))
    weekdays.get_by_role("checkbox").nth(5).check()  # 土
    weekdays.get_by_role("checkbox").nth(6).check()  # 日
    page.get_by_role("group", name=re.compile("^" + re.escape(L.move_up))).get_by_label(L.move_up_yes,
                                                                                       exact=True).check()
    browse.check(page, "wishes")
    page.get_by_role("button", name=W["register"], exact=True).click()
    expect(heading(page, W["allocation"])).to_be_visible()
    expect(page.get_by_text(W["registered"]).first).to_be_visible()
    browse.check(page, "registered")
    registration = AllocationRegistration.objects.get(resident__ticket_number=demo_city.ticket_number)
    assert registration.status == AllocationRegistration.Status.REGISTERED and registration.channel == "web"
    assert registration.weekday_mask == 0b1100000 and (registration.venue_ids or registration.areas)


def test_confirming_an_allocated_appointment(browse, demo_city):
    from django.utils import timezone

    from yoyaku.booking import services
    from yoyaku.booking.models import AllocationRegistration, BookingWindow, Resident

    window = _demo_window()
    resident = Resident.objects.get(ticket_number=demo_city.ticket_number)
    system = services.Actor.system()
    services.allocation_register(actor=system, window=window, resident=resident, reason="walk")
    BookingWindow.objects.filter(pk=window.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    window.refresh_from_db()
    services.allocation_run(actor=system, window=window, seed=1, reason="walk")
    registration = AllocationRegistration.objects.get(window=window, resident=resident)
    assert registration.status == AllocationRegistration.Status.OFFERED, registration.status  # 65+: first served

    page = browse.new_page()
    browse.prefix = "allocation-confirm-"
    _log_in(page, demo_city)
    browse.check(page, "top")
    page.get_by_role("link", name=W["confirm_or_decline"], exact=True).click()
    expect(heading(page, W["allocation"])).to_be_visible()
    expect(page.get_by_text(registration.reservation.code).first).to_be_visible()
    browse.check(page, "offered")
    page.get_by_role("button", name=W["confirm"], exact=True).click()
    expect(heading(page, W["allocation"])).to_be_visible()
    expect(page.get_by_role("button", name=W["confirm"], exact=True)).to_have_count(0)
    browse.check(page, "confirmed")
    registration.refresh_from_db()
    assert registration.status == AllocationRegistration.Status.CONFIRMED


def test_adding_a_family_member_and_booking_for_them(browse, demo_city):
    from yoyaku.booking import demo_data
    from yoyaku.booking.models import AuditEvent, HouseholdMember, Reservation

    holder, member = demo_data.DEMO_LOGINS[1], demo_data.DEMO_LOGINS[2]  # 高橋健一 adds 千葉さくら
    page = browse.new_page()
    browse.prefix = "household-"
    _log_in(page, holder)
    page.get_by_role("navigation", name=L.main_nav).get_by_role("link", name=W["household"], exact=True).click()
    expect(heading(page, W["household"])).to_be_visible()
    browse.check(page, "page")

    # A wrong birth date: the error summary, nobody added.
    page.get_by_label(W["member_ticket"]).fill(member.ticket_number)
    page.get_by_label(W["member_birth"]).fill(f"{member.birth_date + timedelta(days=1):%Y%m%d}")
    page.get_by_role("button", name=W["add"], exact=True).click()
    expect(page.get_by_role("alert").get_by_text(W["not_right"])).to_be_visible()
    browse.check(page, "add-error")
    assert not HouseholdMember.objects.exists()

    page.get_by_label(W["member_ticket"]).fill(member.ticket_number)
    page.get_by_label(W["member_birth"]).fill(f"{member.birth_date:%Y%m%d}")
    page.get_by_role("button", name=W["add"], exact=True).click()
    name = f"{member.family_name} {member.given_name}"
    expect(page.get_by_role("heading", name=name, level=2)).to_be_visible()
    browse.check(page, "added")

    page.get_by_role("button", name=f"{name}さんの予約・変更・キャンセル", exact=True).click()
    expect(heading(page, L.top)).to_be_visible()
    expect(page.get_by_text(name + W["booking_for"])).to_be_visible()
    browse.check(page, "top-for-member")

    page.get_by_role("link", name=L.book_dose.format(n=1), exact=True).click()
    expect(heading(page, L.booking_page)).to_be_visible()
    venue_links = page.locator(".day-venues a")
    if venue_links.count():
        venue_links.first.click()
    times = page.get_by_role("group", name=re.compile("^" + re.escape(L.time)))
    times.get_by_role("radio", name=re.compile(PFIZER)).first.check()
    page.get_by_label(W["relation"]).fill("父")
    page.get_by_label(W["booker_phone"]).fill("0195-23-3111")
    page.get_by_label(L.phone).fill("0195-23-4000")
    page.get_by_role("group", name=re.compile("^" + re.escape(L.move_up))).get_by_label(L.move_up_no,
                                                                                       exact=True).check()
    browse.check(page, "book-for-member")
    page.get_by_role("button", name=L.to_check, exact=True).click()
    expect(heading(page, L.check)).to_be_visible()
    browse.check(page, "check-for-member")
    page.get_by_role("button", name=L.register, exact=True).click()
    expect(heading(page, L.received)).to_be_visible()
    code = page.locator(".panel-done .code").inner_text().strip()
    browse.check(page, "done-for-member")

    reservation = Reservation.objects.select_related("resident", "booked_by").get(code=code)
    assert reservation.resident.ticket_number == member.ticket_number
    assert reservation.booked_by.ticket_number == holder.ticket_number
    assert (reservation.booker_relation, reservation.booker_name) == ("父", f"{holder.family_name} {holder.given_name}")
    event = AuditEvent.objects.get(action="reservation.book", reservation=reservation)
    assert (event.actor_resident_id, event.resident_id) == (reservation.booked_by_id, reservation.resident_id)

    # Back to one's own bookings: the banner goes, the member's reservation is on the household page.
    page.get_by_role("button", name=W["back_to_own"], exact=True).click()
    expect(heading(page, L.top)).to_be_visible()
    expect(page.get_by_text(W["booking_for"])).to_have_count(0)
    page.get_by_role("navigation", name=L.main_nav).get_by_role("link", name=W["household"], exact=True).click()
    expect(page.locator(".household-person").nth(1)).to_contain_text(name)
    browse.check(page, "after")
