"""The console's webhooks page: a city admin registers a URL for events (the signing secret shown once), sees
the deliveries with their state, sends one again and disables the webhook; other roles are refused; each act
is audited."""

import pytest

from tests import factories
from tests.console.conftest import log_in_staff, make_staff
from tests.notify.conftest import book
from yoyaku.booking.models import AuditEvent
from yoyaku.console.roles import CALL_CENTRE, CITY_ADMIN
from yoyaku.notify.models import Notification, WebhookEndpoint

pytestmark = pytest.mark.django_db

URL = "/console/integrations/webhooks/"


def test_a_city_admin_registers_a_webhook_sees_its_deliveries_sends_one_again_and_disables_it(client):
    admin = make_staff("admin1", CITY_ADMIN)
    log_in_staff(client, admin)
    page = client.get(URL)
    assert page.status_code == 200 and b'aria-current="page"' in page.content
    created = client.post(URL, {"name": "LINE bot", "url": "https://bot.example.jp/hooks",
                                "events": ["reservation.booked", "reservation.cancelled"]})
    assert created.status_code == 200 and created["Cache-Control"] == "no-store"
    endpoint = WebhookEndpoint.objects.get()
    secret = created.context["secret"]
    assert secret.startswith("whsec_") and endpoint.secret == secret and secret.encode() in created.content
    assert endpoint.events == ["reservation.booked", "reservation.cancelled"]
    assert secret.encode() not in client.get(URL).content

    factories.open_window()
    book(factories.slot())
    delivery = Notification.objects.get(kind=Notification.WEBHOOK_KIND)
    Notification.objects.filter(pk=delivery.pk).update(status=Notification.Status.FAILED, attempts=10,
                                                       last_error="DeliveryRefused: HTTP 500")
    listing = client.get(URL)
    assert b"reservation.booked" in listing.content and delivery.payload["id"].encode() in listing.content
    assert b"DeliveryRefused: HTTP 500" in listing.content
    client.post(URL, {"send_again": str(delivery.pk)})
    assert Notification.objects.get(pk=delivery.pk).status == Notification.Status.PENDING

    client.post(URL, {"disable": str(endpoint.pk)})
    assert WebhookEndpoint.objects.get().disabled_at is not None
    actions = set(AuditEvent.objects.filter(actor_user=admin).values_list("action", flat=True))
    assert {"webhook.create", "webhook.send_again", "webhook.disable"} <= actions


def test_a_webhook_needs_a_valid_url_and_an_event(client):
    log_in_staff(client, make_staff("admin2", CITY_ADMIN))
    response = client.post(URL, {"name": "X", "url": "javascript:alert(1)", "events": ["dose.recorded"]})
    assert response.status_code == 200 and response.context["errors"] and not WebhookEndpoint.objects.exists()
    response = client.post(URL, {"name": "X", "url": "https://x.example.jp/"})
    assert response.context["errors"] and not WebhookEndpoint.objects.exists()
    assert client.post(URL, {"send_again": "x"}).status_code == 404
    assert client.post(URL, {"disable": "999"}).status_code == 404


def test_the_call_centre_may_not_manage_webhooks(client):
    log_in_staff(client, make_staff("cc1", CALL_CENTRE))
    assert client.get(URL).status_code == 403
    refused = client.post(URL, {"name": "X", "url": "https://x.example.jp/", "events": ["dose.recorded"]})
    assert refused.status_code == 403
