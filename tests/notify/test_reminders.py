"""The day-before reminder: queued once per reservation and appointment day, from REMINDER_TIME on."""

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import services
from yoyaku.booking.notifications import reminders_queue
from yoyaku.notify.models import Notification
from yoyaku.notify.worker import Worker

from .conftest import book

pytestmark = pytest.mark.django_db

REMINDER = Notification.Kind.REMINDER


def local(day_offset: int, hour: int, minute: int = 0):
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def operator():
    return f.staff_user()


@pytest.fixture
def tomorrow(booking_city, operator):
    """A reservation tomorrow at 9:00 (booked by the call centre: the web deadline has passed)."""
    slot = f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"], starts_at=local(1, 9))
    return book(slot, staff=operator, resident=f.resident(email="taro@example.jp", language="en"))


def test_one_reminder_per_reservation_tomorrow_however_often_it_runs(tomorrow, booking_city, operator):
    other_day = f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"], starts_at=local(2, 9))
    book(other_day, staff=operator)
    now = local(0, 10)
    assert reminders_queue(now=now) == 1
    assert reminders_queue(now=now) == 0
    assert reminders_queue(now=now + timedelta(hours=5)) == 0
    [reminder] = Notification.objects.filter(kind=REMINDER)
    assert reminder.reservation_id == tomorrow.pk
    assert reminder.status == Notification.Status.PENDING


def test_not_before_the_reminder_time(tomorrow, settings):
    settings.NOTIFY = {"REMINDER_TIME": "09:00"}
    assert reminders_queue(now=local(0, 8, 59)) == 0
    assert reminders_queue(now=local(0, 9, 0)) == 1


def test_cancelled_or_addressless_reservations_get_none(booking_city, operator):
    slot = f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"], starts_at=local(1, 11), capacity=5)
    cancelled = book(slot, staff=operator)
    services.reservation_cancel(actor=services.Actor.for_staff(operator), reservation=cancelled, reason="phone")
    book(slot, staff=operator, email="")
    assert reminders_queue(now=local(0, 10)) == 0


def test_a_reservation_moved_to_another_day_gets_a_reminder_for_the_new_day(tomorrow, booking_city, operator):
    assert reminders_queue(now=local(0, 10)) == 1
    later = f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"], starts_at=local(3, 9))
    services.reservation_change(actor=services.Actor.for_staff(operator), reservation=tomorrow, slot_id=later.pk,
                                reason="phone")
    assert reminders_queue(now=local(2, 10)) == 1
    assert Notification.objects.filter(kind=REMINDER, reservation=tomorrow).count() == 2


def test_a_reminder_that_went_stale_before_sending_is_skipped(tomorrow, operator):
    reminders_queue(now=local(0, 10))
    services.reservation_cancel(actor=services.Actor.for_staff(operator), reservation=tomorrow, reason="phone")
    Worker(jobs=False).run(until_idle=True)
    reminder = Notification.objects.get(kind=REMINDER)
    assert reminder.status == Notification.Status.SKIPPED
    assert [m.subject for m in mail.outbox if "tomorrow" in m.subject] == []


def test_the_worker_queues_and_sends_the_reminder_once(tomorrow, settings):
    settings.NOTIFY = {"REMINDER_TIME": "00:00", "POLL_SECONDS": 0.01}
    Worker().run(until_idle=True)
    Worker().run(until_idle=True)
    call_command("queue_reminders")
    Worker().run(until_idle=True)
    reminders = [m for m in mail.outbox if "tomorrow" in m.subject]
    assert len(reminders) == 1
    body = reminders[0].body
    assert tomorrow.code in reminders[0].subject and tomorrow.code in body
    assert "Your vaccination is tomorrow." in body
    for phone in settings.YOYAKU["CALL_CENTRE_PHONES"]:
        assert phone in body
    assert "What to bring" in body


@pytest.mark.parametrize("when", [
    (1, 7),   # the appointment's morning, before 9:00: the reminder would say "tomorrow" on the day
    (1, 12),  # after the appointment
    (3, 9),   # days later, after a long mail outage
])
def test_a_reminder_is_never_sent_on_the_appointment_day_or_later(tomorrow, monkeypatch, when):
    assert reminders_queue(now=local(0, 10)) == 1
    late = local(*when)
    monkeypatch.setattr(timezone, "now", lambda: late)
    Worker(jobs=False).run(until_idle=True)
    reminder = Notification.objects.get(kind=REMINDER)
    assert (reminder.status, reminder.last_error) == (
        Notification.Status.SKIPPED, "too late: the appointment's day has come")
    assert [m.subject for m in mail.outbox if "tomorrow" in m.subject] == []


def test_a_reminder_sent_the_evening_before_still_goes(tomorrow, monkeypatch):
    assert reminders_queue(now=local(0, 10)) == 1
    evening = local(0, 23, 59)
    monkeypatch.setattr(timezone, "now", lambda: evening)
    Worker(jobs=False).run(until_idle=True)
    assert Notification.objects.get(kind=REMINDER).status == Notification.Status.SENT
    assert len([m for m in mail.outbox if "tomorrow" in m.subject]) == 1


def test_a_stale_reminder_says_why_it_was_skipped(tomorrow, operator):
    reminders_queue(now=local(0, 10))
    services.reservation_cancel(actor=services.Actor.for_staff(operator), reservation=tomorrow, reason="phone")
    Worker(jobs=False).run(until_idle=True)
    assert Notification.objects.get(kind=REMINDER).last_error == "the reservation is no longer booked"
