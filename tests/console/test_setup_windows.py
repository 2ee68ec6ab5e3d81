"""Booking windows in the console: the list with statuses, opening one (by age on a day, birth dates or
group), closing one early."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests import factories as f
from yoyaku.booking.models import AuditEvent, BookingWindow
from yoyaku.console.roles import CITY_ADMIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(staff_client):
    client = staff_client(CITY_ADMIN)
    client.cookies["django_language"] = "en"
    return client


def summary(html: str) -> str:
    start = html.index('class="error-summary"')
    return html[start:html.index("</div>", start)]


def moment(prefix: str, when) -> dict:
    local = timezone.localtime(when) if hasattr(when, "hour") else None
    day = local.date() if local else when
    data = {f"{prefix}_year": day.year, f"{prefix}_month": day.month, f"{prefix}_day": day.day}
    if local:
        data[f"{prefix}_time"] = local.strftime("%H:%M")
    return data


def window_data(**fields):
    data = {"label": "65歳以上", "doses": ["1", "2"], "min_age": "", "group": "",
            **moment("opens_at", timezone.now().replace(second=0, microsecond=0) + timedelta(days=1))}
    data.update(fields)
    return data


def test_windows_list_shows_who_when_and_status(admin):
    now = timezone.now()
    f.open_window(label="open one", born_on_or_before=date(1957, 4, 1))
    f.open_window(label="later one", opens_at=now + timedelta(days=3), group="medical")
    f.open_window(label="old one", opens_at=now - timedelta(days=9), closes_at=now - timedelta(days=2))
    html = admin.get("/console/setup/windows/").content.decode()
    assert "residents born on or before 1957-04-01" in html and "residents in group medical" in html
    assert "<strong>Open</strong>" in html and "Scheduled" in html and ">Ended<" in html
    assert html.count("Close early") == 2


def test_open_by_age_on_a_day_stores_the_birth_date_bound(admin):
    response = admin.post("/console/setup/windows/new/", window_data(
        min_age="65", age_on_year="2027", age_on_month="3", age_on_day="31"))
    assert response.status_code == 302
    window = BookingWindow.objects.get()
    assert window.born_on_or_before == date(1962, 4, 1)
    assert (window.doses, window.label, window.closes_at) == ([1, 2], "65歳以上", None)
    event = AuditEvent.objects.get(action="booking_window.open")
    assert (event.actor_kind, event.data["born_on_or_before"]) == ("staff", "1962-04-01")
    assert "residents born on or before 1962-04-01" in admin.get(response["Location"]).content.decode()


def test_open_by_birth_dates_group_and_an_end(admin):
    opens = timezone.now().replace(second=0, microsecond=0) + timedelta(days=1)
    response = admin.post("/console/setup/windows/new/", window_data(
        **moment("born_on_or_before", date(1962, 4, 1)), **moment("born_after", date(1952, 4, 1)),
        group="care-home", **moment("closes_at", opens + timedelta(days=30)), doses=["1"]))
    assert response.status_code == 302
    window = BookingWindow.objects.get()
    assert (window.born_after, window.group, window.doses) == (date(1952, 4, 1), "care-home", [1])
    assert window.closes_at == opens + timedelta(days=30)


@pytest.mark.parametrize(("fields", "message", "target"), [
    ({"doses": []}, "Choose at least one dose.", "id_doses_0"),
    ({"min_age": "65"}, "Enter the day on which residents must have that age.", "id_age_on_0"),
    ({"age_on_year": "2027", "age_on_month": "3", "age_on_day": "31"}, "Enter the age", "id_min_age"),
    ({"min_age": "65", "age_on_year": "2027", "age_on_month": "3", "age_on_day": "31",
      "born_on_or_before_year": "1960", "born_on_or_before_month": "1", "born_on_or_before_day": "1"},
     "not both", "id_born_on_or_before_0"),
    ({"min_age": "old"}, "Enter a whole number from 0 to 150.", "id_min_age"),
    ({"min_age": "150", "age_on_year": "0001", "age_on_month": "1", "age_on_day": "1"},
     "Enter a year from 1900 to 2199.", "id_age_on_0"),
    ({"born_after_year": "9999/1/1"}, "Enter a year from 1900 to 2199.", "id_born_after_0"),
    ({"group": "care home"}, "is not a group code", "id_group"),
    ({"opens_at_year": "", "opens_at_month": "", "opens_at_day": "", "opens_at_time": ""},
     "Enter when booking opens.", "id_opens_at_0"),
    ({"opens_at_time": "25:00"}, "is not a time", "id_opens_at_0"),
    ({"born_on_or_before_year": "1950", "born_on_or_before_month": "1", "born_on_or_before_day": "1",
      "born_after_year": "1960", "born_after_month": "1", "born_after_day": "1"},
     "Nobody is born after 1960-01-01", "id_born_after_0"),
    ({"closes_at_year": "2000", "closes_at_month": "1", "closes_at_day": "1", "closes_at_time": "09:00"},
     "The window must close after it opens", "id_closes_at_0"),
])
def test_window_form_garbage_gets_a_message_on_its_field(admin, fields, message, target):
    response = admin.post("/console/setup/windows/new/", window_data(**fields))
    assert response.status_code == 200
    html = summary(response.content.decode())
    assert message in html and f'href="#{target}"' in html
    assert not BookingWindow.objects.exists()


def test_close_early_now(admin):
    window = f.open_window(label="65+")
    page = admin.get(f"/console/setup/windows/{window.pk}/close/").content.decode()
    assert "Reservations already made stay." in page
    response = admin.post(f"/console/setup/windows/{window.pk}/close/", {"reason": "vaccine shortage"})
    assert response.status_code == 302
    window.refresh_from_db()
    assert window.closes_at is not None and window.closes_at <= timezone.now()
    assert AuditEvent.objects.get(action="booking_window.close").reason == "vaccine shortage"


def test_close_early_at_a_later_time(admin):
    window = f.open_window(closes_at=timezone.now() + timedelta(days=30))
    at = timezone.now().replace(second=0, microsecond=0) + timedelta(days=2)
    response = admin.post(f"/console/setup/windows/{window.pk}/close/",
                          {"reason": "earlier", **moment("closes_at", at)})
    assert response.status_code == 302
    window.refresh_from_db()
    assert window.closes_at == at


@pytest.mark.parametrize(("fields", "message"), [
    ({"reason": ""}, "Give a reason"),
    ({"reason": "x", "closes_at_year": "2001", "closes_at_month": "1", "closes_at_day": "1",
      "closes_at_time": "10:00"}, "is in the past"),
    ({"reason": "x", "closes_at_year": "2001", "closes_at_month": "1"}, "Enter the year, month and day."),
])
def test_close_form_garbage_gets_a_message(admin, fields, message):
    window = f.open_window()
    response = admin.post(f"/console/setup/windows/{window.pk}/close/", fields)
    assert response.status_code == 200
    assert message in summary(response.content.decode())
    window.refresh_from_db()
    assert window.closes_at is None


def test_a_closed_window_says_so_and_refuses_again(admin):
    window = f.open_window(closes_at=timezone.now() - timedelta(minutes=1))
    assert "This window is closed already." in admin.get(f"/console/setup/windows/{window.pk}/close/").content.decode()
    response = admin.post(f"/console/setup/windows/{window.pk}/close/", {"reason": "x"})
    assert response.status_code == 200 and "closed at" in response.content.decode()


def test_unknown_window_is_404(admin):
    assert admin.get("/console/setup/windows/999999/close/").status_code == 404
