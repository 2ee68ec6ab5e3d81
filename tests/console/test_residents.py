"""The call centre's pages: find a resident, their page, and booking, changing and cancelling for them."""

import re
from datetime import date

import pytest
from django.db.models import F

from tests import factories as f
from yoyaku.booking import services
from yoyaku.booking.models import AuditEvent, DoseRecord, Reservation, Slot
from yoyaku.console.roles import CALL_CENTRE, CITY_ADMIN, VENUE_STAFF

pytestmark = pytest.mark.django_db

SEARCH = "/console/residents/"
DETAILS = {"booker": "self", "recipient_phone": "0195-23-3111", "email": "", "wants_move_up": "no"}


@pytest.fixture
def city(db):
    """Booking open; one venue with a slot tomorrow (past the web deadline) and slots later on."""
    f.open_window()
    pfz = f.vaccine(code="PFZ", name="Pfizer", next_dose_min_days=21)
    venue = f.venue(vaccines=[pfz], name="North Clinic", area="North")
    tomorrow = f.slot(venue=venue, vaccine=pfz, starts_at=f.at(1, 10), capacity=2)
    later = [f.slot(venue=venue, vaccine=pfz, starts_at=f.at(day, 10), capacity=3) for day in (5, 6, 40)]
    return {"vaccine": pfz, "venue": venue, "tomorrow": tomorrow, "later": later}


@pytest.fixture
def hana(db):
    return f.resident(ticket_number="2000000011", family_name="佐藤", given_name="ハナ", family_name_kana="サトウ",
                      given_name_kana="ハナ", phone="0195-23-3111", birth_date=date(1944, 5, 10),
                      email="hana@example.jp")


@pytest.fixture
def operator(staff_client):
    client = staff_client(CALL_CENTRE)
    client.cookies["django_language"] = "en"
    return client


def search(client, q="", **filters):
    return client.post(SEARCH, {"q": q, "birth_date": "", "phone": "", **filters})


def links(html) -> list[str]:
    return re.findall(r'href="/console/residents/(\d+)/"', html)


def book_url(resident, dose=1):
    return f"/console/residents/{resident.pk}/book/{dose}/"


def request_key(client, url, **params) -> str:
    html = client.get(url, params).content.decode()
    return re.search(r'name="request_key" value="([^"]+)"', html).group(1)


def offered(client, url, **params) -> list[int]:
    return [int(x) for x in re.findall(r'name="slot" value="(\d+)"', client.get(url, params).content.decode())]


# --- Finding a resident --------------------------------------------------------------------------------------


def test_search_is_posted_and_the_results_come_back_without_personal_data_in_the_url(operator, hana):
    response = search(operator, "さとう", birth_date="昭和19年5月10日")
    assert response.status_code == 302 and response["Location"] == SEARCH
    html = operator.get(SEARCH).content.decode()
    assert f'href="/console/residents/{hana.pk}/"' in html
    assert "2000000011" in html and "サトウ ハナ" in html
    assert 'value="さとう"' in html  # the search is shown as typed


@pytest.mark.parametrize("typed", [
    "ｻﾄｳ ﾊﾅ", "さとうはな", "佐藤　ハナ", "０１９５２３３１１１", "0195-23-3111", "3111", "２０００-０００-０１１",
    "2000000011", "S19.5.10", "昭和19年5月10日", "1944/5/10", "19440510", "1944-05-10",
])
def test_the_one_box_finds_the_resident_in_every_form_people_type(operator, hana, typed):
    f.resident(family_name="山田", family_name_kana="ヤマダ", phone="090-0000-0000", birth_date=date(1960, 1, 1))
    search(operator, typed)
    html = operator.get(SEARCH).content.decode()
    assert links(html) == [str(hana.pk)]


def book(resident, slot):
    return services.reservation_book(actor=services.Actor.system(), resident=resident, slot_id=slot.pk, dose_number=1)


def test_a_reservation_id_finds_its_resident(operator, hana, city):
    reservation = book(hana, city["later"][0])
    search(operator, reservation.code.lower())
    html = operator.get(SEARCH).content.decode()
    assert links(html) == [str(hana.pk)] and "reservation ID" in html


def test_the_search_sequence_that_used_to_lie(operator, hana):
    """Kana, then phone, then an era date, then the ticket number: each search stands alone, and the ticket
    number finds the resident (the old four-field form kept every earlier term and answered 'no match')."""
    for typed in ("さとう", "0195-23-3111", "昭和19年5月10日"):
        search(operator, typed)
        assert links(operator.get(SEARCH).content.decode()) == [str(hana.pk)]
    search(operator, "2000000011")
    html = operator.get(SEARCH).content.decode()
    assert links(html) == [str(hana.pk)]
    assert 'value="昭和19年5月10日"' not in html and 'value="さとう"' not in html


def test_filters_never_hide_the_resident_a_ticket_number_names(operator, hana, city):
    search(operator, "やまだ", birth_date="1960/1/1")  # a stale filter, then the caller gives the ticket number
    search(operator, "2000000011", birth_date="1960/1/1")  # ticket number or a landline phone number
    assert links(operator.get(SEARCH).content.decode()) == [str(hana.pk)]
    reservation = book(hana, city["later"][0])
    search(operator, reservation.code, birth_date="1960/1/1")  # a reservation ID: one resident, filters cleared
    html = operator.get(SEARCH).content.decode()
    assert links(html) == [str(hana.pk)]
    assert "The filters were cleared" in html and 'value="1960/1/1"' not in html


def test_filters_narrow_a_name_search_and_say_they_are_on(operator, hana):
    other = f.resident(family_name="佐藤", given_name="一郎", family_name_kana="サトウ", given_name_kana="イチロウ",
                       birth_date=date(1950, 3, 15), phone="090-1234-5678")
    search(operator, "さとう")
    assert set(links(operator.get(SEARCH).content.decode())) == {str(hana.pk), str(other.pk)}
    search(operator, "さとう", birth_date="S25.3.15")
    html = operator.get(SEARCH).content.decode()
    assert links(html) == [str(other.pk)]
    assert "filters on:" in html and "Clear the filters" in html and " open>" in html
    search(operator, "さとう", phone="3111")
    assert links(operator.get(SEARCH).content.decode()) == [str(hana.pk)]


def test_no_match_with_filters_says_the_filters_are_on_and_clears_them_in_one_click(operator, hana):
    search(operator, "さとう", birth_date="1960/1/1")
    html = operator.get(SEARCH).content.decode()
    assert links(html) == [] and "No resident matches with the filters on" in html
    operator.post(SEARCH, {"clear_filters": "1"})
    html = operator.get(SEARCH).content.decode()
    assert links(html) == [str(hana.pk)] and 'value="さとう"' in html and "filters on:" not in html


def test_a_ten_digit_number_is_tried_as_ticket_number_and_phone_and_the_page_says_so(operator, hana):
    search(operator, "0195233111")
    html = operator.get(SEARCH).content.decode()
    assert links(html) == [str(hana.pk)]
    assert "ticket number" in html and "phone number containing" in html


def test_results_show_phone_address_birth_date_and_active_doses(operator, hana, city):
    hana.address, hana.postal_code = "二戸市福岡字川又47", "028-6192"
    hana.save()
    reservation = book(hana, city["later"][0])
    search(operator, "さとう")
    html = operator.get(SEARCH).content.decode()
    assert "0195-23-3111" in html and "〒028-6192 二戸市福岡字川又47" in html and "10 May 1944" in html
    assert reservation.code in html and "North Clinic" in html and "Dose 1" in html


def test_no_match_says_so(operator, hana):
    search(operator, "やまだ")
    assert "No resident matches" in operator.get(SEARCH).content.decode()


def test_many_matches_are_capped_with_a_message(operator, settings, monkeypatch):
    monkeypatch.setattr("yoyaku.booking.search.LIMIT", 3)
    for _ in range(4):
        f.resident(family_name_kana="ヤマダ")
    search(operator, "やまだ")
    html = operator.get(SEARCH).content.decode()
    assert len(links(html)) == 3 and "More than 3 residents match" in html


def test_the_results_page_takes_two_queries_for_the_search(operator, hana, city, django_assert_max_num_queries):
    for day in range(3):
        book(f.resident(family_name_kana="サトウ", birth_date=date(1950, 1, 1)), city["later"][day])
    search(operator, "さとう")
    with django_assert_max_num_queries(12):  # session, user, roles, device + the search and its reservations
        operator.get(SEARCH)


@pytest.mark.parametrize("fields, message", [
    ({}, "Type a ticket number"),
    ({"q": "   "}, "Type a ticket number"),
    ({"q": "01"}, "at least 4 digits"),
    ({"q": "昭和99年1月1日"}, "No resident matches"),  # not a date: read as a name, found nobody
    ({"q": "x" * 500}, "at most 100 characters"),
    ({"q": "\x00"}, "Null characters are not allowed"),
    ({"q": "さとう", "phone": "01-"}, "at least 4 digits"),
    ({"q": "さとう", "birth_date": "昭和99年1月1日"}, "not a date of that era"),
    ({"q": "さとう", "birth_date": "2999-01-01"}, "cannot be in the future"),
    ({"q": "さとう", "birth_date": "\ufffdあ"}, "could not read this date"),
])
def test_bad_search_input_gets_a_message_not_a_500(operator, hana, fields, message):
    response = search(operator, **fields)
    if response.status_code == 302:
        response = operator.get(SEARCH)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_search_can_be_cleared(operator, hana):
    search(operator, "さとう")
    operator.post(SEARCH, {"clear": "1"})
    assert f"/console/residents/{hana.pk}/" not in operator.get(SEARCH).content.decode()


def test_venue_staff_cannot_search_even_by_post(staff_client, hana):
    client = staff_client(VENUE_STAFF)
    assert search(client, "さとう").status_code == 403


# --- The resident's page ------------------------------------------------------------------------------------


def test_resident_page_shows_details_reservations_doses_and_audit_newest_first(operator, hana, city):
    system = services.Actor.system()
    first = services.reservation_book(actor=system, resident=hana, slot_id=city["later"][0].pk, dose_number=1)
    staff = services.Actor.for_staff(operator.user)
    services.reservation_cancel(actor=staff, reservation=first, reason="asked by phone on 12 May")
    DoseRecord.objects.create(resident=hana, dose_number=1, vaccine=city["vaccine"], given_on=date(2021, 6, 1),
                              lot="LOT-42", place="県の大規模接種会場", source=DoseRecord.Source.IMPORT)
    html = operator.get(f"/console/residents/{hana.pk}/").content.decode()
    for text in ["2000000011", "0195-23-3111", "hana@example.jp", first.code, "cancelled", "LOT-42",
                 "県の大規模接種会場", "asked by phone on 12 May", "Reservation cancelled", "Reservation booked",
                 "u-call_centre"]:
        assert text in html, text
    assert html.index("Reservation cancelled") < html.index("Reservation booked")


def test_resident_page_offers_booking_only_what_may_be_booked(operator, hana, city):
    html = operator.get(f"/console/residents/{hana.pk}/").content.decode()
    assert book_url(hana, 1) in html and book_url(hana, 2) not in html
    assert "Please book the previous dose first." in html


def test_unknown_resident_is_404(operator):
    assert operator.get("/console/residents/999999/").status_code == 404


# --- Booking for a resident --------------------------------------------------------------------------------


def choose(client, resident, slot, day: int, dose=1, **details):
    """Steps 1 and 2: the time, then the booker and contact details. Returns the check page's URL."""
    url = book_url(resident, dose)
    response = client.post(url, {"slot": slot.pk, "day": f.at(day).date().isoformat()})
    assert response.status_code == 302 and response["Location"] == url + "details/"
    response = client.post(url + "details/", {**DETAILS, **details})
    assert response.status_code == 302 and response["Location"] == url + "check/", response.content.decode()[-3000:]
    return url + "check/"


def test_operator_books_past_the_web_deadline_with_a_reason(operator, hana, city):
    url = book_url(hana)
    assert city["tomorrow"].pk in offered(operator, url)  # tomorrow: no longer bookable on the web
    check = choose(operator, hana, city["tomorrow"], 1, wants_move_up="yes")
    response = operator.post(check, {"reason": "called: cannot use the web",
                                     "request_key": request_key(operator, check)})
    assert response.status_code == 302 and response["Location"] == f"/console/residents/{hana.pk}/"
    reservation = Reservation.objects.get(resident=hana)
    assert reservation.slot == city["tomorrow"]
    assert reservation.channel == Reservation.Channel.PHONE and reservation.wants_move_up
    event = AuditEvent.objects.get(action="reservation.book", reservation=reservation)
    assert event.reason == "called: cannot use the web" and event.actor_user == operator.user
    assert event.actor_kind == "staff"
    page = operator.get(response["Location"]).content.decode()
    assert f"reservation ID {reservation.code}" in page


def test_booking_takes_the_residents_steps_and_the_check_page_reads_everything_back(operator, hana, city):
    """Issue 12 (3): one 3,600 px page with the reason at the bottom and no check step; now time, details,
    then a check page with every answer and the reason next to the button that books."""
    url = book_url(hana)
    first = operator.get(url).content.decode()
    assert 'name="slot"' in first and 'name="reason"' not in first and 'name="recipient_phone"' not in first
    assert operator.get(url + "details/")["Location"] == url  # no time chosen yet: back to step 1
    assert operator.get(url + "check/")["Location"] == url
    operator.post(url, {"slot": city["later"][0].pk, "day": f.at(5).date().isoformat()})
    details = operator.get(url + "details/").content.decode()
    assert 'name="recipient_phone"' in details and 'name="reason"' not in details and 'name="slot"' not in details
    assert operator.get(url + "check/")["Location"] == url + "details/"  # details not given yet
    check = choose(operator, hana, city["later"][0], 5, email="hana@example.jp", wants_move_up="yes")
    html = operator.get(check).content.decode()
    for shown in ("2000000011", "佐藤 ハナ", "North Clinic", "Pfizer", "0195-23-3111", "hana@example.jp",
                  "Yes, I would like an earlier date", "Not booked yet."):
        assert shown in html, shown
    reason, button = html.index('name="reason"'), html.index(">Book now<")
    assert html.index("Earlier date") < reason < button
    assert 'aria-current="step">3.' in html
    assert not Reservation.objects.exists()  # nothing booked before the last button
    # Going back to step 1 keeps the details: the check page shows the new time with them.
    operator.post(url, {"slot": city["later"][1].pk, "day": f.at(6).date().isoformat()})
    html = operator.get(check).content.decode()
    assert "hana@example.jp" in html and 'name="reason"' in html


def test_booking_for_someone_else_keeps_the_bookers_details(operator, hana, city):
    check = choose(operator, hana, city["later"][0], 5, booker="proxy", booker_name="佐藤 次郎",
                   booker_relation="息子", booker_phone="090-1111-2222")
    assert "佐藤 次郎 (息子) 090-1111-2222" in operator.get(check).content.decode()
    operator.post(check, {"reason": "son called", "request_key": request_key(operator, check)})
    reservation = Reservation.objects.get(resident=hana)
    assert (reservation.booker_name, reservation.booker_relation, reservation.booker_phone) == (
        "佐藤 次郎", "息子", "090-1111-2222")


def test_a_reason_is_required(operator, hana, city):
    check = choose(operator, hana, city["tomorrow"], 1)
    response = operator.post(check, {"reason": "   ", "request_key": request_key(operator, check)})
    html = response.content.decode()
    assert response.status_code == 200 and "Give a reason" in html
    assert "0195-23-3111" in html  # the read-back stays on the page with the error
    assert not Reservation.objects.exists()


def test_double_submit_books_once(operator, hana, city):
    check = choose(operator, hana, city["tomorrow"], 1)
    data = {"reason": "phone", "request_key": request_key(operator, check)}
    first = operator.post(check, data)
    second = operator.post(check, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/console/residents/{hana.pk}/"
    assert Reservation.objects.filter(resident=hana).count() == 1


def test_a_slot_that_filled_meanwhile_gives_the_domain_message(operator, hana, city):
    url = book_url(hana)
    slot = city["tomorrow"]
    html_before = offered(operator, url)
    Slot.objects.filter(pk=slot.pk).update(booked=F("capacity"))
    response = operator.post(url, {"slot": slot.pk, "day": f.at(1).date().isoformat()})
    assert slot.pk in html_before and response.status_code == 200
    assert "no longer available" in response.content.decode()  # no longer offered: the time form says so
    assert not Reservation.objects.exists()


def test_a_slot_that_filled_before_the_last_button_goes_back_to_the_times_keeping_the_details(operator, hana, city):
    check = choose(operator, hana, city["tomorrow"], 1, email="hana@example.jp")
    key = request_key(operator, check)
    Slot.objects.filter(pk=city["tomorrow"].pk).update(booked=F("capacity"))
    response = operator.post(check, {"reason": "x", "request_key": key})
    assert response.status_code == 302 and response["Location"] == book_url(hana) + "#time"
    assert "this time has just been filled" in operator.get(book_url(hana)).content.decode()
    assert not Reservation.objects.exists()
    check = choose(operator, hana, city["later"][0], 5, email="hana@example.jp")
    assert "hana@example.jp" in operator.get(check).content.decode()


def test_the_service_refusal_is_shown_when_the_page_still_offered_the_time(operator, hana, city, monkeypatch):
    from yoyaku.booking.errors import SlotFull

    def full(**kwargs):
        raise SlotFull()

    check = choose(operator, hana, city["tomorrow"], 1)
    monkeypatch.setattr(services, "reservation_book", full)
    response = operator.post(check, {"reason": "x", "request_key": request_key(operator, check)}, follow=True)
    assert response.status_code == 200 and "this time has just been filled" in response.content.decode()


@pytest.mark.parametrize("data", [
    {"slot": "abc"}, {"slot": "999999"}, {"slot": ""}, {"day": "2024-13-45"}, {"venue": "x", "day": "y"},
])
def test_garbage_time_input_gets_a_message_not_a_500(operator, hana, city, data):
    base = {"slot": city["tomorrow"].pk, "day": f.at(1).date().isoformat()}
    response = operator.post(book_url(hana), {**base, **data})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "There is a problem" in response.content.decode()


@pytest.mark.parametrize("data", [
    {"wants_move_up": "maybe"}, {"booker": "robot"}, {"recipient_phone": "12"}, {"email": "not-an-email"},
    {"booker": "proxy"},
])
def test_garbage_details_get_a_message_not_a_500(operator, hana, city, data):
    operator.post(book_url(hana), {"slot": city["tomorrow"].pk, "day": f.at(1).date().isoformat()})
    response = operator.post(book_url(hana) + "details/", {**DETAILS, **data})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()


@pytest.mark.parametrize("data", [{"request_key": "k" * 500}, {"reason": "r" * 600}, {}])
def test_garbage_on_the_check_page_gets_a_message_not_a_500(operator, hana, city, data):
    check = choose(operator, hana, city["tomorrow"], 1)
    response = operator.post(check, {"reason": "x", **data})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert "There is a problem" in response.content.decode()


@pytest.mark.parametrize("params", [{"day": "garbage"}, {"venue": "999", "day": "1999-01-01"}, {"venue": "-1"}])
def test_odd_calendar_parameters_still_give_a_page(operator, hana, city, params):
    assert operator.get(book_url(hana), params).status_code == 200


def test_booking_what_cannot_be_booked_goes_back_with_the_reason(operator, hana, city):
    assert operator.get(book_url(hana, 9)).status_code == 404
    response = operator.get(book_url(hana, 2))
    assert response["Location"] == f"/console/residents/{hana.pk}/"
    assert "Please book the previous dose first." in operator.get(response["Location"]).content.decode()
    booked = services.reservation_book(actor=services.Actor.system(), resident=hana, slot_id=city["later"][0].pk,
                                       dose_number=1)
    response = operator.get(book_url(hana, 1), follow=True)
    assert f"already have a reservation for this dose (reservation ID {booked.code})" in response.content.decode()


def test_an_inactive_ticket_cannot_be_booked(operator, hana, city):
    hana.active = False
    hana.save()
    response = operator.get(book_url(hana), follow=True)
    assert "no longer active" in response.content.decode()
    assert book_url(hana) not in operator.get(f"/console/residents/{hana.pk}/").content.decode()


# --- Changing and cancelling --------------------------------------------------------------------------------


@pytest.fixture
def booked(hana, city):
    return services.reservation_book(actor=services.Actor.system(), resident=hana, slot_id=city["later"][0].pk,
                                     dose_number=1)


def change_url(reservation):
    return f"/console/residents/{reservation.resident_id}/reservations/{reservation.code}/change/"


def cancel_url(reservation):
    return f"/console/residents/{reservation.resident_id}/reservations/{reservation.code}/cancel/"


def test_operator_moves_a_reservation_past_the_web_deadline(operator, booked, city):
    url = change_url(booked)
    assert booked.slot_id not in offered(operator, url)  # its own time is not offered
    assert city["tomorrow"].pk in offered(operator, url, day=f.at(1).date().isoformat())
    response = operator.post(url, {"slot": city["tomorrow"].pk, "day": f.at(1).date().isoformat(),
                                   "reason": "resident asked for tomorrow"})
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.slot == city["tomorrow"]
    assert Slot.objects.get(pk=city["later"][0].pk).booked == 0 and Slot.objects.get(pk=city["tomorrow"].pk).booked == 1
    assert AuditEvent.objects.get(action="reservation.change").reason == "resident asked for tomorrow"


def test_a_change_needs_a_reason_and_a_time(operator, booked, city):
    response = operator.post(change_url(booked), {"day": f.at(1).date().isoformat(), "reason": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "Give a reason" in html and "Choose a time" in html
    booked.refresh_from_db()
    assert booked.slot_id == city["later"][0].pk


def test_operator_cancels_with_a_reason_and_the_place_is_free(operator, booked, city):
    assert operator.post(cancel_url(booked), {"reason": ""}).status_code == 200
    assert Reservation.objects.get(pk=booked.pk).is_active
    response = operator.post(cancel_url(booked), {"reason": "feeling unwell"})
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.status == Reservation.Status.CANCELLED
    assert Slot.objects.get(pk=city["later"][0].pk).booked == 0
    assert AuditEvent.objects.get(action="reservation.cancel").reason == "feeling unwell"


def test_a_cancelled_reservation_cannot_be_changed_or_cancelled_again(operator, booked):
    services.reservation_cancel(actor=services.Actor.system(), reservation=booked)
    for url in (change_url(booked), cancel_url(booked)):
        response = operator.post(url, {"reason": "again"}, follow=True)
        assert "This reservation is no longer active." in response.content.decode()
    assert AuditEvent.objects.filter(action="reservation.cancel").count() == 1


@pytest.mark.parametrize("code", ["nope", "ABCDEFGH", "x" * 40])
def test_unknown_reservation_codes_are_404(operator, booked, code):
    assert operator.get(f"/console/residents/{booked.resident_id}/reservations/{code}/cancel/").status_code == 404


def test_city_admin_may_act_for_residents_too(staff_client, booked):
    admin = staff_client(CITY_ADMIN)
    assert admin.post(cancel_url(booked), {"reason": "duplicate"}).status_code == 302


def test_venue_staff_cannot_act_for_residents(staff_client, booked, city):
    client = staff_client(VENUE_STAFF, venues=[city["venue"]])
    assert client.post(cancel_url(booked), {"reason": "x"}).status_code == 403
    assert client.post(book_url(booked.resident, 2), {"reason": "x"}).status_code == 403
    assert Reservation.objects.get(pk=booked.pk).is_active
