"""The resident site's pages are valid HTML (vnu, the W3C's checker), in Japanese and English: the guide's
journey from the login page to the done page, and the pages around a reservation."""

import re

import pytest

from tests import vnu

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_resident_pages_are_valid_html(client, city, resident):
    pages = {"login": client.get("/login/").content.decode()}
    client.post("/login/", {"ticket_number": "1234567890", "password": "19450101"})
    for language in ("ja", "en"):
        client.cookies["django_language"] = language
        pages[f"{language}-top"] = client.get("/").content.decode()
        pages[f"{language}-history"] = client.get("/reservations/").content.decode()
        pages[f"{language}-household"] = client.get("/household/").content.decode()
    book = client.get("/book/1/").content.decode()
    pages["book"] = book
    day = re.search(r"day=(\d{4}-\d{2}-\d{2})#times", book).group(1)
    day_page = client.get(f"/book/1/?day={day}").content.decode()
    pages["day"] = day_page
    venue = re.search(r'href="\?venue=(\d+)&amp;day=', day_page).group(1)
    times = client.get(f"/book/1/?venue={venue}&day={day}").content.decode()
    pages["times"] = times
    slot = re.search(r'name="slot" value="(\d+)"', times).group(1)
    pages["choose-error"] = client.post("/book/1/", {"day": day, "venue": venue}).content.decode()
    client.post("/book/1/", {"day": day, "venue": venue, "slot": slot, "booker": "self",
                             "recipient_phone": "0195-23-3111", "email": "", "wants_move_up": "no"})
    check = client.get("/book/1/check/").content.decode()
    pages["check"] = check
    key = re.search(r'name="request_key" value="([^"]+)"', check).group(1)
    done = client.post("/book/1/check/", {"request_key": key})["Location"]
    pages["done"] = client.get(done).content.decode()
    code = re.search(r"/reservations/([^/]+)/done/", done).group(1)
    for name, url in (("detail", f"/reservations/{code}/"), ("print", f"/reservations/{code}/print/"),
                      ("details", f"/reservations/{code}/details/"), ("change", f"/reservations/{code}/change/"),
                      ("cancel", f"/reservations/{code}/cancel/")):
        response = client.get(url)
        if response.status_code == 200:
            pages[name] = response.content.decode()
    assert {"detail", "print"} <= set(pages)
    assert vnu.errors(pages) == []


def test_the_waiting_list_pages_are_valid_html(client, city, resident):
    from tests.portal.test_top import fill

    client.post("/login/", {"ticket_number": "1234567890", "password": "19450101"})
    fill(city["slots"])
    pages = {}
    for language in ("ja", "en"):
        client.cookies["django_language"] = language
        pages[f"{language}-top-sold-out"] = client.get("/").content.decode()
        pages[f"{language}-join"] = client.get("/waiting-list/1/").content.decode()
        pages[f"{language}-join-error"] = client.post("/waiting-list/1/", {"email": "x"}).content.decode()
    client.post("/waiting-list/1/", {"email": "taro@example.jp"})
    pages["on-the-list"] = client.get("/waiting-list/1/").content.decode()
    pages["top-on-the-list"] = client.get("/").content.decode()
    assert "taro@example.jp" in pages["on-the-list"]
    assert vnu.errors(pages) == []
