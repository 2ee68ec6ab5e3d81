"""The call centre's search in a browser, at a desk (1280 px) and on a phone (375 px): the sequence that used to
lie (kana, then phone, then an era date, then the ticket number: the old form kept every earlier term and
answered 「一致する住民はいません」 for a resident who exists), and a filter that is visibly on and cleared in one
click. axe-core: zero violations in every state.
"""

from __future__ import annotations

import pytest

from .conftest import PHONE, Browse, expect
from .test_console_call_centre import SEARCH_BOX, check, current_code, heading, operator_with_authenticator

DESK = {"width": 1280, "height": 900}


def log_in_operator(browse: Browse, viewport: dict):
    from yoyaku.booking.demo_data import STAFF

    _user, device = operator_with_authenticator()
    password = next(spec.password for spec in STAFF if spec.username == "operator")
    page = browse.new_page()
    page.set_viewport_size(viewport)
    page.goto("/console/residents/")
    page.get_by_label("ユーザー名").fill("operator")
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン", exact=True).click()
    page.get_by_label("認証アプリに表示される6桁のコード").fill(current_code(device))
    page.get_by_role("button", name="次へ", exact=True).click()
    expect(heading(page, "住民の検索")).to_be_visible()
    return page


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["1280", "375"])
def test_the_search_sequence_that_used_to_lie_finds_the_resident_each_time(browse, demo_city, viewport):
    from yoyaku.booking.models import Resident

    resident = Resident.objects.get(ticket_number=demo_city.ticket_number)  # 佐藤ハナ, 昭和19年5月10日
    page = log_in_operator(browse, viewport)
    checked: list[str] = []
    box = page.get_by_label(SEARCH_BOX)
    results = page.get_by_role("table", name="検索された住民")
    phone = resident.phone
    for typed in ("さとう はな", phone, "昭和19年5月10日", resident.ticket_number):
        box.fill(typed)
        page.get_by_role("button", name="検索", exact=True).click()
        expect(results.get_by_role("link", name=resident.full_name)).to_be_visible()
        expect(box).to_have_value(typed)
        expect(page.get_by_text("一致する住民はいません")).to_have_count(0)
    # The row lets the operator confirm who it is: phone, address, birth date, active reservations.
    row = results.get_by_role("row").filter(has=page.get_by_role("link", name=resident.full_name))
    expect(row).to_contain_text(phone)
    expect(row).to_contain_text(resident.address)
    expect(row).to_contain_text("1944年")
    check(browse, page, f"search-ticket-{viewport['width']}", checked, walk="search")

    # A filter: visibly on, and an empty answer says so and clears it in one click.
    box.fill("さとう")
    page.locator("summary", has_text="絞り込み").click()
    page.get_by_role("textbox", name="生年月日 任意", exact=True).fill("1960/1/1")
    page.get_by_role("button", name="検索", exact=True).click()
    expect(page.locator("summary")).to_contain_text("適用中")
    expect(page.get_by_role("status").last).to_contain_text("絞り込みの条件に一致する方はいません")
    check(browse, page, f"search-filtered-{viewport['width']}", checked, walk="search")
    page.get_by_role("button", name="絞り込みを解除して検索", exact=True).click()
    expect(results.get_by_role("link", name=resident.full_name)).to_be_visible()
    expect(page.locator("summary")).not_to_contain_text("適用中")
    expect(page.locator("#id_birth_date")).to_have_value("")  # in the closed filters
    check(browse, page, f"search-unfiltered-{viewport['width']}", checked, walk="search")
    assert browse.overflow(page) == 0 or viewport == DESK
