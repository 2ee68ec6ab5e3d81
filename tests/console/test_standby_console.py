"""The console's standby list (キャンセル待ち): a venue's doses today with what the last vial will have left,
who waits, putting a resident on the list and giving one a place (audited, through services.standby_*)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import services
from yoyaku.booking.models import AuditEvent, MoveUpOffer, Reservation, Slot, StandbyEntry
from yoyaku.console.roles import CALL_CENTRE, CITY_ADMIN, VENUE_STAFF

from .test_rosters import booked_today

pytestmark = pytest.mark.django_db
SYSTEM = services.Actor.system()


@pytest.fixture
def city(db):
    """Two venues (the venue staff's own and another) giving Pfizer, 6 doses a vial."""
    f.open_window()
    pfz = f.vaccine(code="PFZ", name="Pfizer", doses_per_vial=6)
    return {"pfz": pfz, "own": f.venue(vaccines=[pfz], name="さくら内科クリニック", code="C01"),
            "other": f.venue(vaccines=[pfz], name="みどり医院", code="C02")}


def later_today(venue, vaccine, *, capacity=2, minutes=20) -> Slot:
    """A slot of today that has not begun, whatever the hour the test runs at (day kept as today)."""
    slot = f.slot(venue=venue, vaccine=vaccine, starts_at=f.at(3, 10), capacity=capacity)
    starts = timezone.now() + timedelta(minutes=minutes)
    Slot.objects.filter(pk=slot.pk).update(starts_at=starts, ends_at=starts + timedelta(minutes=30),
                                           day=timezone.localdate())
    return Slot.objects.get(pk=slot.pk)


def url(venue, entry=None) -> str:
    return f"/console/standby/{venue.pk}/" + (f"{entry.pk}/" if entry else "")


def test_venue_staff_see_todays_doses_and_who_waits_here_or_anywhere(staff_client, city):
    residents = [f.resident() for _ in range(7)]
    reservations = booked_today(city["own"], city["pfz"], residents)
    client = staff_client(VENUE_STAFF, venues=[city["own"]])
    services.reservation_mark_no_show(actor=services.Actor.for_staff(client.user), reservation=reservations[0])
    here = services.standby_join(actor=SYSTEM, resident=f.resident(given_name="ここ"), dose_number=1,
                                 venue=city["own"])
    anywhere = services.standby_join(actor=SYSTEM, resident=f.resident(given_name="どこでも"), dose_number=1)
    services.standby_join(actor=SYSTEM, resident=f.resident(given_name="よそ"), dose_number=1, venue=city["other"])
    client.cookies["django_language"] = "en"
    html = client.get(url(city["own"])).content.decode()
    # 7 booked, 1 absent: 6 coming, one vial of 6, nothing left over.
    row = html.split("Pfizer", 1)[1].split("</tr>")[0]
    assert [c.split("<")[0] for c in row.split('class="num')[1:]] == ['">6', '">1', '">0', '">0']
    assert html.index("ここ") < html.index("どこでも")  # the venue's own list first
    assert "よそ" not in html
    assert f'href="{url(city["own"], here)}"' in html and f'href="{url(city["own"], anywhere)}"' in html


def test_a_dose_left_in_the_last_vial_is_shown(staff_client, city):
    booked_today(city["own"], city["pfz"], [f.resident() for _ in range(7)])
    client = staff_client(CITY_ADMIN)
    client.cookies["django_language"] = "en"
    html = client.get(url(city["own"])).content.decode()
    row = html.split("Pfizer", 1)[1].split("</tr>")[0]
    assert [c.split("<")[0] for c in row.split('class="num')[1:]] == ['">7', '">2', ' warn">5', '">0']


def test_giving_a_place_books_it_through_the_service_and_audits_it(staff_client, city):
    slot = later_today(city["own"], city["pfz"])
    entry = services.standby_join(actor=SYSTEM, resident=f.resident(), dose_number=1, venue=city["own"])
    client = staff_client(VENUE_STAFF, venues=[city["own"]])
    response = client.post(url(city["own"], entry), {"slot": slot.pk, "reason": "残りのワクチン"})
    assert response.status_code == 302 and response["Location"] == url(city["own"])
    entry.refresh_from_db()
    assert entry.status == StandbyEntry.Status.BOOKED and entry.reservation.slot_id == slot.pk
    event = AuditEvent.objects.get(action="standby.book")
    assert event.actor_user == client.user and event.reason == "残りのワクチン"
    assert Slot.objects.get(pk=slot.pk).booked == 1


def test_a_full_time_takes_the_resident_only_with_a_place_added_for_the_leftover_dose(staff_client, city):
    slot = later_today(city["own"], city["pfz"], capacity=1)
    services.reservation_book(actor=SYSTEM, resident=f.resident(), slot_id=slot.pk, dose_number=1)
    entry = services.standby_join(actor=SYSTEM, resident=f.resident(), dose_number=1, venue=city["own"])
    client = staff_client(VENUE_STAFF, venues=[city["own"]])
    client.cookies["django_language"] = "en"
    refused = client.post(url(city["own"], entry), {"slot": slot.pk, "reason": "残り1回分"})
    assert refused.status_code == 200 and "full" in refused.content.decode()
    entry.refresh_from_db()
    assert entry.status == StandbyEntry.Status.WAITING and Slot.objects.get(pk=slot.pk).capacity == 1
    response = client.post(url(city["own"], entry), {"slot": slot.pk, "add_place": "on", "reason": "残り1回分"})
    assert response.status_code == 302
    slot.refresh_from_db()
    assert (slot.capacity, slot.booked) == (2, 2)
    assert AuditEvent.objects.get(action="slot.capacity").reason == "残り1回分"
    assert AuditEvent.objects.get(action="standby.book").data["added_place"] is True


def test_no_reason_changes_nothing(staff_client, city):
    slot = later_today(city["own"], city["pfz"])
    entry = services.standby_join(actor=SYSTEM, resident=f.resident(), dose_number=1, venue=city["own"])
    client = staff_client(VENUE_STAFF, venues=[city["own"]])
    client.cookies["django_language"] = "en"
    response = client.post(url(city["own"], entry), {"slot": slot.pk, "reason": "  "})
    assert response.status_code == 200 and "Give a reason" in response.content.decode()
    assert not Reservation.objects.exists()
    assert StandbyEntry.objects.get(pk=entry.pk).status == StandbyEntry.Status.WAITING


def test_a_resident_someone_else_already_placed_is_said_so(staff_client, city):
    slot = later_today(city["own"], city["pfz"])
    entry = services.standby_join(actor=SYSTEM, resident=f.resident(), dose_number=1, venue=city["own"])
    client = staff_client(VENUE_STAFF, venues=[city["own"]])
    client.cookies["django_language"] = "en"
    page = client.get(url(city["own"], entry))
    assert page.status_code == 200
    services.standby_withdraw(actor=SYSTEM, entry=entry)
    response = client.post(url(city["own"], entry), {"slot": slot.pk, "reason": "電話"})
    # The entry left the list between the page and the submit: 404 on a fresh read, nothing booked.
    assert response.status_code == 404 and not Reservation.objects.exists()


def test_venue_staff_put_a_resident_on_their_list_by_ticket_number(staff_client, city):
    resident = f.resident()
    client = staff_client(VENUE_STAFF, venues=[city["own"]])
    client.cookies["django_language"] = "en"
    response = client.post(url(city["own"]), {"ticket_number": resident.ticket_number, "dose_number": "1",
                                              "phone": "090-1234-5678", "reason": "窓口で希望"})
    assert response.status_code == 302
    entry = StandbyEntry.objects.get(resident=resident)
    assert (entry.venue_id, entry.phone, entry.status) == (city["own"].pk, "090-1234-5678", "waiting")
    assert AuditEvent.objects.get(action="standby.join").actor_user == client.user
    again = client.post(url(city["own"]), {"ticket_number": resident.ticket_number, "dose_number": "1",
                                           "reason": "窓口で希望"})
    assert again.status_code == 200 and "already waiting" in again.content.decode()
    assert StandbyEntry.objects.count() == 1


@pytest.mark.parametrize(("ticket", "message"), [
    ("12345", "10 digits"), ("9999999999", "No resident has this ticket number"), ("", "Enter the 10-digit")])
def test_a_wrong_ticket_number_is_explained_and_changes_nothing(staff_client, city, ticket, message):
    client = staff_client(VENUE_STAFF, venues=[city["own"]])
    client.cookies["django_language"] = "en"
    response = client.post(url(city["own"]), {"ticket_number": ticket, "dose_number": "1", "reason": "窓口"})
    assert response.status_code == 200 and message in response.content.decode()
    assert not StandbyEntry.objects.exists() and not AuditEvent.objects.filter(action="standby.join").exists()


def test_other_venues_lists_are_404_for_venue_staff_and_the_call_centre_is_refused(staff_client, city):
    entry = services.standby_join(actor=SYSTEM, resident=f.resident(), dose_number=1, venue=city["other"])
    slot = later_today(city["other"], city["pfz"])
    client = staff_client(VENUE_STAFF, venues=[city["own"]])
    assert client.get(url(city["other"])).status_code == 404
    assert client.post(url(city["other"], entry), {"slot": slot.pk, "reason": "x"}).status_code == 404
    assert client.post(url(city["own"], entry), {"slot": slot.pk, "reason": "x"}).status_code == 404
    assert StandbyEntry.objects.get(pk=entry.pk).status == StandbyEntry.Status.WAITING
    client.logout()
    operator = staff_client(CALL_CENTRE, username="operator-1")
    assert operator.get(url(city["own"])).status_code == 403


def test_the_added_place_is_not_offered_to_the_move_up_list(city, settings):
    settings.YOYAKU = {**settings.YOYAKU, "MOVE_UP_OFFERS": True, "MOVE_UP_OFFER_MIN_HOURS": 0}
    slot = later_today(city["own"], city["pfz"], capacity=1, minutes=240)
    services.reservation_book(actor=SYSTEM, resident=f.resident(), slot_id=slot.pk, dose_number=1)
    later = f.slot(venue=city["own"], vaccine=city["pfz"], starts_at=f.at(5))
    services.reservation_book(actor=SYSTEM, resident=f.resident(), slot_id=later.pk, dose_number=1,
                              email="a@example.com", wants_move_up=True)
    entry = services.standby_join(actor=SYSTEM, resident=f.resident(), dose_number=1, venue=city["own"])
    staff = services.Actor.for_staff(f.staff_user("venue-1"))
    services.standby_book(actor=staff, entry=entry, slot_id=slot.pk, add_place=True, reason="残り")
    assert not MoveUpOffer.objects.exists()
    assert Slot.objects.get(pk=slot.pk).booked == 2


def test_the_city_admin_home_shows_the_days_refill_and_waste(staff_client, city):
    booked_today(city["own"], city["pfz"], [f.resident() for _ in range(7)])
    client = staff_client(CITY_ADMIN)
    client.cookies["django_language"] = "en"
    html = client.get("/console/").content.decode()
    assert "Places of today freed before today: 0 of 0 refilled." in html
    assert "Doses left over in today's opened vials so far: 0 of 0 (0.0 %)." in html
    staff = services.Actor.for_staff(client.user)
    for reservation in Reservation.objects.all()[:2]:
        services.reservation_check_in(actor=staff, reservation=reservation, lot="AB1")
    html = client.get("/console/").content.decode()
    assert "so far: 4 of 6 (66.7 %)." in html


def test_the_dashboard_shows_the_periods_refill_and_waste_per_venue_filter(staff_client, city):
    slot = f.slot(venue=city["own"], vaccine=city["pfz"], starts_at=f.at(1, 10), capacity=2)
    first, _second = [services.reservation_book(actor=SYSTEM, resident=f.resident(), slot_id=slot.pk, dose_number=1)
                      for _ in range(2)]
    services.reservation_cancel(actor=SYSTEM, reservation=first)
    client = staff_client(CITY_ADMIN)
    client.cookies["django_language"] = "en"
    html = client.get("/console/dashboard/").content.decode()
    assert "Places freed before their day: 0 of 1 refilled (0.0 %)." in html
    services.reservation_book(actor=SYSTEM, resident=f.resident(), slot_id=slot.pk, dose_number=1)
    html = client.get("/console/dashboard/").content.decode()
    assert "Places freed before their day: 1 of 1 refilled (100.0 %)." in html
    assert "Doses left over in the vials opened for the check-ins: 0 of 0 (0.0 %)." in html
    other = client.get(f"/console/dashboard/?venue={city['other'].pk}").content.decode()
    assert "Places freed before their day: 0 of 0 refilled (0.0 %)." in other
