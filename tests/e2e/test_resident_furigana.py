"""The furigana switch (issue 13, item 6) at 375 px: on the Japanese pages it sits beside the text size;
turned on, the main part shows readings over kanji and the guide's key sentences in easy Japanese, axe 0,
no sideways scrolling (at the large text size too); the English pages have no switch and never change."""

from __future__ import annotations

from .conftest import expect
from .test_resident_walk import EN, JA, heading, log_in


def test_furigana_switch_in_japanese_and_absent_in_english(browse, demo_city):
    browse.prefix = "furigana-"
    page = browse.new_page()
    page.goto("/login/")
    switch = page.locator("form.ruby-switch")
    expect(switch.get_by_text("ふりがな・やさしい日本語")).to_be_visible()
    switch.get_by_role("button", name="あり").click()
    expect(page.locator("main ruby").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("て ください。")  # the easy Japanese help
    expect(switch.get_by_role("button", name="あり")).to_have_attribute("aria-current", "true")
    browse.check(page, "login")
    log_in(page, browse, JA, demo_city)
    expect(page.locator("main h2 ruby").first).to_be_visible()
    browse.check(page, "top")
    page.locator("form.size").get_by_role("button", name="大").click()
    expect(page.locator("main ruby").first).to_be_visible()
    browse.check(page, "top-large")
    page.get_by_role("link", name=JA.book_dose.format(n=1)).click()
    browse.check(page, "booking")

    # English: no switch, no readings, even with the cookie set.
    page.get_by_role("button", name="English", exact=True).click()
    expect(heading(page, EN.booking_page)).to_be_visible()
    assert page.locator("form.ruby-switch").count() == 0 and page.locator("ruby").count() == 0
    browse.check(page, "booking-en")

    # Back in Japanese, turned off: the page as before.
    page.get_by_role("button", name="日本語", exact=True).click()
    page.locator("form.ruby-switch").get_by_role("button", name="なし").click()
    expect(heading(page, JA.booking_page)).to_be_visible()
    assert page.locator("ruby").count() == 0
