"""Every console URL, with every role and with none: each role reaches exactly what it should."""

from datetime import timedelta

import pytest
from django.urls import get_resolver

from tests import factories as f
from yoyaku.booking import services

from . import (
    samples_allocation,
    samples_core,
    samples_integrations,
    samples_residents,
    samples_setup,
    samples_stewardship,
    samples_venues,
)
from .conftest import log_in_staff, make_staff
from .permissions import ANONYMOUS, ASKERS, NO_ROLE, VENUE_STAFF

pytestmark = pytest.mark.django_db

AREAS = [samples_core, samples_residents, samples_setup, samples_venues, samples_integrations, samples_allocation,
         samples_stewardship]
UNGUARDED = {"login", "otp", "logout"}  # the way in


@pytest.fixture
def world(db):
    """Two venues ("own" is the venue staff's), a resident with a reservation at each."""
    f.open_window()
    vaccine = f.vaccine(code="PFZ", name="Pfizer")
    own = f.venue(vaccines=[vaccine], name="Own Clinic", area="North")
    other = f.venue(vaccines=[vaccine], name="Other Hall", area="South")
    own_slot = f.slot(venue=own, vaccine=vaccine, starts_at=f.at(5, 10))
    other_slot = f.slot(venue=other, vaccine=vaccine, starts_at=f.at(6, 10))
    resident = f.resident()
    neighbour = f.resident()
    actor = services.Actor.system()
    own_reservation = services.reservation_book(actor=actor, resident=resident, slot_id=own_slot.pk, dose_number=1)
    other_reservation = services.reservation_book(actor=actor, resident=neighbour, slot_id=other_slot.pk,
                                                  dose_number=1)
    return {
        "vaccine": vaccine, "own": own, "other": other, "own_slot": own_slot, "other_slot": other_slot,
        "resident": resident, "neighbour": neighbour, "own_reservation": own_reservation,
        "other_reservation": other_reservation, "day": own_slot.starts_at.date(),
        "other_day": (own_slot.starts_at + timedelta(days=1)).date(),
    }


def all_samples(world):
    return [sample for area in AREAS for sample in area.samples(world)]


def console_url_names() -> set[str]:
    resolver = get_resolver()
    _prefix, console = resolver.namespace_dict["console"]
    return {name for name in console.reverse_dict if isinstance(name, str)}


def test_every_console_url_has_a_permission_sample(world):
    missing = console_url_names() - UNGUARDED - {s.name for s in all_samples(world)}
    assert not missing, f"console URLs without a sample in tests/console/samples_*.py: {sorted(missing)}"


@pytest.mark.slow  # over a second: left out of make test-fast
@pytest.mark.parametrize("asker", ASKERS)
def test_each_role_reaches_exactly_what_it_should(client, world, asker):
    if asker == ANONYMOUS:
        pass
    elif asker == NO_ROLE:
        client.force_login(make_staff("norole"))
    else:
        user = make_staff(f"as-{asker}", asker, venues=[world["own"]] if asker == VENUE_STAFF else ())
        log_in_staff(client, user)
    wrong = []
    for sample in all_samples(world):
        response = client.get(sample.url())
        if asker == ANONYMOUS:
            ok = response.status_code == 302 and response["Location"].startswith("/console/login/")
        elif asker == NO_ROLE:
            ok = response.status_code in (302, 403)  # an account without a role cannot finish login
        elif asker in sample.allowed:
            ok = response.status_code == sample.status
        else:
            ok = response.status_code in (403, 404)
        if not ok:
            wrong.append(f"{sample.url()} ({sample.note or sample.name}): {response.status_code}")
    assert not wrong, f"{asker} got the wrong answer on:\n" + "\n".join(wrong)
