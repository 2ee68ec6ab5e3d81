"""Slots in the console: a venue's days, a day, a slot's capacity, closing (the residents to call),
reopening, and generating from a pattern with a preview, as `manage.py generate_slots` does."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import services
from yoyaku.booking.models import AuditEvent, Reservation, Slot
from yoyaku.console.roles import CALL_CENTRE, CITY_ADMIN, VENUE_STAFF

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(staff_client):
    client = staff_client(CITY_ADMIN)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def city(db):
    f.open_window()
    pfz = f.vaccine(code="PFZ", name="Pfizer")
    venue = f.venue(vaccines=[pfz], name="North Clinic", code="C01")
    morning = f.slot(venue=venue, vaccine=pfz, starts_at=f.at(5, 9), capacity=3)
    afternoon = f.slot(venue=venue, vaccine=pfz, starts_at=f.at(5, 14), capacity=2)
    hana = f.resident(family_name="佐藤", given_name="ハナ", family_name_kana="サトウ", given_name_kana="ハナ",
                      phone="0195-23-3111")
    reservation = services.reservation_book(actor=services.Actor.system(), resident=hana, slot_id=morning.pk,
                                            dose_number=1, recipient_phone="090-1234-5678")
    return {"vaccine": pfz, "venue": venue, "morning": morning, "afternoon": afternoon, "hana": hana,
            "reservation": reservation, "day": morning.day}


def summary(html: str) -> str:
    start = html.index('class="error-summary"')
    return html[start:html.index("</div>", start)]


def day_url(city) -> str:
    return f"/console/setup/venues/{city['venue'].pk}/days/{city['day'].isoformat()}/"


# --- Lists -----------------------------------------------------------------------------------------------


def test_slots_page_lists_a_venues_days_with_their_numbers(admin, city):
    html = admin.get("/console/setup/slots/", {"venue": city["venue"].pk}).content.decode()
    assert f'href="{day_url(city)}"' in html
    row = html[html.index(f'href="{day_url(city)}"'):]
    row = row[:row.index("</tr>")]
    assert re.findall(r"<td>(\d+)</td>", row) == ["2", "5", "1", "4", "0"]  # slots, capacity, booked, free, closed


def test_slots_page_garbage_in_the_address_gets_a_message(admin, city):
    response = admin.get("/console/setup/slots/", {"venue": "abc", "from": "2026-13-45"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is no such venue." in html and "is not a date" in html


def test_a_days_page_shows_each_slot_and_the_totals(admin, city):
    html = admin.get(day_url(city)).content.decode()
    assert f'href="/console/setup/slots/{city["morning"].pk}/"' in html
    assert "Capacity 5, booked 1, free 4, closed slots 0." in html
    assert "Close the whole day" in html


@pytest.mark.parametrize("day", ["2026-02-30", "tomorrow", "2026-1-1"])
def test_a_day_that_is_not_a_date_is_404(admin, city, day):
    assert admin.get(f"/console/setup/venues/{city['venue'].pk}/days/{day}/").status_code == 404


def test_an_unknown_venue_or_slot_is_404(admin, city):
    assert admin.get(f"/console/setup/venues/999999/days/{city['day'].isoformat()}/").status_code == 404
    assert admin.get("/console/setup/slots/999999/").status_code == 404
    assert admin.get(f"/console/setup/slots/{'9' * 30}/").status_code == 404


def test_the_day_page_needs_no_more_queries_for_more_slots(admin, city, django_assert_max_num_queries):
    for hour in range(10, 14):
        f.slot(venue=city["venue"], vaccine=city["vaccine"], starts_at=f.at(5, hour))
    with django_assert_max_num_queries(14):
        assert admin.get(day_url(city)).status_code == 200


# --- Capacity --------------------------------------------------------------------------------------------


def test_capacity_change_is_saved_with_its_reason(admin, city):
    slot = city["morning"]
    response = admin.post(f"/console/setup/slots/{slot.pk}/", {"capacity": "6", "reason": "second doctor"})
    assert response.status_code == 302
    slot.refresh_from_db()
    assert slot.capacity == 6
    event = AuditEvent.objects.get(action="slot.capacity")
    assert (event.reason, event.data, event.actor_user_id) == ("second doctor", {"from": 3, "to": 6},
                                                               admin.user.pk)


def test_capacity_below_booked_is_refused_with_the_services_message(admin, city):
    slot = city["morning"]
    response = admin.post(f"/console/setup/slots/{slot.pk}/", {"capacity": "0", "reason": "fewer staff"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Capacity cannot be lower than the 1 places already booked." in summary(html)
    assert 'href="#id_capacity"' in summary(html)
    assert "fewer staff</textarea>" in html and 'value="0"' in html  # the answers are re-shown
    slot.refresh_from_db()
    assert slot.capacity == 3


@pytest.mark.parametrize(("data", "message"), [
    ({"capacity": "abc", "reason": "x"}, "Enter a whole number from 0 to 9999."),
    ({"capacity": "-1", "reason": "x"}, "Enter a whole number from 0 to 9999."),
    ({"capacity": "5"}, "Give a reason: it is recorded in the audit log."),
    ({}, "Enter a number."),
])
def test_capacity_form_garbage_gets_a_message(admin, city, data, message):
    response = admin.post(f"/console/setup/slots/{city['morning'].pk}/", data)
    assert response.status_code == 200
    assert message in summary(response.content.decode())


# --- Closing and reopening -------------------------------------------------------------------------------


def test_closing_a_slot_lists_the_residents_to_call(admin, city):
    slot = city["morning"]
    confirm = admin.get(f"/console/setup/slots/{slot.pk}/close/").content.decode()
    assert "1 place is booked in this slot." in confirm
    response = admin.post(f"/console/setup/slots/{slot.pk}/close/", {"reason": "doctor ill"})
    assert response.status_code == 302 and response["Location"] == f"/console/setup/slots/{slot.pk}/"
    html = admin.get(response["Location"]).content.decode()
    assert "The slot is closed. 1 resident must be called: see the list below." in html
    to_call = html[html.index('id="to-call"'):]
    assert "佐藤 ハナ" in to_call and "090-1234-5678" in to_call and city["reservation"].code in to_call
    assert f'href="/console/residents/{city["hana"].pk}/"' in to_call
    slot.refresh_from_db()
    assert slot.closed
    city["reservation"].refresh_from_db()
    assert city["reservation"].status == Reservation.Status.BOOKED
    assert AuditEvent.objects.get(action="slot.close").reason == "doctor ill"


def test_closing_without_a_reason_is_refused(admin, city):
    response = admin.post(f"/console/setup/slots/{city['morning'].pk}/close/", {"reason": " "})
    assert response.status_code == 200
    assert "Give a reason" in summary(response.content.decode())
    assert not Slot.objects.filter(closed=True).exists()


def test_a_slot_that_has_begun_cannot_be_closed_and_says_so(admin, city):
    slot = f.slot(venue=city["venue"], vaccine=city["vaccine"], starts_at=timezone.now() - timedelta(minutes=1))
    response = admin.post(f"/console/setup/slots/{slot.pk}/close/", {"reason": "x"})
    assert response.status_code == 200
    assert "a slot that has begun cannot be closed" in summary(response.content.decode())


def test_closing_a_whole_day_lists_everyone_to_call_on_the_days_page(admin, city):
    other = f.resident(family_name="岩手", given_name="一郎")
    services.reservation_book(actor=services.Actor.system(), resident=other, slot_id=city["afternoon"].pk,
                              dose_number=1)
    url = day_url(city) + "close/"
    confirm = admin.get(url).content.decode()
    assert "2 slots that have not begun will be closed." in confirm and "2 places are booked in them" in confirm
    response = admin.post(url, {"reason": "power cut"})
    assert response.status_code == 302 and response["Location"] == day_url(city)
    html = admin.get(day_url(city)).content.decode()
    assert "2 slots closed. 2 residents must be called: see the list below." in html
    to_call = html[html.index('id="to-call"'):]
    assert "佐藤 ハナ" in to_call and "岩手 一郎" in to_call
    assert Slot.objects.filter(closed=True).count() == 2
    assert AuditEvent.objects.get(action="venue.day_close").reason == "power cut"
    assert "Close the whole day" not in html.split('id="to-call"')[0]


def test_closing_a_day_without_slots_says_so(admin, city):
    url = f"/console/setup/venues/{city['venue'].pk}/days/{(city['day'] + timedelta(days=1)).isoformat()}/close/"
    response = admin.post(url, {"reason": "x"})
    assert response.status_code == 200
    assert "nothing to close" in summary(response.content.decode())


def test_reopening_a_slot(admin, city):
    slot = city["afternoon"]
    services.slot_close(actor=services.Actor.system(), slot=slot, reason="x")
    assert admin.post(f"/console/setup/slots/{slot.pk}/reopen/", {"reason": ""}).status_code == 200
    response = admin.post(f"/console/setup/slots/{slot.pk}/reopen/", {"reason": "doctor back"})
    assert response.status_code == 302
    slot.refresh_from_db()
    assert not slot.closed
    assert "The slot is open for booking again." in admin.get(response["Location"]).content.decode()


@pytest.mark.parametrize("role", [CALL_CENTRE, VENUE_STAFF])
def test_other_roles_cannot_close_or_change_slots_even_at_their_own_venue(staff_client, city, role):
    client = staff_client(role, venues=[city["venue"]] if role == VENUE_STAFF else ())
    slot = city["morning"]
    assert client.post(f"/console/setup/slots/{slot.pk}/close/", {"reason": "x"}).status_code == 403
    assert client.post(f"/console/setup/slots/{slot.pk}/", {"capacity": "9", "reason": "x"}).status_code == 403
    assert client.post(day_url(city) + "close/", {"reason": "x"}).status_code == 403
    slot.refresh_from_db()
    assert (slot.closed, slot.capacity) == (False, 3)


# --- Generating from a pattern ---------------------------------------------------------------------------


def pattern(city, **fields):
    first = timezone.localdate() + timedelta(days=14)
    last = first + timedelta(days=13)
    data = {
        "venue": city["venue"].pk, "vaccine": city["vaccine"].pk,
        "first_day_year": first.year, "first_day_month": first.month, "first_day_day": first.day,
        "last_day_year": last.year, "last_day_month": last.month, "last_day_day": last.day,
        "weekdays": ["mon", "wed", "fri"], "times": "09:00, 09:30,14:00", "minutes": "30", "capacity": "4",
        "doses": ["1", "2"], "action": "preview",
    }
    data.update(fields)
    return data


def test_preview_counts_and_writes_nothing(admin, city):
    before = Slot.objects.count()
    response = admin.post("/console/setup/slots/generate/", pattern(city))
    assert response.status_code == 200
    html = response.content.decode()
    assert "18 slots would be created." in html  # 2 weeks x 3 weekdays x 3 times
    assert "0 already exist and stay as they are." in html
    assert "Nothing is saved yet." in html and "Create 18 slots" in html
    assert Slot.objects.count() == before
    assert not AuditEvent.objects.filter(action="slot.generate").exists()


def test_times_as_ranges_with_a_step_are_previewed_one_by_one(admin, city):
    """Issue 12 (5): a 9:00–17:00 day in 30-minute slots was typed as 16 start times."""
    response = admin.post("/console/setup/slots/generate/", pattern(city, times="9:00-12:00/30, 13:30-17:00/30"))
    html = response.content.decode()
    assert "78 slots would be created." in html  # 6 days x 13 start times
    assert "09:00, 09:30, 10:00, 10:30, 11:00, 11:30, 13:30, 14:00" in html  # the preview lists each start
    assert 'value="9:00-12:00/30, 13:30-17:00/30"' in html  # posted back as typed by the create button
    response = admin.post("/console/setup/slots/generate/", pattern(city, times="9:00-12:00"))
    assert "after a slash" in response.content.decode()


def dates_as_inputs(city, first, last, **fields):
    """The pattern as the native date inputs post it (one box per date), not the former 年/月/日 boxes."""
    data = {k: v for k, v in pattern(city).items() if not k.startswith(("first_day_", "last_day_"))}
    return {**data, "first_day_date": first, "last_day_date": last, **fields}


def test_native_date_inputs_are_read_and_typed_text_too(admin, city):
    """Issue 12 (5): dates were three boxes each. <input type="date"> posts 2026-04-01; where a browser has
    no date input the same box is text, and 2026/4/1, 20260401 or full-width digits are read as well."""
    first = timezone.localdate() + timedelta(days=14)
    last = first + timedelta(days=13)
    html = admin.get("/console/setup/slots/generate/").content.decode()
    assert 'type="date" name="first_day_date"' in html and 'name="first_day_year"' not in html
    for typed in (last.isoformat(), last.strftime("%Y/%-m/%-d"), last.strftime("%Y%m%d"),
                  last.isoformat().translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))):
        response = admin.post("/console/setup/slots/generate/", dates_as_inputs(city, first.isoformat(), typed))
        assert "18 slots would be created." in response.content.decode(), typed
    for typed, says in (("2026-02-30", "is not a date"), ("tomorrow", "is not a date"), ("", "Enter the last day")):
        response = admin.post("/console/setup/slots/generate/", dates_as_inputs(city, first.isoformat(), typed))
        assert response.status_code == 200 and says in response.content.decode(), typed


def test_create_after_preview_writes_the_slots_and_audits(admin, city):
    preview = admin.post("/console/setup/slots/generate/", pattern(city)).content.decode()
    # The preview carries the answers in hidden inputs; the create button posts them back.
    hidden = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', preview))
    first = timezone.localdate() + timedelta(days=14)
    assert hidden["first_day_date"] == first.isoformat() and hidden["times"]
    response = admin.post("/console/setup/slots/generate/", pattern(city, action="create"))
    assert response.status_code == 302
    assert response["Location"].startswith(f"/console/setup/slots/?venue={city['venue'].pk}&from=")
    assert "18 created, 0 already existed." in admin.get(response["Location"]).content.decode()
    created = Slot.objects.filter(venue=city["venue"], capacity=4)
    assert created.count() == 18
    assert {timezone.localtime(s.starts_at).strftime("%a %H:%M")[:3] for s in created} == {"Mon", "Wed", "Fri"}
    event = AuditEvent.objects.get(action="slot.generate")
    assert (event.actor_kind, event.data["created"]) == ("staff", 18)


def test_generating_in_the_console_is_the_same_as_the_command(admin, city):
    admin.post("/console/setup/slots/generate/", pattern(city, action="create", bookable_from_year="2026",
                                                         bookable_from_month="1", bookable_from_day="5",
                                                         bookable_from_time="9:00"))
    first = timezone.localdate() + timedelta(days=14)
    last = first + timedelta(days=13)
    out = StringIO()
    call_command("generate_slots", venue="C01", vaccine="PFZ", first_day=first.isoformat(),
                 last_day=last.isoformat(), weekdays="mon,wed,fri", times="09:00,09:30,14:00", minutes=30,
                 capacity=4, doses="1,2", bookable_from="2026-01-05 09:00", dry_run=True, stdout=out)
    assert "0 would be created, 18 already exist" in out.getvalue()


def test_preview_counts_slots_that_exist_already(admin, city):
    admin.post("/console/setup/slots/generate/", pattern(city, action="create", weekdays=["mon"]))
    html = admin.post("/console/setup/slots/generate/", pattern(city)).content.decode()
    assert "12 slots would be created." in html and "6 already exist and stay as they are." in html


def test_nothing_to_create_offers_no_create_button(admin, city):
    admin.post("/console/setup/slots/generate/", pattern(city, action="create"))
    html = admin.post("/console/setup/slots/generate/", pattern(city)).content.decode()
    assert "There is nothing to create." in html and 'value="create"' not in html


def test_change_the_pattern_goes_back_to_the_form_with_the_answers(admin, city):
    html = admin.post("/console/setup/slots/generate/", pattern(city, action="edit")).content.decode()
    assert 'value="09:00, 09:30,14:00"' in html and 'name="action" value="preview"' in html
    assert "error-summary" not in html


def test_dates_accept_full_width_digits_and_a_whole_date_in_the_year_box(admin, city):
    first = timezone.localdate() + timedelta(days=14)
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    data = pattern(city, first_day_year=str(first.year).translate(wide), first_day_month="", first_day_day="")
    data["first_day_year"] = first.strftime("%Y/%m/%d").translate(wide)
    html = admin.post("/console/setup/slots/generate/", data).content.decode()
    assert "18 slots would be created." in html


@pytest.mark.parametrize(("fields", "message", "target"), [
    ({"first_day_year": "", "first_day_month": "", "first_day_day": ""}, "Enter the first day.", "id_first_day_0"),
    ({"first_day_month": "2", "first_day_day": "30"}, "is not a date in the calendar", "id_first_day_0"),
    ({"first_day_day": ""}, "Enter the year, month and day.", "id_first_day_0"),
    ({"first_day_year": "abcd"}, "Enter the year (4 digits), month and day as numbers", "id_first_day_0"),
    ({"first_day_year": "2099"}, "is before the first day", "id_last_day_0"),
    ({"last_day_year": "2099"}, "at most 366 days can be generated at once", "id_last_day_0"),
    ({"times": "9時"}, "is not a time", "id_times"),
    ({"times": ""}, "Enter at least one start time.", "id_times"),
    ({"weekdays": []}, "Choose at least one weekday.", "id_weekdays_0"),
    ({"weekdays": ["xyz"]}, "Choose weekdays from the list.", "id_weekdays_0"),
    ({"minutes": "0"}, "Enter a whole number from 1 to 1440.", "id_minutes"),
    ({"capacity": "many"}, "Enter a whole number from 1 to 9999.", "id_capacity"),
    ({"doses": ["7"]}, "Choose doses from the list.", "id_doses_0"),
    ({"venue": "abc"}, "Choose a venue from the list.", "id_venue"),
    ({"vaccine": ""}, "Choose a vaccine.", "id_vaccine"),
    ({"bookable_from_year": "2026", "bookable_from_month": "1", "bookable_from_day": "5"},
     "Enter the time as HH:MM", "id_bookable_from_0"),
])
def test_generate_form_garbage_gets_a_message_on_its_field(admin, city, fields, message, target):
    response = admin.post("/console/setup/slots/generate/", pattern(city, **fields))
    assert response.status_code == 200
    html = summary(response.content.decode())
    assert message in html and f'href="#{target}"' in html
    assert not AuditEvent.objects.filter(action="slot.generate").exists()


def test_a_venue_that_does_not_offer_the_vaccine_is_refused_by_the_service(admin, city):
    other = f.vaccine(code="MOD", name="Moderna")
    response = admin.post("/console/setup/slots/generate/", pattern(city, vaccine=other.pk))
    html = summary(response.content.decode())
    assert "does not offer Moderna (MOD)" in html and 'href="#id_vaccine"' in html


def test_preview_warns_about_past_times_and_inactive_venues(admin, city):
    city["venue"].active = False
    city["venue"].save()
    today = timezone.localdate()
    html = admin.post("/console/setup/slots/generate/", pattern(
        city, first_day_year=today.year, first_day_month=today.month, first_day_day=today.day,
        weekdays=["mon", "tue", "wed", "thu", "fri", "sat", "sun"], times="00:00")).content.decode()
    assert "already past; it can never be booked." in html
    assert "North Clinic is not active" in html


def test_the_generate_form_starts_with_the_venue_from_the_slots_page(admin, city):
    html = admin.get("/console/setup/slots/generate/", {"venue": city["venue"].pk}).content.decode()
    assert f'<option value="{city["venue"].pk}" selected>' in html
