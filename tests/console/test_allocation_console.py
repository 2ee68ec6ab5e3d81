"""The console's allocation area: the preview (a dry run, figures first, the same as manage.py allocate), publish
(city admins, with a reason and the preview's seed), the call centre registering a caller's wishes (with a
reason, audited), and each resident's state in the round on the resident's page."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import services
from yoyaku.booking.models import AllocationRegistration, AuditEvent, BookingWindow, Reservation

SYSTEM = services.Actor.system()
Status = AllocationRegistration.Status


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def round_(db):
    pfz = f.vaccine(code="PFZ", name="Pfizer", min_age=12, next_dose_min_days=21)
    north = f.venue(vaccines=[pfz], name="North Clinic", area="North")
    south = f.venue(vaccines=[pfz], name="South Hall", area="South")
    for day in (5, 6):
        f.slot(venue=north, vaccine=pfz, starts_at=f.at(day, 10), capacity=2)
        f.slot(venue=south, vaccine=pfz, starts_at=f.at(day, 10), capacity=1)
    now = timezone.now()
    window = services.allocation_window_open(
        actor=SYSTEM, doses=[1, 2], opens_at=now - timedelta(days=2), closes_at=now + timedelta(days=1),
        first_day=timezone.localdate() + timedelta(days=3), last_day=timezone.localdate() + timedelta(days=30),
        label="Round one", priorities=[{"label": "65 and over", "born_on_or_before": date(1960, 1, 1)}])
    residents = [f.resident(birth_date=date(1950 + i, 1, 1)) for i in range(10)]
    for i, resident in enumerate(residents):
        services.allocation_register(actor=SYSTEM, window=window, resident=resident,
                                     areas=["North"] if i % 2 else [], reason="test")
    BookingWindow.objects.filter(pk=window.pk).update(closes_at=now - timedelta(minutes=1))
    window.refresh_from_db()
    return {"window": window, "residents": residents, "north": north}


def test_the_preview_shows_the_commands_figures_and_writes_nothing(staff_client, round_):
    client = staff_client("city_admin")
    window = round_["window"]
    html = client.get(f"/console/allocation/{window.pk}/?seed=7").content.decode()
    out = StringIO()
    call_command("allocate", "--window", str(window.pk), "--dry-run", "--seed", "7", stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    assert last == "allocated 6 of 10 registrations, 0 places left, 0 overbooked"
    assert "seed 7" in html
    for label, value in [("Registrations waiting", 10), ("Places", 6), ("Get an appointment", 6),
                         ("Places left", 0), ("Overbooked slots", 0)]:
        assert f"<dt>{label}</dt><dd><strong>{value}</strong>" in html or f"<dt>{label}</dt><dd>{value}</dd>" in html
    assert "Lowest priority served" in html and "North" in html and "South" in html
    assert not Reservation.objects.exists() and not AllocationRegistration.objects.exclude(
        status=Status.REGISTERED).exists()
    assert not AuditEvent.objects.filter(action="allocation.run").exists()


def test_publish_needs_a_reason_and_uses_the_previews_seed(staff_client, round_):
    client = staff_client("city_admin")
    window = round_["window"]
    response = client.post(f"/console/allocation/{window.pk}/", {"seed": "7", "reason": " "})
    assert response.status_code == 200 and "Give a reason" in response.content.decode()
    assert not Reservation.objects.exists()
    preview = services.allocation_run(actor=SYSTEM, window=window, seed=7, dry_run=True, reason="x")
    response = client.post(f"/console/allocation/{window.pk}/", {"seed": "7", "reason": "committee of 1 June"},
                           follow=True)
    assert "Published: 6 of 10 registrations allocated (seed 7)" in response.content.decode()
    assert dict(AllocationRegistration.objects.filter(status=Status.OFFERED)
                .values_list("pk", "reservation__slot_id")) == preview.assignments
    event = AuditEvent.objects.get(action="allocation.run")
    assert event.reason == "committee of 1 June"


@pytest.mark.parametrize("query", ["seed=abc", "seed=-1", "seed=99999999999999999999", "seed="])
def test_a_bad_seed_draws_one_instead(staff_client, round_, query):
    response = staff_client("city_admin").get(f"/console/allocation/{round_['window'].pk}/?{query}")
    assert response.status_code == 200 and "Preview (dry run" in response.content.decode()


def test_the_call_centre_registers_a_callers_wishes(staff_client, round_):
    client = staff_client("call_centre")
    window = round_["window"]
    BookingWindow.objects.filter(pk=window.pk).update(closes_at=timezone.now() + timedelta(days=1))
    caller = f.resident(birth_date=date(1948, 3, 3))
    detail = client.get(f"/console/residents/{caller.pk}/").content.decode()
    assert "Round one" in detail and "Register wishes for the caller" in detail
    url = f"/console/residents/{caller.pk}/allocation/{window.pk}/"
    form = {"choice_1": f"venue:{round_['north'].pk}", "choice_2": "", "choice_3": "", "earliest_date": "",
            "email": "", "wants_move_up": "no", "weekdays": ["0", "2"]}
    response = client.post(url, {**form, "reason": ""})
    assert "Give a reason" in response.content.decode()
    response = client.post(url, {**form, "reason": "caller asked by phone"})
    assert response.status_code == 302
    registration = AllocationRegistration.objects.get(resident=caller)
    assert registration.channel == "phone" and registration.venue_ids == [round_["north"].pk]
    assert registration.weekday_mask == 0b101
    event = AuditEvent.objects.get(action="allocation.register", resident=caller)
    assert event.reason == "caller asked by phone"
    detail = client.get(f"/console/residents/{caller.pk}/").content.decode()
    assert "registered" in detail and "North Clinic" in detail and "Change the wishes" in detail


def test_the_residents_page_shows_the_allocation(staff_client, round_):
    client = staff_client("call_centre")
    window = round_["window"]
    services.allocation_run(actor=SYSTEM, window=window, seed=7, reason="test")
    offered = AllocationRegistration.objects.filter(status=Status.OFFERED).select_related("reservation").first()
    waiting = AllocationRegistration.objects.filter(status=Status.REGISTERED).first()
    html = client.get(f"/console/residents/{offered.resident_id}/").content.decode()
    assert "allocated, to confirm" in html and offered.reservation.code in html
    html = client.get(f"/console/residents/{waiting.resident_id}/").content.decode()
    assert f"place in the order {waiting.position}" in html
    # The registration period is over: the call centre can no longer change wishes.
    assert client.get(f"/console/residents/{waiting.resident_id}/allocation/{window.pk}/").status_code == 404


def test_the_rounds_list(staff_client, round_):
    html = staff_client("city_admin").get("/console/allocation/").content.decode()
    assert "Round one" in html and f"/console/allocation/{round_['window'].pk}/" in html
    assert "/console/allocation/" in staff_client("call_centre").get("/console/").content.decode()
