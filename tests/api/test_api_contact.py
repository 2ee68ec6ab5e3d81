"""The resident's bot links LINE and chooses the channel (POST /api/v1/bot/me/contact, docs/channels.md)."""

import pytest
from django.core.cache import cache

from tests import factories
from yoyaku.booking.models import AuditEvent, Resident

pytestmark = pytest.mark.django_db
LINE_ID = "U" + "0f" * 16


@pytest.fixture(autouse=True)
def _offered(settings):
    cache.clear()
    settings.NOTIFY = {"LINE_TOKEN": "t"}
    settings.NOTIFY_ADAPTERS = {}
    yield
    cache.clear()


def _bot(api_as, resident):
    answer = api_as().post("/bot/authorise", {"ticket_number": resident.ticket_number,
                                              "birth_date": resident.birth_date.isoformat()})
    return api_as(answer.json()["token"])


def test_the_bot_links_line_for_its_resident_only_and_it_is_audited(api_as):
    resident, other = factories.resident(), factories.resident()
    bot = _bot(api_as, resident)
    answer = bot.post("/me/contact", {"channel": "line", "line_user_id": LINE_ID}, key="link-1")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"channel": "line", "line_linked": True}
    assert (Resident.objects.get(pk=resident.pk).line_user_id, Resident.objects.get(pk=other.pk).line_user_id) == (
        LINE_ID, "")
    event = AuditEvent.objects.get(action="resident.contact_channel")
    assert event.actor_resident_id == resident.pk and event.data["line"] == "linked"
    assert bot.post("/me/contact", {"channel": "email"}).json() == {"channel": "email", "line_linked": True}


def test_refusals_are_problems(api_as):
    bot = _bot(api_as, factories.resident(phone="0195-23-3111"))
    not_linked = bot.post("/me/contact", {"channel": "line"})
    assert not_linked.status_code == 422 and not_linked.json()["code"] == "line_not_linked"
    no_sms = bot.post("/me/contact", {"channel": "sms"})  # the city offers no SMS
    assert no_sms.status_code == 422 and no_sms.json()["code"] == "contact_channel_unavailable"
    assert bot.post("/me/contact", {"channel": "line", "line_user_id": "not-an-id"}).status_code in (400, 422)
    assert api_as().post("/me/contact", {"channel": "email"}).status_code == 401
    assert not AuditEvent.objects.filter(action="resident.contact_channel").exists()
