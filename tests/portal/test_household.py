"""The household page (家族): adding a member by their own ticket number and birth date (throttled like the
login), acting for them through the same booking pages without logging in as them, and removing them."""

import re
from datetime import date

import pytest

from tests import factories as f
from yoyaku.booking.models import AuditEvent, HouseholdMember, Reservation

from .test_booking import book_through_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(db):
    return f.resident(ticket_number="2000000002", birth_date=date(2010, 4, 1), family_name="山田", given_name="花子",
                      phone="0195-23-4000")


def add(client, ticket="2000000002", birth="20100401"):
    return client.post("/household/", {"ticket_number": ticket, "password": birth})


def act_for(client, member_id):
    return client.post("/household/for/", {"member": member_id, "next": "/"})


def test_the_page_lists_the_resident_and_the_form(logged_in):
    html = logged_in.get("/household/").content.decode()
    assert "Add a family member" in html or "家族を追加" in html
    assert 'name="ticket_number"' in html and 'name="password"' in html


def test_a_member_is_added_with_both_matching_and_not_otherwise(logged_in, resident, child):
    response = add(logged_in, birth="20100402")
    assert response.status_code == 200
    assert not HouseholdMember.objects.exists()
    failed = AuditEvent.objects.get(action="resident.login_failed")
    assert failed.data["site"] == "household" and failed.actor_resident_id == resident.pk
    response = add(logged_in)
    assert response.status_code == 302
    assert HouseholdMember.objects.get().member == child
    html = logged_in.get("/household/").content.decode()
    assert "山田 花子" in html


def test_adding_is_throttled_like_the_login(logged_in, child, settings):
    settings.YOYAKU = {**settings.YOYAKU, "LOGIN_THROTTLE": {"TICKET_LIMIT": 3}}
    for _ in range(3):
        add(logged_in, birth="20100402")
    response = add(logged_in)  # now the right date: refused without being compared
    assert response.status_code == 200
    assert not HouseholdMember.objects.exists()


def test_acting_for_a_member_books_for_them_with_the_resident_as_booker(logged_in, resident, child, city):
    add(logged_in)
    assert act_for(logged_in, child.pk).status_code == 302
    top = logged_in.get("/").content.decode()
    assert "山田 花子" in top  # the banner says whom the pages act for
    # The details form starts with the logged-in resident as the booker.
    slot = city["slots"][0]
    form = logged_in.get("/book/1/", {"venue": slot.venue_id, "day": slot.day.isoformat()}).content.decode()
    assert re.search(r'name="booker" value="proxy"[^>]*checked', form)
    reservation = book_through_pages(logged_in, city["slots"][0].pk, booker="proxy", booker_name="山田 太郎",
                                     booker_relation="父", booker_phone="0195-23-3111")
    assert (reservation.resident, reservation.booked_by) == (child, resident)
    event = AuditEvent.objects.get(action="reservation.book")
    assert (event.actor_resident_id, event.resident_id) == (resident.pk, child.pk)
    # The member's reservation pages work while acting for them; cancelling goes through the same service.
    assert logged_in.get(f"/reservations/{reservation.code}/").status_code == 200
    assert logged_in.post(f"/reservations/{reservation.code}/cancel/").status_code == 302
    assert Reservation.objects.get(pk=reservation.pk).status == Reservation.Status.CANCELLED
    # Back to oneself: the member's reservation is not reachable any more, one's own dose is bookable.
    act_for(logged_in, "")
    assert logged_in.get(f"/reservations/{reservation.code}/").status_code == 404


def test_acting_for_someone_outside_the_household_is_refused(logged_in, child):
    response = act_for(logged_in, child.pk)
    assert response.status_code == 302 and response["Location"] == "/household/"
    assert "booking_for" not in logged_in.session


def test_a_removed_member_is_no_longer_acted_for(logged_in, resident, child, city):
    add(logged_in)
    act_for(logged_in, child.pk)
    reservation = book_through_pages(logged_in, city["slots"][0].pk, booker="proxy", booker_name="山田 太郎",
                                     booker_relation="父", booker_phone="0195-23-3111")
    assert logged_in.post(f"/household/{child.pk}/remove/").status_code == 302
    assert not HouseholdMember.objects.exists()
    assert logged_in.get(f"/reservations/{reservation.code}/").status_code == 404
    assert Reservation.objects.get(pk=reservation.pk).is_active  # the member keeps their appointment
    assert AuditEvent.objects.filter(action="household.member_remove", resident=child).exists()


def test_a_member_removed_elsewhere_is_checked_on_the_next_request(logged_in, child):
    add(logged_in)
    act_for(logged_in, child.pk)
    assert 'class="booking-for"' in logged_in.get("/").content.decode()
    HouseholdMember.objects.all().delete()  # e.g. removed in another tab
    html = logged_in.get("/").content.decode()
    assert 'class="booking-for"' not in html
    assert "booking_for" not in logged_in.session
