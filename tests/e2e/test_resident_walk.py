"""The guide's walk, in a browser, in Japanese and in English: log in, book dose 1 and dose 2, look up,
change the time, cancel (once with the dialog, once without JavaScript on the confirmation page).

Elements are found by the labels the guide quotes (「」), as a resident following it would. Every page
of the walk is checked by axe-core (zero violations) and for horizontal scrolling at 375 and 320 px;
with SCREENSHOTS=1 each one is also saved to docs/screenshots/ (375 px wide, full page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

from .conftest import expect  # None without Playwright: the browser fixture then says so


@dataclass(frozen=True)
class Labels:
    ticket: str
    password: str
    log_in: str
    top: str
    venue_filter: str
    book_dose: str  # the 「予約」 button of a dose, with its hidden "(dose n)"
    booking_page: str
    calendar: str
    time: str
    phone: str
    move_up: str
    move_up_yes: str
    move_up_no: str
    to_check: str
    check: str
    register: str
    received: str
    reservation_id: str
    second_dose: str
    main_nav: str
    history: str
    details: str
    detail_page: str
    edit: str
    change_page: str
    change: str
    changed: str
    cancel: str
    cancel_question: str
    yes: str
    cancelled: str
    cancelled_message: str
    problem: str
    error_prefix: str


JA = Labels(
    ticket="接種券番号",
    password="パスワード",
    log_in="ログイン",
    top="トップページ",
    venue_filter="接種場所の絞り込み",
    book_dose="予約 ({n}回目)",
    booking_page="ワクチン接種予約ページ",
    calendar="空きのある日のカレンダー",
    time="時間",
    phone="接種を受ける方の電話番号",
    move_up="接種日の繰上げを希望するか",
    move_up_yes="希望する",
    move_up_no="希望しない",
    to_check="内容確認へ進む",
    check="内容確認",
    register="予約を登録する",
    received="予約を受け付けました。",
    reservation_id="予約ID",
    second_dose="2件目の予約をする",
    main_nav="メインメニュー",
    history="予約履歴",
    details="詳細",
    detail_page="予約の詳細",
    edit="編集",
    change_page="日時の変更",
    change="予約を変更する",
    changed="予約を変更しました。",
    cancel="キャンセル",
    cancel_question="この予約をキャンセルしますか",
    yes="はい",
    cancelled="キャンセル済み",
    cancelled_message="予約をキャンセルしました。",
    problem="入力内容を確認してください",
    error_prefix="エラー：",
)

EN = Labels(
    ticket="Ticket number",
    password="Password",
    log_in="Log in",
    top="Top page",
    venue_filter="Narrow down vaccination venues",
    book_dose="Book (dose {n})",
    booking_page="Vaccination booking page",
    calendar="Calendar of days with free places",
    time="Time",
    phone="Phone number of the person receiving the vaccination",
    move_up="Would you like an earlier date?",
    move_up_yes="Yes, I would like an earlier date",
    move_up_no="No, I do not",
    to_check="Go on to check your answers",
    check="Check your answers",
    register="Register the reservation",
    received="Your reservation has been received.",
    reservation_id="Reservation ID",
    second_dose="Book the second dose",
    main_nav="Main",
    history="Reservation history",
    details="Details",
    detail_page="Reservation details",
    edit="Edit",
    change_page="Change the date and time",
    change="Change the reservation",
    changed="Your reservation has been changed.",
    cancel="Cancel",
    cancel_question="Cancel this reservation?",
    yes="Yes",
    cancelled="cancelled",
    cancelled_message="Your reservation has been cancelled.",
    problem="There is a problem",
    error_prefix="Error:",
)

PFIZER = "ファイザー社製"  # the demo city's vaccine names are data, the same in every language
FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


def heading(page, name: str, level: int = 1):
    return page.get_by_role("heading", name=name, exact=True, level=level)


def day_of(link) -> date:
    """The day a calendar link selects (its ?day=YYYY-MM-DD)."""
    return date.fromisoformat(parse_qs(urlparse(link.get_attribute("href")).query)["day"][0])


def calendar_days(page, L: Labels) -> list:
    return page.get_by_role("table", name=L.calendar).get_by_role("link").all()


def reservation(code: str):
    from yoyaku.booking.models import Reservation

    return Reservation.objects.select_related("slot__vaccine").get(code=code)


def local_day(moment) -> date:
    from django.utils import timezone

    return timezone.localdate(moment)


def log_in(page, browse, L: Labels, login) -> None:
    """The login page: first a ticket number one digit short (the error page), then the ticket number in
    full-width digits and the birth date as an era date."""
    era_date = login.note.split(";")[0]  # 昭和19年5月10日
    assert era_date.startswith("昭和")
    page.get_by_label(L.ticket).fill(login.ticket_number[:-1])
    page.get_by_label(L.password).fill(era_date)
    page.get_by_role("button", name=L.log_in, exact=True).click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name=L.problem)).to_be_visible()
    expect(summary).to_be_focused()  # enhance.js: read out first
    assert page.title().startswith(L.error_prefix)
    summary.get_by_role("link").first.click()  # the summary links to the field
    expect(page.get_by_label(L.ticket)).to_be_focused()
    browse.check(page, "login-error")
    page.get_by_label(L.ticket).fill(login.ticket_number.translate(FULL_WIDTH))
    page.get_by_label(L.password).fill(era_date)
    page.get_by_role("button", name=L.log_in, exact=True).click()
    expect(heading(page, L.top)).to_be_visible()


def book(page, browse, L: Labels, *, dose: int, pick_day: bool, move_up: str, phone: str | None) -> str:
    """From the booking page to the done page; returns the reservation ID shown there."""
    expect(heading(page, L.booking_page)).to_be_visible()
    if pick_day:
        # Click a day other than the one already selected, as a resident choosing in the calendar would.
        other = page.get_by_role("table", name=L.calendar).locator("a:not([aria-current])").first
        chosen = day_of(other)
        other.click()
        expect(page.get_by_role("table", name=L.calendar).locator("a[aria-current=date]")).to_have_attribute(
            "href", re.compile(f"day={chosen.isoformat()}"))
    # Without a venue chosen, the day lists the venues with free times: choose one (the first).
    venue_links = page.locator(".day-venues a")
    if venue_links.count():
        browse.check(page, f"day-venues-dose{dose}")
        venue_links.first.click()
    times = page.get_by_role("group", name=re.compile("^" + re.escape(L.time)))
    times.get_by_role("radio", name=re.compile(PFIZER)).first.check()
    if phone is not None:
        page.get_by_label(L.phone).fill(phone)
    move_up_group = page.get_by_role("group", name=re.compile("^" + re.escape(L.move_up)))
    if dose == 2:
        # Forgetting a question: the error summary, the answers kept.
        page.get_by_role("button", name=L.to_check, exact=True).click()
        expect(page.get_by_role("alert").get_by_role("heading", name=L.problem)).to_be_visible()
        assert page.title().startswith(L.error_prefix)
        expect(times.get_by_role("radio", name=re.compile(PFIZER)).first).to_be_checked()
        browse.check(page, f"book-dose{dose}-error")
    move_up_group.get_by_label(move_up, exact=True).check()
    browse.check(page, f"book-dose{dose}")
    page.get_by_role("button", name=L.to_check, exact=True).click()

    expect(heading(page, L.check)).to_be_visible()
    browse.check(page, f"check-dose{dose}")
    page.get_by_role("button", name=L.register, exact=True).click()

    expect(heading(page, L.received)).to_be_visible()
    expect(page.get_by_text(L.reservation_id, exact=True).first).to_be_visible()
    code = page.locator(".panel-done .code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{8}", code), code
    browse.check(page, f"done-dose{dose}")
    return code


def walk(page, browse, L: Labels, login) -> None:
    log_in(page, browse, L, login)
    expect(page.get_by_role("heading", name=L.venue_filter)).to_be_visible()
    browse.check(page, "top")

    # Dose 1: pick a day in the calendar, a time, the phone (full-width, normalised), 「希望しない」.
    page.get_by_role("link", name=L.book_dose.format(n=1), exact=True).click()
    code1 = book(page, browse, L, dose=1, pick_day=True, move_up=L.move_up_no, phone="０１９５－２３－３１１１")
    first = reservation(code1)
    assert (first.dose_number, first.status, first.wants_move_up) == (1, "booked", False)
    assert first.recipient_phone == "0195-23-3111"

    # Dose 2 from the done page: the calendar starts after the vaccine's interval.
    page.get_by_role("link", name=L.second_dose, exact=True).click()
    expect(heading(page, L.booking_page)).to_be_visible()
    offered = [day_of(link) for link in calendar_days(page, L)]
    earliest = local_day(first.slot.starts_at) + timedelta(days=first.slot.vaccine.next_dose_min_days)
    assert offered, "no day offered for dose 2"
    assert min(offered) >= earliest, (min(offered), earliest)
    code2 = book(page, browse, L, dose=2, pick_day=False, move_up=L.move_up_yes, phone=None)
    second = reservation(code2)
    assert (second.dose_number, second.slot.vaccine_id, second.wants_move_up) == (2, first.slot.vaccine_id, True)
    assert local_day(second.slot.starts_at) >= earliest
    expect(page.get_by_role("link", name=L.second_dose)).to_have_count(0)

    # 予約履歴 → 詳細 → 編集: another time.
    page.get_by_role("navigation", name=L.main_nav).get_by_role("link", name=L.history, exact=True).click()
    expect(heading(page, L.history)).to_be_visible()
    browse.check(page, "history")
    page.get_by_role("link", name=f"{L.details} {code2}", exact=True).click()
    expect(heading(page, L.detail_page)).to_be_visible()
    browse.check(page, "detail")
    page.get_by_role("link", name=L.edit, exact=True).click()
    expect(heading(page, L.change_page)).to_be_visible()
    # Another time, at the same venue when it has one that day (the booked time is not offered).
    times = page.get_by_role("group", name=re.compile("^" + re.escape(L.time)))
    same_venue = times.get_by_role("radio", name=re.compile(re.escape(second.slot.venue.name)))
    (same_venue if same_venue.count() else times.get_by_role("radio")).first.check()
    browse.check(page, "change")
    page.get_by_role("button", name=L.to_check, exact=True).click()
    expect(heading(page, L.check)).to_be_visible()
    browse.check(page, "change-check")
    page.get_by_role("button", name=L.change, exact=True).click()
    expect(heading(page, L.detail_page)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(L.changed)
    browse.check(page, "detail-changed")
    changed = reservation(code2)
    assert changed.slot_id != second.slot_id and changed.status == "booked"
    assert changed.slot.venue_id == second.slot.venue_id, "the demo's venues have several times a day"
    assert local_day(changed.slot.starts_at) >= earliest

    # 「キャンセル」 → 「はい」 with JavaScript: the dialog on the detail page.
    page.get_by_role("link", name=L.cancel, exact=True).click()
    dialog = page.get_by_role("dialog", name=L.cancel_question)
    expect(dialog).to_be_visible()
    browse.check(page, "cancel-dialog", full_page=False)
    dialog.get_by_role("button", name=L.yes, exact=True).click()
    expect(heading(page, L.detail_page)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(L.cancelled_message)
    expect(page.get_by_text(L.cancelled, exact=True)).to_be_visible()
    browse.check(page, "cancelled")
    assert reservation(code2).status == "cancelled"

    # The same without JavaScript (same login): the link leads to the confirmation page.
    plain = browse.new_page(javascript=False, storage_state=page.context.storage_state())
    plain.goto("/reservations/")
    plain.get_by_role("link", name=f"{L.details} {code1}", exact=True).click()
    plain.get_by_role("link", name=L.cancel, exact=True).click()
    expect(heading(plain, L.cancel_question)).to_be_visible()
    browse.check(plain, "cancel-page-nojs")
    plain.get_by_role("button", name=L.yes, exact=True).click()
    expect(heading(plain, L.detail_page)).to_be_visible()
    expect(plain.get_by_text(L.cancelled, exact=True)).to_be_visible()
    assert reservation(code1).status == "cancelled"
    plain.goto("/reservations/")
    expect(plain.get_by_text(L.cancelled, exact=True)).to_have_count(2)
    browse.check(plain, "history-nojs")


def test_walk_in_japanese(browse, demo_city):
    browse.prefix = "ja-"
    page = browse.new_page(locale="ja-JP")
    page.goto("/")  # not logged in: the login page, in Japanese by default
    expect(heading(page, JA.log_in)).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "ja"
    browse.check(page, "login")
    walk(page, browse, JA, demo_city)


def test_walk_in_english(browse, demo_city):
    browse.prefix = "en-"
    page = browse.new_page(locale="ja-JP")
    page.goto("/login/")
    expect(heading(page, JA.log_in)).to_be_visible()
    page.get_by_role("button", name="English", exact=True).click()  # the header's language switch
    expect(heading(page, EN.log_in)).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    browse.check(page, "login")
    walk(page, browse, EN, demo_city)
