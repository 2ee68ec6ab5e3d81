"""The move-up pages: free places with their best candidates, the rule stated, a move in one step."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import services
from yoyaku.booking.models import AuditEvent, Reservation, Slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(db):
    f.open_window(opens_at=timezone.now() - timedelta(days=30))
    pfz = f.vaccine(code="PFZ", name="Pfizer")
    venue = f.venue(vaccines=[pfz], name="さくら内科")
    late = f.slot(venue=venue, vaccine=pfz, starts_at=f.at(20), capacity=50)
    freed = f.slot(venue=venue, vaccine=pfz, starts_at=f.at(2), capacity=1)
    return {"pfz": pfz, "venue": venue, "late": late, "freed": freed}


@pytest.fixture
def as_role(staff_client):
    """A client logged in with a role, reading the pages in English (Japanese is tested on its own)."""

    def make(role):
        client = staff_client(role)
        client.cookies["django_language"] = "en"
        return client

    return make


def book(resident, slot, *, wants=True, days_ago=1):
    return services.reservation_book(actor=services.Actor.system(), resident=resident, slot_id=slot.pk,
                                     dose_number=1, wants_move_up=wants,
                                     now=timezone.now() - timedelta(days=days_ago))


def test_the_list_shows_free_places_their_best_candidates_and_the_rule(as_role, city):
    first = book(f.resident(given_name="一番"), city["late"], days_ago=5)
    book(f.resident(given_name="二番"), city["late"], days_ago=2)
    book(f.resident(given_name="希望なし"), city["late"], wants=False)
    html = as_role("city_admin").get("/console/move-up/").content.decode()
    assert "first asked, first served" in html
    assert html.index("一番") < html.index("二番") and "希望なし" not in html
    assert f'href="/console/move-up/slots/{city["freed"].pk}/"' in html
    assert "now on" in html and "(18 days earlier)" in html
    assert first.code not in html  # the list names people; codes are on the slot's page


def test_the_slot_page_lists_candidates_with_what_the_operator_needs(as_role, city):
    reservation = book(f.resident(given_name="花子", phone="0195-11-2222"), city["late"])
    html = as_role("call_centre").get(f"/console/move-up/slots/{city['freed'].pk}/").content.decode()
    assert reservation.code in html and "花子" in html and "0195-11-2222" in html
    assert 'name="reservation"' in html and 'name="reason"' in html and "first asked, first served" in html


def test_moving_up_is_one_step_and_the_counts_stay_right(as_role, city):
    reservation = book(f.resident(), city["late"])
    client = as_role("call_centre")
    response = client.post(f"/console/move-up/slots/{city['freed'].pk}/",
                           {"reservation": reservation.pk, "reason": "電話で本人了承"})
    assert response.status_code == 302 and response["Location"] == "/console/move-up/"
    reservation.refresh_from_db()
    assert reservation.slot_id == city["freed"].pk
    assert [Slot.objects.get(pk=s.pk).booked for s in (city["freed"], city["late"])] == [1, 0]
    event = AuditEvent.objects.get(action="reservation.move_up")
    assert event.reason == "電話で本人了承" and event.actor_user_id == client.user.pk
    out = StringIO()
    call_command("check_integrity", stdout=out)
    assert out.getvalue().startswith("ok")
    page = client.get("/console/move-up/").content.decode()
    assert "Moved up" in page and reservation.code in page
    # The freed slot is full now; the old place shows as free in the list.
    assert f"/console/move-up/slots/{city['freed'].pk}/" not in page


def test_a_reason_is_required_and_nothing_moves_without_it(as_role, city):
    reservation = book(f.resident(), city["late"])
    response = as_role("city_admin").post(f"/console/move-up/slots/{city['freed'].pk}/",
                                               {"reservation": reservation.pk, "reason": " "})
    html = response.content.decode()
    assert response.status_code == 200 and "error-summary" in html and "Give a reason" in html
    assert "<title>Error:" in html
    assert Reservation.objects.get(pk=reservation.pk).slot_id == city["late"].pk


@pytest.mark.parametrize("chosen", ["", "abc", "99999999", "-1", "1 OR 1=1", "１"])
def test_garbage_choices_are_refused_with_a_message(as_role, city, chosen):
    book(f.resident(), city["late"])
    response = as_role("city_admin").post(f"/console/move-up/slots/{city['freed'].pk}/",
                                               {"reservation": chosen, "reason": "x"})
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    assert Slot.objects.get(pk=city["freed"].pk).booked == 0


def test_someone_who_is_no_longer_a_candidate_cannot_be_moved(as_role, city):
    reservation = book(f.resident(), city["late"], wants=False)
    response = as_role("city_admin").post(f"/console/move-up/slots/{city['freed'].pk}/",
                                               {"reservation": reservation.pk, "reason": "x"})
    assert "no longer a candidate" in response.content.decode()
    assert Reservation.objects.get(pk=reservation.pk).slot_id == city["late"].pk


def test_a_slot_that_filled_meanwhile_says_so(as_role, city):
    reservation = book(f.resident(), city["late"])
    book(f.resident(), city["freed"], wants=False)
    client = as_role("city_admin")
    html = client.get(f"/console/move-up/slots/{city['freed'].pk}/").content.decode()
    assert "no free place now" in html and 'name="reservation"' not in html
    client.post(f"/console/move-up/slots/{city['freed'].pk}/", {"reservation": reservation.pk, "reason": "x"})
    assert Reservation.objects.get(pk=reservation.pk).slot_id == city["late"].pk


def test_unknown_slots_are_404(as_role, city):
    assert as_role("city_admin").get("/console/move-up/slots/999999/").status_code == 404


@pytest.mark.parametrize("query", ["days=abc", "days=999", "venue=xyz", "venue=999999", "page=-1", "page=zz",
                                   "days=7&venue=&page=99"])
def test_garbage_filters_never_fail(as_role, city, query):
    response = as_role("city_admin").get(f"/console/move-up/?{query}")
    assert response.status_code == 200


def test_the_venue_filter_and_the_days(as_role, city):
    other = f.venue(vaccines=[city["pfz"]], name="みどり医院")
    f.slot(venue=other, vaccine=city["pfz"], starts_at=f.at(3))
    client = as_role("city_admin")
    assert "みどり医院" in client.get("/console/move-up/?days=7").content.decode().split("<tbody>")[1]
    only_own = client.get(f"/console/move-up/?days=7&venue={city['venue'].pk}").content.decode()
    assert "みどり医院" not in only_own.split("<tbody>")[1]
    assert "No time has a free place" in client.get("/console/move-up/?days=1").content.decode()


@pytest.mark.slow  # over a second: left out of make test-fast
def test_the_list_is_a_fixed_number_of_queries_whatever_the_data(as_role, city):
    client = as_role("city_admin")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/console/move-up/?days=14").status_code == 200
        return len(queries)

    book(f.resident(), city["late"])
    small = count()
    venues = [f.venue(vaccines=[city["pfz"]]) for _ in range(4)]
    for n, venue in enumerate(venues):
        for day in range(1, 10):
            f.slot(venue=venue, vaccine=city["pfz"], starts_at=f.at(day, 9 + n))
    for n in range(40):
        book(f.resident(), city["late"], days_ago=1 + n % 7)
    large = count()
    assert small == large, (small, large)


def test_japanese_first(staff_client, city):
    client = staff_client("city_admin")
    client.cookies["django_language"] = "ja"
    html = client.get("/console/move-up/").content.decode()
    assert "繰上げ" in html and "先着順" in html
