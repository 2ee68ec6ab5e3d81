"""Every string of the emails (and of the notification model) is translated in ja, zh-hans and ko, and an email
comes out in the notification's language."""

import pytest
from django.utils import translation

from tests import factories as f
from tests.portal.test_translations import PACKAGE, catalogue, python_msgids, template_msgids
from yoyaku.notify.messages import build_message
from yoyaku.notify.models import Notification

from .conftest import book

EMAIL_SOURCES = [
    *sorted((PACKAGE / "templates" / "notify" / "email").glob("*.txt")),
    PACKAGE / "booking" / "notifications.py",
    PACKAGE / "notify" / "messages.py",
    PACKAGE / "notify" / "models.py",
]


def email_msgids():
    found = set()
    for path in EMAIL_SOURCES:
        found |= template_msgids(path) if path.suffix == ".txt" else python_msgids(path)
    return found


def test_the_extractor_finds_the_email_strings():
    msgids = email_msgids()
    assert (None, "Your vaccination is tomorrow.") in msgids
    assert (None, "Reservation ID") in msgids
    assert len(msgids) > 30


@pytest.mark.parametrize("language", ["ja", "zh-hans", "ko"])
def test_every_email_string_is_translated(language):
    po = catalogue(language)
    missing = sorted(msgid for context, msgid in email_msgids()
                     if (entry := po.find(msgid, msgctxt=context) if context else po.find(msgid)) is None
                     or entry.obsolete or not entry.translated())
    assert not missing, f"{language}: not translated: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("language, expected", [
    ("ja", ["【デモ市】ワクチン接種の予約を受け付けました", "予約ID：", "予約相談センター"]),
    ("en", ["Your vaccination reservation has been received", "Reservation ID: ", "call centre"]),
    ("zh-hans", ["已受理您的疫苗接种预约", "预约ID：", "咨询中心"]),
    ("ko", ["백신 접종 예약이 접수되었습니다", "예약 ID: ", "상담 센터"]),
])
def test_the_email_is_in_the_language_of_the_page_that_booked(booking_city, language, expected):
    with translation.override(language):
        reservation = book(f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"]))
    note = Notification.objects.get(reservation=reservation)
    assert note.language == language
    message = build_message(note)
    text = message.subject + "\n" + message.body
    for fragment in expected:
        assert fragment in text, (fragment, text)
    assert reservation.code in message.subject


@pytest.mark.django_db
def test_staff_acts_use_the_residents_language(booking_city):
    resident = f.resident(email="k@example.jp", language="ko")
    with translation.override("ja"):  # the operator's console is in Japanese
        book(f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"]), resident=resident,
             email="k@example.jp", staff=f.staff_user())
    note = Notification.objects.get()
    assert note.language == "ko"
    assert "이 예약은 시의 예약 상담 센터에서 등록했습니다." in build_message(note).body
