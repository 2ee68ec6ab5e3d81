"""The resident's contact channel (booking/services/contact.py, booking/delivery.py): who may change it, what
it needs (SMS a mobile number, LINE a linked account, the city offering it), and the audit it leaves."""

import pytest

from tests import factories as f
from yoyaku.booking import rules, services
from yoyaku.booking.delivery import contact_channel_choices, delivery_for
from yoyaku.booking.errors import InvalidInput, NotYours, ReasonRequired
from yoyaku.booking.models import AuditEvent, Resident
from yoyaku.booking.services.contact import resident_set_contact_channel

pytestmark = pytest.mark.django_db

Channel = Resident.ContactChannel
LINE_ID = "U" + "ab" * 16


@pytest.fixture
def offered(settings):
    settings.NOTIFY = {"SMS_URL": "https://sms.example.jp/send", "SMS_TOKEN": "t",
                       "LINE_TOKEN": "t", "LINE_API_URL": "https://api.line.me"}
    settings.NOTIFY_ADAPTERS = {}


def test_sms_numbers_are_japanese_mobiles_in_e164():
    assert rules.sms_number("090-1234-5678") == "+819012345678"
    assert rules.sms_number("０８０ １２３４ ５６７８") == "+818012345678"
    assert rules.sms_number("+81 70-1234-5678") == "+817012345678"
    for not_mobile in ("0195-23-3111", "03-1234-5678", "090-1234-567", "", "0120-000-000"):
        assert rules.sms_number(not_mobile) is None
    assert rules.valid_line_user_id(LINE_ID) and not rules.valid_line_user_id("U123")


def test_the_resident_chooses_sms_and_the_change_is_audited_without_personal_data(offered):
    resident = f.resident(phone="090-1111-2222")
    actor = services.Actor.for_resident(resident, client_address="127.0.0.1")
    assert resident_set_contact_channel(actor=actor, resident=resident, channel=Channel.SMS) is True
    assert resident_set_contact_channel(actor=actor, resident=resident, channel=Channel.SMS) is False  # no change
    event = AuditEvent.objects.get(action="resident.contact_channel")
    assert (event.actor_kind, event.resident_id) == ("resident", resident.pk)
    assert event.data == {"from": "email", "to": "sms"}
    assert "1111" not in str(event.data)
    resident.refresh_from_db()
    assert resident.contact_channel == Channel.SMS


def test_sms_needs_a_mobile_number_line_a_link_and_the_city_offering_it(offered, settings):
    resident = f.resident(phone="0195-23-3111")
    actor = services.Actor.for_resident(resident)
    with pytest.raises(InvalidInput) as refused:
        resident_set_contact_channel(actor=actor, resident=resident, channel=Channel.SMS)
    assert refused.value.code == "no_mobile"
    with pytest.raises(InvalidInput) as refused:
        resident_set_contact_channel(actor=actor, resident=resident, channel=Channel.LINE)
    assert refused.value.code == "line_not_linked"
    with pytest.raises(InvalidInput):
        resident_set_contact_channel(actor=actor, resident=resident, channel=Channel.LINE, line_user_id="U1")
    settings.NOTIFY = {}
    assert contact_channel_choices() == [("email", "Email")]
    with pytest.raises(InvalidInput) as refused:
        resident_set_contact_channel(actor=actor, resident=resident, channel=Channel.LINE, line_user_id=LINE_ID)
    assert refused.value.code == "contact_channel_unavailable"
    assert not AuditEvent.objects.filter(action="resident.contact_channel").exists()
    resident.refresh_from_db()
    assert (resident.contact_channel, resident.line_user_id) == ("email", "")


def test_the_bot_links_line_and_the_audit_says_linked_never_the_id(offered):
    resident = f.resident()
    actor = services.Actor.for_resident(resident)
    resident_set_contact_channel(actor=actor, resident=resident, channel=Channel.LINE, line_user_id=LINE_ID)
    event = AuditEvent.objects.get(action="resident.contact_channel")
    assert event.data == {"from": "email", "to": "line", "line": "linked"}
    assert LINE_ID not in str(event.data)


def test_staff_need_a_reason_and_a_resident_only_changes_their_own(offered):
    resident, other = f.resident(phone="090-1111-2222"), f.resident()
    staff = services.Actor.for_staff(f.staff_user())
    with pytest.raises(ReasonRequired):
        resident_set_contact_channel(actor=staff, resident=resident, channel=Channel.SMS)
    resident_set_contact_channel(actor=staff, resident=resident, channel=Channel.SMS, reason="asked on the phone")
    assert AuditEvent.objects.get(action="resident.contact_channel").reason == "asked on the phone"
    with pytest.raises(NotYours):
        resident_set_contact_channel(actor=services.Actor.for_resident(other), resident=resident,
                                     channel=Channel.EMAIL)


def test_delivery_follows_the_preference_and_falls_back_to_email(offered, settings):
    f.open_window()
    resident = f.resident(contact_channel=Channel.SMS, phone="0195-23-3111")
    reservation = services.reservation_book(actor=services.Actor.for_resident(resident), resident=resident,
                                            slot_id=f.slot().pk, dose_number=1, email="a@example.jp",
                                            recipient_phone="080-2222-3333")
    assert delivery_for(reservation) == {"channel": "sms", "email": "", "recipient": "+818022223333"}
    reservation.recipient_phone = "0195-23-3111"
    assert delivery_for(reservation) == {"channel": "email", "email": "a@example.jp", "recipient": ""}
    reservation.resident.contact_channel, reservation.resident.line_user_id = Channel.LINE, LINE_ID
    assert delivery_for(reservation)["recipient"] == LINE_ID
    settings.NOTIFY = {}
    assert delivery_for(reservation)["channel"] == "email"
