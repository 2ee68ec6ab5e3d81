"""Keyboard only: the login page can be used without a mouse, with a visible focus."""

from .conftest import expect  # None without Playwright: the browser fixture then says so

ACTIVE = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  return {tag: e.tagName.toLowerCase(), id: e.id, text: (e.innerText || e.value || "").trim().slice(0, 40),
          outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0};
}"""


def test_login_with_the_keyboard_only(browse, demo_city):
    page = browse.new_page()
    page.goto("/login/")

    # The first Tab reaches the skip link; Enter on it puts the focus at the start of the page's content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="本文へ移動")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("接種券番号")).to_be_focused()

    # From the top of the page, Tab goes through the header's tools, then ticket number, password, ログイン.
    page.goto("/login/")
    order = []
    for _ in range(30):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        assert active["outline"], f"no visible focus on {active}"
        order.append(active["id"] or active["text"])
        if active["text"] == "ログイン":
            break
    assert order[-3:] == ["id_ticket_number", "id_password", "ログイン"], order

    # Typed, not filled: the keyboard's own characters; Enter on the focused button logs in.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_label("接種券番号")).to_be_focused()
    page.keyboard.type(demo_city.ticket_number)
    page.keyboard.press("Tab")
    page.keyboard.type(f"{demo_city.birth_date:%Y%m%d}")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="ログイン", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="トップページ", level=1)).to_be_visible()


def test_enter_in_the_password_field_logs_in(browse, demo_city):
    page = browse.new_page(javascript=False)
    page.goto("/login/")
    page.get_by_label("接種券番号").focus()
    page.keyboard.type(demo_city.ticket_number)
    page.keyboard.press("Tab")
    page.keyboard.type(f"{demo_city.birth_date:%Y%m%d}")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="トップページ", level=1)).to_be_visible()
