"""Slot patterns: dates × weekdays × times × minutes, as the city writes them, into aware datetimes.

Pure functions, no database. The generate_slots and open_booking commands (and the demo) parse their
options here; every bad input raises InvalidInput with a message that says how to write it instead.
All times are local wall-clock times in the given time zone (settings.TIME_ZONE for the commands).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.utils.translation import gettext as _

from .errors import InvalidInput
from .rules import nfkc

# A typo in a year ("2062" for "2026") must not write tens of thousands of slots.
MAX_DAYS = 366
MAX_MINUTES = 24 * 60

_WEEKDAY_NAMES = {
    0: ("mon", "monday", "月", "月曜", "月曜日"),
    1: ("tue", "tues", "tuesday", "火", "火曜", "火曜日"),
    2: ("wed", "wednesday", "水", "水曜", "水曜日"),
    3: ("thu", "thur", "thurs", "thursday", "木", "木曜", "木曜日"),
    4: ("fri", "friday", "金", "金曜", "金曜日"),
    5: ("sat", "saturday", "土", "土曜", "土曜日"),
    6: ("sun", "sunday", "日", "日曜", "日曜日"),
}
_WEEKDAY_BY_NAME = {name: day for day, names in _WEEKDAY_NAMES.items() for name in names}
WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_LIST_SEPARATORS = re.compile(r"[\s,、，]+")
_DATE = re.compile(r"^(?P<year>[0-9]{4})[-/](?P<month>[0-9]{1,2})[-/](?P<day>[0-9]{1,2})$")
_CLOCK = re.compile(r"^(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})$")
_DATETIME = re.compile(r"^(?P<date>[0-9/-]+)(?:\s+|T)(?P<clock>[0-9]{1,2}:[0-9]{2})$")


def _clean(text: str) -> str:
    # Full-width digits, colons and commas (０９：００，) read like their ASCII forms.
    return nfkc(text)


def _items(text: str) -> list[str]:
    return [item for item in _LIST_SEPARATORS.split(_clean(text)) if item]


def parse_weekdays(text: str) -> frozenset[int]:
    """`mon,tue,fri`, `mon-fri`, `sat sun` or `月,水,金` as weekday numbers (Monday = 0)."""
    items = _items(text)
    if not items:
        raise InvalidInput(_("Give at least one weekday, for example mon,wed,fri."), code="weekdays_empty")
    days: set[int] = set()
    for item in items:
        first, dash, last = item.lower().partition("-")
        if first not in _WEEKDAY_BY_NAME or (dash and last not in _WEEKDAY_BY_NAME):
            raise InvalidInput(
                _("“%(item)s” is not a weekday. Use mon, tue, wed, thu, fri, sat, sun, or a range such as "
                  "mon-fri.") % {"item": item},
                code="weekday_unknown",
            )
        start = _WEEKDAY_BY_NAME[first]
        end = _WEEKDAY_BY_NAME[last] if dash else start
        if end < start:
            raise InvalidInput(
                _("The weekday range “%(item)s” runs backwards. Write it from Monday towards Sunday, "
                  "for example mon-fri.") % {"item": item},
                code="weekday_range_backwards",
            )
        days.update(range(start, end + 1))
    return frozenset(days)


def weekday_codes(weekdays) -> list[str]:
    return [WEEKDAY_CODES[day] for day in sorted(weekdays)]


def parse_clock(text: str) -> time:
    """`09:00` or `9:00` (24-hour clock)."""
    cleaned = _clean(text)
    match = _CLOCK.match(cleaned)
    if not match or int(match["hour"]) > 23 or int(match["minute"]) > 59:
        raise InvalidInput(
            _("“%(item)s” is not a time. Write times as HH:MM on the 24-hour clock, for example 09:30 "
              "or 14:00.") % {"item": text.strip()},
            code="time_invalid",
        )
    return time(int(match["hour"]), int(match["minute"]))


# A range with a step: 9:00-12:00/30 (also 9:00～12:00/30, 9:00 - 12:00 / 30). The end is not a start time.
_RANGE = re.compile(r"^(?P<start>[0-9]{1,2}:[0-9]{2})[-~〜–—](?P<end>[0-9]{1,2}:[0-9]{2})(?:/(?P<step>[^/]*))?$")
_AROUND_RANGE_MARKS = re.compile(r"\s*([-~〜–—/])\s*")


def _minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def parse_time_range(item: str) -> list[time]:
    """`9:00-12:00/30`: a start time every 30 minutes from 9:00, the last one before 12:00 (11:30): the
    range is the session, the end is when it is over."""
    match = _RANGE.match(item)
    if not match:
        raise InvalidInput(
            _("“%(item)s” is not a time range. Write it as start-end/minutes, for example 9:00-12:00/30.")
            % {"item": item},
            code="time_invalid",
        )
    start, end = parse_clock(match["start"]), parse_clock(match["end"])
    step_text = match["step"]
    if not (step_text and step_text.isascii() and step_text.isdigit() and 1 <= int(step_text) <= MAX_MINUTES):
        raise InvalidInput(
            _("Give the minutes between start times after a slash, for example %(start)s-%(end)s/30.")
            % {"start": match["start"], "end": match["end"]},
            code="time_invalid",
        )
    if _minutes(end) <= _minutes(start):
        raise InvalidInput(
            _("The range “%(item)s” ends before it starts. Write the earlier time first, for example 9:00-12:00/30.")
            % {"item": item},
            code="time_invalid",
        )
    step = int(step_text)
    return [time(m // 60, m % 60) for m in range(_minutes(start), _minutes(end), step)]


def parse_times(text: str) -> list[time]:
    """`09:00,09:30,14:00` as sorted start times (a time given twice counts once). An item may be a range
    with a step, `9:00-12:00/30` (9:00, 9:30, … 11:30), so a day is written `9:00-12:00/30, 13:30-17:00/30`."""
    items = _items(_AROUND_RANGE_MARKS.sub(r"\1", _clean(text)))
    if not items:
        raise InvalidInput(_("Give at least one start time, for example 09:00,09:30."), code="times_empty")
    times: set[time] = set()
    for item in items:
        if "/" in item or any(mark in item for mark in "-~〜–—"):
            times.update(parse_time_range(item))
        else:
            times.add(parse_clock(item))
    return sorted(times)


def parse_date(text: str) -> date:
    """`2026-04-01` (or 2026/4/1)."""
    cleaned = _clean(text)
    match = _DATE.match(cleaned)
    if match:
        try:
            return date(int(match["year"]), int(match["month"]), int(match["day"]))
        except ValueError:
            pass
    raise InvalidInput(
        _("“%(item)s” is not a date. Write dates as YYYY-MM-DD, for example 2026-04-01.") % {"item": text.strip()},
        code="date_invalid",
    )


def local_datetime(day: date, clock: time, tz: tzinfo) -> datetime:
    """The aware datetime of a local wall-clock time, or InvalidInput if the clocks skip it (DST)."""
    naive = datetime.combine(day, clock)
    aware = naive.replace(tzinfo=tz)  # fold=0: an ambiguous time (clocks going back) is its first occurrence
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise InvalidInput(
            _("%(when)s does not exist in the time zone %(zone)s (the clocks skip it). Choose another time.")
            % {"when": naive.strftime("%Y-%m-%d %H:%M"), "zone": str(tz)},
            code="time_skipped",
        )
    return aware


def parse_local_datetime(text: str, tz: tzinfo) -> datetime:
    """`2026-04-01 09:00` (or 2026-04-01T09:00), local time in `tz`, as an aware datetime."""
    cleaned = _clean(text)
    match = _DATETIME.match(cleaned)
    if not match:
        raise InvalidInput(
            _("“%(item)s” is not a date and time. Write it as \"YYYY-MM-DD HH:MM\", for example "
              "\"2026-04-01 09:00\".") % {"item": text.strip()},
            code="datetime_invalid",
        )
    return local_datetime(parse_date(match["date"]), parse_clock(match["clock"]), tz)


def parse_doses(text: str, *, max_dose: int) -> list[int]:
    """`1,2` as sorted dose numbers, each between 1 and `max_dose`."""
    items = _items(text)
    if not items:
        raise InvalidInput(_("Give at least one dose number, for example 1,2."), code="doses_empty")
    doses = set()
    for item in items:
        if not item.isascii() or not item.isdigit() or not 1 <= int(item) <= max_dose:
            raise InvalidInput(
                _("“%(item)s” is not a dose number. Dose numbers go from 1 to %(max)d.")
                % {"item": item, "max": max_dose},
                code="dose_invalid",
            )
        doses.add(int(item))
    return sorted(doses)


@dataclass(frozen=True)
class SlotPattern:
    """Every `weekdays` day from `first_day` to `last_day` (both included), at each of `times`,
    slots of `minutes` minutes."""

    first_day: date
    last_day: date
    weekdays: frozenset[int]
    times: tuple[time, ...]
    minutes: int

    def __post_init__(self):
        if self.last_day < self.first_day:
            raise InvalidInput(
                _("The last day (%(last)s) is before the first day (%(first)s).")
                % {"first": self.first_day.isoformat(), "last": self.last_day.isoformat()},
                code="range_backwards",
            )
        days = (self.last_day - self.first_day).days + 1
        if days > MAX_DAYS:
            raise InvalidInput(
                _("The range covers %(days)d days; at most %(max)d days can be generated at once. "
                  "Check the years, or generate it in parts.") % {"days": days, "max": MAX_DAYS},
                code="range_too_long",
            )
        if not 1 <= self.minutes <= MAX_MINUTES:
            raise InvalidInput(
                _("A slot lasts from 1 to %(max)d minutes; %(minutes)d is not possible.")
                % {"max": MAX_MINUTES, "minutes": self.minutes},
                code="minutes_invalid",
            )
        if not self.weekdays:
            raise InvalidInput(_("Give at least one weekday, for example mon,wed,fri."), code="weekdays_empty")
        if not self.times:
            raise InvalidInput(_("Give at least one start time, for example 09:00,09:30."), code="times_empty")

    @classmethod
    def parse(cls, *, first_day: str, last_day: str, times: str, minutes: int, weekdays: str = "") -> SlotPattern:
        """From the command's options; no weekdays means every day."""
        return cls(
            first_day=parse_date(first_day),
            last_day=parse_date(last_day),
            weekdays=parse_weekdays(weekdays) if weekdays.strip() else frozenset(range(7)),
            times=tuple(parse_times(times)),
            minutes=minutes,
        )

    def days(self) -> list[date]:
        count = (self.last_day - self.first_day).days + 1
        every = (self.first_day + timedelta(days=n) for n in range(count))
        return [day for day in every if day.weekday() in self.weekdays]

    def expand(self, tz: tzinfo) -> list[tuple[datetime, datetime]]:
        """(starts_at, ends_at) of every slot, in order. A slot lasts `minutes` of real time, also on a
        night the clocks change. Raises InvalidInput when the pattern gives no slot at all."""
        length = timedelta(minutes=self.minutes)
        slots = []
        for day in self.days():
            for clock in self.times:
                starts_at = local_datetime(day, clock, tz)
                ends_at = (starts_at.astimezone(UTC) + length).astimezone(tz)
                slots.append((starts_at, ends_at))
        if not slots:
            raise InvalidInput(
                _("No day from %(first)s to %(last)s falls on the weekdays given (%(weekdays)s): no slot to "
                  "generate.") % {"first": self.first_day.isoformat(), "last": self.last_day.isoformat(),
                                  "weekdays": ",".join(weekday_codes(self.weekdays))},
                code="pattern_empty",
            )
        return slots

    def as_data(self) -> dict:
        """For the audit event: JSON-friendly and readable."""
        return {
            "from": self.first_day.isoformat(),
            "to": self.last_day.isoformat(),
            "weekdays": weekday_codes(self.weekdays),
            "times": [clock.strftime("%H:%M") for clock in self.times],
            "minutes": self.minutes,
        }
