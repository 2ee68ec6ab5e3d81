"""The checks themselves: a page with known faults must fail them (a harness that never fails proves nothing)."""

import pytest

from .conftest import Browse

FAULTY = """<!DOCTYPE html><html lang="ja"><head><title>faulty</title></head><body><main>
<h1>faulty</h1><img src="x.png"><p style="color:#aaa">薄い文字</p><input type="text">
<div style="width:600px">wide</div></main></body></html>"""


def test_the_page_checks_catch_violations_and_overflow(browser, axe_source):
    browse = Browse(browser=browser, base_url="http://127.0.0.1:9", axe_source=axe_source)
    try:
        page = browse.new_page()
        page.set_content(FAULTY)
        found = {v["id"] for v in browse.axe_violations(page)}
        assert {"image-alt", "color-contrast", "label"} <= found, found
        page.set_content(FAULTY.replace('<img src="x.png">', "").replace("#aaa", "#595959")
                         .replace('<input type="text">', ""))
        with pytest.raises(AssertionError, match="wider than the screen"):
            browse.check(page, "faulty")
    finally:
        browse.close()
