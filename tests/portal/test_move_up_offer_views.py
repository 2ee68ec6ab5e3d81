"""The move-up offer page (/move-up/<token>/): only the resident it was made to, once, while it holds."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import services
from yoyaku.booking.models import MoveUpOffer, Reservation, Slot

pytestmark = pytest.mark.django_db

SYSTEM = services.Actor.system()


@pytest.fixture
def offer(city, resident, settings):
    """The logged-in resident (ticket 1234567890) holds a late slot and asked for an earlier date; an earlier
    one-place slot is offered to them and to another resident who asked later."""
    settings.YOYAKU = {**settings.YOYAKU, "MOVE_UP_OFFERS": True, "MOVE_UP_OFFERS_PER_PLACE": 3,
                       "MOVE_UP_OFFER_MIN_HOURS": 3}
    late = city["slots"][-1]
    early = f.slot(venue=city["venues"][0], vaccine=city["vaccine"], starts_at=f.at(4, 15), capacity=1)
    mine = services.reservation_book(actor=SYSTEM, resident=resident, slot_id=late.pk, dose_number=1,
                                     wants_move_up=True, email=resident.email)
    other = f.resident(email="hanako@example.jp", birth_date=date(1950, 5, 5))
    theirs = services.reservation_book(actor=SYSTEM, resident=other, slot_id=late.pk, dose_number=1,
                                       wants_move_up=True, email=other.email)
    services.move_up_offers_make(slot=early)
    return {
        "mine": MoveUpOffer.objects.get(reservation=mine, slot=early),
        "theirs": MoveUpOffer.objects.get(reservation=theirs, slot=early),
        "reservation": mine, "other_reservation": theirs, "early": early, "late": late,
    }


def url(offer):
    return f"/move-up/{offer.token}/"


def test_not_logged_in_goes_to_login_and_back(client, offer):
    response = client.get(url(offer["mine"]))
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=/move-up/{offer['mine'].token}/"


def test_the_page_shows_the_offer_and_the_current_booking(logged_in, offer):
    response = logged_in.get(url(offer["mine"]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "早い日時に空きが出ました" in text  # the pages are Japanese first
    assert offer["reservation"].code in text and "North Clinic" in text
    assert "受諾しない限り、何も変わりません" in text
    assert f'action="/move-up/{offer["mine"].token}/"' in text


def test_accepting_moves_the_reservation_and_a_second_post_says_already_used(logged_in, offer):
    response = logged_in.post(url(offer["mine"]))
    assert response.status_code == 302
    assert response["Location"] == f"/reservations/{offer['reservation'].code}/"
    assert Reservation.objects.get(pk=offer["reservation"].pk).slot_id == offer["early"].pk
    assert Slot.objects.get(pk=offer["early"].pk).booked == 1
    again = logged_in.post(url(offer["mine"]))
    assert again.status_code == 200
    text = again.content.decode()
    assert "このご案内はすでに使用されています。" in text and "ご予約は変更されていません。" in text
    assert Slot.objects.get(pk=offer["early"].pk).booked == 1
    assert logged_in.get(url(offer["mine"])).content.decode().count("すでに使用されています") == 1


def test_an_expired_offer_says_so_and_changes_nothing(logged_in, offer):
    MoveUpOffer.objects.filter(pk=offer["mine"].pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    for response in (logged_in.get(url(offer["mine"])), logged_in.post(url(offer["mine"]))):
        assert response.status_code == 200
        assert "有効期限を過ぎています" in response.content.decode()
    assert Reservation.objects.get(pk=offer["reservation"].pk).slot_id == offer["late"].pk


def test_an_offer_someone_else_took_says_so(logged_in, offer):
    other = offer["other_reservation"]
    services.move_up_offer_accept(actor=services.Actor.for_resident(other.resident), token=offer["theirs"].token)
    for response in (logged_in.get(url(offer["mine"])), logged_in.post(url(offer["mine"]))):
        assert response.status_code == 200
        assert "他の方が先に受諾されました" in response.content.decode()
    assert Reservation.objects.get(pk=offer["reservation"].pk).slot_id == offer["late"].pk


def test_another_residents_offer_and_an_unknown_token_are_404(logged_in, offer):
    assert logged_in.get(url(offer["theirs"])).status_code == 404
    assert logged_in.post(url(offer["theirs"])).status_code == 404
    assert logged_in.get("/move-up/not-a-token/").status_code == 404
    assert MoveUpOffer.objects.get(pk=offer["theirs"].pk).status == "open"
    assert Reservation.objects.get(pk=offer["other_reservation"].pk).slot_id == offer["late"].pk


def test_staff_see_the_offers_and_their_outcomes(offer):
    from django.test import Client

    from tests.console.conftest import log_in_staff, make_staff

    services.move_up_offer_accept(actor=services.Actor.for_resident(offer["reservation"].resident),
                                 token=offer["mine"].token)
    staff = Client()
    log_in_staff(staff, make_staff("cc-offers", "call_centre"))
    text = staff.get("/console/move-up/offers/").content.decode()
    assert offer["reservation"].code in text and offer["other_reservation"].code in text
    assert "status-accepted" in text and "status-taken" in text
    taken = staff.get("/console/move-up/offers/?status=taken").content.decode()
    assert offer["other_reservation"].code in taken and offer["reservation"].code not in taken


def test_links_in_emails_sent_before_the_rename_still_lead_to_the_offer(logged_in, offer):
    response = logged_in.get(f"/moveup/{offer['mine'].token}/")
    assert response.status_code == 301 and response["Location"] == url(offer["mine"])


# --- An offer to the resident's waiting-list entry (no reservation yet) -------------------------------------


@pytest.fixture
def entry_offer(city, resident, settings):
    """The logged-in resident has no reservation and is on the waiting list (any venue) with an email address;
    a place frees in a one-place slot nobody on the move-up list can take."""
    settings.YOYAKU = {**settings.YOYAKU, "MOVE_UP_OFFERS": True, "WAITING_LIST_OFFERS": True,
                       "MOVE_UP_OFFERS_PER_PLACE": 3, "MOVE_UP_OFFER_MIN_HOURS": 3}
    early = f.slot(venue=city["venues"][0], vaccine=city["vaccine"], starts_at=f.at(4, 15), capacity=1)
    held = services.reservation_book(actor=SYSTEM, resident=f.resident(), slot_id=early.pk, dose_number=1)
    entry = services.standby_join(actor=SYSTEM, resident=resident, dose_number=1, email="taro@example.jp")
    services.reservation_cancel(actor=SYSTEM, reservation=held)
    return {"offer": MoveUpOffer.objects.get(standby_entry=entry), "entry": entry, "early": early}


def test_the_waiting_list_offer_page_shows_the_time_and_no_current_booking(logged_in, entry_offer):
    response = logged_in.get(url(entry_offer["offer"]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "North Clinic" in text and "空き待ち" in text
    assert "現在の予約" not in text
    assert f'action="/move-up/{entry_offer["offer"].token}/"' in text


def test_accepting_a_waiting_list_offer_books_the_time_and_shows_the_reservation(logged_in, entry_offer, resident):
    response = logged_in.post(url(entry_offer["offer"]))
    assert response.status_code == 302
    reservation = Reservation.objects.get(resident=resident)
    assert response["Location"] == f"/reservations/{reservation.code}/"
    assert reservation.slot_id == entry_offer["early"].pk and reservation.is_active
    assert Slot.objects.get(pk=entry_offer["early"].pk).booked == 1
    again = logged_in.post(url(entry_offer["offer"]))
    assert again.status_code == 200 and "このご案内はすでに使用されています。" in again.content.decode()


def test_another_residents_waiting_list_offer_is_404(logged_in, city, settings):
    settings.YOYAKU = {**settings.YOYAKU, "MOVE_UP_OFFERS": True, "WAITING_LIST_OFFERS": True,
                       "MOVE_UP_OFFER_MIN_HOURS": 3}
    early = f.slot(venue=city["venues"][0], vaccine=city["vaccine"], starts_at=f.at(4, 15), capacity=1)
    held = services.reservation_book(actor=SYSTEM, resident=f.resident(), slot_id=early.pk, dose_number=1)
    other = f.resident(birth_date=date(1950, 5, 5))
    entry = services.standby_join(actor=SYSTEM, resident=other, dose_number=1, email="hanako@example.jp")
    services.reservation_cancel(actor=SYSTEM, reservation=held)
    offer = MoveUpOffer.objects.get(standby_entry=entry)
    assert logged_in.get(url(offer)).status_code == 404
    assert logged_in.post(url(offer)).status_code == 404
    assert MoveUpOffer.objects.get(pk=offer.pk).status == "open"


def test_staff_see_waiting_list_offers_beside_the_move_up_offers(entry_offer, resident):
    from django.test import Client

    from tests.console.conftest import log_in_staff, make_staff

    staff = Client()
    log_in_staff(staff, make_staff("cc-offers", "call_centre"))
    response = staff.get("/console/move-up/offers/")
    assert response.status_code == 200
    text = response.content.decode()
    assert resident.full_name in text and "空き待ちリスト" in text and "status-open" in text
