"""The printable confirmation (issue 13, item 5), in Japanese and English at 375 px: from 詳細, the page with
予約ID, date, time, venue, address, map link and what to bring; axe 0, no sideways scrolling; printed (print
media, A4 PDF) without the site's header, menu or footer, on one page."""

from __future__ import annotations

import re

import pytest

from .conftest import expect
from .test_resident_details import book_for
from .test_resident_walk import EN, JA, heading, log_in

WORDS = {
    "ja": {"link": "予約確認書（印刷用）", "title": "ワクチン接種予約確認書", "bring": "当日の持ち物", "map": "地図",
           "print": "このページを印刷する"},
    "en": {"link": "Printable confirmation", "title": "Vaccination reservation confirmation",
           "bring": "What to bring", "map": "Map", "print": "Print this page"},
}


@pytest.mark.parametrize("language", ["ja", "en"])
def test_printable_confirmation(browse, demo_city, language):
    L, W = (JA, WORDS["ja"]) if language == "ja" else (EN, WORDS["en"])
    reservation = book_for(demo_city)
    browse.prefix = f"print-{language}-"
    page = browse.new_page()
    page.goto("/login/")
    if language == "en":
        page.get_by_role("button", name="English", exact=True).click()
    log_in(page, browse, L, demo_city)
    page.goto(f"/reservations/{reservation.code}/")
    page.get_by_role("link", name=W["link"]).click()
    expect(heading(page, W["title"])).to_be_visible()
    sheet = page.locator(".print-sheet")
    expect(sheet).to_contain_text(reservation.code)
    expect(sheet.get_by_role("heading", name=W["bring"])).to_be_visible()
    expect(sheet.get_by_role("link", name=re.compile("^" + W["map"]))).to_have_attribute(
        "href", re.compile(r"^https://www\.google\.com/maps/search/\?api=1&query=%"))
    expect(page.get_by_role("button", name=W["print"])).to_be_visible()  # enhance.js shows it
    assert page.locator("#reservation-qr").count() == 1  # the place kept for the venue's QR code
    browse.check(page, "confirmation")

    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden() and page.locator(".site-footer").is_hidden()
    assert page.get_by_role("button", name=W["print"]).is_hidden()
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1  # one A4 page
    page.emulate_media(media="screen")
