"""Rosters per venue and day (page, print, CSV, Excel), check-in with the lot number, no-shows; venue staff
see only their own venues."""

import io
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests import factories as f
from yoyaku.booking import services
from yoyaku.booking.models import AuditEvent, DoseRecord, Reservation, Slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(db):
    f.open_window()
    pfz = f.vaccine(code="PFZ", name="Pfizer")
    own = f.venue(vaccines=[pfz], name="さくら内科クリニック", code="C01")
    other = f.venue(vaccines=[pfz], name="みどり医院", code="C02")
    return {"pfz": pfz, "own": own, "other": other, "today": timezone.localdate()}


def booked_today(venue, vaccine, residents, *, minute=1):
    """Reservations at `venue` today: booked for a later day, then the slot moved to today (bookings of a
    time that has begun are refused, and a test may run at any hour)."""
    slot = f.slot(venue=venue, vaccine=vaccine, starts_at=f.at(3, 10, minute), capacity=10)
    reservations = [services.reservation_book(actor=services.Actor.system(), resident=r, slot_id=slot.pk,
                                              dose_number=1, recipient_phone=r.phone) for r in residents]
    today = timezone.localdate()
    starts = timezone.make_aware(datetime.combine(today, time(0, minute)))
    Slot.objects.filter(pk=slot.pk).update(starts_at=starts, ends_at=starts + timedelta(minutes=30), day=today)
    return reservations


@pytest.fixture
def as_role(staff_client):
    def make(role, venues=()):
        client = staff_client(role, venues=venues)
        client.cookies["django_language"] = "en"
        return client

    return make


def roster_url(venue, day, suffix=""):
    return f"/console/rosters/{venue.pk}/{day.isoformat()}/{suffix}"


def test_the_roster_lists_the_days_reservations_by_time_without_cancelled_ones(as_role, city):
    late, early = booked_today(city["own"], city["pfz"], [f.resident(given_name="遅い")], minute=30)[0], None
    early = booked_today(city["own"], city["pfz"], [f.resident(given_name="早い", family_name_kana="アベ",
                                                                 phone="0195-22-3333")], minute=5)[0]
    gone = booked_today(city["own"], city["pfz"], [f.resident(given_name="取消")], minute=10)[0]
    services.reservation_cancel(actor=services.Actor.system(), reservation=gone)
    html = as_role("venue_staff", venues=[city["own"]]).get(roster_url(city["own"], city["today"])).content.decode()
    assert html.index(early.code) < html.index(late.code) and gone.code not in html
    assert "アベ" in html and "0195-22-3333" in html and early.resident.ticket_number in html
    assert "Record dose" in html and "No-show" in html


def test_venue_staff_see_only_their_venues(as_role, city):
    booked_today(city["other"], city["pfz"], [f.resident()])
    client = as_role("venue_staff", venues=[city["own"]])
    index = client.get("/console/rosters/").content.decode()
    assert "さくら内科クリニック" in index and "みどり医院" not in index
    for suffix in ("", "print/", "roster.csv", "roster.xlsx"):
        assert client.get(roster_url(city["other"], city["today"], suffix)).status_code == 404
    code = Reservation.objects.get(slot__venue=city["other"]).code
    assert client.get(f"/console/check-in/{code}/").status_code == 404
    assert client.post(f"/console/check-in/{code}/", {"lot": "AB123"}).status_code == 404
    assert client.post(f"/console/check-in/{code}/no-show/", {}).status_code == 404
    assert not DoseRecord.objects.exists()
    assert Reservation.objects.get(code=code).status == Reservation.Status.BOOKED


def test_a_city_admin_sees_every_venue(as_role, city):
    index = as_role("city_admin").get("/console/rosters/").content.decode()
    assert "さくら内科クリニック" in index and "みどり医院" in index


@pytest.mark.parametrize("path", ["/console/rosters/{own}/2026-13-01/", "/console/rosters/{own}/today/",
                                  "/console/rosters/999999/2026-01-01/", "/console/check-in/NOTACODE/",
                                  "/console/check-in/23456789/", "/console/check-in/ab/no-show/"])
def test_bad_ids_days_and_codes_are_404(as_role, city, path):
    assert as_role("city_admin").get(path.format(own=city["own"].pk)).status_code == 404


@pytest.mark.parametrize("query", ["day=yesterday", "day=2026-02-30", "day=" + "9" * 50, "day=２０２６－０１－０５"])
def test_a_bad_day_filter_says_what_is_wrong(as_role, city, query):
    response = as_role("city_admin").get(f"/console/rosters/?{query}")
    assert response.status_code == 200


def test_csv_is_utf8_with_a_bom_and_never_a_formula(as_role, city):
    resident = f.resident(family_name="=HYPERLINK(\"x\")", given_name="花子")
    reservation = booked_today(city["own"], city["pfz"], [resident])[0]
    client = as_role("city_admin")
    response = client.get(roster_url(city["own"], city["today"], "roster.csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="roster-C01-' in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0].startswith("Time,Reservation ID,Ticket number,Name")
    assert reservation.code in lines[1] and "'=HYPERLINK" in lines[1] and "花子" in lines[1]
    event = AuditEvent.objects.get(action="roster.export")
    assert event.data["format"] == "csv" and event.actor_user_id == client.user.pk and event.data["rows"] == 1


def test_excel_opens_and_holds_the_same_rows(as_role, city):
    resident = f.resident(given_name="=1+1")
    reservation = booked_today(city["own"], city["pfz"], [resident])[0]
    response = as_role("venue_staff", venues=[city["own"]]).get(roster_url(city["own"], city["today"], "roster.xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Time", "Reservation ID", "Ticket number")
    assert rows[1][1] == reservation.code and rows[1][2] == resident.ticket_number
    assert rows[1][3] == "山田 =1+1"  # text, not a formula
    assert rows[1][5].date() == resident.birth_date


def test_the_print_view_is_a4_without_the_navigation(as_role, city):
    booked_today(city["own"], city["pfz"], [f.resident()])
    html = as_role("city_admin").get(roster_url(city["own"], city["today"], "print/")).content.decode()
    assert "print-roster" in html and "console-nav" not in html and "Ctrl+P" in html


def test_check_in_records_the_dose_with_its_lot(as_role, city):
    reservation = booked_today(city["own"], city["pfz"], [f.resident()])[0]
    client = as_role("venue_staff", venues=[city["own"]])
    assert 'name="lot"' in client.get(f"/console/check-in/{reservation.code}/").content.decode()
    response = client.post(f"/console/check-in/{reservation.code}/", {"lot": " ｆｆ３８４７ ", "reason": ""})
    assert response.status_code == 302
    assert response["Location"] == roster_url(city["own"], city["today"]) + f"#r-{reservation.code}"
    record = DoseRecord.objects.get(reservation=reservation)
    assert (record.lot, record.dose_number, record.venue_id, record.given_on) == ("FF3847", 1, city["own"].pk,
                                                                                   city["today"])
    assert Reservation.objects.get(pk=reservation.pk).status == Reservation.Status.DONE
    assert AuditEvent.objects.get(action="dose.record").actor_user_id == client.user.pk
    assert Slot.objects.get(pk=reservation.slot_id).booked == 1  # a dose given still holds its place
    roster = client.get(roster_url(city["own"], city["today"])).content.decode()
    assert "FF3847" in roster and "Dose 1 recorded" in roster


def test_the_next_check_in_offers_the_same_lot(as_role, city):
    first, second = booked_today(city["own"], city["pfz"], [f.resident(), f.resident()])
    client = as_role("venue_staff", venues=[city["own"]])
    client.post(f"/console/check-in/{first.code}/", {"lot": "EY0573"})
    assert 'value="EY0573"' in client.get(f"/console/check-in/{second.code}/").content.decode()


@pytest.mark.parametrize("lot", ["", "   ", "ロット", "AB 12;DROP", "X" * 41, "<script>"])
def test_a_bad_lot_number_is_refused_with_a_message(as_role, city, lot):
    reservation = booked_today(city["own"], city["pfz"], [f.resident()])[0]
    response = as_role("city_admin").post(f"/console/check-in/{reservation.code}/", {"lot": lot})
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    assert not DoseRecord.objects.exists()


def test_a_dose_cannot_be_recorded_before_the_day(as_role, city):
    slot = f.slot(venue=city["own"], vaccine=city["pfz"], starts_at=f.at(3))
    reservation = services.reservation_book(actor=services.Actor.system(), resident=f.resident(), slot_id=slot.pk,
                                            dose_number=1)
    client = as_role("city_admin")
    html = client.get(f"/console/check-in/{reservation.code}/").content.decode()
    assert "from the day of the appointment" in html and 'name="lot"' not in html
    response = client.post(f"/console/check-in/{reservation.code}/", {"lot": "AB1"})
    assert "from the day of the appointment" in response.content.decode()
    assert client.post(f"/console/check-in/{reservation.code}/no-show/", {}).status_code == 200
    assert Reservation.objects.get(pk=reservation.pk).status == Reservation.Status.BOOKED


def test_a_dose_already_recorded_elsewhere_gives_a_message(as_role, city):
    reservation = booked_today(city["own"], city["pfz"], [f.resident()])[0]
    DoseRecord.objects.create(resident=reservation.resident, dose_number=1, vaccine=city["pfz"],
                              given_on=city["today"], source=DoseRecord.Source.IMPORT)
    response = as_role("city_admin").post(f"/console/check-in/{reservation.code}/", {"lot": "AB1"})
    assert response.status_code == 200 and "already recorded" in response.content.decode()
    assert Reservation.objects.get(pk=reservation.pk).status == Reservation.Status.BOOKED


def test_recording_twice_changes_nothing(as_role, city):
    reservation = booked_today(city["own"], city["pfz"], [f.resident()])[0]
    client = as_role("city_admin")
    client.post(f"/console/check-in/{reservation.code}/", {"lot": "AB1"})
    response = client.post(f"/console/check-in/{reservation.code}/", {"lot": "AB2"})
    assert response.status_code == 200 and "no longer active" in response.content.decode()
    assert DoseRecord.objects.get().lot == "AB1"


def test_a_no_show_is_marked_with_an_optional_reason(as_role, city):
    reservation = booked_today(city["own"], city["pfz"], [f.resident()])[0]
    client = as_role("venue_staff", venues=[city["own"]])
    response = client.post(f"/console/check-in/{reservation.code}/no-show/", {"reason": ""})
    assert response.status_code == 302
    assert Reservation.objects.get(pk=reservation.pk).status == Reservation.Status.NO_SHOW
    assert AuditEvent.objects.filter(action="reservation.no_show", actor_user=client.user).exists()
    assert "marked as a no-show" in client.get(response["Location"]).content.decode()


def test_the_rosters_page_counts_per_venue(as_role, city):
    done, _waiting, gone = booked_today(city["own"], city["pfz"], [f.resident(), f.resident(), f.resident()])
    staff = services.Actor.for_staff(as_role("city_admin").user)
    services.reservation_check_in(actor=staff, reservation=done, lot="AB1")
    services.reservation_cancel(actor=staff, reservation=gone, reason="本人から電話")
    html = as_role("venue_staff", venues=[city["own"]]).get(f"/console/rosters/?day={city['today']}").content.decode()
    row = html.split("さくら内科クリニック")[1].split("</tr>")[0]
    cells = [c.split("<")[0] for c in row.split('class="num">')[1:]]
    assert cells == ["10", "2", "1", "0", "1"]  # places, booked, vaccinated, no-shows, cancelled


def test_rosters_in_japanese(staff_client, city):
    reservation = booked_today(city["own"], city["pfz"], [f.resident()])[0]
    client = staff_client("venue_staff", venues=[city["own"]])
    client.cookies["django_language"] = "ja"
    assert "名簿" in client.get(roster_url(city["own"], city["today"])).content.decode()
    assert "ロット番号" in client.get(f"/console/check-in/{reservation.code}/").content.decode()


def test_the_demos_venue_staff_see_their_clinic_only(db):
    from django.contrib.auth import get_user_model

    from yoyaku.booking import demo_data
    from yoyaku.booking.models import Venue
    from yoyaku.console.management.commands.demo import demo_load
    from yoyaku.console.roles import venue_ids_of

    demo_load(residents=demo_data.MIN_RESIDENTS, seed=1)
    venue1 = get_user_model().objects.get(username="venue1")
    assert venue_ids_of(venue1) == frozenset({Venue.objects.get(code="C01").pk})
