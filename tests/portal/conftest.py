import pytest
from django.core.cache import cache

from tests import factories as f


@pytest.fixture(autouse=True)
def _clear_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def city(db):
    """A small open city: one vaccine, two venues with slots over the coming weeks, booking open."""
    f.open_window()
    pfz = f.vaccine(code="PFZ", name="Pfizer", next_dose_min_days=21)
    north = f.venue(vaccines=[pfz], name="North Clinic", area="North")
    south = f.venue(vaccines=[pfz], name="South Hall", area="South", kind="group")
    slots = []
    for day in range(3, 45):
        for venue in (north, south):
            slots.append(f.slot(venue=venue, vaccine=pfz, starts_at=f.at(day, 10), capacity=3))
    return {"vaccine": pfz, "venues": [north, south], "slots": slots}


@pytest.fixture
def resident(db):
    from datetime import date

    return f.resident(ticket_number="1234567890", birth_date=date(1945, 1, 1), phone="0195-23-3111",
                      email="taro@example.jp")


@pytest.fixture
def logged_in(client, resident):
    response = client.post("/login/", {"ticket_number": "1234567890", "password": "19450101"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client
