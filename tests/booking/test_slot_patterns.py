"""Slot patterns: parsing the city's options and expanding dates × weekdays × times. No database."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from yoyaku.booking.errors import InvalidInput
from yoyaku.booking.slot_patterns import (
    MAX_DAYS,
    SlotPattern,
    parse_date,
    parse_doses,
    parse_local_datetime,
    parse_times,
    parse_weekdays,
)

TOKYO = ZoneInfo("Asia/Tokyo")
BERLIN = ZoneInfo("Europe/Berlin")


# --- Weekdays -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon,tue", {0, 1}),
        ("MON, Wed ,fri", {0, 2, 4}),
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("sat sun", {5, 6}),
        ("monday,thursday", {0, 3}),
        ("月,水,金", {0, 2, 4}),
        ("土曜日、日曜", {5, 6}),
        ("ｍｏｎ，ｔｕｅ", {0, 1}),  # full-width letters and comma
        ("mon,mon", {0}),
    ],
)
def test_weekdays_are_read_in_english_japanese_and_ranges(text, expected):
    assert parse_weekdays(text) == frozenset(expected)


@pytest.mark.parametrize("text", ["mun", "mon,xyz", "1", "fri-mon", "mon-", ""])
def test_an_unknown_or_backwards_weekday_is_refused_with_a_message(text):
    with pytest.raises(InvalidInput) as error:
        parse_weekdays(text)
    assert "weekday" in error.value.message.lower()


# --- Times ------------------------------------------------------------------------------------------


def test_times_are_sorted_and_deduplicated():
    assert parse_times("14:00,09:30,9:30,０９：００") == [time(9, 0), time(9, 30), time(14, 0)]


@pytest.mark.parametrize("text", ["9", "24:00", "09:60", "9.30", "09:3", "noon", "09:00,25:00", ""])
def test_an_impossible_time_is_refused_with_the_format_to_use(text):
    with pytest.raises(InvalidInput) as error:
        parse_times(text)
    assert "time" in error.value.message.lower()


# --- Dates and local date-times ---------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2027-01-04", "2027/1/4", "２０２７－０１－０４"])
def test_dates_are_read_as_year_month_day(text):
    assert parse_date(text) == date(2027, 1, 4)


@pytest.mark.parametrize("text", ["2027-02-30", "2027-13-01", "04/01/2027", "20270104", "tomorrow", ""])
def test_an_impossible_or_ambiguous_date_is_refused(text):
    with pytest.raises(InvalidInput) as error:
        parse_date(text)
    assert "YYYY-MM-DD" in error.value.message


def test_a_local_datetime_is_read_in_the_given_time_zone():
    value = parse_local_datetime("2027-01-04 09:00", TOKYO)
    assert value == datetime(2027, 1, 4, 0, 0, tzinfo=UTC)
    assert parse_local_datetime("2027-01-04T09:00", TOKYO) == value


@pytest.mark.parametrize("text", ["2027-01-04", "09:00", "2027-01-04 25:00", "2027-01-04 9am"])
def test_a_datetime_without_a_valid_time_is_refused(text):
    with pytest.raises(InvalidInput):
        parse_local_datetime(text, TOKYO)


def test_a_local_time_the_clocks_skip_is_refused():
    # Europe/Berlin jumps from 02:00 to 03:00 on 2026-03-29.
    with pytest.raises(InvalidInput) as error:
        parse_local_datetime("2026-03-29 02:30", BERLIN)
    assert error.value.code == "time_skipped"


# --- Doses ----------------------------------------------------------------------------------------


def test_doses_are_sorted_numbers_within_the_maximum():
    assert parse_doses("2,1,2", max_dose=2) == [1, 2]


@pytest.mark.parametrize("text", ["0", "3", "1,x", "-1", ""])
def test_a_dose_outside_one_to_the_maximum_is_refused(text):
    with pytest.raises(InvalidInput):
        parse_doses(text, max_dose=2)


# --- Expansion ------------------------------------------------------------------------------------


def _pattern(**fields):
    values = {
        "first_day": "2027-01-04",  # a Monday
        "last_day": "2027-01-31",  # a Sunday: four full weeks
        "weekdays": "mon,wed,fri",
        "times": "09:00,09:30,10:00",
        "minutes": 30,
    }
    values.update(fields)
    return SlotPattern.parse(**values)


def test_a_pattern_gives_one_slot_per_matching_day_and_time():
    slots = _pattern().expand(TOKYO)
    assert len(slots) == 4 * 3 * 3
    assert {starts_at.astimezone(TOKYO).weekday() for starts_at, _ in slots} == {0, 2, 4}
    assert slots == sorted(slots)
    first_start, first_end = slots[0]
    assert first_start == datetime(2027, 1, 4, 9, 0, tzinfo=TOKYO)
    assert first_end - first_start == timedelta(minutes=30)


def test_no_weekdays_means_every_day_and_both_ends_are_included():
    slots = _pattern(weekdays="", times="09:00").expand(TOKYO)
    assert len(slots) == 28
    assert slots[-1][0].date() == date(2027, 1, 31)


def test_a_pattern_with_no_matching_day_is_refused():
    with pytest.raises(InvalidInput) as error:
        _pattern(first_day="2027-01-04", last_day="2027-01-05", weekdays="sat").expand(TOKYO)
    assert error.value.code == "pattern_empty"


def test_a_last_day_before_the_first_is_refused():
    with pytest.raises(InvalidInput) as error:
        _pattern(first_day="2027-01-31", last_day="2027-01-04")
    assert error.value.code == "range_backwards"


def test_a_range_longer_than_the_limit_is_refused_as_a_likely_typo():
    with pytest.raises(InvalidInput) as error:
        _pattern(last_day="2072-01-31")
    assert error.value.code == "range_too_long"
    last_allowed = date(2027, 1, 4) + timedelta(days=MAX_DAYS - 1)
    assert len(_pattern(last_day=last_allowed.isoformat(), weekdays="mon", times="09:00").expand(TOKYO)) > 50


@pytest.mark.parametrize("minutes", [0, -30, 24 * 60 + 1])
def test_a_slot_length_outside_one_minute_to_one_day_is_refused(minutes):
    with pytest.raises(InvalidInput) as error:
        _pattern(minutes=minutes)
    assert error.value.code == "minutes_invalid"


def test_a_slot_lasts_its_minutes_of_real_time_when_the_clocks_go_back():
    # Europe/Berlin goes back from 03:00 to 02:00 on 2026-10-25; 02:30 happens twice (the first is kept).
    (starts_at, ends_at), = _pattern(first_day="2026-10-25", last_day="2026-10-25", weekdays="",
                                     times="02:30").expand(BERLIN)
    assert starts_at.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert ends_at.astimezone(UTC) - starts_at.astimezone(UTC) == timedelta(minutes=30)


def test_a_pattern_time_the_clocks_skip_is_refused():
    with pytest.raises(InvalidInput) as error:
        _pattern(first_day="2026-03-29", last_day="2026-03-29", weekdays="", times="02:30").expand(BERLIN)
    assert error.value.code == "time_skipped"


def test_a_slot_may_end_after_midnight():
    (starts_at, ends_at), = _pattern(first_day="2027-01-04", last_day="2027-01-04", times="23:45",
                                     minutes=30).expand(TOKYO)
    assert ends_at == datetime(2027, 1, 5, 0, 15, tzinfo=TOKYO)


def test_the_pattern_is_recorded_in_plain_words():
    assert _pattern().as_data() == {
        "from": "2027-01-04",
        "to": "2027-01-31",
        "weekdays": ["mon", "wed", "fri"],
        "times": ["09:00", "09:30", "10:00"],
        "minutes": 30,
    }


# --- Ranges with a step (issue 12, item 5): a 9:00–17:00 day in 30-minute slots is one entry, not 16 -----------


def clocks(text: str) -> list[str]:
    return [t.strftime("%H:%M") for t in parse_times(text)]


def test_a_range_with_a_step_gives_every_start_before_its_end():
    assert len(parse_times("9:00-17:00/30")) == 16
    assert clocks("9:00-12:00/30, 13:30-17:00/30") == [
        "09:00", "09:30", "10:00", "10:30", "11:00", "11:30",
        "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30"]
    assert clocks("9:00-10:00/20") == ["09:00", "09:20", "09:40"]
    assert clocks("9:00-9:45/30") == ["09:00", "09:30"]  # the step need not divide the range


@pytest.mark.parametrize("typed", ["９：００～１０：００／３０", "9:00 - 10:00 / 30", "9:00〜10:00/30", "9:00–10:00/30",
                                   "9:00~10:00/30"])
def test_ranges_as_people_type_them(typed):
    assert clocks(typed) == ["09:00", "09:30"]


def test_ranges_and_single_times_mix_and_count_once():
    assert clocks("14:00, 9:00-10:00/30、9:30") == ["09:00", "09:30", "14:00"]


@pytest.mark.parametrize(("typed", "says"), [
    ("9:00-12:00", "after a slash"), ("9:00-12:00/0", "after a slash"), ("9:00-12:00/x", "after a slash"),
    ("9:00-12:00/2000", "after a slash"), ("12:00-9:00/30", "ends before it starts"),
    ("9:00-9:00/30", "ends before it starts"), ("9-12/30", "is not a time range"), ("9:00-/30", "is not a time range"),
    ("25:00-26:00/30", "is not a time"),
])
def test_a_bad_range_says_how_to_write_it(typed, says):
    with pytest.raises(InvalidInput) as caught:
        parse_times(typed)
    assert says in caught.value.message and caught.value.code == "time_invalid"
