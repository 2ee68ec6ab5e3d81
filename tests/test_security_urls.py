"""Every URL pattern fed extreme values (issue 18): year 1 and 9999, 20-digit ids, negative numbers, non-ASCII
text, in the path and in the query strings the pages read. The answer is a page or a 4xx, never a 500.

Two walks over the same list of patterns (read from the URL resolver, so a new pattern is walked without
editing this file): every pattern with every listed extreme value, then Hypothesis drawing values of its own.
Requests are made as a verified superuser holding every console role and as a logged-in resident."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories as f
from tests.console.conftest import log_in_staff, make_staff
from yoyaku.console.roles import ROLES

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

PLACEHOLDER = re.compile(r"<(?:(\w+):)?(\w+)>")
EXTREMES = ["0", "1", "-1", "99999999999999999999", "18446744073709551616", "-99999999999999999999",
            "0001-01-01", "9999-12-31", "1-1-1", "2026-02-30", "東京", "予約", "%00", "..", "0x10", "1e309",
            "٣", "１２３", "a" * 300]
QUERY_NAMES = ("from", "day", "venue", "page", "dose", "slot", "q", "next", "vaccine", "area", "action", "limit",
               "first_day", "last_day", "date_from", "date_to")


def _patterns(resolver=None, prefix: str = ""):
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if not isinstance(pattern.pattern, RoutePattern) or route.startswith(("admin/", "dev/")):
            # The Django admin is third-party code for superusers who passed the second factor (tested in
            # tests/test_security_admin.py); the dev inbox is a 404 unless DEBUG.
            continue
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, route)
        elif PLACEHOLDER.search(route) or "?" not in route:
            yield route


PATTERNS = sorted(set(_patterns()))


def _fill(route: str, value: str) -> str:
    return "/" + PLACEHOLDER.sub(lambda _m: quote(value, safe=""), route)


@pytest.fixture
def clients(db):
    f.open_window()
    vaccine = f.vaccine(code="PFZ", name="Pfizer")
    venue = f.venue(vaccines=[vaccine])
    f.slot(venue=venue, vaccine=vaccine, starts_at=f.at(5, 10))
    staff = Client()
    log_in_staff(staff, make_staff("everything", *ROLES, superuser=True))
    f.resident(ticket_number="1234567890", birth_date=date(1945, 1, 1))
    resident = Client()
    assert resident.post("/login/", {"ticket_number": "1234567890", "password": "19450101"}).status_code == 302
    return staff, resident


def _assert_no_500(clients, path: str) -> None:
    staff, resident = clients
    client = staff if path.startswith(("/console/", "/api/")) else resident
    response = client.get(path)
    assert response.status_code < 500, (path, response.status_code)


def test_the_walk_covers_the_console_and_the_resident_site():
    assert "console/rosters/<int:venue_id>/<str:day>/" in PATTERNS
    assert "console/setup/venues/<int:venue_id>/days/<str:day>/" in PATTERNS
    assert "reservations/<str:code>/" in PATTERNS
    assert len(PATTERNS) > 60


def test_both_far_date_urls_answer_404(clients):
    staff, _resident = clients
    venue = f.venue()
    for day in ("9999-12-31", "0001-01-01"):
        assert staff.get(f"/console/setup/venues/{venue.pk}/days/{day}/").status_code == 404
        assert staff.get(f"/console/rosters/{venue.pk}/{day}/").status_code == 404
        assert staff.get(f"/console/rosters/{venue.pk}/{day}/roster.csv").status_code == 404
        assert staff.get(f"/console/setup/venues/{venue.pk}/days/{day}/close/").status_code == 404


def test_every_pattern_with_every_extreme_value(clients):
    failures = []
    for route in PATTERNS:
        for value in EXTREMES:
            paths = [_fill(route, value)]
            if not PLACEHOLDER.search(route):  # the query strings, on the pages without a path value
                paths.append(f"/{route}?{urlencode(dict.fromkeys(QUERY_NAMES, value))}")
            for path in paths:
                try:
                    _assert_no_500(clients, path)
                except Exception as error:  # noqa: BLE001 - every failing address listed at once
                    failures.append(f"{path}: {error!r}"[:300])
    assert not failures, "\n".join(failures)


values = st.one_of(
    st.sampled_from(EXTREMES),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.dates().map(date.isoformat),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(PATTERNS), value=values, query_value=values, name=st.sampled_from(QUERY_NAMES))
def test_any_value_in_any_pattern_is_never_a_500(clients, route, value, query_value, name):
    _assert_no_500(clients, f"{_fill(route, value)}?{urlencode({name: query_value})}")
