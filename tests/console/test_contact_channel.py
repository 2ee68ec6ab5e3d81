"""Staff change how a resident gets our messages, for a caller, with a reason (docs/channels.md)."""

import pytest

from tests import factories as f
from yoyaku.booking.models import AuditEvent, Resident
from yoyaku.console.roles import CALL_CENTRE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def offered(settings):
    settings.NOTIFY = {"SMS_URL": "https://sms.example.jp/send", "SMS_TOKEN": "t", "LINE_TOKEN": "t"}
    settings.NOTIFY_ADAPTERS = {}


def test_the_call_centre_switches_a_resident_to_sms_with_a_reason(staff_client):
    client = staff_client(CALL_CENTRE)
    resident = f.resident(phone="090-1111-2222")
    detail = client.get(f"/console/residents/{resident.pk}/").content.decode()
    assert f"/console/residents/{resident.pk}/contact/" in detail
    url = f"/console/residents/{resident.pk}/contact/"
    page = client.get(url).content.decode()
    assert 'value="sms"' in page and 'value="line"' in page
    refused = client.post(url, {"contact_channel": "sms", "reason": ""})
    assert refused.status_code == 200 and Resident.objects.get(pk=resident.pk).contact_channel == "email"
    done = client.post(url, {"contact_channel": "sms", "reason": "asked on the phone"})
    assert done.status_code == 302
    event = AuditEvent.objects.get(action="resident.contact_channel")
    assert (event.actor_user_id, event.reason, event.data) == (client.user.pk, "asked on the phone",
                                                               {"from": "email", "to": "sms"})
    audit = client.get(f"/console/residents/{resident.pk}/").content.decode()
    assert "How we contact the resident changed" in audit or "連絡方法を変更" in audit


def test_line_cannot_be_chosen_before_the_resident_linked_it(staff_client):
    client = staff_client(CALL_CENTRE)
    resident = f.resident()
    page = client.post(f"/console/residents/{resident.pk}/contact/", {"contact_channel": "line", "reason": "x"})
    assert page.status_code == 200 and "友だち追加" in page.content.decode()
    assert Resident.objects.get(pk=resident.pk).contact_channel == "email"
