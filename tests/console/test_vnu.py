"""Every console page a role can open is valid HTML (vnu, the W3C's checker): each URL's permission sample
(tests/console/samples_*.py), fetched as the roles allowed to have it."""

import pytest

from tests import vnu

from .conftest import log_in_staff, make_staff
from .permissions import CALL_CENTRE, CITY_ADMIN, VENUE_STAFF
from .test_permissions import all_samples, world  # noqa: F401 - the permission walk's world, as a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_every_console_page_is_valid_html(client, world):  # noqa: F811
    pages = {}
    for role in (CITY_ADMIN, CALL_CENTRE, VENUE_STAFF):
        client.logout()
        user = make_staff(f"vnu-{role}", role, venues=[world["own"]] if role == VENUE_STAFF else ())
        log_in_staff(client, user)
        pages[f"{role}-home"] = client.get("/console/").content.decode()
        for sample in all_samples(world):
            if role not in sample.allowed or sample.status != 200:
                continue
            response = client.get(sample.url())
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                pages.setdefault(sample.name, response.content.decode())
    assert len(pages) > 30
    assert vnu.errors(pages) == []
