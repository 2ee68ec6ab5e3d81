"""Allocation mode end to end with the real worker (manage.py run_worker, its periodic jobs) and a real SMTP server:
the allocated email, confirm (the booking email), decline and expire (the place reaches the next in the order,
who gets the allocated email in turn)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests import factories as f
from tests.booking.test_allocation import allocation_window, close
from tests.notify.conftest import smtp, smtp_server  # noqa: F401 - the real SMTP server fixtures
from yoyaku.booking import selectors, services
from yoyaku.booking.models import AllocationRegistration

Status = AllocationRegistration.Status


@pytest.fixture
def round_published(db, settings):
    settings.YOYAKU = {**settings.YOYAKU, "SITE_URL": "https://yoyaku.example.jp"}
    pfz = f.vaccine(code="PFZ", name="Pfizer")
    venue = f.venue(vaccines=[pfz], name="North Clinic")
    window = allocation_window(confirm_hours=48)
    f.slot(venue=venue, vaccine=pfz, starts_at=f.at(20), capacity=1)
    for n in range(4):
        resident = f.resident()
        services.allocation_register(actor=services.Actor.for_resident(resident), window=window, resident=resident,
                                     email=f"r{n}@example.jp")
    close(window)
    services.allocation_run(actor=services.Actor.system(), window=window, seed=3)
    return list(AllocationRegistration.objects.order_by("position").select_related("resident"))


def worker():
    call_command("run_worker", "--until-idle")


@pytest.mark.slow
def test_allocated_then_declined_then_expired_then_confirmed(round_published, smtp):  # noqa: F811
    first, second, third, fourth = round_published
    worker()
    [allocated] = smtp.messages
    assert allocated["To"] == first.email
    assert "https://yoyaku.example.jp/allocation/" in allocated.get_body(preferencelist=("plain",)).get_content()
    # Declined: the place goes to the next in the order, who is emailed.
    services.allocation_decline(actor=services.Actor.for_resident(first.resident), registration=first)
    worker()
    assert [m["To"] for m in smtp.messages] == [first.email, second.email]
    # Not confirmed in time: the worker's periodic job expires it and offers the place to the next.
    AllocationRegistration.objects.filter(pk=second.pk).update(confirm_by=timezone.now() - timedelta(minutes=1))
    worker()
    assert [m["To"] for m in smtp.messages] == [first.email, second.email, third.email]
    assert AllocationRegistration.objects.get(pk=second.pk).status == Status.EXPIRED
    # Confirmed: the booking email with its calendar file.
    third.refresh_from_db()
    services.allocation_confirm(actor=services.Actor.for_resident(third.resident), registration=third)
    worker()
    assert [m["To"] for m in smtp.messages][-1] == third.email
    assert AllocationRegistration.objects.get(pk=third.pk).status == Status.CONFIRMED
    assert AllocationRegistration.objects.get(pk=fourth.pk).status == Status.REGISTERED
    assert not selectors.integrity_mismatches().exists()
