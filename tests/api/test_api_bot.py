"""The resident's bot token: authorised with ticket number and birth date (throttled like the web login),
limited to the resident's own reservations and availability, revocable."""

from datetime import date

import pytest
from django.core.cache import cache

from tests import factories
from yoyaku.booking.integrations import ApiToken
from yoyaku.booking.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_throttles():
    cache.clear()
    yield
    cache.clear()


def _authorise(api_as, resident, birth_date=None):
    return api_as().post("/bot/authorise", {"ticket_number": resident.ticket_number,
                                            "birth_date": (birth_date or resident.birth_date).isoformat()})


@pytest.mark.slow  # over a second: left out of make test-fast
def test_the_resident_authorises_a_bot_and_books_their_own_dose(api_as, bookable):
    resident, slot = bookable
    answer = _authorise(api_as, resident)
    assert answer.status_code == 201
    assert ApiToken.objects.get().resident == resident
    bot = api_as(answer.json()["token"])
    times = bot.get("/me/times", dose_number=1, day=slot.day.isoformat())
    assert [t["id"] for t in times.json()] == [slot.pk]
    booked = bot.post("/me/reservations", {"slot_id": slot.pk, "dose_number": 1})
    assert booked.status_code == 201, booked.content
    event = AuditEvent.objects.get(action="reservation.book")
    assert event.actor_kind == "resident" and event.actor_resident == resident
    assert [r["id"] for r in bot.get("/me/reservations").json()] == [booked.json()["id"]]
    assert bot.post(f"/me/reservations/{booked.json()['id']}/cancel").json()["status"] == "cancelled"


def test_a_bot_token_sees_nothing_of_anyone_else(api_as, bookable, make_token):
    resident, slot = bookable
    other = factories.resident()
    staff = api_as(make_token("reservations:write"))
    theirs = staff.post("/reservations", {"ticket_number": other.ticket_number, "slot_id": slot.pk,
                                          "dose_number": 1, "reason": "phone"}).json()["id"]
    bot = api_as(_authorise(api_as, resident).json()["token"])
    assert bot.get("/me/reservations").json() == []
    assert bot.post(f"/me/reservations/{theirs}/cancel").status_code == 404
    assert bot.get(f"/reservations/{theirs}").status_code == 403
    assert bot.post("/residents/lookup", {"ticket_number": other.ticket_number}).status_code == 403
    assert bot.post("/reservations", {"ticket_number": other.ticket_number, "slot_id": slot.pk, "dose_number": 2,
                                      "reason": "x"}).status_code == 403


def test_a_wrong_birth_date_is_throttled_like_the_login(api_as, bookable, settings):
    resident, _slot = bookable
    settings.YOYAKU = {**settings.YOYAKU, "LOGIN_THROTTLE": {"TICKET_LIMIT": 3}}
    codes = [_authorise(api_as, resident, date(1999, 1, 1)).status_code for _ in range(3)]
    assert codes == [401, 401, 401]
    paused = _authorise(api_as, resident)  # the right date, but the ticket is paused
    assert paused.status_code == 429 and paused.json()["code"] == "login_paused"
    assert not ApiToken.objects.exists()


def test_the_resident_revokes_the_bot(api_as, bookable):
    resident, _slot = bookable
    secret = _authorise(api_as, resident).json()["token"]
    assert api_as(secret).post("/me/token/revoke").json() == {"revoked": True}
    assert api_as(secret).get("/me/reservations").status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke", resident=resident).exists()
