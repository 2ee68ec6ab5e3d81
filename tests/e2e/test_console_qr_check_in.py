"""QR check-in (issue 12, item 7): the QR code on the resident's done page, scanned into the venue's check-in.

The resident books dose 1 in the browser; the picture of the QR code on the done page (as a phone's camera
or a photo would see it) is given to the console's 「QRコードで受付」 page through its photo input, where
static/js/scan.js reads it (the browser's BarcodeDetector, or the vendored jsQR where Chromium has none, as
on Linux) and sends it; the page shows the person to check, and one tap records the dose: the reservation is
checked in, audited as by QR code. A forged code gets its message. Axe 0 and no sideways scrolling on every
state of the new page at 375 (and 320) px, axe 0 and no sideways scrolling at 1280 px. With SCREENSHOTS=1:
docs/screenshots/console-qr-NN-*.png."""

from __future__ import annotations

import re

from .conftest import PHONE, expect
from .test_console_call_centre import format_violations
from .test_console_home import DESK
from .test_console_home import log_in as staff_log_in
from .test_resident_walk import JA, book, heading, log_in


def move_to_today(code: str):
    """The appointment moved to today (bookings of a time that has begun are refused, and a test may run at any
    hour), at a venue of the demo's venue staff member venue1."""
    from datetime import datetime, time, timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from yoyaku.booking.models import Reservation, Slot

    reservation = Reservation.objects.select_related("slot__venue").get(code=code)
    today = timezone.localdate()
    starts = timezone.make_aware(datetime.combine(today, time(0, 3)))
    Slot.objects.filter(pk=reservation.slot_id).update(starts_at=starts, ends_at=starts + timedelta(minutes=30),
                                                      day=today)
    get_user_model().objects.get(username="venue1").staff_profile.venues.add(reservation.slot.venue)
    return reservation.slot.venue, today


def check_wide(browse, page, name: str) -> None:
    page.set_viewport_size(DESK)
    violations = browse.axe_violations(page)
    assert not violations, f"{name} at 1280 px:\n" + format_violations(violations)
    assert browse.overflow(page) == 0, name
    page.set_viewport_size(PHONE)


def test_the_qr_code_on_the_done_page_is_scanned_into_check_in(browse, demo_city):
    from yoyaku.booking.models import AuditEvent, DoseRecord, Reservation

    browse.prefix = "console-qr-"
    resident = browse.new_page()
    resident.goto("/login/")
    log_in(resident, browse, JA, demo_city)
    resident.get_by_role("link", name=JA.book_dose.format(n=1), exact=True).click()
    code = book(resident, browse, JA, dose=1, pick_day=False, move_up=JA.move_up_no, phone="0195-23-3111")
    qr_image = resident.get_by_role("img", name=f"会場受付用のQRコード（予約ID {code}）")
    expect(qr_image).to_be_visible()
    expect(resident.get_by_text("来場時に受付でこのQRコードをお見せください。")).to_be_visible()
    picture = qr_image.screenshot()  # what the camera sees: the code as drawn on the resident's screen
    assert picture.startswith(b"\x89PNG")
    venue, today = move_to_today(code)

    page = staff_log_in(browse, "venue1", PHONE)
    page.goto(f"/console/rosters/{venue.pk}/{today.isoformat()}/desk/")
    page.get_by_role("link", name="QRコードで受付", exact=True).click()
    expect(heading(page, re.compile("^QRコードで受付："))).to_be_visible()
    expect(page.get_by_role("button", name="カメラで読み取る", exact=True)).to_be_visible()  # scan.js is on
    browse.check(page, "scanner")
    check_wide(browse, page, "scanner")

    page.get_by_role("textbox", name=re.compile("^ロット番号")).fill("ff3847")
    page.get_by_role("button", name="このロット番号を使う", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("FF3847")

    # A made-up code typed in: refused with its message, nothing recorded.
    page.get_by_role("textbox", name=re.compile("^予約ID")).fill(f"{code}:forged-signature")
    page.get_by_role("button", name="確認する", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("改ざんされています")
    browse.check(page, "forged")
    check_wide(browse, page, "forged")

    # The picture of the resident's QR code, read in the page and sent.
    page.get_by_label("または写真からQRコードを読み取る").set_input_files(
        files=[{"name": "qr.png", "mimeType": "image/png", "buffer": picture}])
    expect(heading(page, "ご本人の確認", level=2)).to_be_visible()
    person = page.locator("#person")
    expect(person).to_contain_text(code)
    assert Reservation.objects.get(code=code).status == Reservation.Status.BOOKED  # reading changes nothing
    browse.check(page, "person")
    check_wide(browse, page, "person")

    button = person.get_by_role("button", name=re.compile("^接種済みにする"))
    box = button.bounding_box()
    assert box["height"] >= 44, box  # a big target on a phone
    button.click()
    expect(page.get_by_role("status").first).to_contain_text("1回目の接種を記録しました")
    expect(page.get_by_role("status").first).to_contain_text(code)
    reservation = Reservation.objects.get(code=code)
    assert reservation.status == Reservation.Status.DONE
    assert DoseRecord.objects.get(reservation=reservation).lot == "FF3847"
    assert AuditEvent.objects.get(action="dose.record", reservation=reservation).data["via"] == "qr"
    browse.check(page, "checked-in")
    check_wide(browse, page, "checked-in")

    # The same code once more: already checked in.
    page.get_by_label("または写真からQRコードを読み取る").set_input_files(
        files=[{"name": "qr.png", "mimeType": "image/png", "buffer": picture}])
    expect(page.get_by_role("alert")).to_contain_text("受付済みです")
    assert DoseRecord.objects.filter(reservation=reservation).count() == 1


def fake_camera_video(text: str, path) -> None:
    """A Y4M video (what Chromium's fake camera plays) of the QR code of `text` on a light background."""
    import segno

    rows = [list(row) for row in segno.make(text, error="m").matrix_iter(scale=6, border=4)]
    side = len(rows)
    width, height = 640, 480
    left, top = (width - side) // 2, (height - side) // 2
    luma = bytearray([200]) * (width * height)
    for y, row in enumerate(rows):
        line = bytes(16 if dark else 235 for dark in row)
        start = (top + y) * width + left
        luma[start:start + side] = line
    chroma = bytes([128]) * (width // 2 * height // 2)
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode() + frame * 5)


def test_the_phones_camera_reads_the_code(browser, axe_source, live_server, demo_city, tmp_path):
    """The camera path: Chromium's fake camera plays a video of a reservation's QR code; 「カメラで読み取る」
    (allowed by this page's Permissions-Policy: with camera=() this test fails) reads it and shows the person."""
    from django.utils import timezone

    from yoyaku.booking import qr

    from .conftest import CHROMIUM, LAUNCH_ARGS, Browse
    from .test_console_desk import people_today

    venue, (hanako, _jiro) = people_today()
    video = tmp_path / "qr.y4m"
    fake_camera_video(qr.check_in_token(hanako.code), video)
    camera_browser = browser.browser_type.launch(executable_path=str(CHROMIUM), args=[
        *LAUNCH_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    session = Browse(browser=camera_browser, base_url=live_server.url, axe_source=axe_source)
    try:
        page = staff_log_in(session, "venue1", PHONE)
        page.goto(f"/console/rosters/{venue.pk}/{timezone.localdate().isoformat()}/desk/scan/")
        page.get_by_role("button", name="カメラで読み取る", exact=True).click()
        expect(heading(page, "ご本人の確認", level=2)).to_be_visible()
        expect(page.locator("#person")).to_contain_text(hanako.code)
        expect(page.locator("#person")).to_contain_text(hanako.resident.full_name)
    finally:
        session.close()
        camera_browser.close()
