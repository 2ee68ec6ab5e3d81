import pytest
from django.test import Client

from tests import factories
from yoyaku.booking import services
from yoyaku.booking.integrations import SCOPES
from yoyaku.booking.services.integrations import api_token_create


@pytest.fixture
def admin(db):
    return factories.staff_user("cityadmin", is_superuser=True)


@pytest.fixture
def make_token(admin):
    def make(*scopes, rate=120):
        _token, secret = api_token_create(actor=services.Actor.for_staff(admin), name="Health system",
                                          scopes=scopes or tuple(SCOPES), rate_per_minute=rate)
        return secret
    return make


class Api:
    def __init__(self, secret=None, language="en"):
        self.client = Client()
        self.headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if secret:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params, **self.headers)

    def post(self, path, body=None, *, key=None):
        extra = dict(self.headers)
        if key:
            extra["HTTP_IDEMPOTENCY_KEY"] = key
        return self.client.post(f"/api/v1{path}", body or {}, content_type="application/json", **extra)


@pytest.fixture
def api_as():
    return Api


@pytest.fixture
def bookable(db):
    """An open window, a resident and a slot ten days ahead."""
    factories.open_window()
    resident = factories.resident()
    slot = factories.slot(capacity=2)
    return resident, slot
