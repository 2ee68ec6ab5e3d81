import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories as f
from yoyaku.console.models import StaffProfile
from yoyaku.console.roles import ROLES

PASSWORD = "a-long-test-password-123"


@pytest.fixture(autouse=True)
def _clear_throttles():
    cache.clear()
    yield
    cache.clear()


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def make_staff(username: str, *roles: str, venues=(), superuser=False):
    user = f.staff_user(username, is_superuser=superuser)
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    if venues:
        StaffProfile.objects.create(user=user).venues.set(venues)
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def log_in_staff(client, user) -> None:
    """Password, then the TOTP code: a fully verified console session."""
    response = client.post("/console/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:1000]
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    response = client.post("/console/otp/", {"token": code_for(device)})
    assert response.status_code == 302, response.content.decode()[:1000]


@pytest.fixture
def staff_client(client, db):
    """staff_client(role, venues=...) -> a client logged in (with its second factor) in that role."""

    def make(role: str | None, *, venues=(), username=None):
        roles = (role,) if role else ()
        assert all(r in ROLES for r in roles)
        user = make_staff(username or f"u-{role or 'none'}", *roles, venues=venues)
        if role:
            log_in_staff(client, user)
        else:
            client.force_login(user)
        client.user = user
        return client

    return make
