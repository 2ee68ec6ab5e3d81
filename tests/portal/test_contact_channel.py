"""The resident chooses how we send messages (email, SMS, LINE) on their contact details page (docs/channels.md)."""

import pytest

from yoyaku.booking import services
from yoyaku.booking.models import AuditEvent, Resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(settings):
    settings.NOTIFY = {"SMS_URL": "https://sms.example.jp/send", "SMS_TOKEN": "t", "LINE_TOKEN": "t"}
    settings.NOTIFY_ADAPTERS = {}


def _book(city, resident, phone):
    return services.reservation_book(actor=services.Actor.for_resident(resident), resident=resident,
                                     slot_id=city["slots"][10].pk, dose_number=1, recipient_phone=phone,
                                     email="taro@example.jp")


def test_the_resident_switches_to_sms_on_the_details_page_and_it_is_audited(offered, logged_in, city, resident):
    reservation = _book(city, resident, "090-1111-2222")
    page = logged_in.get(f"/reservations/{reservation.code}/details/").content.decode()
    assert "お知らせの受け取り方法" in page and 'value="sms"' in page and 'value="line"' in page
    assert "友だち追加" in page  # LINE is not linked yet: how to link it
    response = logged_in.post(f"/reservations/{reservation.code}/details/channel/", {"contact_channel": "sms"})
    assert response.status_code == 302
    said = logged_in.get(response["Location"]).content.decode()
    assert "今後のお知らせはSMS（ショートメッセージ）でお送りします" in said
    assert Resident.objects.get(pk=resident.pk).contact_channel == "sms"
    event = AuditEvent.objects.get(action="resident.contact_channel")
    assert (event.actor_kind, event.data) == ("resident", {"from": "email", "to": "sms"})


def test_a_refused_choice_says_why_and_changes_nothing(offered, logged_in, city, resident):
    reservation = _book(city, resident, "0195-23-3111")  # a landline: no SMS
    url = f"/reservations/{reservation.code}/details/channel/"
    for choice, said in (("sms", "携帯電話番号"), ("line", "友だち追加"), ("fax", "受け取り方法を選んで")):
        response = logged_in.post(url, {"contact_channel": choice})
        assert said in logged_in.get(response["Location"]).content.decode(), choice
    assert Resident.objects.get(pk=resident.pk).contact_channel == "email"
    assert not AuditEvent.objects.filter(action="resident.contact_channel").exists()


def test_with_email_only_there_is_nothing_to_choose(settings, logged_in, city, resident):
    settings.NOTIFY, settings.NOTIFY_ADAPTERS = {}, {}
    reservation = _book(city, resident, "090-1111-2222")
    assert 'name="contact_channel"' not in logged_in.get(f"/reservations/{reservation.code}/details/").content.decode()
    assert logged_in.get(f"/reservations/{reservation.code}/details/channel/").status_code == 405
