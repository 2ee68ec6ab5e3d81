"""The audit log names the booker of a reservation made for a household member, and every allocation and
household action has a label in words (console/audit_labels.py)."""

import re
from datetime import date
from pathlib import Path

import pytest

from tests import factories as f
from yoyaku.booking import services
from yoyaku.console.audit_labels import ACTION_LABELS, DETAIL_LABELS

SERVICES = Path(__file__).resolve().parents[2] / "yoyaku" / "booking" / "services"


def _actions_in_services(prefixes: tuple[str, ...]) -> set[str]:
    found = set()
    for path in SERVICES.glob("*.py"):
        text = path.read_text()
        names = "|".join(re.escape(p) for p in prefixes)
        found |= set(re.findall(r'"((?:' + names + r')\.[a-z_]+)"', text))
        # f"allocation.{'decline' if ... else 'expire'}"
        for prefix, body in re.findall(r'f"(' + names + r')\.\{([^}]*)\}"', text):
            found |= {f"{prefix}.{word}" for word in re.findall(r"'([a-z_]+)'", body)}
    return found


def test_every_allocation_and_household_action_has_a_label():
    actions = _actions_in_services(("allocation", "household"))
    assert {"allocation.run", "allocation.decline", "allocation.expire", "household.member_add"} <= actions
    assert actions - set(ACTION_LABELS) == set()
    for key in ("holder", "booked_by", "window", "seed", "registrations", "places"):
        assert key in DETAIL_LABELS


@pytest.mark.django_db
def test_the_log_shows_who_booked_for_whom(staff_client):
    admin = staff_client("city_admin")
    admin.cookies["django_language"] = "en"
    f.open_window()
    vaccine = f.vaccine(code="PFZ")
    slot = f.slot(venue=f.venue(vaccines=[vaccine]), vaccine=vaccine, starts_at=f.at(10))
    holder = f.resident(ticket_number="3000000001", family_name="山田", given_name="太郎")
    child = f.resident(ticket_number="3000000002", birth_date=date(2010, 4, 1), given_name="花子")
    actor = services.Actor.for_resident(holder)
    services.household_member_add(actor=actor, holder=holder, ticket_number="3000000002", birth_date=date(2010, 4, 1))
    services.reservation_book(actor=actor, resident=child, slot_id=slot.pk, dose_number=1)
    html = admin.get("/console/audit/").content.decode()
    assert "Household member added" in html and "Reservation booked" in html
    assert "山田 太郎, for the resident (household, web)" in html
    assert "Booked by (household)" in html
