"""Pure rules: input normalisation, eligibility, intervals, deadlines, reservation codes.

No database here. Services gather the facts (the resident, the windows, the previous dose) and ask
these functions; each is tested on its own in tests/booking/test_rules.py.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import MINYEAR, date, datetime, time, timedelta, tzinfo

from django.utils.translation import gettext as _

from .errors import InvalidInput, NotEligible, TooEarly, TooYoung, WrongVaccine

# --- Input normalisation ----------------------------------------------------------------------

# Characters people type between digit groups: spaces, ASCII and full-width hyphens, the minus sign,
# the dashes, and the katakana long vowel mark (ー), which Japanese keyboards often give for "-".
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ーｰ－_]+")


def nfkc(text) -> str:
    """The one normaliser of typed text: NFKC, invisible format characters dropped, stripped."""
    # NFKC turns full-width digits and letters (０-９, Ａ-Ｚ) and the ideographic space into ASCII.
    # Invisible format characters (zero-width space, BOM, soft hyphen, direction marks: category Cf)
    # come along when people copy a number from an email or a PDF; they are dropped, not reported
    # as "letters or other characters" that the person cannot see.
    normalized = unicodedata.normalize("NFKC", str(text or ""))
    return "".join(ch for ch in normalized if unicodedata.category(ch) != "Cf").strip()


TICKET_NUMBER_LENGTH = 10


def normalize_ticket_number(text: str) -> str:
    """The 10-digit ticket number (接種券番号), from what a person typed, or InvalidInput saying why."""
    cleaned = _SEPARATORS.sub("", nfkc(text))
    if not cleaned:
        raise InvalidInput(_("Enter the 10-digit ticket number."), code="ticket_empty")
    if not cleaned.isascii() or not cleaned.isdigit():
        raise InvalidInput(
            _("The ticket number has only digits (0-9). Check for letters or other characters."),
            code="ticket_not_digits",
        )
    if len(cleaned) != TICKET_NUMBER_LENGTH:
        raise InvalidInput(
            _("The ticket number has 10 digits; you entered %(count)d.") % {"count": len(cleaned)},
            code="ticket_length",
        )
    return cleaned


# Japanese eras: first day, and the written forms people use for them.
ERAS = {
    "meiji": (date(1868, 10, 23), ("明治", "明", "M")),
    "taisho": (date(1912, 7, 30), ("大正", "大", "T")),
    "showa": (date(1926, 12, 25), ("昭和", "昭", "S")),
    "heisei": (date(1989, 1, 8), ("平成", "平", "H")),
    "reiwa": (date(2019, 5, 1), ("令和", "令", "R")),
}
_ERA_ORDER = ["meiji", "taisho", "showa", "heisei", "reiwa"]
_ERA_BY_NAME = {name: era for era, (_start, names) in ERAS.items() for name in names}
_ERA_DISPLAY = {era: names[0] for era, (_start, names) in ERAS.items()}

_ERA_NAMES = "|".join(sorted(_ERA_BY_NAME, key=len, reverse=True))
_ERA_DATE = re.compile(
    rf"^(?P<era>{_ERA_NAMES})(?P<year>\d{{1,2}}|元)(?:年|[./\-])(?P<month>\d{{1,2}})(?:月|[./\-])(?P<day>\d{{1,2}})日?$",
    re.IGNORECASE,
)
_WESTERN_DATE = re.compile(
    r"^(?P<year>\d{4})(?:年|[./\-])(?P<month>\d{1,2})(?:月|[./\-])(?P<day>\d{1,2})日?$"
)
_COMPACT_DATE = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})$")
OLDEST_BIRTH_YEAR = 1900


def _era_end(era: str) -> date | None:
    index = _ERA_ORDER.index(era)
    if index + 1 < len(_ERA_ORDER):
        return ERAS[_ERA_ORDER[index + 1]][0] - timedelta(days=1)
    return None


def _too_old() -> InvalidInput:
    return InvalidInput(_("Check the year of birth: it is too far in the past."), code="date_too_old")


def _make_date(year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise InvalidInput(_("The month must be between 1 and 12."), code="date_bad_month")
    if year < MINYEAR:  # "0000/01/01": no calendar day, but the problem is the year, not the day
        raise _too_old()
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInput(
            _("%(year)d/%(month)d/%(day)d is not a date in the calendar. Check the day.")
            % {"year": year, "month": month, "day": day},
            code="date_impossible",
        ) from None


def parse_birth_date(text: str, *, today: date) -> date:
    """A birth date from what a person typed, or InvalidInput saying what was wrong.

    Accepts 19450101, 1945/1/1, 1945-01-01, １９４５年１月１日, 昭和20年1月1日, S20.1.1, 平成元年5月1日…
    """
    cleaned = re.sub(r"\s+", "", nfkc(text))
    # Common dash look-alikes become "-" so "1945−01−01" reads like "1945-01-01".
    cleaned = re.sub(r"[‐‑‒–—―−ーｰ]", "-", cleaned)
    if not cleaned:
        raise InvalidInput(_("Enter the date of birth, for example 19450101."), code="date_empty")

    if match := _ERA_DATE.match(cleaned):
        era = _ERA_BY_NAME.get(match["era"]) or _ERA_BY_NAME[match["era"].upper()]
        era_year = 1 if match["year"] == "元" else int(match["year"])
        if era_year < 1:
            raise InvalidInput(_("The year of the era starts at 1 (元年)."), code="date_bad_era_year")
        start = ERAS[era][0]
        result = _make_date(start.year + era_year - 1, int(match["month"]), int(match["day"]))
        end = _era_end(era)
        if result < start or (end is not None and result > end):
            raise InvalidInput(
                _("%(era)s %(year)d/%(month)s/%(day)s is not a date of that era. Check the era and the year.")
                % {"era": _ERA_DISPLAY[era], "year": era_year, "month": match["month"], "day": match["day"]},
                code="date_outside_era",
            )
    elif match := (_COMPACT_DATE.match(cleaned) or _WESTERN_DATE.match(cleaned)):
        result = _make_date(int(match["year"]), int(match["month"]), int(match["day"]))
    elif cleaned.isdigit():
        raise InvalidInput(
            _("Enter the date of birth as 8 digits: the year in the Western calendar (4 digits), "
              "month (2) and day (2), for example 19450101."),
            code="date_bad_length",
        )
    else:
        raise InvalidInput(
            _("We could not read this date. Enter it as 8 digits, for example 19450101."),
            code="date_unreadable",
        )

    if result > today:
        raise InvalidInput(_("The date of birth cannot be in the future."), code="date_future")
    if result.year < OLDEST_BIRTH_YEAR:
        raise _too_old()
    return result


# --- Ages, windows and eligibility -------------------------------------------------------------


# Ages follow the Act on Calculation of Age (年齢計算ニ関スル法律, 1902) and Civil Code art. 143: a person
# attains the next age at the end of the day before their birthday. So on any day one is as old as
# the Western count makes one on the next day: born 2 April 1957, 65 on 1 April 2022; born 1 April
# 1957, already 65 on 31 March 2022 (the state's "65 or over in fiscal 2021" = 昭和32年4月1日以前に
# 生まれた方). Born on 29 February, one is a year older on 28 February in a year without a 29th.


def age_on(birth_date: date, on: date) -> int:
    """Age in law on a day: the full years of the Western count on the day after `on`."""
    day = on + timedelta(days=1)
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def latest_birth_date_for_age(age: int, on: date) -> date:
    """Born on or before this day <=> at least `age` years old on `on` (`age_on`): the day after `on`,
    `age` years earlier. (65, 2022-03-31) -> 1957-04-01, the cohort the state publishes."""
    day = on + timedelta(days=1)
    try:
        return day.replace(year=day.year - age)
    except ValueError:  # the day after is 29 February, in a year without one: 28 February is the last
        return date(day.year - age, 2, 28)


@dataclass(frozen=True)
class Window:
    """A booking window: the city opens some doses to residents born in a range or in a group."""

    doses: frozenset[int]
    opens_at: datetime
    closes_at: datetime | None = None
    born_on_or_before: date | None = None
    born_after: date | None = None
    group: str = ""

    def admits(self, *, birth_date: date, groups: frozenset[str], dose_number: int) -> bool:
        if dose_number not in self.doses:
            return False
        if self.group and self.group not in groups:
            return False
        if self.born_on_or_before is not None and birth_date > self.born_on_or_before:
            return False
        return not (self.born_after is not None and birth_date <= self.born_after)


@dataclass(frozen=True)
class PreviousDose:
    """The dose before the one being booked: booked (not yet given) or given."""

    dose_number: int
    on: date
    vaccine_code: str
    vaccine_name: str
    next_dose_min_days: int
    given: bool


@dataclass(frozen=True)
class Eligibility:
    dose_number: int
    allowed: bool
    error: NotEligible | None = None
    earliest_date: date | None = None  # the first day the dose may be given, from the interval

    @property
    def available_from(self):
        return self.error.available_from if self.error else None


def dose_eligibility(
    *,
    dose_number: int,
    birth_date: date,
    groups: frozenset[str],
    windows: list[Window],
    previous: PreviousDose | None,
    given_doses: frozenset[int],
    now: datetime,
    max_dose: int,
) -> Eligibility:
    """May this resident book this dose now? If not, why and (when known) from when.

    An inactive ticket and an existing reservation are checked by the service; this rule covers
    what the city opened, to whom, and the order of doses.
    """

    def no(reason: str, available_from=None) -> Eligibility:
        return Eligibility(dose_number, False, NotEligible(reason=reason, available_from=available_from))

    if not 1 <= dose_number <= max_dose:
        return no("dose_not_offered")
    if dose_number in given_doses:
        return no("already_given")
    if dose_number > 1 and previous is None:
        return no("previous_dose_missing")

    admitting = [
        w for w in windows if w.admits(birth_date=birth_date, groups=groups, dose_number=dose_number)
    ]
    if not admitting:
        return no("no_window")
    open_now = [w for w in admitting if w.opens_at <= now and (w.closes_at is None or now < w.closes_at)]
    if not open_now:
        upcoming = sorted(w.opens_at for w in admitting if w.opens_at > now)
        if upcoming:
            return no("not_open_yet", upcoming[0])
        return no("window_closed")

    earliest = earliest_next_dose_date(previous) if previous else None
    return Eligibility(dose_number, True, None, earliest)


def earliest_next_dose_date(previous: PreviousDose) -> date:
    """The first day the next dose may be given: the vaccine's minimum interval after the previous one."""
    return previous.on + timedelta(days=previous.next_dose_min_days)


def check_slot_for_dose(
    *,
    slot_day: date,
    vaccine_code: str,
    vaccine_min_age: int,
    birth_date: date,
    previous: PreviousDose | None,
    following: PreviousDose | None = None,
    following_vaccine_min_days: int | None = None,
    allow_vaccine_switch: bool,
) -> None:
    """Raise if a slot on `slot_day` with this vaccine cannot take this dose for this resident.

    `previous` is the dose before (interval and vaccine); `following` the dose after, when a booked
    dose is being moved and a later dose is already booked: the move must keep that later dose valid.
    """
    if age_on(birth_date, slot_day) < vaccine_min_age:
        raise TooYoung(min_age=vaccine_min_age)
    if previous is not None:
        if not allow_vaccine_switch and previous.vaccine_code != vaccine_code:
            raise WrongVaccine(vaccine_name=previous.vaccine_name)
        first = earliest_next_dose_date(previous)
        if slot_day < first:
            raise TooEarly(first_allowed=first)
    if following is not None and following_vaccine_min_days is not None:
        last = following.on - timedelta(days=following_vaccine_min_days)
        if slot_day > last:
            raise TooEarly(last_allowed=last)


# --- Web deadline -------------------------------------------------------------------------------


def web_deadline(starts_at: datetime, *, days_before: int, at: time, tz: tzinfo) -> datetime:
    """The last minute (local time) at which a resident may change or cancel on the web.

    With days_before=2 and at=23:59, an appointment on Friday may be changed until Wednesday 23:59.
    """
    local_day = starts_at.astimezone(tz).date() - timedelta(days=days_before)
    return datetime.combine(local_day, at, tzinfo=tz)


def within_web_deadline(now: datetime, deadline: datetime) -> bool:
    # The deadline minute itself is included: "until 23:59" accepts 23:59:30.
    return now < deadline + timedelta(minutes=1)


def first_web_day(now_local: datetime, *, days_before: int, at: time) -> date:
    """The first local day whose appointments can still be booked (and so changed) on the web."""
    today = now_local.date()
    if (now_local.hour, now_local.minute) > (at.hour, at.minute):
        return today + timedelta(days=days_before + 1)
    return today + timedelta(days=days_before)


def availability_level(*, capacity: int, booked: int) -> str:
    """"free", "few" (a few places left) or "full": what a resident sees per venue and day."""
    free = capacity - booked
    if free <= 0:
        return "full"
    if free <= max(3, capacity // 10):
        return "few"
    return "free"


def parse_clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


# --- Reservation codes (予約ID) ---------------------------------------------------------------

# No 0/O, 1/I/L: a code read aloud on the phone or copied from paper cannot be mistaken.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8  # 31**8 ≈ 8.5e11 codes: guessing one that exists is hopeless at any throttled rate


def new_reservation_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_reservation_code(text: str) -> str:
    """A code as typed (lower case, full-width, with spaces or hyphens) in its canonical form."""
    cleaned = _SEPARATORS.sub("", nfkc(text))
    # ASCII first: str.upper() turns "ß" into "SS" and would let a 7-character entry through.
    cleaned = cleaned.upper() if cleaned.isascii() else ""
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        raise InvalidInput(_("A reservation ID has 8 letters and digits."), code="code_invalid")
    return cleaned


def vials_and_waste(*, booked: int, doses_per_vial: int) -> tuple[int, int]:
    """Vials opened for `booked` doses, and the doses left in the last one (wasted unless someone else
    comes): vials = ceil(booked / doses per vial), waste = vials x doses per vial - booked."""
    if booked <= 0:
        return 0, 0
    per_vial = max(1, doses_per_vial)
    vials = -(-booked // per_vial)
    return vials, vials * per_vial - booked


# --- Contact channels (docs/channels.md) -------------------------------------------------------------

_MOBILE = re.compile(r"0[789]0[0-9]{8}")
LINE_USER_ID = re.compile(r"U[0-9a-f]{32}")


def sms_number(phone: str) -> str | None:
    """A Japanese mobile number (070, 080 or 090 and 8 digits, hyphens or spaces allowed) in the E.164 form an
    SMS gateway takes (+8190…); None for a landline, an empty or a malformed number."""
    digits = re.sub(r"[\s\-]", "", nfkc(phone or ""))
    if digits.startswith("+81"):
        digits = "0" + digits[3:]
    return "+81" + digits[1:] if _MOBILE.fullmatch(digits) else None


def valid_line_user_id(value: str) -> bool:
    """A LINE user id as the Messaging API gives it: U and 32 lowercase hexadecimal digits."""
    return bool(LINE_USER_ID.fullmatch(value or ""))
