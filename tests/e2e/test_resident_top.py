"""The top page at 375 px (issue 13, item 3), in Japanese and in English: the resident's next action above
the folded notices, the availability week fitting the phone, a cell → that venue's day → a time, the
previous week and the week choice. axe 0 and no sideways scrolling on every page (browse.check)."""

from __future__ import annotations

import re

import pytest

from .conftest import expect
from .test_resident_walk import EN, JA, heading, log_in

WORDS = {
    "ja": {"notices": "市からのお知らせ", "week": "表示する週（開始日）", "show": "表示する", "prev": "前の週",
           "next": "次の週", "times": "の空いている時間"},
    "en": {"notices": "Notices from the city", "week": "Week from", "show": "Show", "prev": "Previous week",
           "next": "Next week", "times": "Free times on"},
}


@pytest.mark.parametrize("language", ["ja", "en"])
def test_top_page_grid_cell_opens_the_day_and_a_time_is_chosen(browse, demo_city, language):
    from yoyaku.booking.models import Notice

    Notice.objects.create(title_ja="接種日程のお知らせ", title_en="Vaccination schedule", body_ja="本文" * 200,
                          body_en="Body " * 200)
    L, W = (JA, WORDS["ja"]) if language == "ja" else (EN, WORDS["en"])
    page = browse.new_page(locale="ja-JP" if language == "ja" else "en-US")
    browse.prefix = f"top-{language}-"
    if language == "en":
        page.goto("/login/")
        page.get_by_role("button", name="English").click()
    else:
        page.goto("/login/")
    log_in(page, browse, L, demo_city)
    expect(heading(page, L.top)).to_be_visible()

    # The resident's own next action (the 「予約」 button, or an allocation round's, which the allocation work
    # puts first) is on the first screen; the notices are folded below the 「予約」 button.
    assert page.locator("main a.button").first.bounding_box()["y"] < 812
    book = page.get_by_role("link", name=L.book_dose.format(n=1))
    summary = page.locator("details.notice summary").first
    assert book.bounding_box()["y"] < summary.bounding_box()["y"]
    expect(page.locator("details.notice").first).not_to_have_attribute("open", "")
    summary.click()
    expect(page.locator("details.notice").first).to_have_attribute("open", "")
    browse.check(page, "top")

    # The week fits 375 px: no sideways scroll (browse.check), seven day columns.
    table = page.locator("table.availability")
    assert table.locator("thead th").count() == 7
    assert table.bounding_box()["width"] <= 375

    # Jump to the next week with the week choice, then back with 「前の週」.
    page.get_by_label(W["week"]).select_option(index=1)
    page.get_by_role("button", name=W["show"], exact=True).click()
    expect(page.get_by_role("link", name=W["prev"])).to_be_visible()
    browse.check(page, "top-week-2")
    page.get_by_role("link", name=W["prev"]).click()
    expect(page.get_by_role("link", name=W["prev"])).to_have_count(0)

    # A ○/△ cell opens that venue's day on the booking page, with its free times: choose one.
    cell = table.locator("td a").first
    href = cell.get_attribute("href")
    day = re.search(r"day=(\d{4}-\d{2}-\d{2})", href).group(1)
    cell.click()
    expect(heading(page, L.booking_page)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(re.escape(W["times"])))).to_be_visible()
    assert f"day={day}" in page.url
    radio = page.get_by_role("radio").first
    radio.check()
    expect(radio).to_be_checked()
    browse.check(page, "grid-day-times")
