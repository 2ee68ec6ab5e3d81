"""Through a real SMTP server (aiosmtpd): the confirmation and its calendar file, retries and refusals."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.management import call_command
from django.utils import timezone

from tests import factories as f
from yoyaku.booking import qr
from yoyaku.notify.models import Notification
from yoyaku.notify.worker import Worker

from .conftest import MAIL_HOST, book

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")


def run_worker():
    call_command("run_worker", "--until-idle", "--no-reminders")


def test_a_booking_sends_exactly_one_confirmation_with_a_valid_calendar_file(smtp, booking_city, settings):
    slot = f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"], starts_at=f.at(10, 14, 30))
    reservation = book(slot, email="taro@example.jp")
    run_worker()
    run_worker()  # a second run finds nothing to send

    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    note = Notification.objects.get(reservation=reservation)
    assert note.status == Notification.Status.SENT and note.sent_at is not None
    assert message["To"] == "taro@example.jp"
    assert message["Message-ID"] == f"<notification-{note.pk}@{MAIL_HOST}>"
    assert reservation.code in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert reservation.code in body
    for phone in settings.YOYAKU["CALL_CENTRE_PHONES"]:
        assert phone in body
    assert settings.YOYAKU["CALL_CENTRE_HOURS"] in body
    assert "North Clinic" in body and "1-2-3 Kita, Demo City" in body

    attachment, qr_code = list(message.iter_attachments())
    # The check-in QR code (booking/qr.py) as a PNG attachment, which every mail client shows.
    assert qr_code.get_content_type() == "image/png"
    assert qr_code.get_filename() == f"check-in-qr-{reservation.code}.png"
    assert qr_code.get_content() == qr.qr_png(reservation.code) and "QR code for the reception" in body
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == f"vaccination-{reservation.code}.ics"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    [event] = calendar.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert start == slot.starts_at
    local = start.astimezone(TOKYO)
    expected = timezone.localdate() + timedelta(days=10)
    assert (local.date(), local.hour, local.minute) == (expected, 14, 30)
    assert event.decoded("DTEND") == slot.ends_at
    assert str(event["UID"]).startswith(reservation.code)


def test_a_change_sends_a_replacing_calendar_file(smtp, booking_city):
    venue, vaccine = booking_city["venue"], booking_city["vaccine"]
    first = f.slot(venue=venue, vaccine=vaccine, starts_at=f.at(10, 10))
    later = f.slot(venue=venue, vaccine=vaccine, starts_at=f.at(12, 15))
    reservation = book(first)
    from yoyaku.booking import services

    services.reservation_change(actor=services.Actor.for_resident(reservation.resident), reservation=reservation,
                                slot_id=later.pk)
    run_worker()
    booked, changed = smtp.messages
    events = [icalendar.Calendar.from_ical(next(m.iter_attachments()).get_content()).walk("VEVENT")[0]
              for m in (booked, changed)]
    assert events[0]["UID"] == events[1]["UID"]
    assert events[1].decoded("SEQUENCE") > events[0].decoded("SEQUENCE", 0)
    assert events[1].decoded("DTSTART").astimezone(TOKYO).hour == 15


def test_a_temporary_refusal_is_retried_later_with_backoff(smtp, booking_city):
    reservation = book(f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"]))
    smtp.before_accept = lambda envelope: "451 4.3.0 Mailbox of taro@example.jp busy, try later"
    before = timezone.now()
    run_worker()
    note = Notification.objects.get(reservation=reservation)
    assert (note.status, note.attempts) == (Notification.Status.PENDING, 1)
    assert note.next_attempt_at >= before + timedelta(seconds=60)
    assert "451" in note.last_error and "example.jp" not in note.last_error  # no address kept
    assert smtp.messages == []

    # Due again: the server accepts this time.
    smtp.before_accept = None
    Notification.objects.filter(pk=note.pk).update(next_attempt_at=timezone.now())
    run_worker()
    note.refresh_from_db()
    assert note.status == Notification.Status.SENT
    assert len(smtp.messages) == 1


def test_the_wait_doubles_and_the_message_fails_after_the_last_attempt(smtp, booking_city, settings):
    settings.NOTIFY = {**settings.NOTIFY, "MAX_ATTEMPTS": 3, "BACKOFF_SECONDS": 60, "BACKOFF_MAX_SECONDS": 150}
    reservation = book(f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"]))
    smtp.before_accept = lambda envelope: "451 4.3.0 try later"
    note = Notification.objects.get(reservation=reservation)
    waits = []
    for _attempt in range(3):
        Notification.objects.filter(pk=note.pk).update(next_attempt_at=timezone.now())
        before = timezone.now()
        Worker(jobs=False).run_once()
        note.refresh_from_db()
        waits.append(round((note.next_attempt_at - before).total_seconds() / 10) * 10)
    assert waits[:2] == [60, 120]
    assert (note.status, note.attempts) == (Notification.Status.FAILED, 3)


def test_a_recipient_refused_for_good_fails_at_once(smtp, booking_city):
    reservation = book(f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"]), email="nobody@example.jp")
    smtp.rcpt_reply = "550 5.1.1 <nobody@example.jp>: Recipient address rejected"
    run_worker()
    note = Notification.objects.get(reservation=reservation)
    assert (note.status, note.attempts) == (Notification.Status.FAILED, 1)
    assert "550" in note.last_error and "nobody" not in note.last_error


def test_an_unreachable_server_counts_an_attempt_for_the_whole_batch(smtp, booking_city, settings, caplog):
    slot = f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"], capacity=5)
    for _ in range(3):
        book(slot)
    settings.EMAIL_PORT = _closed_port()
    with caplog.at_level("INFO", logger="yoyaku.notify"):
        Worker(jobs=False).run_once()
    notes = Notification.objects.all()
    assert {(n.status, n.attempts) for n in notes} == {(Notification.Status.PENDING, 1)}
    assert all("ConnectionRefusedError" in n.last_error for n in notes)
    assert "example.jp" not in caplog.text  # the log names ids, never addresses


def test_a_staff_booking_says_the_call_centre_made_it(smtp, booking_city):
    staff = f.staff_user()
    resident = f.resident(email="taro@example.jp", language="en")
    book(f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"]), staff=staff, resident=resident)
    run_worker()
    body = smtp.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "The city's call centre made this reservation for you." in body


def _closed_port() -> int:
    from .conftest import free_port

    return free_port()  # bound and released: nothing listens there


def test_times_in_the_email_are_local(smtp, booking_city):
    start = datetime(2031, 3, 4, 9, 15, tzinfo=TOKYO)
    slot = f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"], starts_at=start)
    Notification.objects.all().delete()
    book(slot)
    run_worker()
    body = smtp.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "4 Mar 2031, 9:15–9:45" in body


@pytest.mark.parametrize("mail_host, expected", [
    ("notify.test", "notify.test"),  # YOYAKU_NOTIFY_MAIL_HOST
    (None, "yoyaku.city.example.jp"),  # unset: the host of YOYAKU_SITE_URL
])
def test_a_new_host_name_changes_no_calendar_uid_and_no_message_id_host(smtp, booking_city, settings, mail_host,
                                                                        expected):
    settings.NOTIFY = {**settings.NOTIFY, "MAIL_HOST": mail_host or ""}
    settings.YOYAKU = {**settings.YOYAKU, "SITE_URL": "https://yoyaku.city.example.jp"}
    settings.ALLOWED_HOSTS = ["yoyaku.city.example.jp"]
    venue, vaccine = booking_city["venue"], booking_city["vaccine"]
    reservation = book(f.slot(venue=venue, vaccine=vaccine, starts_at=f.at(10, 10)))
    run_worker()
    # The city adds a host name in front (a new domain, a load balancer's name): the UIDs must not move.
    settings.ALLOWED_HOSTS = ["new-name.example.jp", "yoyaku.city.example.jp"]
    from yoyaku.booking import services

    services.reservation_change(actor=services.Actor.for_resident(reservation.resident), reservation=reservation,
                                slot_id=f.slot(venue=venue, vaccine=vaccine, starts_at=f.at(12, 15)).pk)
    run_worker()
    booked, changed = smtp.messages
    uids = [str(icalendar.Calendar.from_ical(next(m.iter_attachments()).get_content()).walk("VEVENT")[0]["UID"])
            for m in (booked, changed)]
    assert uids[0] == uids[1] == f"{reservation.code}-1@{expected}"
    assert all(m["Message-ID"].endswith(f"@{expected}>") for m in (booked, changed))
