"""Each role's console home in a browser, at 1280 and 375 px: axe 0, the menu never breaks a word over lines
(it used to show ホー/ム, 住/民, 会/場, 予約/枠 at 1280 px), and the header says who is logged in, in which role
(in words) and until when. With SCREENSHOTS=1: docs/screenshots/console-home-<role>-<width>.png."""

from __future__ import annotations

import os

import pytest

from .conftest import PHONE, SCREENSHOT_DIR, expect
from .test_console_call_centre import current_code, format_violations, heading

DESK = {"width": 1280, "height": 900}
# Each link's height against one line of the menu's text: a link broken over lines is twice as high or more.
LINK_HEIGHTS = """() => [...document.querySelectorAll('nav.console-nav a')].map(a => {
  const style = getComputedStyle(a);
  return [a.textContent.trim(), a.getBoundingClientRect().height / parseFloat(style.lineHeight)];
})"""


def log_in(browse, username: str, viewport: dict):
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yoyaku.booking.demo_data import STAFF

    user = get_user_model().objects.get(username=username)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    password = next(spec.password for spec in STAFF if spec.username == username)
    page = browse.new_page()
    page.set_viewport_size(viewport)
    page.goto("/console/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン", exact=True).click()
    page.get_by_label("認証アプリに表示される6桁のコード").fill(current_code(device))
    page.get_by_role("button", name="次へ", exact=True).click()
    expect(heading(page, "ホーム")).to_be_visible()
    return page


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["1280", "375"])
@pytest.mark.parametrize("username, role_words, blocks", [
    ("admin", "市の担当課（管理者）", ["本日の会場", "やること", "確認したい最近の操作"]),
    ("operator", "予約相談センター", ["住民の検索", "やること"]),
    ("venue1", "会場の職員", ["本日の会場"]),
])
def test_each_roles_home_with_an_unbroken_menu(browse, demo_city, viewport, username, role_words, blocks):
    page = log_in(browse, username, viewport)
    for block in blocks:
        expect(heading(page, block, level=2)).to_be_visible()
    header = page.get_by_role("banner")
    expect(header).to_contain_text(role_words)
    expect(header).to_contain_text("までログイン")
    for text, lines in page.evaluate(LINK_HEIGHTS):
        assert lines < 1.5, f"menu link {text!r} is broken over {lines:.1f} lines at {viewport['width']} px"
    if viewport == DESK:
        nav = page.locator("nav.console-nav").bounding_box()
        assert nav["height"] < 100, f"the menu is {nav['height']} px high at 1280 px"
    violations = browse.axe_violations(page)
    assert not violations, format_violations(violations)
    assert browse.overflow(page) == 0
    if os.environ.get("SCREENSHOTS") == "1":
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DIR / f"console-home-{username}-{viewport['width']}.png"), full_page=True)
