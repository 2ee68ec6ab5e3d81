"""The dashboard: figures per day and venue from the counters, the vial waste rule, a fixed query count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import services
from yoyaku.booking.reports import dashboard_figures, last_hour
from yoyaku.booking.rules import vials_and_waste

# --- The vial rule (pure) ----------------------------------------------------------------------------


@pytest.mark.parametrize(("booked", "per_vial", "vials", "waste"), [
    (0, 6, 0, 0),  # nothing booked: no vial opened
    (1, 6, 1, 5),
    (6, 6, 1, 0),
    (7, 6, 2, 5),
    (12, 6, 2, 0),
    (11, 10, 2, 9),
    (3, 1, 3, 0),
])
def test_vials_are_booked_over_doses_per_vial_rounded_up_and_the_rest_is_waste(booked, per_vial, vials, waste):
    assert vials_and_waste(booked=booked, doses_per_vial=per_vial) == (vials, waste)


# --- Figures ----------------------------------------------------------------------------------------------


@pytest.fixture
def city(db):
    f.open_window()
    pfz = f.vaccine(code="PFZ", name="Pfizer", doses_per_vial=6)
    mdn = f.vaccine(code="MDN", name="Moderna", doses_per_vial=10)
    hall = f.venue(vaccines=[pfz, mdn], name="文化会館", code="G01")
    clinic = f.venue(vaccines=[pfz], name="さくら内科", code="C01")
    return {"pfz": pfz, "mdn": mdn, "hall": hall, "clinic": clinic}


def book(slot, n):
    return [services.reservation_book(actor=services.Actor.system(), resident=f.resident(), slot_id=slot.pk,
                                      dose_number=1) for _ in range(n)]


@pytest.mark.django_db
def test_figures_per_day_and_venue(city):
    day = f.at(3).date()
    hall_pfz = f.slot(venue=city["hall"], vaccine=city["pfz"], starts_at=f.at(3, 9), capacity=12)
    hall_mdn = f.slot(venue=city["hall"], vaccine=city["mdn"], starts_at=f.at(3, 9), capacity=10)
    clinic = f.slot(venue=city["clinic"], vaccine=city["pfz"], starts_at=f.at(3, 14), capacity=3)
    f.slot(venue=city["clinic"], vaccine=city["pfz"], starts_at=f.at(3, 15), capacity=3, closed=True)
    f.slot(venue=city["clinic"], vaccine=city["pfz"], starts_at=f.at(9), capacity=3)  # outside the days
    book(hall_pfz, 7)
    book(hall_mdn, 3)
    cancelled = book(clinic, 2)[0]
    services.reservation_cancel(actor=services.Actor.system(), reservation=cancelled)
    days, overall = dashboard_figures(start=day, days=2)
    assert [d.day for d in days] == [day]
    figures = {venue["name"]: fig for venue, fig in days[0].venues}
    hall, clinic_fig = figures["文化会館"], figures["さくら内科"]
    assert (hall.capacity, hall.booked, hall.free, hall.cancelled) == (22, 10, 12, 0)
    # Pfizer: 7 booked -> 2 vials of 6, 5 wasted; Moderna: 3 booked -> 1 vial of 10, 7 wasted.
    assert (hall.vials, hall.waste) == (3, 12)
    assert (clinic_fig.capacity, clinic_fig.booked, clinic_fig.free, clinic_fig.cancelled) == (3, 1, 2, 1)
    assert (clinic_fig.vials, clinic_fig.waste) == (1, 5)
    assert (overall.capacity, overall.booked, overall.cancelled, overall.waste) == (25, 11, 1, 17)
    only_clinic, _overall = dashboard_figures(start=day, days=1, venue_id=city["clinic"].pk)
    assert [venue["name"] for venue, _fig in only_clinic[0].venues] == ["さくら内科"]


@pytest.mark.django_db
def test_bookings_and_cancellations_in_the_last_hour(city):
    slot = f.slot(venue=city["clinic"], vaccine=city["pfz"], starts_at=f.at(3), capacity=5)
    old = services.reservation_book(actor=services.Actor.system(), resident=f.resident(), slot_id=slot.pk,
                                    dose_number=1, now=timezone.now() - timedelta(hours=2))
    book(slot, 2)
    services.reservation_cancel(actor=services.Actor.system(), reservation=old)
    assert last_hour(now=timezone.now()) == {"booked": 2, "cancelled": 1}


@pytest.fixture
def admin(staff_client):
    client = staff_client("city_admin")
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.django_db
def test_the_page_shows_the_figures_and_explains_the_waste(admin, city):
    book(f.slot(venue=city["clinic"], vaccine=city["pfz"], starts_at=f.at(1, 14), capacity=3), 1)
    html = admin.get("/console/dashboard/").content.decode()
    assert "さくら内科" in html and "Doses wasted" in html and "rounded up" in html
    assert "In the last hour" in html and "bookings 1, cancellations 0" in html


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["day=x", "days=0", "days=abc", "venue=zz", "day=2026-02-30&days=7",
                                   "day=1900-01-01&days=31"])
def test_garbage_filters_never_fail(admin, city, query):
    assert admin.get(f"/console/dashboard/?{query}").status_code == 200


@pytest.mark.slow  # over a second: left out of make test-fast
@pytest.mark.django_db
def test_the_page_is_a_fixed_number_of_queries_whatever_the_size(admin, city):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin.get("/console/dashboard/?days=14").status_code == 200
        return len(queries)

    book(f.slot(venue=city["clinic"], vaccine=city["pfz"], starts_at=f.at(1, 14), capacity=3), 1)
    small = count()
    venues = [f.venue(vaccines=[city["pfz"], city["mdn"]]) for _ in range(5)]
    for venue in venues:
        for day in range(1, 14):
            slot = f.slot(venue=venue, vaccine=city["pfz"], starts_at=f.at(day, 10), capacity=6)
            f.slot(venue=venue, vaccine=city["mdn"], starts_at=f.at(day, 11), capacity=10)
            if day % 4 == 0:
                services.reservation_cancel(actor=services.Actor.system(), reservation=book(slot, 2)[0])
    large = count()
    assert small == large, (small, large)


@pytest.mark.django_db
def test_the_dashboard_in_japanese(staff_client, city):
    client = staff_client("city_admin")
    client.cookies["django_language"] = "ja"
    assert "ダッシュボード" in client.get("/console/dashboard/").content.decode()
