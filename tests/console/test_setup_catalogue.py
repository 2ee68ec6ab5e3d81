"""Vaccines and venues in the console: list, create, edit; city admins only; bad input never a 500."""

import pytest

from tests import factories as f
from yoyaku.booking.models import AuditEvent, Vaccine, Venue
from yoyaku.console.roles import CALL_CENTRE, CITY_ADMIN, VENUE_STAFF

pytestmark = pytest.mark.django_db

VACCINE = {"code": "PFZ", "name": "ファイザー", "min_age": "12", "next_dose_min_days": "21", "doses_per_vial": "6",
           "active": "on"}


@pytest.fixture
def admin(staff_client):
    client = staff_client(CITY_ADMIN)
    client.cookies["django_language"] = "en"
    return client


def summary(html: str) -> str:
    start = html.index('class="error-summary"')
    return html[start:html.index("</div>", start)]


# --- Vaccines --------------------------------------------------------------------------------------------


def test_vaccines_list_shows_every_vaccine_with_its_numbers(admin):
    f.vaccine(code="PFZ", name="Pfizer", min_age=12, next_dose_min_days=21, doses_per_vial=6)
    f.vaccine(code="OLD", name="Old one", active=False)
    html = admin.get("/console/setup/vaccines/").content.decode()
    assert "Pfizer" in html and "<code>PFZ</code>" in html and "Inactive" in html


def test_vaccine_create_saves_audits_and_goes_back_to_the_list(admin):
    response = admin.post("/console/setup/vaccines/new/", VACCINE)
    assert response.status_code == 302 and response["Location"] == "/console/setup/vaccines/"
    vaccine = Vaccine.objects.get(code="PFZ")
    assert (vaccine.name, vaccine.min_age, vaccine.next_dose_min_days, vaccine.doses_per_vial, vaccine.active) == (
        "ファイザー", 12, 21, 6, True)
    event = AuditEvent.objects.get(action="vaccine.create")
    assert (event.actor_kind, event.actor_user_id) == ("staff", admin.user.pk)
    assert "Saved the vaccine ファイザー (PFZ)." in admin.get("/console/setup/vaccines/").content.decode()


def test_vaccine_numbers_accept_full_width_digits(admin):
    admin.post("/console/setup/vaccines/new/", {**VACCINE, "min_age": "１２", "doses_per_vial": "１０"})
    assert Vaccine.objects.get(code="PFZ").doses_per_vial == 10


@pytest.mark.parametrize(("fields", "messages"), [
    ({"code": "", "name": "", "min_age": "", "next_dose_min_days": "", "doses_per_vial": ""},
     ["Enter a code.", "Enter the vaccine&#x27;s name.", "Enter a number."]),
    ({"min_age": "abc", "doses_per_vial": "0"}, ["Enter a whole number from 0 to 120.",
                                                 "Enter a whole number from 1 to 100."]),
    ({"next_dose_min_days": "99999999999999999999999"}, ["Enter a whole number from 0 to 3650."]),
    ({"code": "P F Z"}, ["A code is 1 to 20 letters"]),
    ({"code": "x" * 300}, ["Ensure this value has at most 20 characters"]),
])
def test_vaccine_form_errors_reshow_the_answers_with_a_summary(admin, fields, messages):
    response = admin.post("/console/setup/vaccines/new/", {**VACCINE, **fields})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error:" in html
    for message in messages:
        assert message in summary(html)
    assert 'value="ファイザー"' in html or fields.get("name") == ""
    assert not Vaccine.objects.exists()


def test_vaccine_code_taken_is_shown_on_the_code_field(admin):
    f.vaccine(code="PFZ")
    html = admin.post("/console/setup/vaccines/new/", VACCINE).content.decode()
    assert 'href="#id_code"' in summary(html)
    assert "The code PFZ is already used by another vaccine." in html


def test_vaccine_edit_shows_the_values_and_records_the_reason(admin):
    vaccine = f.vaccine(code="PFZ", name="Pfizer", next_dose_min_days=21)
    html = admin.get(f"/console/setup/vaccines/{vaccine.pk}/").content.decode()
    assert 'value="Pfizer"' in html and 'value="21"' in html and 'name="reason"' in html
    response = admin.post(f"/console/setup/vaccines/{vaccine.pk}/",
                          {**VACCINE, "name": "Pfizer", "next_dose_min_days": "28", "reason": "new guidance"})
    assert response.status_code == 302
    vaccine.refresh_from_db()
    assert vaccine.next_dose_min_days == 28 and vaccine.active
    event = AuditEvent.objects.get(action="vaccine.update")
    assert event.reason == "new guidance" and event.data["changes"] == {"next_dose_min_days": [21, 28]}


def test_unticking_active_deactivates(admin):
    vaccine = f.vaccine(code="PFZ")
    data = {k: v for k, v in VACCINE.items() if k != "active"}
    admin.post(f"/console/setup/vaccines/{vaccine.pk}/", data)
    vaccine.refresh_from_db()
    assert not vaccine.active


def test_unknown_vaccine_is_404(admin):
    assert admin.get("/console/setup/vaccines/999999/").status_code == 404


@pytest.mark.parametrize("role", [CALL_CENTRE, VENUE_STAFF])
def test_other_roles_cannot_create_vaccines_or_venues(staff_client, role):
    client = staff_client(role, venues=[f.venue()] if role == VENUE_STAFF else ())
    assert client.post("/console/setup/vaccines/new/", VACCINE).status_code == 403
    assert client.post("/console/setup/venues/new/", {"code": "C01", "name": "X", "kind": "clinic"}).status_code == 403
    assert not Vaccine.objects.exists()
    assert not Venue.objects.filter(code="C01").exists()


# --- Venues ----------------------------------------------------------------------------------------------


def venue_data(**fields):
    data = {"code": "C01", "name": "中央クリニック", "kind": "clinic", "area": "北", "address": "1-1",
            "phone": "０１９５－２３－３１１１", "notes": "駐車場あり", "active": "on"}
    data.update(fields)
    return data


def test_venues_list_shows_kind_area_and_vaccines(admin):
    pfz = f.vaccine(code="PFZ", name="Pfizer")
    venue = f.venue(vaccines=[pfz], name="North Clinic", area="North")
    html = admin.get("/console/setup/venues/").content.decode()
    assert "North Clinic" in html and "Pfizer" in html and "clinic" in html
    assert f'href="/console/setup/slots/?venue={venue.pk}"' in html


def test_venue_create_with_vaccines_and_a_normalised_phone(admin):
    pfz, mod = f.vaccine(code="PFZ", name="Pfizer"), f.vaccine(code="MOD", name="Moderna")
    response = admin.post("/console/setup/venues/new/", venue_data(vaccines=[pfz.pk, mod.pk]))
    assert response.status_code == 302
    venue = Venue.objects.get(code="C01")
    assert venue.phone == "0195-23-3111"
    assert sorted(venue.vaccines.values_list("code", flat=True)) == ["MOD", "PFZ"]
    assert AuditEvent.objects.filter(action="venue.create").count() == 1


def test_venue_form_lists_vaccines_as_checkboxes_marking_inactive_ones(admin):
    f.vaccine(code="PFZ", name="Pfizer")
    f.vaccine(code="OLD", name="Old", active=False)
    html = admin.get("/console/setup/venues/new/").content.decode()
    assert html.count('type="checkbox" name="vaccines"') == 2
    assert "Old (inactive)" in html


@pytest.mark.parametrize(("fields", "message"), [
    ({"kind": "hospital"}, "Select a valid choice."),
    ({"kind": ""}, "Choose the kind of venue."),
    ({"vaccines": ["abc"]}, "A vaccine you chose no longer exists. Choose again."),
    ({"vaccines": ["999999"]}, "A vaccine you chose no longer exists. Choose again."),
    ({"vaccines": ["9" * 30]}, "A vaccine you chose no longer exists. Choose again."),
    ({"phone": "12"}, "Enter a phone number of 10 or 11 digits"),
    ({"name": ""}, "Enter the venue&#x27;s name."),
])
def test_venue_form_garbage_gets_a_message(admin, fields, message):
    response = admin.post("/console/setup/venues/new/", venue_data(**fields))
    assert response.status_code == 200
    assert message in summary(response.content.decode())
    assert not Venue.objects.exists()


def test_venue_edit_changes_vaccines_and_audits(admin):
    pfz, mod = f.vaccine(code="PFZ"), f.vaccine(code="MOD")
    venue = f.venue(code="C01", vaccines=[pfz])
    html = admin.get(f"/console/setup/venues/{venue.pk}/").content.decode()
    assert f'value="{pfz.pk}" checked' in html or f'value="{pfz.pk}"\n' in html or "checked" in html
    response = admin.post(f"/console/setup/venues/{venue.pk}/", venue_data(vaccines=[mod.pk], reason="switch"))
    assert response.status_code == 302
    assert [v.code for v in venue.vaccines.all()] == ["MOD"]
    event = AuditEvent.objects.get(action="venue.update")
    assert event.data["changes"]["vaccines"] == [["PFZ"], ["MOD"]] and event.reason == "switch"


def test_venue_code_taken(admin):
    f.venue(code="C01")
    other = f.venue(code="C02")
    html = admin.post(f"/console/setup/venues/{other.pk}/", venue_data(code="C01")).content.decode()
    assert "The code C01 is already used by another venue." in html


# --- Names and texts per language ------------------------------------------------------------------------


def test_vaccine_form_saves_the_names_per_language(admin):
    html = admin.get("/console/setup/vaccines/new/").content.decode()
    assert 'name="name_en"' in html and 'name="name_zh_hans"' in html and 'name="name_ko"' in html
    assert '<legend lang="zh-Hans">中文</legend>' in html
    admin.post("/console/setup/vaccines/new/", {**VACCINE, "name_en": "Pfizer", "name_zh_hans": "辉瑞"})
    vaccine = Vaccine.objects.get(code="PFZ")
    assert (vaccine.name_en, vaccine.name_zh_hans, vaccine.name_ko) == ("Pfizer", "辉瑞", "")
    assert 'value="Pfizer"' in admin.get(f"/console/setup/vaccines/{vaccine.pk}/").content.decode()


def test_venue_form_saves_edits_and_audits_the_texts_per_language(admin):
    venue = f.venue(code="C01", name="中央クリニック", area="北", address="1-1", notes="駐車場あり")
    html = admin.get(f"/console/setup/venues/{venue.pk}/").content.decode()
    for field in ("name_en", "area_zh_hans", "address_ko", "notes_en"):
        assert f'name="{field}"' in html
    response = admin.post(f"/console/setup/venues/{venue.pk}/", venue_data(
        name_en="Central Clinic", area_en="North", address_en="1-1 Morioka", notes_ko="주차장 있음",
        reason="English names"))
    assert response.status_code == 302
    venue.refresh_from_db()
    assert (venue.name_en, venue.area_en, venue.address_en, venue.notes_ko) == (
        "Central Clinic", "North", "1-1 Morioka", "주차장 있음")
    changes = AuditEvent.objects.get(action="venue.update").data["changes"]
    assert changes["name_en"] == ["", "Central Clinic"] and changes["notes_ko"] == ["", "주차장 있음"]
    html = admin.get(f"/console/setup/venues/{venue.pk}/").content.decode()
    assert 'value="Central Clinic"' in html and "주차장 있음</textarea>" in html


def test_venue_form_too_long_name_per_language_is_shown_on_its_field(admin):
    response = admin.post("/console/setup/venues/new/", venue_data(name_ko="x" * 101))
    assert response.status_code == 200
    assert 'href="#id_name_ko"' in summary(response.content.decode())
    assert not Venue.objects.exists()
