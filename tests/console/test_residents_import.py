"""Resident import by upload: the check (a dry run, every bad row), then apply; all rows or none."""

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories as f
from yoyaku.booking.models import AuditEvent, Resident
from yoyaku.console.roles import CALL_CENTRE, CITY_ADMIN

pytestmark = pytest.mark.django_db

URL = "/console/residents/import/"
HEADER = ("ticket_number,birth_date,family_name,given_name,family_name_kana,given_name_kana,phone,email,postal_code,"
          "address")


def row(ticket="0000000001", birth="1945-01-01", family="山田", given="花子", active=None):
    cells = [ticket, birth, family, given, "ヤマダ", "ハナコ", "0195-23-0000", "", "028-6100", "二戸市福岡"]
    return ",".join(cells + ([active] if active is not None else []))


def csv_file(lines, encoding="utf-8", name="residents.csv"):
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode(encoding), content_type="text/csv")


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def admin(staff_client):
    client = staff_client(CITY_ADMIN)
    client.cookies["django_language"] = "en"
    return client


def check(client, lines, **kwargs):
    return client.post(URL, {"action": "check", "file": csv_file(lines, **kwargs)})


def token_of(response) -> str:
    match = re.search(r'name="token" value="([0-9a-f]{32})"', response.content.decode())
    return match.group(1) if match else ""


def uploads(tmp_path):
    return list((tmp_path / "uploads").glob("*.csv")) if (tmp_path / "uploads").exists() else []


def test_check_reports_the_counts_and_writes_nothing_then_apply_imports(admin, tmp_path):
    f.resident(ticket_number="0000000002", birth_date=date(1950, 3, 15), family_name="岩手", given_name="一郎",
               family_name_kana="イワテ", given_name_kana="イチロウ", phone="0195-23-0000", postal_code="028-6100",
               address="二戸市福岡")
    same = row("0000000002", "1950-03-15", "岩手", "一郎").replace("ヤマダ,ハナコ", "イワテ,イチロウ")
    lines = [HEADER, row("0000000001"), same, row("0000000003", given="次郎")]
    response = check(admin, lines)
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 rows, all good" in html and "Nothing has been written yet" in html
    assert re.search(r"Residents to create</dt><dd>2<", html) and re.search(r"Unchanged</dt><dd>1<", html)
    assert Resident.objects.count() == 1 and len(uploads(tmp_path)) == 1

    response = admin.post(URL, {"action": "apply", "token": token_of(response)})
    assert response.status_code == 302
    assert Resident.objects.count() == 3
    created = AuditEvent.objects.filter(action="resident.import_create")
    assert created.count() == 2 and {e.actor_user for e in created} == {admin.user}
    assert uploads(tmp_path) == []
    assert "Imported: 2 created, 0 updated, 1 unchanged." in admin.get(URL).content.decode()


def test_every_bad_row_is_listed_by_line_and_nothing_can_be_applied(admin, tmp_path):
    lines = [HEADER, row("0000000001"), row("12345"), row("0000000003", "1945-13-01"), row("0000000001"),
             row("0000000005", family="")]
    response = check(admin, lines)
    html = response.content.decode()
    assert "4 bad rows: nothing can be imported" in html
    cells = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", html)
    assert cells == [("3", "ticket_number"), ("4", "birth_date"), ("5", "ticket_number"), ("6", "family_name")]
    assert "The same ticket_number is also on line 2." in html
    assert 'value="apply"' not in html and uploads(tmp_path) == []
    assert not Resident.objects.exists()


def test_a_shift_jis_file_is_read(admin):
    response = check(admin, [HEADER, row()], encoding="cp932")
    assert "1 row, all good" in response.content.decode() and "cp932" in response.content.decode()


@pytest.mark.parametrize("content, message", [
    (b"PK\x03\x04rest-of-a-zip", "spreadsheet file"),
    (b"\xff\xfe\x00\x00garbage\x00\x01", "neither UTF-8 nor Shift_JIS"),
    (b"\r\n\r\n", "The file is empty"),
    (b"name,age\r\nx,1\r\n", "Missing columns"),
])
def test_files_that_are_not_resident_lists_get_a_message(admin, content, message):
    response = admin.post(URL, {"action": "check", "file": SimpleUploadedFile("x.csv", content)})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Resident.objects.exists()


def test_no_file_or_an_empty_file_is_a_form_error(admin):
    assert "Choose the CSV file to check" in admin.post(URL, {"action": "check"}).content.decode()
    empty = SimpleUploadedFile("x.csv", b"")
    assert "The file is empty" in admin.post(URL, {"action": "check", "file": empty}).content.decode()


def test_a_file_too_large_is_refused(admin, monkeypatch):
    monkeypatch.setattr("yoyaku.console.residents.forms.MAX_UPLOAD_BYTES", 10)
    assert "too large" in check(admin, [HEADER, row()]).content.decode()


def test_apply_checks_again_and_counts_what_changed_meanwhile(admin):
    token = token_of(check(admin, [HEADER, row("0000000001"), row("0000000002")]))
    f.resident(ticket_number="0000000002", family_name="別人")  # created by someone else in between
    admin.post(URL, {"action": "apply", "token": token})
    assert "Imported: 1 created, 1 updated, 0 unchanged." in admin.get(URL).content.decode()
    assert Resident.objects.get(ticket_number="0000000002").family_name == "山田"


def test_apply_refuses_a_file_changed_on_disk_or_a_stale_or_foreign_token(admin, tmp_path):
    token = token_of(check(admin, [HEADER, row("0000000001")]))
    for bad in ["", "0" * 32, "../../etc/passwd", token.upper()]:
        response = admin.post(URL, {"action": "apply", "token": bad}, follow=True)
        assert "out of date" in response.content.decode()
    uploads(tmp_path)[0].write_bytes(f"{HEADER}\r\n{row('0000000009')}\r\n".encode())
    response = admin.post(URL, {"action": "apply", "token": token}, follow=True)
    assert "out of date" in response.content.decode()
    assert not Resident.objects.exists()


def test_a_token_works_once(admin):
    token = token_of(check(admin, [HEADER, row()]))
    admin.post(URL, {"action": "apply", "token": token})
    response = admin.post(URL, {"action": "apply", "token": token}, follow=True)
    assert "out of date" in response.content.decode()
    assert AuditEvent.objects.filter(action="resident.import_create").count() == 1


def test_a_new_check_replaces_the_previous_upload(admin, tmp_path):
    first = token_of(check(admin, [HEADER, row("0000000001")]))
    second = token_of(check(admin, [HEADER, row("0000000002")]))
    assert first != second and len(uploads(tmp_path)) == 1
    assert "out of date" in admin.post(URL, {"action": "apply", "token": first}, follow=True).content.decode()


def test_discard_removes_the_upload(admin, tmp_path):
    check(admin, [HEADER, row()])
    admin.post(URL, {"action": "discard"})
    assert uploads(tmp_path) == [] and not Resident.objects.exists()


def test_another_session_cannot_apply_my_upload(admin, client, tmp_path):
    from tests.console.conftest import log_in_staff, make_staff

    token = token_of(check(admin, [HEADER, row()]))
    other = client.__class__()
    log_in_staff(other, make_staff("second-admin", CITY_ADMIN))
    other.post(URL, {"action": "apply", "token": token})
    assert not Resident.objects.exists()


def test_withdrawing_access_by_import_is_applied(admin):
    f.resident(ticket_number="0000000001", birth_date=date(1945, 1, 1), family_name="山田", given_name="花子",
               family_name_kana="ヤマダ", given_name_kana="ハナコ", phone="0195-23-0000", postal_code="028-6100",
               address="二戸市福岡")
    token = token_of(check(admin, [HEADER + ",active", row(active="0")]))
    admin.post(URL, {"action": "apply", "token": token})
    assert not Resident.objects.get(ticket_number="0000000001").active
    assert AuditEvent.objects.get(action="resident.import_update").data == {"fields": ["active"]}


def test_call_centre_cannot_import(staff_client):
    client = staff_client(CALL_CENTRE)
    assert client.post(URL, {"action": "check", "file": csv_file([HEADER, row()])}).status_code == 403
    assert not Resident.objects.exists()
