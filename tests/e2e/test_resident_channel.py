"""The resident chooses SMS for our messages on the contact details page (docs/channels.md), at 375 px in
Japanese: the section is a labelled radio group, the choice is saved and said; axe 0 on each page."""

from __future__ import annotations

from .conftest import expect
from .test_resident_details import book_for
from .test_resident_walk import JA, log_in


def test_resident_switches_to_sms_on_the_details_page(browse, demo_city, settings):
    from yoyaku.booking.models import Reservation, Resident

    settings.NOTIFY = {"SMS_URL": "https://sms.example.jp/send", "SMS_TOKEN": "t", "LINE_TOKEN": "t"}
    settings.NOTIFY_ADAPTERS = {}
    reservation = book_for(demo_city)
    Reservation.objects.filter(pk=reservation.pk).update(recipient_phone="090-1234-5678")
    browse.prefix = "channel-ja-"
    page = browse.new_page()
    page.goto("/login/")
    log_in(page, browse, JA, demo_city)
    page.goto(f"/reservations/{reservation.code}/details/")
    expect(page.get_by_role("heading", name="お知らせの受け取り方法", level=2)).to_be_visible()
    group = page.get_by_role("group", name="お知らせの受け取り方法")
    expect(group.get_by_role("radio", name="メール")).to_be_checked()
    browse.check(page, "details-with-channels")
    group.get_by_role("radio", name="SMS（ショートメッセージ）").check()
    page.get_by_role("button", name="受け取り方法を保存する").click()
    expect(page.get_by_text("今後のお知らせはSMS（ショートメッセージ）でお送りします。")).to_be_visible()
    browse.check(page, "details-saved")
    assert Resident.objects.get(ticket_number=demo_city.ticket_number).contact_channel == "sms"
