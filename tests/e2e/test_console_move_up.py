"""Move-up (繰上げ) in a browser: a cancellation frees an earlier place; a city admin logs in (password, then
the TOTP code), opens the move-up list, sees the resident who asked first at the top, and moves them up with
a reason. The counters stay right: the new slot is full again, the old place is free, check_integrity is ok.

Elements are found by their Japanese labels, as the city's staff see them. Every console page of the walk is
checked by axe-core (zero violations), at a desk's width (the console is a desk tool). With SCREENSHOTS=1 each
page is also saved to docs/screenshots/ (console-move-up-NN-*.png).
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from io import StringIO

from .conftest import SCREENSHOT_DIR, Browse, expect, format_violations

DESK = {"width": 1280, "height": 900}
REASON = "電話で本人了承（繰上げ）"


def check(browse: Browse, page, name: str, checked: list[str], *, walk: str) -> None:
    """Zero axe violations on the console page; a screenshot with SCREENSHOTS=1."""
    page.wait_for_load_state("load")
    violations = browse.axe_violations(page)
    assert not violations, f"{name} ({page.url}): axe violations:\n" + format_violations(violations)
    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DIR / f"console-{walk}-{len(checked) + 1:02d}-{name}.png"),
                        full_page=True)
    checked.append(name)


def staff_with_authenticator(username: str):
    """A demo staff user with an authenticator app already set up, and their demo password."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yoyaku.booking.demo_data import STAFF

    user = get_user_model().objects.get(username=username)
    device = TOTPDevice.objects.create(user=user, name=f"{username}'s phone", confirmed=True)
    return user, device, next(spec.password for spec in STAFF if spec.username == username)


def current_code(device) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def log_in(browse: Browse, page, username: str, device, password: str, checked: list[str], *, walk: str) -> None:
    """Password, then the code of the authenticator app (the page asked for was the `next`)."""
    expect(page.get_by_role("heading", name="職員ログイン", level=1)).to_be_visible()
    check(browse, page, "login", checked, walk=walk)
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン", exact=True).click()
    page.get_by_label("認証アプリに表示される6桁のコード").fill(current_code(device))
    page.get_by_role("button", name="次へ", exact=True).click()


def integrity_ok() -> bool:
    from django.core.management import call_command

    out = StringIO()
    call_command("check_integrity", stdout=out)
    return out.getvalue().startswith("ok")


def test_admin_moves_a_resident_up_into_a_freed_place_and_the_counts_stay_right(browse, demo_city):
    from django.utils import timezone

    from yoyaku.booking import services
    from yoyaku.booking.models import AuditEvent, Reservation, Slot, Venue

    venue = Venue.objects.get(code="C01")
    slots = list(Slot.objects.filter(venue=venue, vaccine__code="PFZ").order_by("starts_at"))
    early = slots[0]
    late = next(slot for slot in slots if slot.starts_at >= early.starts_at + timedelta(days=14))
    system = services.Actor.system()
    # The early slot is full; then one of its residents cancels: one place is free.
    holders = []
    for n in range(early.capacity - early.booked):
        resident = _resident(f"満員{n}")
        holders.append(services.reservation_book(actor=system, resident=resident, slot_id=early.pk, dose_number=1))
    # The resident who asked first for an earlier date, with an appointment two weeks later.
    waiting = _resident("繰上")
    reservation = services.reservation_book(actor=system, resident=waiting, slot_id=late.pk, dose_number=1,
                                            wants_move_up=True)
    Reservation.objects.filter(pk=reservation.pk).update(created_at=timezone.now() - timedelta(days=30))
    services.reservation_cancel(actor=system, reservation=holders[0])
    late.refresh_from_db()
    late_booked = late.booked
    assert Slot.objects.get(pk=early.pk).free == 1

    user, device, password = staff_with_authenticator("admin")
    checked: list[str] = []
    page = browse.new_page()
    page.set_viewport_size(DESK)
    page.goto("/console/move-up/")
    log_in(browse, page, "admin", device, password, checked, walk="move-up")

    # The list: the free places of the coming days, the rule stated; narrowed to the venue.
    expect(page.get_by_role("heading", name="繰上げ：空き枠と候補者", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="候補者の条件と並び順")).to_be_visible()
    expect(page.locator("#ordering-rule")).to_contain_text("先着順")
    check(browse, page, "list", checked, walk="move-up")
    page.get_by_label("接種会場").select_option(label=venue.name)
    page.get_by_role("button", name="表示する", exact=True).click()
    table = page.get_by_role("table", name="空き枠と優先順の候補者")
    first_row = table.get_by_role("row").nth(1)
    expect(first_row).to_contain_text(waiting.full_name)
    check(browse, page, "list-venue", checked, walk="move-up")
    first_row.get_by_role("link", name=re.compile("^繰り上げる方を選ぶ")).click()

    # The slot's page: the candidates, best first; choose, give the reason, move.
    expect(page.get_by_role("heading", name="この時間に繰り上げる", level=1)).to_be_visible()
    candidates = page.get_by_role("table", name="候補者（優先順）")
    expect(candidates.get_by_role("row").nth(1)).to_contain_text(waiting.full_name)
    check(browse, page, "slot", checked, walk="move-up")
    page.get_by_label(re.compile("^" + re.escape(waiting.full_name))).check()
    page.get_by_role("button", name="繰り上げる", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("理由を入力してください")
    assert page.title().startswith("エラー：")
    check(browse, page, "slot-error", checked, walk="move-up")
    page.get_by_label(re.compile("^" + re.escape(waiting.full_name))).check()
    page.get_by_label("理由").fill(REASON)
    page.get_by_role("button", name="繰り上げる", exact=True).click()

    expect(page.get_by_role("status").first).to_contain_text("繰り上げました")
    expect(page.get_by_role("status").first).to_contain_text(reservation.code)
    check(browse, page, "moved", checked, walk="move-up")

    # One step, atomic: the new place taken, the old one free; the trail says who and why.
    reservation.refresh_from_db()
    assert reservation.slot_id == early.pk and reservation.status == Reservation.Status.BOOKED
    assert Slot.objects.get(pk=early.pk).free == 0
    assert Slot.objects.get(pk=late.pk).booked == late_booked - 1
    event = AuditEvent.objects.get(action="reservation.move_up", reservation=reservation)
    assert (event.actor_user_id, event.reason) == (user.pk, REASON)
    assert integrity_ok()
    assert checked == ["login", "list", "list-venue", "slot", "slot-error", "moved"]


def _resident(given_name: str):
    from datetime import date

    from yoyaku.booking.models import Resident

    n = Resident.objects.count() + 1
    return Resident.objects.create(ticket_number=f"39{n:08d}", birth_date=date(1950, 4, 1), family_name="試験",
                                   given_name=given_name, family_name_kana="シケン", given_name_kana="タロウ",
                                   phone="0195-00-7777")
