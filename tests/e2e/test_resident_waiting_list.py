"""The waiting list (空き待ち, issue 14) in a real browser at 375 px, in Japanese and English: every place is
taken, the top page offers the waiting list, the resident puts their name down (first a bad address: the
error summary), a place frees up, the emailed offer's page books it. axe 0 and no sideways scrolling on every
page (browse.check)."""

from __future__ import annotations

import pytest

from .conftest import expect
from .test_resident_walk import EN, JA, heading, log_in

WORDS = {
    "ja": {"join": "空き待ちに登録する", "title": "1回目の空き待ち", "email": "メールアドレス",
           "joined": "1回目の空き待ちに登録しました。", "offer": "接種の枠が空きました", "book": "この日時で予約する",
           "booked": "予約しました。空き待ちの登録は終了しました。"},
    "en": {"join": "Put me on the waiting list", "title": "Waiting list for dose 1", "email": "Email address",
           "joined": "You are on the waiting list for dose 1.", "offer": "A time is free for you",
           "book": "Book this time", "booked": "Done: the time is booked for you, and you are off the waiting list."},
}


@pytest.mark.parametrize("language", ["ja", "en"])
def test_resident_joins_the_waiting_list_and_books_the_place_offered(browse, demo_city, language, settings):
    from datetime import timedelta

    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from yoyaku.booking import services
    from yoyaku.booking.models import MoveUpOffer, Reservation, Resident, Slot

    settings.YOYAKU = {**settings.YOYAKU, "MOVE_UP_OFFERS": True, "WAITING_LIST_OFFERS": True,
                       "MOVE_UP_OFFER_MIN_HOURS": 3}
    L, W = (JA, WORDS["ja"]) if language == "ja" else (EN, WORDS["en"])
    Slot.objects.update(closed=True)  # every place taken (closed counts the same for the sold-out notice)
    browse.prefix = f"waiting-list-{language}-"
    page = browse.new_page()
    page.goto("/login/")
    if language == "en":
        page.get_by_role("button", name="English", exact=True).click()
    log_in(page, browse, L, demo_city)
    browse.check(page, "top-sold-out")
    page.get_by_role("link", name=W["join"]).first.click()
    expect(heading(page, W["title"])).to_be_visible()
    browse.check(page, "join")
    page.get_by_label(W["email"]).fill("hana@")
    page.get_by_role("button", name=W["join"], exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    browse.check(page, "join-error")
    page.get_by_label(W["email"]).fill("hana@example.jp")
    page.get_by_role("button", name=W["join"], exact=True).click()
    expect(heading(page, L.top)).to_be_visible()
    expect(page.get_by_text(W["joined"])).to_be_visible()
    browse.check(page, "top-on-the-list")

    # A place frees up nobody on the move-up list can take: the offer goes to the resident's address.
    resident = Resident.objects.get(ticket_number=demo_city.ticket_number)
    soon = timezone.now() + timedelta(days=3)
    slot = Slot.objects.filter(starts_at__gte=soon, booked__lt=F("capacity")).order_by("starts_at").first()
    Slot.objects.filter(pk=slot.pk).update(closed=False)
    with transaction.atomic():  # as inside the service that freed the place (it locks rows on PostgreSQL)
        services.move_up_offers_make(slot=slot)
    offer = MoveUpOffer.objects.get(standby_entry__resident=resident)
    page.goto(f"/move-up/{offer.token}/")
    expect(heading(page, W["offer"])).to_be_visible()
    browse.check(page, "offer")
    page.get_by_role("button", name=W["book"], exact=True).click()
    expect(heading(page, L.detail_page)).to_be_visible()
    expect(page.get_by_text(W["booked"])).to_be_visible()
    browse.check(page, "booked")
    assert Reservation.objects.get(resident=resident).slot_id == slot.pk
