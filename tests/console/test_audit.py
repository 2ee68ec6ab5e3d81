"""The audit log (filters by resident, staff member, action and dates; paginated) and the CSV export of
reservations (filters by dates, venue and status)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import services
from yoyaku.booking.models import AuditEvent, Reservation

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(staff_client):
    client = staff_client("city_admin")
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def city(db, django_user_model):
    f.open_window()
    pfz = f.vaccine(code="PFZ", name="Pfizer")
    own = f.venue(vaccines=[pfz], code="C01", name="さくら内科")
    other = f.venue(vaccines=[pfz], code="C02", name="みどり医院")
    operator = django_user_model.objects.create_user("op-audit", password="x-long-password-123", is_staff=True)
    hanako = f.resident(ticket_number="1234567890", given_name="花子")
    taro = f.resident(ticket_number="1234567891", given_name="太郎")
    near = f.slot(venue=own, vaccine=pfz, starts_at=f.at(3), capacity=5)
    far = f.slot(venue=other, vaccine=pfz, starts_at=f.at(12), capacity=5)
    staff = services.Actor.for_staff(operator, client_address="10.0.0.9")
    booked = services.reservation_book(actor=staff, resident=hanako, slot_id=near.pk, dose_number=1,
                                       reason="電話予約")
    gone = services.reservation_book(actor=services.Actor.system(), resident=taro, slot_id=far.pk, dose_number=1)
    services.reservation_cancel(actor=staff, reservation=gone, reason="本人から電話")
    return {"own": own, "other": other, "operator": operator, "hanako": hanako, "taro": taro, "booked": booked,
            "gone": gone, "near": near, "far": far}


def rows(html: str) -> str:
    return html.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in html else ""


def test_the_log_shows_who_what_when_and_why(admin, city):
    html = admin.get("/console/audit/").content.decode()
    body = rows(html)
    assert "op-audit" in body and "Reservation booked" in body and "電話予約" in body and "本人から電話" in body
    assert "reservation.book" not in body and "channel=" not in body  # words, not codes
    assert "Channel: phone" in body and f'href="/console/setup/slots/{city["near"].pk}/"' in body
    assert city["booked"].code in body and "10.0.0.9" in body


def test_filter_by_action_and_staff_member(admin, city):
    body = rows(admin.get("/console/audit/?action=reservation.cancel").content.decode())
    assert "Reservation cancelled" in body and "Reservation booked" not in body
    body = rows(admin.get(f"/console/audit/?staff={city['operator'].pk}").content.decode())
    assert body.count("<tr>") == 2  # the operator's booking and cancellation, not the system's booking


def test_a_resident_is_chosen_by_a_posted_ticket_number_never_in_the_url(admin, city):
    response = admin.post("/console/audit/", {"ticket_number": "１２３４５-６７８９０"})
    assert response.status_code == 302
    assert response["Location"] == f"/console/audit/?resident={city['hanako'].pk}"
    assert "1234567890" not in response["Location"]
    html = admin.get(response["Location"]).content.decode()
    assert "Showing the events of" in html and "花子" in html
    body = rows(html)
    assert city["booked"].code in body and city["gone"].code not in body


@pytest.mark.parametrize(("ticket", "message"), [("", "Enter the 10-digit ticket number."),
                                                 ("12345", "you entered 5"), ("abcdefghij", "only digits"),
                                                 ("9999999999", "No resident has this ticket number.")])
def test_a_bad_or_unknown_ticket_number_says_so(admin, city, ticket, message):
    response = admin.post("/console/audit/", {"ticket_number": ticket})
    html = response.content.decode()
    assert response.status_code == 200 and "error-summary" in html and message in html


def test_filter_by_dates(admin, city):
    AuditEvent.objects.filter(action="reservation.cancel").update(created_at=timezone.now() - timedelta(days=10))
    day = (timezone.localdate() - timedelta(days=10)).isoformat()
    body = rows(admin.get(f"/console/audit/?date_from={day}&date_to={day}").content.decode())
    assert "Reservation cancelled" in body and "Reservation booked" not in body
    html = admin.get(f"/console/audit/?date_from={timezone.localdate()}&date_to={day}").content.decode()
    assert "The end date must be on or after the start date." in html


def test_the_log_is_paginated(admin, city):
    AuditEvent.objects.bulk_create([AuditEvent(actor_kind="system", action="test.filler") for _ in range(120)])
    first = admin.get("/console/audit/?action=test.filler").content.decode()
    assert rows(first).count("<tr>") == 50 and "Page 1 of 3" in first
    assert 'href="?action=test.filler&amp;page=2"' in first
    last = admin.get("/console/audit/?action=test.filler&page=3").content.decode()
    assert rows(last).count("<tr>") == 20


@pytest.mark.parametrize("query", ["staff=abc", "staff=999999", "action=nonsense", "date_from=x", "resident=-5",
                                   "resident=abc", "page=0", "page=abc", "date_to=2026-13-40"])
def test_garbage_filters_never_fail(admin, city, query):
    assert admin.get(f"/console/audit/?{query}").status_code == 200


# --- Export --------------------------------------------------------------------------------------------


def export(client, **params):
    params.setdefault("date_from", timezone.localdate().isoformat())
    params.setdefault("date_to", (timezone.localdate() + timedelta(days=30)).isoformat())
    return client.get("/console/export/reservations/", {"download": "1", **params})


def csv_lines(response) -> list[str]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return body.decode("utf-8-sig").split("\r\n")


def test_the_export_is_csv_with_a_bom_and_is_audited(admin, city):
    response = export(admin)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    lines = csv_lines(response)
    assert lines[0].startswith("Reservation ID,Status,Dose,Date,Time,Venue code")
    assert len([line for line in lines[1:] if line]) == 2
    assert any(city["booked"].code in line and "花子" in line and "1234567890" in line for line in lines)
    event = AuditEvent.objects.get(action="reservations.export")
    assert event.actor_user_id == admin.user.pk and event.data["status"] == ""


def test_export_filters_by_venue_status_and_dates(admin, city):
    by_venue = csv_lines(export(admin, venue=city["other"].pk))
    assert any(city["gone"].code in line for line in by_venue) and not any(city["booked"].code in line
                                                                           for line in by_venue)
    by_status = csv_lines(export(admin, status=Reservation.Status.BOOKED))
    assert any(city["booked"].code in line for line in by_status) and not any(city["gone"].code in line
                                                                              for line in by_status)
    near_day = timezone.localdate(city["near"].starts_at).isoformat()
    by_days = csv_lines(export(admin, date_from=near_day, date_to=near_day))
    assert [line.split(",")[0] for line in by_days[1:] if line] == [city["booked"].code]


@pytest.mark.parametrize("params", [{"date_from": "x"}, {"date_from": "2026-05-10", "date_to": "2026-05-01"},
                                    {"date_from": "2026-01-01", "date_to": "2027-06-01"}, {"venue": "zz"},
                                    {"status": "gone"}, {"date_from": "", "date_to": ""}])
def test_bad_export_filters_show_the_form_with_messages(admin, city, params):
    response = export(admin, **params)
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    assert not AuditEvent.objects.filter(action="reservations.export").exists()


def test_the_export_form_starts_with_the_next_month(admin, city):
    html = admin.get("/console/export/reservations/").content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in html and "error-summary" not in html


def test_the_audit_log_in_japanese(staff_client, city):
    client = staff_client("city_admin")
    client.cookies["django_language"] = "ja"
    assert "操作記録" in client.get("/console/audit/").content.decode()
