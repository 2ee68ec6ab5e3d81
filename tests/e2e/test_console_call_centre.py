"""The call centre in a browser: an operator logs in (password, then the TOTP code), finds a resident by kana
and an era birth date, and books for them a time tomorrow, which the web no longer offers, in the resident's
steps (time, details, a check page to read back with the reason next to the button).
Then moves and cancels it. And a city admin checks a residents file (bad rows listed), then imports one.

Elements are found by their Japanese labels, as the operator sees them. Every console page of the walk is
checked by axe-core (zero violations), at a desk's width: the console is a desk tool. With SCREENSHOTS=1
each page is also saved to docs/screenshots/ (console-call-centre-NN-*.png, console-import-NN-*.png).
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

from .conftest import PHONE, SCREENSHOT_DIR, Browse, expect, format_violations

DESK = {"width": 1280, "height": 900}
REASON = "電話で予約（Web受付期限後のため）"
SEARCH_BOX = "接種券番号・予約ID・氏名・電話番号・生年月日"


def heading(page, name, level: int = 1):
    return page.get_by_role("heading", name=name, level=level)


def check(browse: Browse, page, name: str, checked: list[str], *, walk: str = "call-centre") -> None:
    """Zero axe violations on the console page; a screenshot with SCREENSHOTS=1."""
    page.wait_for_load_state("load")
    violations = browse.axe_violations(page)
    assert not violations, f"{name} ({page.url}): axe violations:\n" + format_violations(violations)
    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DIR / f"console-{walk}-{len(checked) + 1:02d}-{name}.png"),
                        full_page=True)
    checked.append(name)


def operator_with_authenticator():
    """The demo city's call-centre operator, with an authenticator app already set up."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.get(username="operator")
    device = TOTPDevice.objects.create(user=user, name="operator's phone", confirmed=True)
    return user, device


def current_code(device) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_operator_books_for_a_resident_past_the_web_deadline(browse, demo_city):
    from django.utils import timezone

    from yoyaku.booking import deadline
    from yoyaku.booking.demo_data import STAFF
    from yoyaku.booking.models import AuditEvent, Reservation, Resident

    login = demo_city  # 佐藤ハナ (サトウ ハナ), 昭和19年5月10日: no reservation in the demo
    resident = Resident.objects.get(ticket_number=login.ticket_number)
    user, device = operator_with_authenticator()
    password = next(spec.password for spec in STAFF if spec.username == "operator")
    checked: list[str] = []
    page = browse.new_page()
    page.set_viewport_size(DESK)

    # Log in: password, then the code of the authenticator app.
    page.goto("/console/residents/")
    expect(heading(page, "職員ログイン")).to_be_visible()
    check(browse, page, "login", checked)
    page.get_by_label("ユーザー名").fill("operator")
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン", exact=True).click()
    expect(page.get_by_label("認証アプリに表示される6桁のコード")).to_be_visible()
    check(browse, page, "otp", checked)
    page.get_by_label("認証アプリに表示される6桁のコード").fill(current_code(device))
    page.get_by_role("button", name="次へ", exact=True).click()

    # Find the resident: kana in hiragana in the one box, narrowed by the birth date as an era date.
    expect(heading(page, "住民の検索")).to_be_visible()
    check(browse, page, "search", checked)
    page.get_by_label(SEARCH_BOX).fill("さとう はな")
    page.locator("summary", has_text="絞り込み").click()
    page.get_by_role("textbox", name="生年月日 任意", exact=True).fill("昭和19年5月10日")
    page.get_by_role("button", name="検索", exact=True).click()
    assert page.url.endswith("/console/residents/")  # POSTed, then shown: nothing personal in the URL
    results = page.get_by_role("table", name="検索された住民")
    expect(results.get_by_role("row")).to_have_count(2)  # the header and 佐藤ハナ
    check(browse, page, "search-results", checked)
    results.get_by_role("link", name=resident.full_name).click()

    # The resident's page: nothing booked yet.
    expect(heading(page, re.compile("^" + re.escape(resident.full_name)))).to_be_visible()
    check(browse, page, "resident", checked)
    page.get_by_role("link", name="1回目を予約", exact=True).click()

    # The booking page opens on tomorrow: past the web deadline, offered to the call centre.
    expect(heading(page, "1回目の代理予約")).to_be_visible()
    tomorrow = timezone.localdate() + timedelta(days=1)
    selected = page.get_by_role("table", name="空きのある日のカレンダー").locator("a[aria-current=date]")
    expect(selected).to_have_attribute("href", re.compile(f"day={tomorrow.isoformat()}"))
    times = page.get_by_role("group", name=re.compile("^時間"))
    expect(page.get_by_label("理由")).to_have_count(0)  # step 1 is the time only, not one 3,600 px page
    check(browse, page, "book-time", checked)
    page.get_by_role("button", name="次へ（予約者・連絡先）", exact=True).click()
    # No time chosen: refused, with the error summary.
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.title().startswith("エラー：")
    times.get_by_role("radio").first.check()
    page.get_by_role("button", name="次へ（予約者・連絡先）", exact=True).click()

    # Step 2: who is booking, phone, email, 繰上げ.
    expect(page.locator("[aria-current=step]")).to_have_text("2. 予約者・連絡先")
    move_up = page.get_by_role("group", name=re.compile("^接種日の繰上げを希望するか"))
    move_up.get_by_label("希望しない", exact=True).check()
    check(browse, page, "book-details", checked)
    page.get_by_role("button", name="次へ（内容確認）", exact=True).click()

    # Step 3: everything to read back, the reason right above the button that books.
    expect(page.locator("[aria-current=step]")).to_have_text("3. 内容確認・予約")
    read_back = page.locator("dl.read-back")
    expect(read_back).to_contain_text(resident.ticket_number)
    expect(read_back).to_contain_text(resident.phone)
    expect(read_back).to_contain_text("希望しない")
    reason_box = page.get_by_label("理由").bounding_box()
    button_box = page.get_by_role("button", name="予約する", exact=True).bounding_box()
    assert 0 < button_box["y"] - reason_box["y"] < 250, (reason_box, button_box)  # next to each other

    # Without a reason: refused, with the error summary; the read-back stays.
    page.get_by_role("button", name="予約する", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("理由を入力してください")
    assert page.title().startswith("エラー：")
    expect(page.locator("dl.read-back")).to_contain_text(resident.ticket_number)
    check(browse, page, "book-error", checked)
    assert not Reservation.objects.filter(resident=resident).exists()

    page.get_by_label("理由").fill(REASON)
    check(browse, page, "book-check", checked)
    page.set_viewport_size(PHONE)
    check(browse, page, "book-check-375", checked)
    page.set_viewport_size(DESK)
    page.get_by_role("button", name="予約する", exact=True).click()

    expect(page.get_by_role("status").first).to_contain_text("予約しました")
    check(browse, page, "resident-booked", checked)

    reservation = Reservation.objects.select_related("slot").get(resident=resident)
    assert reservation.dose_number == 1 and reservation.is_active
    assert reservation.channel == Reservation.Channel.PHONE
    assert timezone.localdate(reservation.slot.starts_at) == tomorrow
    assert not deadline.web_open(reservation.slot.starts_at)
    event = AuditEvent.objects.get(action="reservation.book", reservation=reservation)
    assert (event.actor_user, event.reason, event.data["channel"]) == (user, REASON, "phone")
    expect(page.get_by_role("table", name="この方に関する操作（新しい順）")).to_contain_text(REASON)

    # Then the resident calls again: another time the same day, then a cancellation. Both with a reason.
    page.get_by_role("link", name=f"変更 {reservation.code}", exact=True).click()
    expect(heading(page, "予約の変更")).to_be_visible()
    page.get_by_role("group", name=re.compile("^時間")).get_by_role("radio").first.check()
    page.get_by_label("理由").fill("時間の変更を電話で依頼")
    check(browse, page, "change", checked)
    page.get_by_role("button", name="予約を変更する", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text(f"予約 {reservation.code} を")
    moved = Reservation.objects.select_related("slot").get(pk=reservation.pk)
    assert moved.slot_id != reservation.slot_id and timezone.localdate(moved.slot.starts_at) == tomorrow

    page.get_by_role("link", name=f"キャンセル {reservation.code}", exact=True).click()
    expect(heading(page, "予約のキャンセル")).to_be_visible()
    page.get_by_label("理由").fill("体調不良のため")
    check(browse, page, "cancel", checked)
    page.get_by_role("button", name="予約をキャンセルする", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("キャンセルしました")
    assert Reservation.objects.get(pk=reservation.pk).status == Reservation.Status.CANCELLED
    assert list(AuditEvent.objects.filter(reservation=reservation).order_by("-created_at", "-id")
                .values_list("action", "reason")) == [
        ("reservation.cancel", "体調不良のため"), ("reservation.change", "時間の変更を電話で依頼"),
        ("reservation.book", REASON)]
    assert checked == ["login", "otp", "search", "search-results", "resident", "book-time", "book-details",
                       "book-error", "book-check", "book-check-375", "resident-booked", "change", "cancel"]


def test_city_admin_checks_a_residents_file_then_applies_it(browse, demo_city, tmp_path, settings):
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yoyaku.booking.demo_data import STAFF
    from yoyaku.booking.models import Resident

    settings.VAR_DIR = tmp_path  # the live server runs in this process: uploads go to the test's directory
    admin = get_user_model().objects.get(username="admin")
    device = TOTPDevice.objects.create(user=admin, name="admin's phone", confirmed=True)
    password = next(spec.password for spec in STAFF if spec.username == "admin")
    header = ("ticket_number,birth_date,family_name,given_name,family_name_kana,given_name_kana,phone,email,"
              "postal_code,address")
    good = [f"90000000{n:02d},昭和2{n}年1月1日,岩手,太郎{n},イワテ,タロウ,0195-00-00{n:02d},,028-5902,デモ市中央"
            for n in range(1, 4)]
    bad = good + ["9000000099,1945-02-30,岩手,花子,イワテ,ハナコ,,,,", "12345,1945-01-01,岩手,次郎,,,,,,"]
    checked: list[str] = []
    page = browse.new_page()
    page.set_viewport_size(DESK)
    page.goto("/console/residents/import/")
    page.get_by_label("ユーザー名").fill("admin")
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン", exact=True).click()
    page.get_by_label("認証アプリに表示される6桁のコード").fill(current_code(device))
    page.get_by_role("button", name="次へ", exact=True).click()
    expect(heading(page, "住民の取り込み")).to_be_visible()
    check(browse, page, "import", checked, walk="import")

    def upload(lines: list[str]) -> None:
        page.get_by_label("住民ファイル（CSV）").set_input_files(files=[{
            "name": "residents.csv", "mimeType": "text/csv",
            "buffer": ("\r\n".join([header, *lines]) + "\r\n").encode("cp932")}])
        page.get_by_role("button", name="ファイルを確認する", exact=True).click()

    upload(bad)
    problems = page.get_by_role("table", name="問題点（ファイルの行ごと）")
    expect(problems.get_by_role("row")).to_have_count(3)  # the header, line 5 and line 6
    expect(page.get_by_role("button", name="このファイルを取り込む")).to_have_count(0)
    check(browse, page, "import-bad-rows", checked, walk="import")

    upload(good)
    expect(page.get_by_text("3行、すべて問題ありません。")).to_be_visible()
    check(browse, page, "import-checked", checked, walk="import")
    assert not Resident.objects.filter(ticket_number__startswith="900000").exists()
    page.get_by_role("button", name="このファイルを取り込む", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("新規3件")
    check(browse, page, "import-applied", checked, walk="import")
    assert Resident.objects.filter(ticket_number__startswith="900000").count() == 3
