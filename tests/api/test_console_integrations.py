"""The console's integrations page: a city admin creates a token (secret shown once, stored hashed) and revokes
it; other roles are refused; each act is audited."""

import pytest

from tests.console.conftest import log_in_staff, make_staff
from yoyaku.booking.integrations import ApiToken, token_digest
from yoyaku.booking.models import AuditEvent
from yoyaku.console.roles import CALL_CENTRE, CITY_ADMIN

pytestmark = pytest.mark.django_db


def test_a_city_admin_creates_a_token_seen_once_and_revokes_it(client):
    admin = make_staff("admin1", CITY_ADMIN)
    log_in_staff(client, admin)
    listing = client.get("/console/integrations/")  # the nav link is on every console page
    assert b'href="/console/integrations/" aria-current="page"' in listing.content
    created = client.post("/console/integrations/", {"name": "VRS link", "scopes": ["doses:read", "doses:write"]})
    assert created.status_code == 200 and created["Cache-Control"] == "no-store"
    token = ApiToken.objects.get()
    secret = created.context["secret"]
    assert token.digest == token_digest(secret) and token.scopes == ["doses:read", "doses:write"]
    assert secret.encode() in created.content
    assert secret.encode() not in client.get("/console/integrations/").content
    assert client.get("/api/v1/doses", {"given_from": "2024-01-01", "given_to": "2024-01-02"},
                      HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    client.post("/console/integrations/", {"revoke": str(token.pk)})
    assert ApiToken.objects.get().revoked_at is not None
    assert client.get("/api/v1/doses", {"given_from": "2024-01-01", "given_to": "2024-01-02"},
                      HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    actions = list(AuditEvent.objects.filter(actor_user=admin).values_list("action", flat=True))
    assert "api_token.create" in actions and "api_token.revoke" in actions


def test_a_token_needs_a_name_and_a_scope(client):
    log_in_staff(client, make_staff("admin2", CITY_ADMIN))
    response = client.post("/console/integrations/", {"name": ""})
    assert response.status_code == 200 and not ApiToken.objects.exists()
    assert response.context["errors"]


def test_the_call_centre_may_not_manage_tokens(client):
    log_in_staff(client, make_staff("cc1", CALL_CENTRE))
    assert client.get("/console/integrations/").status_code == 403
