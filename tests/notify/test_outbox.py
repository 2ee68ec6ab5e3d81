"""The outbox's interface: one queueing function taking plain data, and the periodic jobs the worker runs."""

import time

import pytest
from django.core import mail
from django.db import transaction

from tests import factories as f
from tests.booking.test_concurrency import storm
from yoyaku.notify import jobs
from yoyaku.notify.messages import KINDS
from yoyaku.notify.models import Notification
from yoyaku.notify.services import notification_queue
from yoyaku.notify.worker import Worker

from .conftest import book

Status = Notification.Status


def queue(reservation, **kw):
    return notification_queue(kind=Notification.Kind.REMINDER, reservation_id=reservation.pk,
                              payload={"code": reservation.code}, email="taro@example.jp", language="en", **kw)


@pytest.mark.django_db
def test_plain_data_in_one_row_out(booking_city):
    reservation = book(f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"]))
    note, created = queue(reservation, by_staff=True)
    assert created
    note.refresh_from_db()
    assert (note.kind, note.reservation_id, note.payload, note.email, note.language, note.by_staff, note.status) == (
        "reminder", reservation.pk, {"code": reservation.code}, "taro@example.jp", "en", True, Status.PENDING)


@pytest.mark.django_db
def test_without_an_address_the_row_is_kept_but_skipped(booking_city):
    reservation = book(f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"]))
    note, _created = notification_queue(kind="booked", reservation_id=reservation.pk, payload={}, email="",
                                        language="ja")
    assert (note.status, note.last_error) == (Status.SKIPPED, "no email address")


@pytest.mark.django_db
def test_a_dedupe_key_makes_at_most_one_row(booking_city):
    reservation = book(f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"]))
    first, made = queue(reservation, dedupe_key="reminder:x")
    again, made_again = queue(reservation, dedupe_key="reminder:x")
    assert (made, made_again, again.pk) == (True, False, first.pk)
    assert Notification.objects.filter(dedupe_key="reminder:x").count() == 1


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_racing_callers_of_one_dedupe_key_make_one_row_and_keep_their_transactions(booking_city):
    reservation = book(f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"]))

    def job():
        with transaction.atomic():
            _note, created = queue(reservation, dedupe_key="reminder:race")
            time.sleep(0.05)  # hold the row uncommitted: the others reach the unique index meanwhile
            Notification.objects.filter(pk=_note.pk).exists()  # the caller's transaction is still usable
        return created

    results = storm([job] * 8)
    assert sorted(results, key=repr) == [False] * 7 + [True], results
    assert Notification.objects.filter(dedupe_key="reminder:race").count() == 1


@pytest.fixture
def a_job():
    """A registered job, removed afterwards."""
    runs = []
    jobs.register("test-job", lambda: runs.append(1) or 2, every_seconds=3600)
    yield runs
    jobs.JOBS.pop("test-job", None)


@pytest.mark.django_db
def test_the_worker_runs_the_registered_jobs_once_per_interval(a_job, settings):
    settings.NOTIFY = {"POLL_SECONDS": 0.01}
    worker = Worker()
    worker.run(until_idle=True)
    worker.run(until_idle=True)  # the same worker: within the job's interval, not again
    assert a_job == [1]
    Worker(jobs=False).run(until_idle=True)
    assert a_job == [1]


@pytest.mark.django_db
def test_a_failing_job_is_logged_and_sending_goes_on(booking_city, caplog):
    book(f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"]))
    jobs.register("broken", lambda: 1 / 0, every_seconds=3600)
    try:
        with caplog.at_level("ERROR", logger="yoyaku.notify"):
            Worker().run(until_idle=True)
    finally:
        jobs.JOBS.pop("broken", None)
    assert "job broken failed" in caplog.text
    assert len(mail.outbox) == 1 and Notification.objects.get().status == Status.SENT


def test_booking_registers_its_kinds_and_the_reminders_job_at_start_up():
    assert set(KINDS) >= {kind.value for kind in Notification.Kind}
    assert "reminders" in jobs.JOBS
