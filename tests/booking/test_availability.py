"""The booking calendar's day summary (availability.DoseTimes.days): what it counts, and the shape of its query."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from yoyaku.booking import availability

pytestmark = pytest.mark.django_db


def test_the_calendar_counts_no_slot_of_an_inactive_venue_and_reads_the_slots_without_a_join():
    # A big city's six weeks are ~82,000 slots. Joined to the venues, PostgreSQL hashed the join, lost the day
    # index's order and sorted every row on disk to group them by day (45 ms; bench/README.md, round 6).
    f.open_window()
    vaccine = f.vaccine(code="PFZ")
    open_venue = f.venue(vaccines=[vaccine])
    closed_venue = f.venue(vaccines=[vaccine], active=False)
    f.slot(venue=open_venue, vaccine=vaccine, starts_at=f.at(5), capacity=4, booked=3)
    f.slot(venue=closed_venue, vaccine=vaccine, starts_at=f.at(5), capacity=10)  # would make the day "free"
    f.slot(venue=closed_venue, vaccine=vaccine, starts_at=f.at(6), capacity=10)  # the only slot of its day
    resident = f.resident(birth_date=date(1950, 1, 1))
    times = availability.dose_times_for(resident=resident, dose_number=1)
    day5, day6 = f.at(5).date(), f.at(6).date()
    with CaptureQueriesContext(connection) as queries:
        levels = times.days(start=times.earliest_day, end=f.at(40).date())
    assert levels == {day5: "few"} and day6 not in levels
    (summary,) = [q["sql"] for q in queries.captured_queries if "SUM(" in q["sql"]]
    assert "JOIN" not in summary.upper()
