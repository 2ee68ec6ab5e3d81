"""The resident's allocation pages (/allocation/): register, change and withdraw wishes during the registration
period; the state of the round after it (place in the order, allocated: confirm or decline, confirmed); the top
page's panel. Bad input is a translated message, never a 500; another resident's round is a 404."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import services
from yoyaku.booking.models import AllocationRegistration, AuditEvent, BookingWindow, Reservation
from yoyaku.notify.models import Notification

SYSTEM = services.Actor.system()
Status = AllocationRegistration.Status


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def window(city):
    now = timezone.now()
    return services.allocation_window_open(
        actor=SYSTEM, doses=[1, 2], opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1),
        first_day=timezone.localdate() + timedelta(days=5), last_day=timezone.localdate() + timedelta(days=40),
        label="Lottery round", confirm_hours=48)


def close(window):
    BookingWindow.objects.filter(pk=window.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    window.refresh_from_db()


def register(client, window, **data):
    form = {"choice_1": "", "choice_2": "", "choice_3": "", "earliest_date": "", "email": "taro@example.jp",
            "wants_move_up": "no", **data}
    return client.post(f"/allocation/{window.pk}/wishes/", form)


def test_the_page_the_email_links_to_says_what_to_do(logged_in, window):
    page = logged_in.get("/allocation/").content.decode()
    assert "Lottery round" in page
    assert f"/allocation/{window.pk}/wishes/" in page
    assert "What happens next" in page and "48 hours" in page


def test_registering_wishes(logged_in, window, city, resident):
    north = city["venues"][0]
    form = logged_in.get(f"/allocation/{window.pk}/wishes/").content.decode()
    assert 'value="taro@example.jp"' in form and f'value="venue:{north.pk}"' in form and 'value="area:South"' in form
    response = register(logged_in, window, choice_1=f"venue:{north.pk}", choice_2="area:South", weekdays=["5", "6"],
                        parts=["1"], earliest_date=(timezone.localdate() + timedelta(days=10)).isoformat(),
                        wants_move_up="yes")
    assert response.status_code == 302 and response["Location"] == "/allocation/"
    registration = AllocationRegistration.objects.get(resident=resident)
    assert registration.venue_ids == [north.pk] and registration.areas == ["South"]
    assert registration.weekday_mask == 0b1100000 and registration.part_mask == 1
    assert registration.wants_move_up and registration.channel == "web" and registration.dose_number == 1
    assert AuditEvent.objects.filter(action="allocation.register", resident=resident).count() == 1
    page = logged_in.get("/allocation/").content.decode()
    assert "Wishes registered" in page and "North Clinic" in page and "Change your wishes" in page


def test_changing_and_withdrawing(logged_in, window, resident):
    register(logged_in, window, choice_1="area:North")
    form = logged_in.get(f"/allocation/{window.pk}/wishes/").content.decode()
    assert 'value="area:North" selected' in form  # the form starts from the wishes registered
    register(logged_in, window, choice_1="area:South")
    assert AllocationRegistration.objects.get(resident=resident).areas == ["South"]
    assert AuditEvent.objects.filter(action="allocation.change", resident=resident).count() == 1
    assert "Withdraw" in logged_in.get(f"/allocation/{window.pk}/withdraw/").content.decode()
    logged_in.post(f"/allocation/{window.pk}/withdraw/")
    assert AllocationRegistration.objects.get(resident=resident).status == Status.WITHDRAWN
    page = logged_in.get("/allocation/").content.decode()
    assert "Registration withdrawn" in page and "Register your wishes" in page


@pytest.mark.parametrize("data, message", [
    ({"earliest_date": "soon"}, "Enter the date as year-month-day"),
    ({"earliest_date": "9999-99-99"}, "Enter the date as year-month-day"),
    ({"choice_1": "venue:999999"}, "not on the list any more"),
    ({"weekdays": ["9"]}, "Select a valid choice"),
    ({"wants_move_up": ""}, "Choose whether you would like an earlier date."),
    ({"email": "not an address"}, "Enter an email address like"),
])
def test_bad_input_is_a_message_not_a_500(logged_in, window, data, message):
    response = register(logged_in, window, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AllocationRegistration.objects.exists()


def test_after_the_close_nothing_changes(logged_in, window, resident):
    register(logged_in, window)
    close(window)
    response = logged_in.get(f"/allocation/{window.pk}/wishes/", follow=True)
    assert "The registration period is closed" in response.content.decode()
    response = logged_in.post(f"/allocation/{window.pk}/withdraw/", follow=True)
    assert "The registration period is closed" in response.content.decode()
    assert AllocationRegistration.objects.get(resident=resident).status == Status.REGISTERED
    assert "allocating the places now" in logged_in.get("/allocation/").content.decode()


def test_not_allocated_shows_the_place_in_the_order(logged_in, window, resident):
    register(logged_in, window, earliest_date="2099-01-01")  # no place can suit
    close(window)
    services.allocation_run(actor=SYSTEM, window=window, seed=1, reason="test")
    registration = AllocationRegistration.objects.get(resident=resident)
    assert registration.position == 1
    page = logged_in.get("/allocation/").content.decode()
    assert "not allocated in this round" in page and "Your place in the order is 1" in page


def allocated(logged_in, window, resident):
    register(logged_in, window)
    close(window)
    summary = services.allocation_run(actor=SYSTEM, window=window, seed=1, reason="test")
    assert summary.allocated == 1
    return AllocationRegistration.objects.get(resident=resident)


def test_confirming_an_allocated_appointment(logged_in, window, resident):
    registration = allocated(logged_in, window, resident)
    page = logged_in.get("/allocation/").content.decode()
    assert "Confirm this appointment" in page and registration.reservation.code in page
    top = logged_in.get("/").content.decode()
    assert "Confirm or decline" in top and "/allocation/" in top
    response = logged_in.post(f"/allocation/{window.pk}/confirm/", follow=True)
    assert "the appointment is yours" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == Status.CONFIRMED
    assert Notification.objects.filter(kind=Notification.Kind.BOOKED, reservation_id=registration.reservation_id
                                       ).exists()
    page = logged_in.get("/allocation/").content.decode()
    assert f"/reservations/{registration.reservation.code}/" in page
    # Again: nothing changes, no second email.
    logged_in.post(f"/allocation/{window.pk}/confirm/")
    assert Notification.objects.filter(kind=Notification.Kind.BOOKED).count() == 1


def test_declining_gives_the_place_back(logged_in, window, resident):
    registration = allocated(logged_in, window, resident)
    assert "cannot take it back" in logged_in.get(f"/allocation/{window.pk}/decline/").content.decode()
    logged_in.post(f"/allocation/{window.pk}/decline/")
    registration.refresh_from_db()
    assert registration.status == Status.DECLINED
    assert Reservation.objects.get(pk=registration.reservation_id).status == Reservation.Status.CANCELLED
    assert "You declined" in logged_in.get("/allocation/").content.decode()


def test_confirming_after_the_deadline_says_so(logged_in, window, resident):
    registration = allocated(logged_in, window, resident)
    AllocationRegistration.objects.filter(pk=registration.pk).update(confirm_by=timezone.now() - timedelta(minutes=1))
    response = logged_in.post(f"/allocation/{window.pk}/confirm/", follow=True)
    assert "The time to confirm this appointment is over" in response.content.decode()
    assert AllocationRegistration.objects.get(pk=registration.pk).status == Status.OFFERED


def test_another_round_or_nothing_is_a_404(logged_in, window, city):
    other = f.resident(birth_date=date(1950, 1, 1))
    services.allocation_register(actor=SYSTEM, window=window, resident=other, reason="phone")
    assert logged_in.get("/allocation/999999/wishes/").status_code == 404
    assert logged_in.post(f"/allocation/{window.pk}/confirm/").status_code == 404  # no registration of mine
    assert logged_in.get(f"/allocation/{window.pk}/decline/").status_code == 404
    first_come = BookingWindow.objects.first_come().first()
    assert logged_in.get(f"/allocation/{first_come.pk}/wishes/").status_code == 404


def test_a_window_that_does_not_admit_the_resident_is_not_shown(logged_in, city):
    now = timezone.now()
    young = services.allocation_window_open(
        actor=SYSTEM, doses=[1], opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1),
        first_day=timezone.localdate() + timedelta(days=5), last_day=timezone.localdate() + timedelta(days=40),
        born_after=date(1990, 1, 1), label="Young round")
    assert "Young round" not in logged_in.get("/allocation/").content.decode()
    assert logged_in.get(f"/allocation/{young.pk}/wishes/").status_code == 404


def test_logged_out_goes_to_the_login(client, window):
    response = client.get("/allocation/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_top_page_invites_to_register(logged_in, window):
    top = logged_in.get("/").content.decode()
    assert "Appointments by allocation" in top and "Register your wishes" in top


def test_the_pages_in_japanese(logged_in, window):
    logged_in.cookies["django_language"] = "ja"
    page = logged_in.get("/allocation/").content.decode()
    assert "希望を登録する" in page
    form = logged_in.get(f"/allocation/{window.pk}/wishes/").content.decode()
    assert "第1希望" in form and "月曜日" in form
