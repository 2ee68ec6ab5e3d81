"""Venue, area and vaccine names, addresses and access notes per language, falling back to Japanese (issue 13,
item 2): the import's optional columns, the resident pages in English, and the map link from the address."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.booking.test_import_commands import run, write
from yoyaku.booking import services
from yoyaku.booking.models import Vaccine, Venue

pytestmark = pytest.mark.django_db


def test_import_takes_names_per_language_and_leaves_them_when_the_columns_are_left_out(tmp_path):
    run("import_vaccines", write(tmp_path, ["code,name,min_age,next_dose_min_days,doses_per_vial,name_en,name_ko",
                                            "pfizer,ファイザー社製,12,21,6,Pfizer,화이자"]))
    vaccine = Vaccine.objects.get(code="pfizer")
    assert (vaccine.name_en, vaccine.name_zh_hans, vaccine.name_ko) == ("Pfizer", "", "화이자")
    run("import_venues", write(tmp_path, [
        "code,name,kind,area,address,phone,notes,vaccines,name_en,area_en,address_en,notes_en",
        "C01,二戸クリニック,clinic,福岡,二戸市福岡1-1,0195-00-0001,駐車場あり,pfizer,"
        "Ninohe Clinic,Fukuoka,\"1-1 Fukuoka, Ninohe\",Parking available",
    ], name="venues.csv"))
    venue = Venue.objects.get(code="C01")
    assert (venue.name_en, venue.area_en, venue.address_en, venue.notes_en) == (
        "Ninohe Clinic", "Fukuoka", "1-1 Fukuoka, Ninohe", "Parking available")
    # A later file without the columns leaves the translations as they are.
    run("import_venues", write(tmp_path, ["code,name,kind,area,address,phone,notes,vaccines",
                                          "C01,二戸クリニック,clinic,福岡,二戸市福岡1-2,0195-00-0001,,pfizer"],
                               name="venues2.csv"))
    venue.refresh_from_db()
    assert venue.address == "二戸市福岡1-2" and venue.name_en == "Ninohe Clinic"


def test_localized_falls_back_to_japanese():
    venue = Venue(name="二戸クリニック", name_en="Ninohe Clinic", area="福岡", address="二戸市福岡1-1")
    assert venue.localized("name", "en") == "Ninohe Clinic"
    assert venue.localized("name", "ko") == "二戸クリニック"
    assert venue.localized("name", "ja") == "二戸クリニック"
    assert venue.localized("area", "zh-hans") == "福岡"
    assert venue.map_url.startswith("https://www.google.com/maps/search/?api=1&query=%E4%BA%8C")


@pytest.fixture
def english_city(city):
    north, south = city["venues"]
    Venue.objects.filter(pk=north.pk).update(name="北クリニック", name_en="North Clinic (EN)", area="北地区",
                                             area_en="North area", address="二戸市福岡1-1",
                                             address_en="1-1 Fukuoka, Ninohe", notes="駐車場あり",
                                             notes_en="Parking available")
    Vaccine.objects.filter(pk=city["vaccine"].pk).update(name="ファイザー社製", name_en="Pfizer (EN)")
    return city


def test_english_pages_show_the_citys_english_names(logged_in, english_city):
    logged_in.cookies["django_language"] = "en"
    north = english_city["venues"][0]
    day = timezone.localdate() + timedelta(days=3)
    top = logged_in.get("/", {"from": day.isoformat()}).content.decode()
    assert "North Clinic (EN)" in top and "North area" in top and "Pfizer (EN)" in top
    assert "北クリニック" not in top and "ファイザー社製" not in top
    assert 'value="北地区"' in top  # the Japanese area stays the filter's key
    assert "South Hall" in top  # no translation given: the Japanese (here the factory's) name
    booking = logged_in.get("/book/1/", {"venue": north.pk, "day": day.isoformat()}).content.decode()
    assert "North Clinic (EN)" in booking and "Pfizer (EN)" in booking and "ファイザー社製" not in booking


def test_reservation_shows_the_address_in_the_language_and_a_map_link(logged_in, english_city, resident):
    north = english_city["venues"][0]
    slot = next(s for s in english_city["slots"] if s.venue_id == north.pk)
    reservation = services.reservation_book(actor=services.Actor.for_resident(resident), resident=resident,
                                            slot_id=slot.pk, dose_number=1)
    html = logged_in.get(f"/reservations/{reservation.code}/").content.decode()
    assert "二戸市福岡1-1" in html and "駐車場あり" in html  # Japanese page: the Japanese
    assert 'href="https://www.google.com/maps/search/?api=1&amp;query=%E4%BA%8C%E6%88%B8' in html
    logged_in.cookies["django_language"] = "en"
    html = logged_in.get(f"/reservations/{reservation.code}/").content.decode()
    assert "1-1 Fukuoka, Ninohe" in html and "Parking available" in html and "Pfizer (EN)" in html
    assert "query=%E4%BA%8C%E6%88%B8" in html  # the map still searches the Japanese address
