"""Staff logins and their authenticator device: written by services, each act audited."""

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from yoyaku.booking import services
from yoyaku.booking.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor():
    user = get_user_model().objects.create_user("desk", password="a-long-enough-password", is_staff=True)
    return services.Actor.for_staff(user, client_address="192.0.2.1")


def test_the_device_for_setup_is_created_once_and_audited(actor):
    first = services.staff_device_for_setup(actor=actor)
    again = services.staff_device_for_setup(actor=actor)
    assert first.pk == again.pk and not first.confirmed
    assert list(AuditEvent.objects.values_list("action", "object_type")) == [("staff.device_setup", "totpdevice")]


def test_the_first_login_confirms_the_device_with_the_login_event(actor):
    device = services.staff_device_for_setup(actor=actor)
    services.staff_log_in(actor=actor, device=device)
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    login = AuditEvent.objects.get(action="staff.login")
    assert login.data == {"second_factor_setup": True}


def test_a_later_login_changes_no_device(actor):
    device = services.staff_device_for_setup(actor=actor)
    services.staff_log_in(actor=actor, device=device)
    services.staff_log_in(actor=actor, device=TOTPDevice.objects.get(pk=device.pk))
    assert [e.data for e in AuditEvent.objects.filter(action="staff.login").order_by("pk")] == [
        {"second_factor_setup": True}, {"second_factor_setup": False}]
