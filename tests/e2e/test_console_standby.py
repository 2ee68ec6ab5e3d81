"""The venue's standby list (キャンセル待ち) on a phone (issue 14): venue staff open it from their home, see the
doses the last vial will have left, put a resident on the list by ticket number, and give them a place in a
time later today. Axe 0 and no horizontal scrolling at 375 and 320 px on every page (Browse.check). With
SCREENSHOTS=1: docs/screenshots/console-standby-NN-*.png."""

from __future__ import annotations

import re

from .conftest import PHONE, expect
from .test_console_call_centre import heading
from .test_console_home import log_in


def test_venue_staff_put_a_resident_on_the_standby_list_and_give_them_a_leftover_dose(browse, demo_city):
    from django.contrib.auth import get_user_model

    from tests import factories as f
    from tests.console.test_rosters import booked_today
    from tests.console.test_standby_console import later_today
    from yoyaku.booking.models import AuditEvent, StandbyEntry

    browse.prefix = "console-standby-"
    venue = get_user_model().objects.get(username="venue1").staff_profile.venues.order_by("code").first()
    vaccine = venue.vaccines.order_by("pk").first()
    f.open_window()
    booked_today(venue, vaccine, [f.resident() for _ in range(vaccine.doses_per_vial + 1)], minute=3)
    slot = later_today(venue, vaccine, capacity=1, minutes=45)
    waiting = f.resident(family_name="岩手", given_name="三郎", family_name_kana="イワテ", given_name_kana="サブロウ")

    page = log_in(browse, "venue1", PHONE)
    page.get_by_role("link", name=f"キャンセル待ち {venue.name}", exact=True).click()
    expect(heading(page, f"キャンセル待ち: {venue.name}")).to_be_visible()
    expect(page.get_by_text("キャンセル待ちの方はいません。")).to_be_visible()
    browse.check(page, "empty")

    page.get_by_label(re.compile("^接種券番号")).fill(waiting.ticket_number)
    page.get_by_label(re.compile("^理由")).fill("窓口で希望（1時間以内に来場可）")
    page.get_by_role("button", name="登録する", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("岩手 三郎さんを本日のキャンセル待ちに登録しました。")
    assert waiting.ticket_number not in page.url
    browse.check(page, "waiting")

    page.get_by_role("link", name="予約を取る 岩手 三郎", exact=True).click()
    expect(heading(page, "予約を取る")).to_be_visible()
    browse.check(page, "give")
    page.get_by_label(re.compile("^時間")).select_option(str(slot.pk))
    page.get_by_label(re.compile("^理由")).fill("残りのワクチン（本人と電話で確認）")
    page.get_by_role("button", name="この時間で予約する", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("岩手 三郎さんの予約を取りました")
    expect(page.get_by_text("キャンセル待ちの方はいません。")).to_be_visible()
    browse.check(page, "given")

    entry = StandbyEntry.objects.get(resident=waiting)
    assert entry.status == StandbyEntry.Status.BOOKED and entry.reservation.slot_id == slot.pk
    assert AuditEvent.objects.filter(action="standby.book", actor_user__username="venue1").count() == 1
