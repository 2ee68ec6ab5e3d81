"""The console's home per role: today's figures (venues one works for), tasks, audit events worth a look;
roles in words; who is logged in and when the session ends."""

import pytest
from django.conf import settings
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import reports, services
from yoyaku.booking.models import AuditEvent
from yoyaku.console.roles import CALL_CENTRE, CITY_ADMIN, VENUE_STAFF
from yoyaku.notify.models import Notification

from .test_rosters import booked_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(db):
    f.open_window()
    pfz = f.vaccine(code="PFZ", name="Pfizer", doses_per_vial=6)
    own = f.venue(vaccines=[pfz], name="さくら内科クリニック", code="C01")
    other = f.venue(vaccines=[pfz], name="みどり医院", code="C02")
    return {"pfz": pfz, "own": own, "other": other}


def home(client, language="en") -> str:
    client.cookies["django_language"] = language
    response = client.get("/console/")
    assert response.status_code == 200
    return response.content.decode()


def figures_row(html, venue_name) -> list[str]:
    row = html.split(venue_name, 1)[1].split("</tr>")[0]
    return [c.split("<")[0] for c in row.split('class="num')[1:]]


def test_today_by_venue_counts_booked_checked_in_no_shows_free_vials_and_waste(staff_client, city):
    done, gone, _waiting = booked_today(city["own"], city["pfz"], [f.resident(), f.resident(), f.resident()])
    staff = services.Actor.for_staff(staff_client(CITY_ADMIN).user)
    services.reservation_check_in(actor=staff, reservation=done, lot="AB1")
    services.reservation_mark_no_show(actor=staff, reservation=gone)
    [row] = reports.today_by_venue(day=timezone.localdate())
    assert (row["venue"]["name"], row["booked"], row["done"], row["no_show"], row["free"], row["vials"],
            row["waste"]) == ("さくら内科クリニック", 3, 1, 1, 7, 1, 3)


def test_the_city_admin_home_shows_today_tasks_and_events_worth_a_look(staff_client, city):
    booked_today(city["own"], city["pfz"], [f.resident(), f.resident()])
    f.slot(venue=city["other"], vaccine=city["pfz"], starts_at=f.at(1, 10), capacity=4)
    client = staff_client(CITY_ADMIN)
    AuditEvent.objects.create(actor_kind="staff", actor_user=client.user, action="slot.close", reason="停電")
    html = home(client)
    assert figures_row(html, "さくら内科クリニック") == ['">2', '">0', '">0', '">8', '">1', ' warn">4']
    assert "4 free places tomorrow" in html and "0 move-up offers waiting" in html
    assert "0 emails could not be sent" in html
    assert "Slot closed" in html and "停電" in html and "slot.close" not in html
    assert 'href="/console/audit/"' in html


def test_failed_emails_are_a_task_with_a_link(staff_client, city):
    [reservation] = booked_today(city["own"], city["pfz"], [f.resident()])
    Notification.objects.create(kind="booked", reservation=reservation, email="a@example.jp",
                                status=Notification.Status.FAILED)
    html = home(staff_client(CITY_ADMIN))
    assert "1 email could not be sent" in html and "status__exact=failed" in html


def test_the_venue_staff_home_shows_only_their_venues_and_no_desk_tasks(staff_client, city):
    booked_today(city["own"], city["pfz"], [f.resident()])
    booked_today(city["other"], city["pfz"], [f.resident()], minute=2)
    html = home(staff_client(VENUE_STAFF, venues=[city["own"]]))
    assert "さくら内科クリニック" in html and "みどり医院" not in html
    assert "Tasks" not in html and "Find a resident" not in html and "worth a look" not in html


def test_venue_staff_without_a_venue_are_told_whom_to_ask(staff_client, city):
    assert "Ask the city to add your venue" in home(staff_client(VENUE_STAFF))


def test_the_call_centre_home_starts_with_the_search_and_the_move_up_tasks(staff_client, city):
    html = home(staff_client(CALL_CENTRE))
    assert 'action="/console/residents/"' in html and 'name="q"' in html
    assert "free places tomorrow" in html and "Today at the venues" not in html and "worth a look" not in html
    assert "could not be sent" not in html  # the outbox is the city admin's


def test_the_home_takes_a_fixed_number_of_queries(staff_client, city, django_assert_max_num_queries):
    client = staff_client(CITY_ADMIN)
    for minute, venue in enumerate((city["own"], city["other"]), start=1):  # a minute, not a database id
        booked_today(venue, city["pfz"], [f.resident() for _ in range(3)], minute=minute)
    with django_assert_max_num_queries(20):
        home(client)


@pytest.mark.parametrize("role, words", [(CITY_ADMIN, "市の担当課（管理者）"), (CALL_CENTRE, "予約相談センター"),
                                         (VENUE_STAFF, "会場の職員")])
def test_roles_are_shown_in_words_with_who_is_logged_in_and_until_when(staff_client, city, role, words):
    client = staff_client(role, username="suzuki")
    before = timezone.localtime()
    html = home(client, "ja")
    after = timezone.localtime()
    header = html.split("<main")[0]
    assert words in header and role not in header and "suzuki" in header
    ends = {(t + timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE)).strftime("%H:%M") for t in (before, after)}
    assert any(f"操作がなければ{end}までログイン" in header for end in ends), header
