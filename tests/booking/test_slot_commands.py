"""The generate_slots and open_booking commands: what they write, what they refuse, what they record."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests import factories
from yoyaku.booking.models import AuditEvent, BookingWindow, Slot, dose_mask

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tokyo(settings):
    settings.TIME_ZONE = "Asia/Tokyo"  # no daylight saving: every day has the same 24 hours


@pytest.fixture
def vaccine():
    return factories.vaccine(code="PFZ", name="Pfizer")


@pytest.fixture
def venue(vaccine):
    return factories.venue(code="C01", name="Sakura Clinic", vaccines=[vaccine])


def generate(*extra, venue="C01", vaccine="PFZ", **options):
    """Four weeks from Monday 4 January 2027, Monday/Wednesday/Friday, three times a day."""
    args = {
        "--venue": venue,
        "--vaccine": vaccine,
        "--from": "2027-01-04",
        "--to": "2027-01-31",
        "--weekdays": "mon,wed,fri",
        "--times": "09:00,09:30,10:00",
        "--minutes": "30",
        "--capacity": "6",
    }
    args.update({f"--{key.replace('_', '-')}": value for key, value in options.items()})
    out = StringIO()
    argv = [item for pair in args.items() for item in pair if item is not None] + list(extra)
    call_command("generate_slots", *argv, stdout=out, stderr=StringIO())
    return out.getvalue()


# --- generate_slots -----------------------------------------------------------------------------


def test_generate_slots_creates_one_slot_per_weekday_and_time_across_the_range(venue, vaccine):
    output = generate()
    slots = list(Slot.objects.order_by("starts_at"))
    assert len(slots) == 4 * 3 * 3
    assert "36 created, 0 already existed" in output
    assert slots[0].starts_at == datetime(2027, 1, 4, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
    assert slots[-1].starts_at == datetime(2027, 1, 29, 1, 0, tzinfo=UTC)  # Friday 10:00 in Tokyo
    assert all(slot.ends_at - slot.starts_at == timedelta(minutes=30) for slot in slots)
    assert all(slot.capacity == 6 and slot.booked == 0 and not slot.closed for slot in slots)
    assert all(slot.venue_id == venue.pk and slot.vaccine_id == vaccine.pk for slot in slots)


def test_generate_slots_rerun_creates_no_duplicates(venue):
    generate()
    output = generate()
    assert Slot.objects.count() == 36
    assert "0 created, 36 already existed" in output


def test_generate_slots_overlapping_pattern_creates_only_the_missing_slots_and_keeps_existing_ones(venue):
    generate()
    Slot.objects.filter(starts_at=datetime(2027, 1, 4, 0, 0, tzinfo=UTC)).update(capacity=2)
    output = generate("--weekdays", "mon-fri")  # adds Tuesdays and Thursdays
    assert "24 created, 36 already existed" in output
    assert Slot.objects.count() == 60
    assert Slot.objects.get(starts_at=datetime(2027, 1, 4, 0, 0, tzinfo=UTC)).capacity == 2


def test_generate_slots_stores_the_dose_numbers_as_a_mask(venue):
    generate(doses="2")
    assert set(Slot.objects.values_list("dose_mask", flat=True)) == {dose_mask([2])}


def test_generate_slots_serves_every_dose_by_default(venue, settings):
    settings.YOYAKU = {**settings.YOYAKU, "MAX_DOSE": 3}
    generate()
    assert set(Slot.objects.values_list("dose_mask", flat=True)) == {dose_mask([1, 2, 3])}


def test_generate_slots_bookable_from_is_read_in_local_time(venue):
    generate(bookable_from="2026-12-20 09:00")
    assert set(Slot.objects.values_list("bookable_from", flat=True)) == {datetime(2026, 12, 20, 0, 0, tzinfo=UTC)}


def test_generate_slots_without_bookable_from_can_be_booked_at_once(venue):
    generate()
    assert set(Slot.objects.values_list("bookable_from", flat=True)) == {None}


def test_generate_slots_writes_one_audit_event_with_the_pattern_and_counts(venue):
    generate(bookable_from="2026-12-20 09:00")
    generate()
    first, second = AuditEvent.objects.filter(action="slot.generate").order_by("id")
    assert first.actor_kind == AuditEvent.ActorKind.SYSTEM
    assert first.object_type == "venue" and first.object_id == str(venue.pk)
    assert first.data["venue"] == "C01" and first.data["vaccine"] == "PFZ"
    assert first.data["pattern"] == {
        "from": "2027-01-04", "to": "2027-01-31", "weekdays": ["mon", "wed", "fri"],
        "times": ["09:00", "09:30", "10:00"], "minutes": 30,
    }
    assert first.data["capacity"] == 6 and first.data["doses"] == [1, 2]
    assert first.data["bookable_from"].startswith("2026-12-20T09:00:00+09:00")
    assert (first.data["created"], first.data["existed"]) == (36, 0)
    assert (second.data["created"], second.data["existed"]) == (0, 36)


def test_generate_slots_dry_run_counts_but_writes_nothing(venue):
    output = generate("--dry-run")
    assert "36 would be created" in output
    assert Slot.objects.count() == 0
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("weekdays", "mon,funday", "is not a weekday"),
        ("times", "09:00,9.30", "is not a time"),
        ("times", "25:00", "is not a time"),
        ("from", "2027-02-30", "is not a date"),
        ("to", "31/01/2027", "is not a date"),
        ("to", "2027-01-01", "before the first day"),
        ("doses", "1,3", "not a dose number"),
        ("bookable_from", "2026-12-20", "is not a date and time"),
        ("minutes", "0", "minutes"),
        ("capacity", "0", "capacity must be at least 1"),
    ],
)
def test_generate_slots_bad_input_is_refused_and_nothing_is_written(venue, option, value, message):
    with pytest.raises(CommandError, match=message):
        generate(**{option: value})
    assert Slot.objects.count() == 0
    assert not AuditEvent.objects.exists()


def test_generate_slots_venue_not_offering_the_vaccine_is_refused_and_nothing_is_written(venue):
    factories.vaccine(code="MDN", name="Moderna")
    with pytest.raises(CommandError, match="does not offer Moderna"):
        generate(vaccine="MDN")
    assert Slot.objects.count() == 0
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(("option", "message"), [("venue", "No venue"), ("vaccine", "No vaccine")])
def test_generate_slots_unknown_code_is_refused(venue, option, message):
    with pytest.raises(CommandError, match=message):
        generate(**{option: "NOPE"})
    assert Slot.objects.count() == 0


def test_generate_slots_pattern_with_no_matching_day_is_refused(venue):
    with pytest.raises(CommandError, match="No day"):
        generate(**{"from": "2027-01-04", "to": "2027-01-05", "weekdays": "sat,sun"})
    assert Slot.objects.count() == 0


# --- open_booking --------------------------------------------------------------------------------


def open_booking(*args):
    out = StringIO()
    call_command("open_booking", *args, stdout=out)
    return out.getvalue()


def test_open_booking_creates_the_window_in_local_time():
    output = open_booking("--doses", "1,2", "--born-on-or-before", "1962-04-01", "--born-after", "1930-01-01",
                          "--group", "care-home", "--from", "2027-01-10 09:00", "--until", "2027-03-31 17:00",
                          "--label", "65歳以上")
    window = BookingWindow.objects.get()
    assert window.doses == [1, 2]
    assert window.born_on_or_before == date(1962, 4, 1)
    assert window.born_after == date(1930, 1, 1)
    assert window.group == "care-home"
    assert window.opens_at == datetime(2027, 1, 10, 0, 0, tzinfo=UTC)
    assert window.closes_at == datetime(2027, 3, 31, 8, 0, tzinfo=UTC)
    assert window.label == "65歳以上"
    assert f"Booking window {window.pk} opened" in output


def test_open_booking_without_limits_opens_to_everyone_with_no_end():
    output = open_booking("--doses", "1", "--from", "2027-01-10 09:00")
    window = BookingWindow.objects.get()
    assert (window.born_on_or_before, window.born_after, window.group, window.closes_at) == (None, None, "", None)
    assert window.doses == [1]
    assert "everyone" in output


def test_open_booking_min_age_on_a_day_sets_the_latest_birth_date_by_the_age_calculation_act():
    output = open_booking("--doses", "1,2", "--min-age", "65", "--age-on", "2027-03-31",
                          "--from", "2027-01-10 09:00")
    # One is a year older from the day before one's birthday: born on 1 April 1962, 65 on 31 March 2027
    # (the state's cohort 昭和37年4月1日以前に生まれた方); born on 2 April 1962: not.
    assert BookingWindow.objects.get().born_on_or_before == date(1962, 4, 1)
    assert "born on or before 1962-04-01" in output


def test_open_booking_min_age_for_the_published_fiscal_2021_cohort():
    open_booking("--doses", "1,2", "--min-age", "65", "--age-on", "2022-03-31", "--from", "2027-01-10 09:00")
    assert BookingWindow.objects.get().born_on_or_before == date(1957, 4, 1)  # 昭和32年4月1日以前に生まれた方


def test_open_booking_min_age_on_28_february_of_a_leap_year_falls_back_to_28_february():
    # The day after is 29 February 2028; 65 years earlier (1963) has none.
    open_booking("--doses", "1", "--min-age", "65", "--age-on", "2028-02-28", "--from", "2027-01-10 09:00")
    assert BookingWindow.objects.get().born_on_or_before == date(1963, 2, 28)


def test_open_booking_min_age_on_29_february():
    open_booking("--doses", "1", "--min-age", "65", "--age-on", "2028-02-29", "--from", "2027-01-10 09:00")
    assert BookingWindow.objects.get().born_on_or_before == date(1963, 3, 1)


def test_open_booking_writes_an_audit_event():
    open_booking("--doses", "1,2", "--min-age", "65", "--age-on", "2027-03-31", "--from", "2027-01-10 09:00")
    event = AuditEvent.objects.get(action="booking_window.open")
    window = BookingWindow.objects.get()
    assert event.actor_kind == AuditEvent.ActorKind.SYSTEM
    assert (event.object_type, event.object_id) == ("bookingwindow", str(window.pk))
    assert event.data["doses"] == [1, 2]
    assert event.data["born_on_or_before"] == "1962-04-01"
    assert event.data["opens_at"] == "2027-01-10 09:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--until", "2027-01-10 09:00"], "must close after it opens"),
        (["--until", "2027-01-09 23:59"], "must close after it opens"),
        (["--born-after", "1962-04-01", "--born-on-or-before", "1962-04-01"], "must be earlier"),
        (["--born-after", "1970-01-01", "--born-on-or-before", "1962-04-01"], "must be earlier"),
        (["--min-age", "65"], "go together"),
        (["--age-on", "2027-03-31"], "go together"),
        (["--min-age", "65", "--age-on", "2027-03-31", "--born-on-or-before", "1960-01-01"], "not both"),
        (["--min-age", "65", "--age-on", "2027-02-30"], "is not a date"),
        (["--group", "care home"], "is not a group code"),
        (["--born-on-or-before", "1962/13/01"], "is not a date"),
    ],
)
def test_open_booking_bad_input_is_refused_and_nothing_is_written(args, message):
    with pytest.raises(CommandError, match=message):
        open_booking("--doses", "1,2", "--from", "2027-01-10 09:00", *args)
    assert not BookingWindow.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(("doses", "opens"), [("0", "2027-01-10 09:00"), ("1,2", "2027-01-10"),
                                               ("1,2", "10 Jan 2027 09:00")])
def test_open_booking_bad_doses_or_time_are_refused(doses, opens):
    with pytest.raises(CommandError):
        open_booking("--doses", doses, "--from", opens)
    assert not BookingWindow.objects.exists()
