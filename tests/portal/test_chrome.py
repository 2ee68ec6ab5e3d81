"""The site's chrome is rendered once per way it looks and reused (yoyaku/web/templatetags/yoyaku_chrome.py):
what differs per request (the CSRF token, the page's own address) must still be each request's own."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

NEXT = re.compile(r'name="next" value="([^"]*)"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_each_page_gets_its_own_address_in_the_chrome_forms_escaped(client):
    first = client.get("/login/?a=1").content.decode()
    second = client.get("/login/?b=%3Cx%3E").content.decode()
    assert set(NEXT.findall(first)) == {"/login/?a=1"}
    assert set(NEXT.findall(second)) == {"/login/?b=%3Cx%3E"}
    assert "yoyakuChrome" not in first + second  # no marker left behind


def test_the_chrome_forms_carry_a_token_that_the_csrf_check_accepts():
    browser = Client(enforce_csrf_checks=True)
    html = browser.get("/login/").content.decode()
    tokens = TOKEN.findall(html)
    assert len(tokens) >= 3  # language, text size, furigana (and the login form)
    response = browser.post("/text-size/", {"size": "l", "next": "/login/", "csrfmiddlewaretoken": tokens[0]})
    assert response.status_code == 302
    assert 'class="text-l"' in browser.get("/login/").content.decode()


def test_the_chrome_follows_the_language_text_size_and_login(logged_in, city):
    html = logged_in.get("/").content.decode()
    assert 'aria-current="page">トップページ' in html and "ログアウト" in html
    logged_in.cookies["django_language"] = "en"
    html = logged_in.get("/reservations/").content.decode()
    assert 'aria-current="page">Reservation history' in html and "Log out" in html
    anonymous = Client()
    anonymous.cookies["django_language"] = "en"
    html = anonymous.get("/login/").content.decode()
    assert "Log out" not in html and 'class="site-nav"' not in html


def test_the_chrome_is_rendered_once_per_variant_and_then_reused(client, monkeypatch):
    from yoyaku.web.templatetags import yoyaku_chrome

    monkeypatch.setattr(yoyaku_chrome, "_kept", {})
    client.get("/login/")
    kept = dict(yoyaku_chrome._kept)
    assert len(kept) == 2  # the header and the footer
    client.get("/login/?again=1")
    assert yoyaku_chrome._kept == kept  # reused, not rendered again
    client.cookies["django_language"] = "ko"
    client.get("/login/")
    assert len(yoyaku_chrome._kept) == 4
