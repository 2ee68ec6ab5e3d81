"""The venue's desk on a phone (issue 12, item 6): venue staff open 受付 from their home, set the lot number
once, find a person by kana typed in hiragana, and check them in with one tap; the next person with the same
lot. Axe 0 and no horizontal scrolling at 375 and 320 px; the same page at 1280 px. With SCREENSHOTS=1:
docs/screenshots/console-desk-NN-*.png."""

from __future__ import annotations

import re

from .conftest import PHONE, expect
from .test_console_call_centre import format_violations, heading
from .test_console_home import DESK, log_in


def people_today():
    """Two residents booked today at venue1's first venue (booked for a later day, then the slot moved)."""
    from django.contrib.auth import get_user_model

    from tests import factories as f
    from tests.console.test_rosters import booked_today

    venue = get_user_model().objects.get(username="venue1").staff_profile.venues.order_by("code").first()
    f.open_window()
    residents = [
        f.resident(family_name="岩手", given_name="花子", family_name_kana="イワテ", given_name_kana="ハナコ"),
        f.resident(family_name="盛岡", given_name="次郎", family_name_kana="モリオカ", given_name_kana="ジロウ"),
    ]
    return venue, booked_today(venue, venue.vaccines.order_by("pk").first(), residents, minute=2)


def test_venue_staff_check_in_on_a_phone_with_one_tap(browse, demo_city):
    from yoyaku.booking.models import DoseRecord, Reservation

    browse.prefix = "console-desk-"
    venue, (hanako, jiro) = people_today()
    page = log_in(browse, "venue1", PHONE)
    page.get_by_role("link", name=f"受付 {venue.name}", exact=True).click()
    expect(heading(page, re.compile("^受付："))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^接種済みにする"))).to_have_count(0)  # no lot yet
    browse.check(page, "no-lot")

    page.get_by_role("textbox", name=re.compile("^ロット番号")).fill("ff3847")
    page.get_by_role("button", name="このロット番号を使う", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("FF3847")
    browse.check(page, "lot-set")

    page.get_by_label("氏名・フリガナ・予約ID・接種券番号").fill("いわて")
    page.get_by_role("button", name="検索", exact=True).click()
    assert "いわて" not in page.url and "%" not in page.url  # nothing typed goes into the URL
    buttons = page.get_by_role("button", name=re.compile("^接種済みにする"))
    expect(buttons).to_have_count(1)
    box = buttons.first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300, box  # a big target on a phone
    browse.check(page, "found")
    name = buttons.first.evaluate("b => b.textContent.replace(/\\s+/g, ' ').trim()")
    assert name == f"接種済みにする: {hanako.resident.full_name} (ロット FF3847)", name
    buttons.first.click()
    expect(page.get_by_role("status").first).to_contain_text("1回目の接種を記録しました")
    assert DoseRecord.objects.get(reservation=hanako).lot == "FF3847"
    assert Reservation.objects.get(pk=hanako.pk).status == Reservation.Status.DONE
    browse.check(page, "checked-in")

    # Everyone again; the next person is one tap with the same lot.
    page.get_by_role("button", name="全員を表示", exact=True).click()
    page.locator(f"#r-{jiro.code}").get_by_role("button", name=re.compile("^接種済みにする")).click()
    expect(page.get_by_role("status").first).to_contain_text(jiro.code)
    assert DoseRecord.objects.get(reservation=jiro).lot == "FF3847"

    page.set_viewport_size(DESK)
    violations = browse.axe_violations(page)
    assert not violations, format_violations(violations)
    assert browse.overflow(page) == 0
