"""Claims, leases and stops, in the test process (the email backend is Django's locmem outbox)."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests import factories as f
from yoyaku.booking.notifications import reservation_snapshot
from yoyaku.notify.models import Notification
from yoyaku.notify.worker import Worker, claim_batch, mark_sent, send_batch

from .conftest import book

pytestmark = pytest.mark.django_db

Status = Notification.Status


@pytest.fixture
def notes(booking_city):
    """Five pending notifications."""
    reservation = book(f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"]))
    payload = reservation_snapshot(reservation)
    Notification.objects.bulk_create(
        Notification(kind="booked", reservation=reservation, payload=payload, email="taro@example.jp", language="en")
        for _ in range(4)
    )
    return list(Notification.objects.order_by("pk"))


def test_a_claim_marks_a_batch_sending_with_a_token_and_a_lease(notes):
    token, claimed = claim_batch(limit=3, lease_seconds=60)
    assert [n.pk for n in claimed] == [n.pk for n in notes[:3]]
    assert {(n.status, n.claim_token) for n in claimed} == {(Status.SENDING, token)}
    assert all(n.lease_expires_at > timezone.now() + timedelta(seconds=50) for n in claimed)
    # The next claim gets the others; then there is nothing left to claim.
    token2, rest = claim_batch(limit=3, lease_seconds=60)
    assert token2 != token and [n.pk for n in rest] == [n.pk for n in notes[3:]]
    assert claim_batch(limit=3, lease_seconds=60) == ("", [])


def test_a_row_whose_lease_expired_is_claimed_again_and_the_old_claim_is_void(notes):
    old_token, [first, *_] = claim_batch(limit=5, lease_seconds=60)
    Notification.objects.filter(pk=first.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    new_token, reclaimed = claim_batch(limit=5, lease_seconds=60)
    assert [n.pk for n in reclaimed] == [first.pk]
    # The worker that lost the claim cannot mark it: only the new claimant can.
    assert mark_sent(first, old_token) is False
    assert Notification.objects.get(pk=first.pk).status == Status.SENDING
    assert mark_sent(first, new_token) is True
    assert Notification.objects.get(pk=first.pk).status == Status.SENT


def test_sent_skipped_and_not_yet_due_rows_are_never_claimed(notes):
    a, b, c, *_ = notes
    Notification.objects.filter(pk=a.pk).update(status=Status.SENT)
    Notification.objects.filter(pk=b.pk).update(status=Status.SKIPPED)
    Notification.objects.filter(pk=c.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=5))
    _token, claimed = claim_batch(limit=10, lease_seconds=60)
    assert {n.pk for n in claimed} == {n.pk for n in notes[3:]}


def test_a_batch_is_sent_with_one_message_id_per_notification(notes):
    Worker(jobs=False).run(until_idle=True)
    assert len(mail.outbox) == 5
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 5
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}


def test_stopping_gives_the_unsent_rest_of_the_batch_back(notes):
    token, claimed = claim_batch(limit=5, lease_seconds=60)
    calls = iter([False, False, True])
    sent = send_batch(token, claimed, claimed_at=time.monotonic(), should_stop=lambda: next(calls))
    assert sent == 2
    statuses = list(Notification.objects.order_by("pk").values_list("status", "claim_token"))
    assert statuses == [(Status.SENT, "")] * 2 + [(Status.PENDING, "")] * 3


def test_no_message_is_started_when_the_lease_may_run_out_during_it(notes, settings):
    settings.NOTIFY = {"LEASE_SECONDS": 60.0, "SEND_TIMEOUT": 10.0}
    token, claimed = claim_batch(limit=5, lease_seconds=60)
    assert send_batch(token, claimed, claimed_at=time.monotonic() - 51) == 0
    assert mail.outbox == []
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.PENDING}


def test_a_notification_without_address_is_never_sent(booking_city):
    book(f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"]), email="")
    Worker(jobs=False).run(until_idle=True)
    assert mail.outbox == []
    assert Notification.objects.get().status == Status.SKIPPED


def test_a_rendering_error_is_retried_like_a_send_error(notes, monkeypatch):
    import yoyaku.notify.worker as worker

    def broken(note, connection=None):
        raise KeyError("starts_at")

    monkeypatch.setattr(worker, "build_message", broken)
    Worker(jobs=False).run_once()
    assert {(n.status, n.attempts) for n in Notification.objects.all()} == {(Status.PENDING, 1)}


def test_marking_sent_survives_a_busy_database(notes, monkeypatch):
    from django.db import OperationalError

    import yoyaku.notify.worker as worker

    token, [first, *_] = claim_batch(limit=1, lease_seconds=60)
    real, failures = worker._ours, iter([True, True])

    def flaky(note, token):
        if next(failures, False):
            raise OperationalError("database is locked")
        return real(note, token)

    monkeypatch.setattr(worker, "_ours", flaky)
    monkeypatch.setattr(worker.time, "sleep", lambda seconds: None)
    assert mark_sent(first, token) is True
    assert Notification.objects.get(pk=first.pk).status == Status.SENT


def test_failed_notifications_can_be_queued_again_from_the_admin(notes, rf, monkeypatch):
    from django.contrib import admin
    from django.contrib.auth import get_user_model

    from yoyaku.booking.models import AuditEvent
    from yoyaku.console.admin import NotificationAdmin

    Notification.objects.filter(pk=notes[0].pk).update(status=Status.FAILED, attempts=10, last_error="x")
    model_admin = NotificationAdmin(Notification, admin.site)
    told = []
    monkeypatch.setattr(model_admin, "message_user", lambda request, text, level: told.append(text))
    request = rf.post("/")
    request.user = get_user_model().objects.create_superuser("root", password="a-long-enough-password")
    model_admin.send_again(request, Notification.objects.all())
    note = Notification.objects.get(pk=notes[0].pk)
    assert (note.status, note.attempts, note.last_error) == (Status.PENDING, 0, "")
    assert Notification.objects.filter(status=Status.PENDING).count() == 5  # the others were pending already
    assert told == ["Notifications queued again: 1"]
    event = AuditEvent.objects.get(action="notification.send_again")  # who queued which emails again
    assert (event.actor_user.username, event.data) == ("root", {"notifications": [notes[0].pk]})


def test_staff_changes_and_cancellations_say_the_call_centre_did_it(booking_city):
    from yoyaku.booking import services

    operator = f.staff_user()
    staff = services.Actor.for_staff(operator)
    venue, vaccine = booking_city["venue"], booking_city["vaccine"]
    reservation = book(f.slot(venue=venue, vaccine=vaccine), resident=f.resident(email="a@example.jp", language="en"),
                       email="a@example.jp")
    services.reservation_change(actor=staff, reservation=reservation, reason="phone",
                                slot_id=f.slot(venue=venue, vaccine=vaccine, starts_at=f.at(12, 11)).pk)
    services.reservation_cancel(actor=staff, reservation=reservation, reason="phone")
    Worker(jobs=False).run(until_idle=True)
    by_id = sorted(mail.outbox, key=lambda m: int(m.extra_headers["Message-ID"][14:].split("@")[0]))
    booked, changed, cancelled = by_id
    assert "call centre made" not in booked.body  # the resident booked it on the web
    assert "The city's call centre changed this reservation." in changed.body
    assert "Before the change:" in changed.body and "11:00" in changed.body
    assert "The city's call centre cancelled this reservation." in cancelled.body
    assert [len(list(m.attachments)) for m in (booked, changed, cancelled)] == [2, 2, 0]  # .ics and the QR code
    for message in (booked, changed, cancelled):
        assert reservation.code in message.subject and reservation.code in message.body
        assert "0120-000-000" in message.body
