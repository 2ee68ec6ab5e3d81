"""The venue's desk on a phone (issue 12, item 6): the day's people in big rows, found by name, kana, 予約ID or
ticket number, checked in with one tap with the lot number set once for the session."""

import pytest
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import services
from yoyaku.booking.models import AuditEvent, DoseRecord, Reservation

from .test_rosters import as_role, booked_today  # noqa: F401 (as_role: a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(db):
    f.open_window()
    pfz = f.vaccine(code="PFZ", name="Pfizer")
    return {"pfz": pfz, "own": f.venue(vaccines=[pfz], name="さくら内科クリニック", code="C01"),
            "other": f.venue(vaccines=[pfz], name="みどり医院", code="C02")}


def desk_url(venue, day=None):
    return f"/console/rosters/{venue.pk}/{(day or timezone.localdate()).isoformat()}/desk/"


@pytest.fixture
def people(city):
    return booked_today(city["own"], city["pfz"], [
        f.resident(family_name="佐藤", given_name="ハナ", family_name_kana="サトウ", given_name_kana="ハナ"),
        f.resident(family_name="鈴木", given_name="一郎", family_name_kana="スズキ", given_name_kana="イチロウ"),
    ])


@pytest.fixture
def desk(as_role, city):  # noqa: F811 (as_role)
    return as_role("venue_staff", venues=[city["own"]])


def test_the_desk_asks_for_the_lot_first_then_checks_in_with_one_tap(desk, city, people):
    hana, ichiro = people
    url = desk_url(city["own"])
    html = desk.get(url).content.decode()
    assert "サトウ ハナ" in html and "スズキ イチロウ" in html and hana.code in html
    assert 'name="check_in"' not in html and 'name="lot-lot"' in html  # no lot yet: no one-tap button
    response = desk.post(url, {"check_in": hana.code})
    assert response.status_code == 302 and not DoseRecord.objects.exists()
    assert "Set the lot number" in desk.get(url).content.decode()

    assert desk.post(url, {"set_lot": "1", "lot-lot": " ｆｆ３８４７ "})["Location"] == url
    html = desk.get(url).content.decode()
    assert "FF3847" in html and f'name="check_in" value="{hana.code}"' in html
    response = desk.post(url, {"check_in": hana.code})  # one tap
    assert response.status_code == 302 and response["Location"] == url + "#people"
    record = DoseRecord.objects.get(reservation=hana)
    assert (record.lot, record.dose_number) == ("FF3847", 1)
    assert Reservation.objects.get(pk=hana.pk).status == Reservation.Status.DONE
    assert AuditEvent.objects.get(action="dose.record").actor_user_id == desk.user.pk
    html = desk.get(url).content.decode()
    assert "佐藤 ハナ: dose 1 recorded" in html
    assert f'name="check_in" value="{hana.code}"' not in html and "Already recorded" in html
    # The lot stays for the session: the next person is one tap too, with the same lot.
    desk.post(url, {"check_in": ichiro.code})
    assert DoseRecord.objects.get(reservation=ichiro).lot == "FF3847"


def test_a_bad_lot_is_refused_with_a_message(desk, city, people):
    response = desk.post(desk_url(city["own"]), {"set_lot": "1", "lot-lot": "ロット"})
    assert response.status_code == 200 and "error-summary" in response.content.decode()


@pytest.mark.parametrize("typed", ["さとう", "ｻﾄｳ", "佐藤", "佐藤 ハナ", "CODE", "code-lower", "ticket"])
def test_search_by_name_kana_reservation_id_or_ticket_number(desk, city, people, typed):
    hana, ichiro = people
    typed = {"CODE": hana.code, "code-lower": f"{hana.code[:4].lower()}-{hana.code[4:].lower()}",
             "ticket": hana.resident.ticket_number}.get(typed, typed)
    url = desk_url(city["own"])
    response = desk.post(url, {"q": typed})
    assert response.status_code == 302 and response["Location"] == url + "#people"  # nothing typed in the URL
    html = desk.get(url).content.decode()
    assert hana.code in html and ichiro.code not in html
    desk.post(url, {"clear": "1"})
    assert ichiro.code in desk.get(url).content.decode()


def test_check_in_of_another_day_or_venue_or_nonsense_says_so(desk, city, people):
    other = booked_today(city["other"], city["pfz"], [f.resident()])[0]
    later = services.reservation_book(actor=services.Actor.system(), resident=f.resident(), dose_number=1,
                                      slot_id=f.slot(venue=city["own"], vaccine=city["pfz"], starts_at=f.at(3)).pk)
    url = desk_url(city["own"])
    desk.post(url, {"set_lot": "1", "lot-lot": "AB1"})
    for code, said in ((other.code, "No reservation with this ID at this venue"),
                       ("garbage", "No reservation with this ID at this venue"),
                       (later.code, f"Reservation {later.code} is for")):
        desk.post(url, {"check_in": code})
        assert said in desk.get(url).content.decode(), code
    desk.post(url, {"check_in": people[0].code})
    desk.post(url, {"check_in": people[0].code})  # a second tap
    assert "no longer active" in desk.get(url).content.decode()
    assert DoseRecord.objects.count() == 1


def test_another_venues_desk_is_404_for_venue_staff(desk, city):
    assert desk.get(desk_url(city["other"])).status_code == 404
    assert desk.get(f"/console/rosters/{city['own'].pk}/garbage/desk/").status_code == 404


def test_the_desk_in_japanese(staff_client, city, people):
    client = staff_client("venue_staff", venues=[city["own"]])
    html = client.get(desk_url(city["own"])).content.decode()
    assert "受付" in html and "ロット番号" in html
