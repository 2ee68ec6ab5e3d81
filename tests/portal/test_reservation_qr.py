"""The check-in QR code on the resident's pages (issue 12, item 7): done, detail and the printable
confirmation carry the reservation's signed token as inline SVG, named for screen readers; a cancelled
reservation shows none."""

import re

import pytest

from yoyaku.booking import qr, services

from .test_reservations import book

pytestmark = pytest.mark.django_db


@pytest.fixture
def reservation(city, resident):
    return book(resident, city["slots"][10])


def the_qr(html: str) -> str:
    found = re.findall(r"<svg role=\"img\".*?</svg>", html, re.S)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("page", ["done/", "", "print/"])
def test_done_detail_and_print_carry_the_reservations_qr_code(logged_in, reservation, page):
    html = logged_in.get(f"/reservations/{reservation.code}/{page}").content.decode()
    svg = the_qr(html)
    # The very code booking/qr.py draws for this reservation's token, named with the 予約ID.
    assert svg == qr.qr_svg(reservation.code, label=f"会場受付用のQRコード（予約ID {reservation.code}）")
    assert qr.code_of_token(qr.check_in_token(reservation.code)) == reservation.code
    if page != "print/":
        assert "来場時に受付でこのQRコードをお見せください" in html
    else:
        assert re.search(r'<div id="reservation-qr" class="qr-slot"><svg ', html)


def test_no_personal_data_in_what_the_code_holds(reservation):
    token = qr.check_in_token(reservation.code)
    resident = reservation.resident
    for personal in (resident.family_name, resident.given_name, resident.ticket_number, resident.phone,
                     resident.birth_date.isoformat(), resident.birth_date.strftime("%Y%m%d")):
        if personal:
            assert personal not in token


def test_a_cancelled_reservation_shows_no_qr_code(logged_in, reservation, resident):
    services.reservation_cancel(actor=services.Actor.for_resident(resident), reservation=reservation)
    for page in ("", "print/"):
        html = logged_in.get(f"/reservations/{reservation.code}/{page}").content.decode()
        assert "<svg role=\"img\"" not in html
    assert '<div id="reservation-qr" class="qr-slot"></div>' in html  # empty: hidden by the print CSS


def test_the_qr_code_is_named_in_english_too(logged_in, reservation):
    logged_in.cookies["django_language"] = "en"
    html = logged_in.get(f"/reservations/{reservation.code}/").content.decode()
    assert f'aria-label="QR code for the reception at the venue (reservation ID {reservation.code})"' in the_qr(html)
    assert "Show this QR code at the reception when you come to the venue." in html
