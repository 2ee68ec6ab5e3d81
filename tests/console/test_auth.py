"""Staff login: password, then TOTP (set up at the first login); roles decide what a session may do."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories as f
from tests.console.conftest import PASSWORD, code_for, make_staff
from yoyaku.booking.models import AuditEvent
from yoyaku.console.roles import CALL_CENTRE

pytestmark = pytest.mark.django_db


def test_first_login_sets_up_the_authenticator_then_verifies(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp slows guessing after a wrong code; not under test here
    user = f.staff_user("newbie")
    user.groups.create(name=CALL_CENTRE)
    assert client.post("/console/login/", {"username": "newbie", "password": PASSWORD})["Location"].startswith(
        "/console/otp/")
    page = client.get("/console/otp/").content.decode()
    assert "<svg" in page and re.search(r'class="secret">[A-Z2-7]{32}<', page)
    assert client.get("/console/")["Location"].startswith("/console/otp/")  # not verified yet
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    assert client.post("/console/otp/", {"token": "000000"}).status_code == 200
    response = client.post("/console/otp/", {"token": code_for(device)})
    assert response["Location"] == "/console/"
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/console/").status_code == 200
    assert AuditEvent.objects.filter(action="staff.login", actor_user=user).count() == 1


def test_later_logins_ask_for_the_code_without_showing_the_key(client):
    user = make_staff("op", CALL_CENTRE)
    client.post("/console/login/", {"username": "op", "password": PASSWORD})
    page = client.get("/console/otp/").content.decode()
    assert "<svg" not in page and 'class="secret"' not in page
    client.post("/console/otp/", {"token": code_for(TOTPDevice.objects.get(user=user))})
    assert client.get("/console/").status_code == 200


def test_wrong_password_and_account_without_role_get_the_same_refusal(client):
    make_staff("op", CALL_CENTRE)
    f.staff_user("norole")
    wrong = client.post("/console/login/", {"username": "op", "password": "wrong-password-123"})
    norole = client.post("/console/login/", {"username": "norole", "password": PASSWORD})
    assert wrong.status_code == norole.status_code == 200
    assert "_auth_user_id" not in client.session


def test_console_needs_login(client, db):
    assert client.get("/console/")["Location"].startswith("/console/login/")


def test_staff_logins_are_throttled(client, settings):
    make_staff("op", CALL_CENTRE)
    for _ in range(5):
        client.post("/console/login/", {"username": "op", "password": "wrong-password-123"})
    locked = client.post("/console/login/", {"username": "op", "password": PASSWORD})
    assert locked.status_code == 200 and "_auth_user_id" not in client.session


def test_admin_site_asks_for_the_second_factor_too(client):
    user = make_staff("root", superuser=True)
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
