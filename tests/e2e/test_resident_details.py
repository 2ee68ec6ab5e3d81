"""Self-service details after booking (issue 13, item 4), in Japanese and English at 375 px: 詳細 shows the
phone, booker, email and move-up wish; 「連絡先などの変更」 changes them (the proxy booker and the move-up wish
too), with the error summary on a bad phone number; axe 0 and no sideways scrolling on every page."""

from __future__ import annotations

import pytest

from .conftest import expect
from .test_resident_walk import EN, JA, heading, log_in

WORDS = {
    "ja": {"change": "連絡先などの変更", "proxy": "本人に代わって予約する方（ご家族・介護者など）",
           "booker_name": "予約者の氏名", "relation": "接種を受ける方との続柄", "booker_phone": "予約者の電話番号",
           "email": "メールアドレス", "save": "変更を保存する", "saved": "連絡先などを変更しました。"},
    "en": {"change": "Change contact details", "proxy": "Someone else, on their behalf (family, carer)",
           "booker_name": "Booker's name", "relation": "Relation to the person",
           "booker_phone": "Booker's phone number", "email": "Email address", "save": "Save the changes",
           "saved": "Your details have been changed."},
}


def book_for(login):
    """A reservation for the demo login, made as the resident would (the first time the rules allow)."""
    from django.utils import timezone

    from yoyaku.booking import deadline, services
    from yoyaku.booking.errors import BookingError
    from yoyaku.booking.models import Resident, Slot

    resident = Resident.objects.get(ticket_number=login.ticket_number)
    actor = services.Actor.for_resident(resident)
    first = deadline.first_web_day(timezone.now())
    for slot in Slot.objects.bookable().filter(day__gte=first).order_by("starts_at")[:200]:
        try:
            return services.reservation_book(actor=actor, resident=resident, slot_id=slot.pk, dose_number=1,
                                             recipient_phone="0195-23-3111", email="hana@example.jp")
        except BookingError:
            continue
    raise AssertionError("no bookable slot in the demo city")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_resident_edits_contact_details_and_move_up_wish(browse, demo_city, language):
    from yoyaku.booking.models import Reservation

    L, W = (JA, WORDS["ja"]) if language == "ja" else (EN, WORDS["en"])
    reservation = book_for(demo_city)
    browse.prefix = f"details-{language}-"
    page = browse.new_page()
    page.goto("/login/")
    if language == "en":
        page.get_by_role("button", name="English", exact=True).click()
    log_in(page, browse, L, demo_city)
    page.goto(f"/reservations/{reservation.code}/")
    expect(heading(page, L.detail_page)).to_be_visible()
    expect(page.get_by_text("hana@example.jp")).to_be_visible()
    expect(page.get_by_text("0195-23-3111")).to_be_visible()
    browse.check(page, "detail")

    page.get_by_role("link", name=W["change"]).click()
    expect(heading(page, W["change"])).to_be_visible()
    browse.check(page, "form")
    page.get_by_role("radio", name=W["proxy"]).check()
    page.get_by_label(W["booker_name"]).fill("佐藤一郎")
    page.get_by_label(W["relation"]).fill("息子" if language == "ja" else "son")
    page.get_by_label(W["booker_phone"]).fill("12")  # too short: the error summary, nothing saved
    page.get_by_role("group", name=L.move_up).get_by_role("radio", name=L.move_up_yes, exact=True).check()
    page.get_by_role("button", name=W["save"]).click()
    expect(page.get_by_role("alert")).to_be_focused()
    assert page.title().startswith(L.error_prefix)
    browse.check(page, "form-error")
    page.get_by_label(W["booker_phone"]).fill("090-1234-5678")
    page.get_by_label(W["email"]).fill("ichiro@example.jp")
    page.get_by_role("button", name=W["save"]).click()

    expect(heading(page, L.detail_page)).to_be_visible()
    expect(page.get_by_text(W["saved"])).to_be_visible()
    expect(page.get_by_text("佐藤一郎")).to_be_visible()
    expect(page.get_by_text("ichiro@example.jp")).to_be_visible()
    browse.check(page, "detail-after")
    after = Reservation.objects.get(pk=reservation.pk)
    assert (after.booker_name, after.booker_phone, after.email, after.wants_move_up, after.slot_id) == (
        "佐藤一郎", "090-1234-5678", "ichiro@example.jp", True, reservation.slot_id)
