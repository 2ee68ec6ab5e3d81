"""The dev inbox at /dev/mail/: the file backend's emails in the browser, only while DEBUG is on."""

import pytest

from tests import factories as f
from yoyaku.notify.worker import Worker

from .conftest import book

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(settings, tmp_path, booking_city):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    reservation = book(f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"]),
                       resident=f.resident(email="hanako@example.jp"), email="hanako@example.jp")
    Worker(jobs=False).run(until_idle=True)
    return reservation


def test_with_debug_the_inbox_lists_and_shows_the_sent_emails(client, settings, mailbox):
    settings.DEBUG = True
    page = client.get("/dev/mail/")
    assert page.status_code == 200
    html = page.content.decode()
    assert mailbox.code in html and "hanako@example.jp" in html
    [name] = [p.name for p in settings.EMAIL_FILE_PATH.iterdir()]
    assert f"/dev/mail/{name}/0/" in html

    message = client.get(f"/dev/mail/{name}/0/")
    assert message.status_code == 200
    html = message.content.decode()
    assert "Your reservation has been received." in html
    assert "BEGIN:VCALENDAR" in html and f"vaccination-{mailbox.code}.ics" in html


def test_without_debug_there_is_no_inbox(client, settings, mailbox):
    settings.DEBUG = False
    [name] = [p.name for p in settings.EMAIL_FILE_PATH.iterdir()]
    assert client.get("/dev/mail/").status_code == 404
    assert client.get(f"/dev/mail/{name}/0/").status_code == 404


@pytest.mark.parametrize("url", ["/dev/mail/..%2F..%2Fsettings.py/0/", "/dev/mail/nothing.log/0/",
                                 "/dev/mail/{name}/7/"])
def test_only_the_mail_folders_messages_can_be_read(client, settings, mailbox, url):
    settings.DEBUG = True
    [name] = [p.name for p in settings.EMAIL_FILE_PATH.iterdir()]
    assert client.get(url.format(name=name)).status_code == 404


def test_an_empty_inbox_says_how_to_fill_it(client, settings, tmp_path):
    settings.DEBUG = True
    settings.EMAIL_FILE_PATH = tmp_path / "none-yet"
    page = client.get("/dev/mail/")
    assert page.status_code == 200 and "No email yet" in page.content.decode()
