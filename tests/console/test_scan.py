"""Check-in by QR code at the venue (issue 12, item 7): the scanner page, the person read, one tap to record;
each refusal a message on the page that changes nothing; the camera allowed on this page only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import qr, services
from yoyaku.booking.models import AuditEvent, DoseRecord, Reservation

from . import test_desk
from .test_rosters import as_role, booked_today  # noqa: F401 (as_role: a fixture)

pytestmark = pytest.mark.django_db

city = test_desk.city  # the fixture: two venues, さくら内科クリニック (own) and みどり医院 (other)


@pytest.fixture
def hana(city):
    return booked_today(city["own"], city["pfz"], [
        f.resident(family_name="佐藤", given_name="ハナ", family_name_kana="サトウ", given_name_kana="ハナ")])[0]


@pytest.fixture
def staff(as_role, city):  # noqa: F811 (as_role)
    return as_role("venue_staff", venues=[city["own"]])


def scan_url(venue, day=None):
    return f"/console/rosters/{venue.pk}/{(day or timezone.localdate()).isoformat()}/desk/scan/"


def with_lot(client, url, lot="FF3847"):
    assert client.post(url, {"set_lot": "1", "lot-lot": lot}).status_code == 302


def test_the_page_allows_the_camera_here_only_and_loads_its_script_from_a_static_file(staff, city):
    response = staff.get(scan_url(city["own"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Permissions-Policy"].startswith("camera=(self)")
    assert "camera=()" in staff.get(f"/console/rosters/{city['own'].pk}/{timezone.localdate()}/desk/")[
        "Permissions-Policy"]
    assert "js/scan.js" in html and "vendor/jsqr-1.4.0/jsQR.js" in html and "<script>" not in html
    assert 'name="scanned"' in html and 'type="file"' in html  # typing works without JavaScript
    assert "Content-Security-Policy" in response and "unsafe-inline" not in response["Content-Security-Policy"]


def test_a_scanned_code_shows_the_person_then_one_tap_records_the_dose(staff, city, hana):
    url = scan_url(city["own"])
    with_lot(staff, url)
    token = qr.check_in_token(hana.code)
    html = staff.post(url, {"scanned": token, "find": "1"}).content.decode()
    assert "佐藤 ハナ" in html and "サトウ ハナ" in html and hana.code in html
    assert f'name="check_in" value="{token}"' in html
    assert html.count(token) == 1  # the box is empty again for the next person
    assert Reservation.objects.get(pk=hana.pk).status == Reservation.Status.BOOKED  # looking up changes nothing

    response = staff.post(url, {"check_in": token})
    assert response.status_code == 302 and response["Location"] == url
    record = DoseRecord.objects.get(reservation=hana)
    assert (record.lot, record.dose_number) == ("FF3847", 1)
    assert AuditEvent.objects.get(action="dose.record").data["via"] == "qr"
    assert "dose 1 recorded" in staff.get(url).content.decode()

    html = staff.post(url, {"scanned": token, "find": "1"}).content.decode()  # the same code again
    assert "Already checked in" in html and "FF3847" in html and 'name="check_in"' not in html


def test_a_typed_reservation_id_works_the_same_way(staff, city, hana):
    url = scan_url(city["own"])
    with_lot(staff, url)
    html = staff.post(url, {"scanned": hana.code.lower(), "find": "1"}).content.decode()
    assert f'name="check_in" value="{hana.code.lower()}"' in html
    staff.post(url, {"check_in": hana.code.lower()})
    assert AuditEvent.objects.get(action="dose.record").data["via"] == "id"


def test_no_lot_no_button_and_recording_without_one_is_refused(staff, city, hana):
    url = scan_url(city["own"])
    token = qr.check_in_token(hana.code)
    html = staff.post(url, {"scanned": token, "find": "1"}).content.decode()
    assert "佐藤 ハナ" in html and 'name="check_in"' not in html
    response = staff.post(url, {"check_in": token})
    assert response["Location"] == url + "#lot" and not DoseRecord.objects.exists()
    assert "Set the lot number" in staff.get(url).content.decode()


@pytest.mark.parametrize("case, expected", [
    ("forged", "not a reservation of this booking site, or it has been altered"),
    ("wrong_day", "Wrong day: this reservation is for"),
    ("cancelled", "was cancelled and cannot be checked in"),
    ("no_show", "recorded as a no-show"),
    ("empty", "Scan the QR code or enter the reservation ID."),
    ("unknown", "No reservation with this ID at this venue."),
])
def test_each_refusal_is_a_clear_message_on_the_field_and_changes_nothing(staff, city, hana, case, expected):
    url = scan_url(city["own"])
    with_lot(staff, url)
    token = qr.check_in_token(hana.code)
    actor = services.Actor.system()
    if case == "forged":
        token = "ABCDEFGH" + token[8:]
    elif case == "wrong_day":
        url = scan_url(city["own"], timezone.localdate() - timedelta(days=1))
    elif case == "cancelled":
        services.reservation_cancel(actor=actor, reservation=hana)
    elif case == "no_show":
        services.reservation_mark_no_show(actor=services.Actor.for_staff(staff.user), reservation=hana)
    scanned = {"empty": "", "unknown": "ZZZZ2222"}.get(case, token)
    response = staff.post(url, {"scanned": scanned, "find": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and expected in html
    assert 'class="error-summary"' in html or "error-summary" in html
    assert 'name="check_in"' not in html and not DoseRecord.objects.exists()
    # Posting the refused code straight to the record button is refused the same way.
    staff.post(url, {"check_in": scanned})
    assert not DoseRecord.objects.exists()
    assert (case == "forged") == AuditEvent.objects.filter(action="check_in.token_refused").exists()


def test_wrong_venue_names_the_right_venue(as_role, city, hana):  # noqa: F811 (as_role)
    staff = as_role("venue_staff", venues=[city["other"]])
    url = scan_url(city["other"])
    html = staff.post(url, {"scanned": qr.check_in_token(hana.code), "find": "1"}).content.decode()
    assert "Wrong venue: this reservation is at さくら内科クリニック" in html
    # Typed by hand, another venue's ID is not revealed to this venue's staff.
    html = staff.post(url, {"scanned": hana.code, "find": "1"}).content.decode()
    assert "No reservation with this ID at this venue." in html and "さくら内科" not in html


def test_another_venues_scanner_is_a_404_for_venue_staff(staff, city):
    assert staff.get(scan_url(city["other"])).status_code == 404


def test_the_messages_are_in_japanese(staff, city, hana):
    staff.cookies["django_language"] = "ja"
    url = scan_url(city["own"])
    html = staff.get(url).content.decode()
    assert "QRコードで受付" in html and "予約ID" in html and "カメラで読み取る" in html
    html = staff.post(url, {"scanned": "ABCDEFGH" + qr.check_in_token(hana.code)[8:], "find": "1"}).content.decode()
    assert "改ざんされています" in html


def test_the_desk_links_to_the_scanner(staff, city):
    html = staff.get(f"/console/rosters/{city['own'].pk}/{timezone.localdate()}/desk/").content.decode()
    assert f'href="{scan_url(city["own"])}"' in html
