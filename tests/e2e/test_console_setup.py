"""The city's set-up in a browser: a city admin generates slots from a pattern (preview, then create), closes a
day that has bookings and sees whom to call, opens booking for an age group and writes a notice.

Elements are found by their Japanese labels. Every page of the walk is checked by axe-core (zero
violations) at a desk's width. With SCREENSHOTS=1 each page is saved to docs/screenshots/ (console-setup-NN-*).
"""

from __future__ import annotations

import re
from datetime import timedelta

from .conftest import expect
from .test_console_call_centre import DESK, check, current_code, heading


def log_in_admin(browse, page):
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yoyaku.booking.demo_data import STAFF

    admin = get_user_model().objects.get(username="admin")
    device = TOTPDevice.objects.create(user=admin, name="admin's phone", confirmed=True)
    page.goto("/console/setup/slots/")
    page.get_by_label("ユーザー名").fill("admin")
    page.get_by_label("パスワード").fill(next(spec.password for spec in STAFF if spec.username == "admin"))
    page.get_by_role("button", name="ログイン", exact=True).click()
    page.get_by_label("認証アプリに表示される6桁のコード").fill(current_code(device))
    page.get_by_role("button", name="次へ", exact=True).click()
    return admin


def fill_date(page, legend: str, day, clock: str | None = None) -> None:
    """The browser's own date (and time) input: one box each, not 年 / 月 / 日 (issue 12)."""
    group = page.get_by_role("group", name=re.compile("^" + legend))
    date_input = group.get_by_label("日付", exact=True)
    assert date_input.get_attribute("type") == "date"
    date_input.fill(day.isoformat())
    if clock:
        hour, minute = clock.split(":")
        group.get_by_label("時刻（時:分）").fill(f"{int(hour):02d}:{minute}")


def book_someone(ticket_number):
    """A reservation for the demo login (who has none) in the first slot the rules allow, a few days ahead."""
    from django.utils import timezone

    from yoyaku.booking import services
    from yoyaku.booking.errors import BookingError
    from yoyaku.booking.models import Resident, Slot

    resident = Resident.objects.get(ticket_number=ticket_number)
    for slot in Slot.objects.filter(starts_at__gt=timezone.now() + timedelta(days=3)).order_by("starts_at")[:200]:
        try:
            services.reservation_book(actor=services.Actor.system(), resident=resident, slot_id=slot.pk,
                                      dose_number=1, recipient_phone="090-0000-1111")
        except BookingError:
            continue
        return slot
    raise AssertionError("the demo city offers the demo login no slot")


def test_city_admin_sets_up_slots_closes_a_day_opens_booking_and_writes_a_notice(browse, demo_city):
    from django.utils import timezone

    from yoyaku.booking.models import AuditEvent, BookingWindow, Notice, Slot, Venue

    checked: list[str] = []
    page = browse.new_page()
    page.set_viewport_size(DESK)
    admin = log_in_admin(browse, page)

    # Slots: choose a venue, then generate slots from a pattern, with a preview first.
    expect(heading(page, "予約枠")).to_be_visible()
    check(browse, page, "slots", checked, walk="setup")
    venue = Venue.objects.get(code="G01")
    page.get_by_label("接種会場").select_option(str(venue.pk))
    page.get_by_role("button", name="表示する", exact=True).click()
    check(browse, page, "venue-days", checked, walk="setup")
    page.get_by_role("link", name="予約枠を作成", exact=True).click()
    expect(heading(page, "予約枠を作成")).to_be_visible()
    page.get_by_role("button", name="内容を確認する", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("ワクチンを選んでください")
    assert page.title().startswith("エラー：")
    check(browse, page, "generate-errors", checked, walk="setup")

    first = timezone.localdate() + timedelta(days=120)
    vaccine = venue.vaccines.order_by("code").first()
    page.get_by_role("combobox", name=re.compile("^ワクチン")).select_option(str(vaccine.pk))
    fill_date(page, "初日", first)
    fill_date(page, "最終日", first + timedelta(days=6))
    weekdays = page.get_by_role("group", name=re.compile("^曜日"))
    for label in ("月", "火", "水", "木", "金"):
        weekdays.get_by_label(label, exact=True).uncheck()
    weekdays.get_by_label("土", exact=True).check()
    page.get_by_label("開始時刻").fill("９：００～１０：００／３０，13:30-14:00/30")  # ranges with a step
    page.get_by_label("1枠の定員").fill("6")
    page.get_by_role("button", name="内容を確認する", exact=True).click()
    expect(heading(page, "作成する予約枠の確認")).to_be_visible()
    expect(page.get_by_text("3枠を作成します。")).to_be_visible()
    expect(page.get_by_text("09:00, 09:30, 13:30")).to_be_visible()  # the preview lists each start
    check(browse, page, "generate-preview", checked, walk="setup")
    assert not Slot.objects.filter(venue=venue, day__gte=first).exists()
    page.get_by_role("button", name="3枠を作成する", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("3件作成、0件は既存でした。")
    assert Slot.objects.filter(venue=venue, day__gte=first, capacity=6).count() == 3

    # Close a day that has bookings: the page then lists whom to call.
    booked = book_someone(demo_city.ticket_number)
    page.goto(f"/console/setup/venues/{booked.venue_id}/days/{booked.day.isoformat()}/")
    check(browse, page, "day", checked, walk="setup")
    page.get_by_role("link", name="この日を休止する", exact=True).click()
    page.get_by_role("button", name="この日を休止する", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("理由を入力してください")
    check(browse, page, "day-close-error", checked, walk="setup")
    page.get_by_label("理由").fill("停電のため")
    page.get_by_role("button", name="この日を休止する", exact=True).click()
    expect(heading(page, "電話連絡が必要な方", level=2)).to_be_visible()
    check(browse, page, "day-closed", checked, walk="setup")
    assert not Slot.objects.filter(venue=booked.venue, day=booked.day, closed=False,
                                   starts_at__gt=timezone.now()).exists()
    assert AuditEvent.objects.get(action="venue.day_close").actor_user == admin

    # Open booking for residents aged 60 or over on a day.
    page.goto("/console/setup/windows/")
    check(browse, page, "windows", checked, walk="setup")
    page.get_by_role("link", name="予約受付を開始", exact=True).click()
    page.get_by_label("年齢（以上）").fill("60")
    fill_date(page, "基準日", timezone.localdate().replace(month=3, day=31))
    fill_date(page, "受付開始", timezone.localdate() + timedelta(days=1), "9:00")
    check(browse, page, "window-new", checked, walk="setup")
    page.get_by_role("button", name="受付を設定する", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("予約受付期間を設定しました")
    assert BookingWindow.objects.filter(born_on_or_before__isnull=False, opens_at__gt=timezone.now()).exists()

    # A notice in Japanese only, from now: the other languages show the Japanese, and the list says so.
    page.goto("/console/setup/notices/new/")
    page.get_by_label("タイトル（日本語）").fill("接種会場の変更")
    page.get_by_label("本文（日本語）").fill("市民文化会館の接種は中止します。")
    check(browse, page, "notice-new", checked, walk="setup")
    page.get_by_role("button", name="お知らせを保存する", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("お知らせを保存しました")
    expect(page.get_by_text("未翻訳（日本語で表示）： English, 中文, 한국어").first).to_be_visible()
    check(browse, page, "notices", checked, walk="setup")
    assert Notice.objects.published().filter(title_ja="接種会場の変更").exists()

    for url in ("/console/setup/vaccines/", "/console/setup/venues/",
                f"/console/setup/venues/{venue.pk}/", f"/console/setup/vaccines/{vaccine.pk}/"):
        page.goto(url)
        check(browse, page, url.strip("/").replace("/", "-"), checked, walk="setup")
