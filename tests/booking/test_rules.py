"""The pure rules of yoyaku.booking.rules and the messages of yoyaku.booking.errors.

No database: plain functions, Django settings only for translation and date formats (English is forced
by the autouse fixture in tests/conftest.py). Each test is named after the rule it checks.
"""

from __future__ import annotations

import string
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yoyaku.booking import errors, rules
from yoyaku.booking.errors import InvalidInput, NotEligible, TooEarly, TooYoung, WrongVaccine

TOKYO = ZoneInfo("Asia/Tokyo")
TODAY = date(2025, 6, 1)
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def invalid(fn, *args, **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        fn(*args, **kwargs)
    assert caught.value.message  # every refusal says why
    return caught.value


# ================================================================================================
# normalize_ticket_number
# ================================================================================================

FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    "typed",
    [
        "0123456789",
        "０１２３４５６７８９",  # full-width digits
        "0123 456 789",  # spaces
        "0123\u3000456\u3000789",  # ideographic space
        "  0123456789  ",  # surrounding spaces
        "0123\t456789\n",
        "0123-456-789",  # ASCII hyphen
        "0123－456－789",  # full-width hyphen-minus
        "0123‐456‑789",  # hyphen, non-breaking hyphen
        "0123−456−789",  # minus sign
        "0123–456—789",  # en and em dash
        "0123ー456ー789",  # katakana long vowel mark used as a hyphen
        "0123ｰ456ｰ789",  # its half-width form
        "０１２３ー４５６　７８９",  # all of it at once
        "0123\u200b456789",  # zero-width space copied from an email
        "\ufeff0123456789",  # byte order mark
    ],
)
def test_normalize_ticket_number_accepts_what_people_type(typed):
    assert rules.normalize_ticket_number(typed) == "0123456789"


@pytest.mark.parametrize("typed", ["", "   ", "\u3000", "---", "ーー", None])
def test_normalize_ticket_number_empty(typed):
    error = invalid(rules.normalize_ticket_number, typed)
    assert error.code == "ticket_empty"
    assert "10-digit" in error.message


@pytest.mark.parametrize(
    "typed",
    ["012345678A", "abcdefghij", "０１２３４５６７８Ａ", "0123456789番", "一二三四五六七八九〇",
     "0123.456.789", "0123/456/789", "+123456789", "１２３４５６７８９o"],
)
def test_normalize_ticket_number_not_digits(typed):
    error = invalid(rules.normalize_ticket_number, typed)
    assert error.code == "ticket_not_digits"
    assert "digits" in error.message


@pytest.mark.parametrize(
    ("typed", "count"),
    [("1", 1), ("012345678", 9), ("01234567890", 11), ("０１２３４", 5), ("0123-4567-8901-2345", 16)],
)
def test_normalize_ticket_number_wrong_length_says_how_many_digits(typed, count):
    error = invalid(rules.normalize_ticket_number, typed)
    assert error.code == "ticket_length"
    assert f"you entered {count}" in error.message
    assert "10 digits" in error.message


TICKET_SEPARATORS = [" ", "\u3000", "-", "－", "‐", "−", "ー", "ｰ", "—", "  ", " - "]


@st.composite
def typed_ticket_numbers(draw):
    """A 10-digit number as someone might type it: separators anywhere, some digits full-width."""
    digits = draw(st.text(alphabet=string.digits, min_size=10, max_size=10))
    parts = [draw(st.lists(st.sampled_from(TICKET_SEPARATORS), max_size=2).map("".join))]
    for digit in digits:
        parts.append(digit.translate(FULL_WIDTH_DIGITS) if draw(st.booleans()) else digit)
        parts.append(draw(st.lists(st.sampled_from(TICKET_SEPARATORS), max_size=2).map("".join)))
    return digits, "".join(parts)


@pytest.mark.slow  # over a second: left out of make test-fast
@FAST
@given(typed_ticket_numbers())
def test_normalize_ticket_number_returns_the_digits_whatever_the_separators(case):
    digits, typed = case
    assert rules.normalize_ticket_number(typed) == digits


TICKET_ALPHABET = string.digits + "０１２３４５６７８９" + "".join(TICKET_SEPARATORS) + "aZＡ漢一\u200b.,/_"


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=TICKET_ALPHABET, max_size=20)))
def test_normalize_ticket_number_returns_ten_ascii_digits_or_invalid_input(text):
    try:
        result = rules.normalize_ticket_number(text)
    except InvalidInput as error:
        assert error.code in {"ticket_empty", "ticket_not_digits", "ticket_length"}
        assert error.message
    else:
        assert len(result) == 10
        assert all(ch in string.digits for ch in result)


# ================================================================================================
# parse_birth_date
# ================================================================================================


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("19450101", date(1945, 1, 1)),
        ("1945/1/1", date(1945, 1, 1)),
        ("1945/01/01", date(1945, 1, 1)),
        ("1945-01-01", date(1945, 1, 1)),
        ("1945.1.1", date(1945, 1, 1)),
        ("1945−01−01", date(1945, 1, 1)),  # minus sign
        ("1945ー01ー01", date(1945, 1, 1)),  # katakana long mark
        ("１９４５０１０１", date(1945, 1, 1)),
        ("１９４５年１月１日", date(1945, 1, 1)),
        ("1945年1月1日", date(1945, 1, 1)),
        (" 1945 年 1 月 1 日 ", date(1945, 1, 1)),
        ("昭和20年1月1日", date(1945, 1, 1)),
        ("昭和２０年１月１日", date(1945, 1, 1)),
        ("昭20.1.1", date(1945, 1, 1)),
        ("S20.1.1", date(1945, 1, 1)),
        ("s20.1.1", date(1945, 1, 1)),
        ("Ｓ２０．１．１", date(1945, 1, 1)),
        ("S20/01/01", date(1945, 1, 1)),
        ("S 20-1-1", date(1945, 1, 1)),
        ("H元.5.1", date(1989, 5, 1)),
        ("h1.5.1", date(1989, 5, 1)),
        ("平成元年5月1日", date(1989, 5, 1)),
        ("平成1年5月1日", date(1989, 5, 1)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("R2.2.29", date(2020, 2, 29)),  # 2020 is a leap year
        ("昭和64年1月7日", date(1989, 1, 7)),  # the last day of Showa
        ("平成元年1月8日", date(1989, 1, 8)),  # the first day of Heisei
        ("平成31年4月30日", date(2019, 4, 30)),  # the last day of Heisei
        ("大正15年12月24日", date(1926, 12, 24)),
        ("昭和元年12月25日", date(1926, 12, 25)),
        ("明治33年1月1日", date(1900, 1, 1)),
        ("M33.1.1", date(1900, 1, 1)),
        ("T1.7.30", date(1912, 7, 30)),
        ("19000101", date(1900, 1, 1)),
        ("20250601", TODAY),  # born today
    ],
)
def test_parse_birth_date_accepts_western_and_era_forms(typed, expected):
    assert rules.parse_birth_date(typed, today=TODAY) == expected


@pytest.mark.parametrize(
    "typed",
    ["昭和64年1月8日", "S64.1.8", "平成元年1月7日", "H1.1.7", "令和元年4月30日", "R1.4.30", "平成32年1月1日",
     "大正1年7月29日", "明治45年7月30日", "昭和70年1月1日"],
)
def test_parse_birth_date_outside_era(typed):
    error = invalid(rules.parse_birth_date, typed, today=TODAY)
    assert error.code == "date_outside_era"
    assert "era" in error.message


def test_parse_birth_date_outside_era_message_names_the_era_and_date():
    error = invalid(rules.parse_birth_date, "S64.1.8", today=TODAY)
    assert "昭和" in error.message
    assert "64/1/8" in error.message


@pytest.mark.parametrize("typed", ["昭和0年1月1日", "S0.1.1", "H00.5.1"])
def test_parse_birth_date_era_year_zero(typed):
    assert invalid(rules.parse_birth_date, typed, today=TODAY).code == "date_bad_era_year"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("19450230", "1945/2/30"), ("1945/2/30", "1945/2/30"), ("1945/4/31", "1945/4/31"),
     ("19450100", "1945/1/0"), ("1945/2/29", "1945/2/29"), ("昭和20年2月30日", "1945/2/30"),
     ("2023/2/29", "2023/2/29")],
)
def test_parse_birth_date_impossible_day(typed, shown):
    error = invalid(rules.parse_birth_date, typed, today=TODAY)
    assert error.code == "date_impossible"
    assert shown in error.message


@pytest.mark.parametrize("typed", ["19451301", "1945/13/1", "1945/0/1", "S20.13.1", "１９４５年１３月１日"])
def test_parse_birth_date_bad_month(typed):
    error = invalid(rules.parse_birth_date, typed, today=TODAY)
    assert error.code == "date_bad_month"
    assert "12" in error.message


@pytest.mark.parametrize(
    "typed", ["20250602", "2025/6/2", "令和7年6月2日", "R99.1.1", "99991231", "2100/1/1"]
)
def test_parse_birth_date_future(typed):
    error = invalid(rules.parse_birth_date, typed, today=TODAY)
    assert error.code == "date_future"
    assert "future" in error.message


@pytest.mark.parametrize(
    "typed",
    ["18991231", "1899/12/31", "明治32年12月31日", "M1.10.23", "00000101", "0000/01/01", "0001/01/01"],
)
def test_parse_birth_date_before_1900(typed):
    error = invalid(rules.parse_birth_date, typed, today=TODAY)
    assert error.code == "date_too_old"
    assert "year" in error.message


@pytest.mark.parametrize("typed", ["450101", "１９４５０１", "1945011", "194501011", "1", "200101"])
def test_parse_birth_date_wrong_number_of_digits(typed):
    error = invalid(rules.parse_birth_date, typed, today=TODAY)
    assert error.code == "date_bad_length"
    assert "8 digits" in error.message


@pytest.mark.parametrize("typed", ["", "   ", "\u3000", None])
def test_parse_birth_date_empty(typed):
    assert invalid(rules.parse_birth_date, typed, today=TODAY).code == "date_empty"


@pytest.mark.parametrize(
    "typed",
    ["abc", "1945/1", "45/1/1", "January 1 1945", "X20.1.1", "昭和二十年一月一日", "1945年1月1日生",
     "S20.1.1.1", "2O250101"],
)
def test_parse_birth_date_unreadable(typed):
    error = invalid(rules.parse_birth_date, typed, today=TODAY)
    assert error.code == "date_unreadable"
    assert "19450101" in error.message


# The era table, written out here on purpose rather than imported: the property below checks the parser
# against an independent statement of when each era began.
ERA_TABLE = [
    (date(1868, 10, 23), "明治", "M"),
    (date(1912, 7, 30), "大正", "T"),
    (date(1926, 12, 25), "昭和", "S"),
    (date(1989, 1, 8), "平成", "H"),
    (date(2019, 5, 1), "令和", "R"),
]


def japanese_era(day: date) -> tuple[str, str, int]:
    start, kanji, letter = next(era for era in reversed(ERA_TABLE) if era[0] <= day)
    return kanji, letter, day.year - start.year + 1


def era_kanji(day: date) -> str:
    kanji, _letter, year = japanese_era(day)
    return f"{kanji}{'元' if year == 1 else year}年{day.month}月{day.day}日"


def era_letter(day: date) -> str:
    _kanji, letter, year = japanese_era(day)
    return f"{letter}{year}.{day.month}.{day.day}"


DATE_FORMS = {
    "YYYYMMDD": lambda d: d.strftime("%Y%m%d"),
    "YYYY/M/D": lambda d: f"{d.year}/{d.month}/{d.day}",
    "YYYY-MM-DD": lambda d: d.isoformat(),
    "full-width 年月日": lambda d: f"{d.year}年{d.month}月{d.day}日".translate(FULL_WIDTH_DIGITS),
    "full-width YYYYMMDD": lambda d: d.strftime("%Y%m%d").translate(FULL_WIDTH_DIGITS),
    "era kanji": era_kanji,
    "era letter": era_letter,
    "era letter lower case": lambda d: era_letter(d).lower(),
}


def test_japanese_era_table_in_this_test_agrees_with_known_dates():
    assert era_kanji(date(1945, 1, 1)) == "昭和20年1月1日"
    assert era_kanji(date(1989, 1, 7)) == "昭和64年1月7日"
    assert era_kanji(date(1989, 1, 8)) == "平成元年1月8日"
    assert era_letter(date(2019, 4, 30)) == "H31.4.30"
    assert era_letter(date(2019, 5, 1)) == "R1.5.1"
    assert era_kanji(date(1900, 1, 1)) == "明治33年1月1日"


@pytest.mark.parametrize("form", DATE_FORMS)
@FAST
@given(day=st.dates(min_value=date(1900, 1, 1), max_value=date.today()))
def test_parse_birth_date_round_trips_every_written_form(form, day):
    assert rules.parse_birth_date(DATE_FORMS[form](day), today=date.today()) == day


@pytest.mark.parametrize(
    "day",
    [date(1900, 1, 1), date(1912, 7, 29), date(1912, 7, 30), date(1926, 12, 24), date(1926, 12, 25),
     date(1989, 1, 7), date(1989, 1, 8), date(2019, 4, 30), date(2019, 5, 1), date(2020, 2, 29), TODAY],
)
def test_parse_birth_date_round_trips_at_era_boundaries(day):
    for form in DATE_FORMS.values():
        assert rules.parse_birth_date(form(day), today=TODAY) == day


DATE_ALPHABET = string.digits + "０１２３４５６７８９" + "年月日元/.-−ー 　" + "昭和平成令大正明治SHRMTshrmtx"


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=DATE_ALPHABET, max_size=16)))
def test_parse_birth_date_returns_a_past_date_or_invalid_input(text):
    try:
        result = rules.parse_birth_date(text, today=TODAY)
    except InvalidInput as error:
        assert error.code.startswith("date_")
        assert error.message
    else:
        assert isinstance(result, date)
        assert date(1900, 1, 1) <= result <= TODAY


# ================================================================================================
# age_on / latest_birth_date_for_age
# ================================================================================================


# Under the Act on Calculation of Age (年齢計算ニ関スル法律) one attains the next age at the end of the
# day before one's birthday: on any day one is the age the Western count gives on the next day.


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(1956, 6, 1), date(2021, 5, 30), 64),
        (date(1956, 6, 1), date(2021, 5, 31), 65),  # the day before the birthday
        (date(1956, 6, 1), date(2021, 6, 1), 65),  # the birthday itself
        (date(1956, 6, 1), date(2021, 12, 31), 65),
        (date(1957, 4, 1), date(2022, 3, 31), 65),  # the fiscal-2021 cohort (昭和32年4月1日以前に生まれた方)
        (date(1957, 4, 2), date(2022, 3, 31), 64),  # ... born a day later: 65 only in fiscal 2022
        (date(1957, 4, 2), date(2022, 4, 1), 65),
        (date(1960, 2, 29), date(2021, 2, 27), 60),
        (date(1960, 2, 29), date(2021, 2, 28), 61),  # no 29 February in 2021: a year older on the 28th
        (date(1960, 2, 29), date(2021, 3, 1), 61),
        (date(1960, 2, 29), date(2024, 2, 27), 63),
        (date(1960, 2, 29), date(2024, 2, 28), 64),  # leap year: the day before the 29th
        (date(1960, 3, 1), date(2024, 2, 28), 63),
        (date(1960, 3, 1), date(2024, 2, 29), 64),  # born 1 March: older on 29 February in a leap year ...
        (date(1960, 3, 1), date(2023, 2, 28), 63),  # ... and on 28 February in other years
        (date(2009, 12, 31), date(2021, 12, 29), 11),
        (date(2009, 12, 31), date(2021, 12, 30), 12),
        (date(2009, 1, 1), date(2020, 12, 31), 12),  # born on New Year's Day: older on New Year's Eve
        (date(2021, 1, 1), date(2021, 1, 1), 0),
        (date(2021, 1, 2), date(2021, 1, 1), 0),  # the day before birth counts as age 0
    ],
)
def test_age_on_follows_the_age_calculation_act(birth, on, age):
    assert rules.age_on(birth, on) == age


def test_age_on_fiscal_2021_published_example():
    # 令和3年度中に65歳に達する方: 昭和32年4月1日以前に生まれた方 (the state's definition for fiscal 2021,
    # which ends on 31 March 2022). Born 1 April 1957: 65 on 31 March 2022; born 2 April 1957: not.
    end_of_fiscal_2021 = date(2022, 3, 31)
    assert rules.latest_birth_date_for_age(65, end_of_fiscal_2021) == date(1957, 4, 1)
    assert rules.age_on(date(1957, 4, 1), end_of_fiscal_2021) == 65
    assert rules.age_on(date(1957, 4, 2), end_of_fiscal_2021) == 64


@pytest.mark.parametrize(
    ("age", "on", "latest"),
    [
        (65, date(2022, 3, 31), date(1957, 4, 1)),  # the published fiscal-2021 cohort
        (65, date(2027, 3, 31), date(1962, 4, 1)),  # fiscal 2026: 昭和37年4月1日以前に生まれた方
        (65, date(2021, 4, 1), date(1956, 4, 2)),
        (12, date(2021, 6, 1), date(2009, 6, 2)),
        (1, date(2024, 2, 28), date(2023, 2, 28)),  # the day after is 29 February, in 2023 there is none
        (4, date(2024, 2, 28), date(2020, 2, 29)),
        (1, date(2024, 2, 29), date(2023, 3, 1)),
        (1, date(2021, 2, 28), date(2020, 3, 1)),
        (1, date(2021, 12, 31), date(2021, 1, 1)),
        (0, date(2021, 6, 1), date(2021, 6, 2)),
    ],
)
def test_latest_birth_date_for_age(age, on, latest):
    assert rules.latest_birth_date_for_age(age, on) == latest


def test_latest_birth_date_for_age_29_february_birthday():
    # Born 29 Feb 2020: a year's period ends on the last day of February when it has no 29th (Civil
    # Code art. 143): one turns 1 at the end of 28 Feb 2021, so is 1 on that day and not yet on 27 Feb.
    assert rules.age_on(date(2020, 2, 29), date(2021, 2, 27)) == 0
    assert rules.age_on(date(2020, 2, 29), date(2021, 2, 28)) == 1
    assert rules.latest_birth_date_for_age(1, date(2021, 2, 27)) == date(2020, 2, 28)
    assert rules.latest_birth_date_for_age(1, date(2021, 2, 28)) == date(2020, 3, 1)


@settings(max_examples=500, deadline=None)
@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)),
    on=st.one_of(
        st.dates(min_value=date(1950, 1, 1), max_value=date(2040, 12, 31)),
        st.sampled_from([date(2024, 2, 28), date(2024, 2, 29), date(2021, 2, 27), date(2021, 2, 28),
                         date(2021, 3, 1), date(2028, 2, 28), date(2028, 2, 29), date(2022, 3, 31)]),
    ),
    age=st.integers(min_value=0, max_value=110),
)
@pytest.mark.slow  # over a second: left out of make test-fast
def test_age_on_agrees_with_latest_birth_date_for_age(birth, on, age):
    assert (rules.age_on(birth, on) >= age) == (birth <= rules.latest_birth_date_for_age(age, on))


# ================================================================================================
# Window.admits / dose_eligibility
# ================================================================================================

NOW = datetime(2021, 6, 1, 9, 0, tzinfo=TOKYO)
OLD = date(1950, 3, 3)  # 71 on NOW
YOUNG = date(1990, 3, 3)  # 31 on NOW


def window(**kwargs) -> rules.Window:
    values = {"doses": frozenset({1, 2}), "opens_at": NOW - timedelta(days=1)}
    values.update(kwargs)
    return rules.Window(**values)


def previous(on=date(2021, 6, 10), code="pfizer", name="Pfizer", days=21, given=False, number=1):
    return rules.PreviousDose(dose_number=number, on=on, vaccine_code=code, vaccine_name=name,
                              next_dose_min_days=days, given=given)


def eligibility(**kwargs) -> rules.Eligibility:
    values = {"dose_number": 1, "birth_date": OLD, "groups": frozenset(), "windows": [window()],
              "previous": None, "given_doses": frozenset(), "now": NOW, "max_dose": 2}
    values.update(kwargs)
    return rules.dose_eligibility(**values)


def test_window_admits_by_birth_date_bounds():
    over_65 = window(born_on_or_before=date(1957, 4, 1))
    assert over_65.admits(birth_date=date(1957, 4, 1), groups=frozenset(), dose_number=1)  # bound included
    assert over_65.admits(birth_date=date(1930, 1, 1), groups=frozenset(), dose_number=1)
    assert not over_65.admits(birth_date=date(1957, 4, 2), groups=frozenset(), dose_number=1)

    sixties = window(born_on_or_before=date(1961, 4, 1), born_after=date(1957, 4, 1))
    assert sixties.admits(birth_date=date(1961, 4, 1), groups=frozenset(), dose_number=1)
    assert sixties.admits(birth_date=date(1957, 4, 2), groups=frozenset(), dose_number=1)
    # born_after is excluded
    assert not sixties.admits(birth_date=date(1957, 4, 1), groups=frozenset(), dose_number=1)
    assert not sixties.admits(birth_date=date(1961, 4, 2), groups=frozenset(), dose_number=1)


def test_window_admits_by_group():
    health_workers = window(group="health_worker")
    assert health_workers.admits(birth_date=YOUNG, groups=frozenset({"health_worker"}), dose_number=1)
    assert not health_workers.admits(birth_date=YOUNG, groups=frozenset(), dose_number=1)
    assert not health_workers.admits(birth_date=YOUNG, groups=frozenset({"care_home"}), dose_number=1)
    everyone = window()
    assert everyone.admits(birth_date=YOUNG, groups=frozenset(), dose_number=1)
    assert everyone.admits(birth_date=YOUNG, groups=frozenset({"care_home"}), dose_number=1)


def test_window_admits_group_and_birth_date_together():
    w = window(group="care_home", born_on_or_before=date(1957, 4, 1))
    assert w.admits(birth_date=OLD, groups=frozenset({"care_home"}), dose_number=1)
    assert not w.admits(birth_date=YOUNG, groups=frozenset({"care_home"}), dose_number=1)
    assert not w.admits(birth_date=OLD, groups=frozenset(), dose_number=1)


def test_window_admits_only_its_doses():
    w = window(doses=frozenset({2}))
    assert w.admits(birth_date=OLD, groups=frozenset(), dose_number=2)
    assert not w.admits(birth_date=OLD, groups=frozenset(), dose_number=1)
    assert not w.admits(birth_date=OLD, groups=frozenset(), dose_number=3)


def test_dose_eligibility_allowed_in_an_open_window():
    result = eligibility()
    assert result.allowed
    assert result.error is None
    assert result.available_from is None
    assert result.earliest_date is None
    assert result.dose_number == 1


def test_dose_eligibility_window_open_exactly_now_and_until_close():
    assert eligibility(windows=[window(opens_at=NOW)]).allowed
    assert eligibility(windows=[window(closes_at=NOW + timedelta(seconds=1))]).allowed
    assert not eligibility(windows=[window(closes_at=NOW)]).allowed  # closes_at is excluded


def test_dose_eligibility_not_open_yet_gives_the_earliest_upcoming_opening():
    soon = NOW + timedelta(days=3)
    later = NOW + timedelta(days=10)
    closed = window(opens_at=NOW - timedelta(days=30), closes_at=NOW - timedelta(days=20))
    result = eligibility(windows=[window(opens_at=later), window(opens_at=soon), closed])
    assert not result.allowed
    assert result.error.reason == "not_open_yet"
    assert result.available_from == soon
    assert result.error.available_from == soon


def test_dose_eligibility_not_open_yet_ignores_windows_that_do_not_admit():
    # A sooner window for another group or age must not be announced to this resident.
    mine = NOW + timedelta(days=10)
    result = eligibility(
        birth_date=YOUNG,
        windows=[window(opens_at=NOW + timedelta(days=1), born_on_or_before=date(1957, 4, 1)),
                 window(opens_at=NOW + timedelta(days=2), group="health_worker"),
                 window(opens_at=mine)],
    )
    assert result.error.reason == "not_open_yet"
    assert result.available_from == mine


def test_dose_eligibility_window_closed():
    closed = window(opens_at=NOW - timedelta(days=10), closes_at=NOW - timedelta(days=1))
    result = eligibility(windows=[closed])
    assert not result.allowed
    assert result.error.reason == "window_closed"
    assert result.available_from is None


def test_dose_eligibility_no_window():
    assert eligibility(windows=[]).error.reason == "no_window"
    over_65 = window(born_on_or_before=date(1957, 4, 1))
    result = eligibility(birth_date=YOUNG, windows=[over_65])
    assert not result.allowed
    assert result.error.reason == "no_window"
    assert result.available_from is None
    assert eligibility(windows=[window(doses=frozenset({2}))]).error.reason == "no_window"


def test_dose_eligibility_previous_dose_missing():
    result = eligibility(dose_number=2, previous=None)
    assert not result.allowed
    assert result.error.reason == "previous_dose_missing"


def test_dose_eligibility_already_given():
    result = eligibility(dose_number=1, given_doses=frozenset({1}))
    assert not result.allowed
    assert result.error.reason == "already_given"


@pytest.mark.parametrize("dose_number", [0, 3, -1])
def test_dose_eligibility_dose_beyond_max_dose(dose_number):
    windows = [window(doses=frozenset({1, 2, 3}))]
    result = eligibility(dose_number=dose_number, previous=previous(), windows=windows)
    assert not result.allowed
    assert result.error.reason == "dose_not_offered"


def test_dose_eligibility_allowed_with_earliest_date_after_the_interval():
    result = eligibility(dose_number=2, previous=previous(on=date(2021, 6, 10), days=21))
    assert result.allowed
    assert result.earliest_date == date(2021, 7, 1)
    given = eligibility(dose_number=2, previous=previous(on=date(2021, 5, 20), days=28, given=True),
                        given_doses=frozenset({1}))
    assert given.allowed
    assert given.earliest_date == date(2021, 6, 17)


def test_earliest_next_dose_date():
    assert rules.earliest_next_dose_date(previous(on=date(2021, 2, 8), days=21)) == date(2021, 3, 1)


# ================================================================================================
# check_slot_for_dose
# ================================================================================================


def check(**kwargs) -> None:
    values = {"slot_day": date(2021, 7, 10), "vaccine_code": "pfizer", "vaccine_min_age": 12,
              "birth_date": OLD, "previous": None, "allow_vaccine_switch": False}
    values.update(kwargs)
    rules.check_slot_for_dose(**values)


def test_check_slot_for_dose_allowed():
    check()
    check(previous=previous(on=date(2021, 6, 19), days=21))


def test_check_slot_for_dose_too_young_on_the_day_of_the_slot():
    twelfth_birthday = date(2021, 7, 11)
    birth = twelfth_birthday.replace(year=2009)
    with pytest.raises(TooYoung) as caught:
        check(slot_day=date(2021, 7, 9), birth_date=birth, vaccine_min_age=12)
    assert caught.value.min_age == 12
    # 12 in law from the end of the day before the birthday: old enough on that day already.
    check(slot_day=date(2021, 7, 10), birth_date=birth, vaccine_min_age=12)
    check(slot_day=twelfth_birthday, birth_date=birth, vaccine_min_age=12)


def test_check_slot_for_dose_wrong_vaccine_when_switch_not_allowed():
    with pytest.raises(WrongVaccine) as caught:
        check(vaccine_code="moderna", previous=previous(on=date(2021, 6, 1), code="pfizer", name="Pfizer"))
    assert caught.value.vaccine_name == "Pfizer"


def test_check_slot_for_dose_other_vaccine_allowed_when_switch_allowed():
    check(vaccine_code="moderna", previous=previous(on=date(2021, 6, 1), code="pfizer"),
          allow_vaccine_switch=True)


def test_check_slot_for_dose_too_early_gives_first_allowed_day():
    prev = previous(on=date(2021, 6, 20), days=21)
    with pytest.raises(TooEarly) as caught:
        check(slot_day=date(2021, 7, 10), previous=prev)
    assert caught.value.first_allowed == date(2021, 7, 11)
    assert caught.value.last_allowed is None
    check(slot_day=date(2021, 7, 11), previous=prev)  # exactly the first allowed day


def test_check_slot_for_dose_too_early_uses_the_previous_vaccine_interval_after_a_switch():
    prev = previous(on=date(2021, 6, 20), code="moderna", days=28)
    with pytest.raises(TooEarly) as caught:
        check(slot_day=date(2021, 7, 17), previous=prev, allow_vaccine_switch=True)
    assert caught.value.first_allowed == date(2021, 7, 18)


def test_check_slot_for_dose_following_dose_gives_last_allowed_day():
    following = previous(on=date(2021, 7, 31), number=2)
    with pytest.raises(TooEarly) as caught:
        check(slot_day=date(2021, 7, 11), following=following, following_vaccine_min_days=21)
    assert caught.value.last_allowed == date(2021, 7, 10)
    assert caught.value.first_allowed is None
    # exactly the last allowed day
    check(slot_day=date(2021, 7, 10), following=following, following_vaccine_min_days=21)
    check(slot_day=date(2021, 6, 1), following=following, following_vaccine_min_days=21)


def test_check_slot_for_dose_between_previous_and_following():
    prev = previous(on=date(2021, 6, 1), days=21, number=1)
    following = previous(on=date(2021, 7, 20), days=21, number=3)
    check(slot_day=date(2021, 6, 22), previous=prev, following=following, following_vaccine_min_days=21)
    check(slot_day=date(2021, 6, 29), previous=prev, following=following, following_vaccine_min_days=21)
    with pytest.raises(TooEarly):
        check(slot_day=date(2021, 6, 21), previous=prev, following=following, following_vaccine_min_days=21)
    with pytest.raises(TooEarly):
        check(slot_day=date(2021, 6, 30), previous=prev, following=following, following_vaccine_min_days=21)


# ================================================================================================
# web_deadline / within_web_deadline
# ================================================================================================


def deadline_for(starts_at: datetime) -> datetime:
    return rules.web_deadline(starts_at, days_before=2, at=time(23, 59), tz=TOKYO)


def test_web_deadline_two_days_before_at_23_59_tokyo():
    friday = datetime(2021, 6, 11, 14, 0, tzinfo=TOKYO)
    deadline = deadline_for(friday)
    assert deadline == datetime(2021, 6, 9, 23, 59, tzinfo=TOKYO)
    assert deadline.utcoffset() == timedelta(hours=9)


def test_web_deadline_uses_the_local_date_not_utc():
    # 00:30 in Tokyo on 11 June is still 10 June in UTC: the deadline counts from the local day.
    starts_at = datetime(2021, 6, 11, 0, 30, tzinfo=TOKYO)
    as_utc = starts_at.astimezone(UTC)
    assert as_utc.date() == date(2021, 6, 10)
    assert deadline_for(as_utc) == datetime(2021, 6, 9, 23, 59, tzinfo=TOKYO)
    assert deadline_for(starts_at) == datetime(2021, 6, 9, 23, 59, tzinfo=TOKYO)


def test_web_deadline_other_settings():
    starts_at = datetime(2021, 6, 11, 9, 0, tzinfo=TOKYO)
    assert rules.web_deadline(starts_at, days_before=1, at=time(17, 0), tz=TOKYO) == datetime(
        2021, 6, 10, 17, 0, tzinfo=TOKYO)
    assert rules.web_deadline(starts_at, days_before=0, at=time(0, 0), tz=TOKYO) == datetime(
        2021, 6, 11, 0, 0, tzinfo=TOKYO)


def test_within_web_deadline_includes_the_last_minute():
    deadline = deadline_for(datetime(2021, 6, 11, 0, 30, tzinfo=TOKYO))
    assert rules.within_web_deadline(datetime(2021, 6, 9, 12, 0, tzinfo=TOKYO), deadline)
    assert rules.within_web_deadline(datetime(2021, 6, 9, 23, 59, tzinfo=TOKYO), deadline)
    assert rules.within_web_deadline(datetime(2021, 6, 9, 23, 59, 30, tzinfo=TOKYO), deadline)
    assert rules.within_web_deadline(datetime(2021, 6, 9, 23, 59, 59, 999999, tzinfo=TOKYO), deadline)
    assert not rules.within_web_deadline(datetime(2021, 6, 10, 0, 0, tzinfo=TOKYO), deadline)
    assert not rules.within_web_deadline(datetime(2021, 6, 10, 9, 0, tzinfo=TOKYO), deadline)


def test_within_web_deadline_compares_instants_in_any_time_zone():
    deadline = deadline_for(datetime(2021, 6, 11, 10, 0, tzinfo=TOKYO))
    assert rules.within_web_deadline(datetime(2021, 6, 9, 14, 59, 30, tzinfo=UTC), deadline)  # 23:59:30 JST
    assert not rules.within_web_deadline(datetime(2021, 6, 9, 15, 0, tzinfo=UTC), deadline)  # 00:00 JST


def test_parse_clock():
    assert rules.parse_clock("23:59") == time(23, 59)
    assert rules.parse_clock("9:00") == time(9, 0)


# ================================================================================================
# new_reservation_code / normalize_reservation_code
# ================================================================================================


def test_reservation_code_alphabet_has_no_ambiguous_characters():
    assert not set("0O1IL") & set(rules.CODE_ALPHABET)
    assert len(set(rules.CODE_ALPHABET)) == len(rules.CODE_ALPHABET)
    assert set(rules.CODE_ALPHABET) <= set(string.ascii_uppercase + string.digits)


def test_new_reservation_code_length_and_alphabet():
    for _ in range(200):
        code = rules.new_reservation_code()
        assert len(code) == rules.CODE_LENGTH == 8
        assert set(code) <= set(rules.CODE_ALPHABET)


def test_new_reservation_code_is_unique_and_uses_the_whole_alphabet():
    codes = [rules.new_reservation_code() for _ in range(10_000)]
    assert len(set(codes)) >= 9_990  # 31**8 possible codes: a collision among 10,000 is very unlikely
    assert set("".join(codes)) == set(rules.CODE_ALPHABET)


def test_new_reservation_code_normalizes_to_itself():
    for _ in range(100):
        code = rules.new_reservation_code()
        assert rules.normalize_reservation_code(code) == code


@pytest.mark.parametrize(
    "typed",
    ["ab23cd45", "AB23CD45", "Ab23-Cd45", "ab23 cd45", " ab23cd45 ", "ＡＢ２３ＣＤ４５", "ａｂ２３　ｃｄ４５",
     "ab23ーcd45", "AB23－CD45", "ab23\u200bcd45"],
)
def test_normalize_reservation_code_accepts_lower_case_and_full_width(typed):
    assert rules.normalize_reservation_code(typed) == "AB23CD45"


@pytest.mark.parametrize(
    "typed",
    ["", "AB23CD4", "AB23CD456", "AB23CD40", "AB23CDO5", "AB23CD15", "AB23CDI5", "AB23CDL5", "ab23cdl5",
     "AB23CD4!", "予約ＩＤ１２３", "ABCDEFß", "ABCDEFGß", None],
)
def test_normalize_reservation_code_rejects_invalid(typed):
    error = invalid(rules.normalize_reservation_code, typed)
    assert error.code == "code_invalid"
    assert "8" in error.message


@FAST
@given(
    code=st.text(alphabet=rules.CODE_ALPHABET, min_size=8, max_size=8),
    lower=st.lists(st.booleans(), min_size=8, max_size=8),
    wide=st.lists(st.booleans(), min_size=8, max_size=8),
    split=st.sampled_from(["", " ", "-", "　", "－", "ー"]),
)
def test_normalize_reservation_code_round_trips_typed_variants(code, lower, wide, split):
    chars = []
    for ch, low, w in zip(code, lower, wide, strict=True):
        ch = ch.lower() if low else ch
        chars.append(chr(ord(ch) + 0xFEE0) if w else ch)  # ASCII → full-width form
    typed = "".join(chars[:4]) + split + "".join(chars[4:])
    assert rules.normalize_reservation_code(typed) == code


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=rules.CODE_ALPHABET + "abcß01OIL -ー", max_size=12)))
def test_normalize_reservation_code_returns_a_code_or_invalid_input(text):
    try:
        result = rules.normalize_reservation_code(text)
    except InvalidInput as error:
        assert error.code == "code_invalid"
    else:
        assert len(result) == 8
        assert set(result) <= set(rules.CODE_ALPHABET)


# ================================================================================================
# Error messages
# ================================================================================================


def test_invalid_input_message_and_code():
    error = InvalidInput("Enter the 10-digit ticket number.", code="ticket_empty")
    assert error.message == "Enter the 10-digit ticket number."
    assert str(error) == error.message
    assert error.code == "ticket_empty"
    assert InvalidInput("x").code == "invalid_input"


@pytest.mark.parametrize(
    "reason",
    ["not_open_yet", "no_window", "window_closed", "previous_dose_missing", "already_given",
     "dose_not_offered", "something_new"],
)
def test_not_eligible_message_for_each_reason(reason):
    error = NotEligible(reason=reason)
    assert isinstance(error.message, str)
    assert error.message
    assert error.code == "not_eligible"
    assert str(error) == error.message


def test_not_eligible_messages_differ_by_reason():
    reasons = ["not_open_yet", "no_window", "window_closed", "previous_dose_missing", "already_given",
               "dose_not_offered"]
    assert len({NotEligible(reason=r).message for r in reasons}) == len(reasons)


def test_not_eligible_with_available_from_includes_the_date():
    opens = datetime(2021, 5, 10, 9, 0, tzinfo=TOKYO)
    message = NotEligible(reason="not_open_yet", available_from=opens).message
    # The site's one date format (yoyaku/web/formats), not Django's default "May 10, 2021, 9 a.m.".
    assert "Mon 10 May 2021, 9:00" in message


def test_not_eligible_available_from_is_shown_in_local_time():
    # 15:00 UTC on 9 May is midnight on 10 May in Tokyo.
    opens = datetime(2021, 5, 9, 15, 0, tzinfo=UTC)
    message = NotEligible(reason="not_open_yet", available_from=opens).message
    assert "Mon 10 May 2021, 0:00" in message


def test_not_eligible_available_from_a_date_or_a_naive_datetime():
    assert "Mon 10 May 2021" in NotEligible(reason="not_open_yet", available_from=date(2021, 5, 10)).message
    naive = datetime(2021, 5, 10, 9)
    assert "Mon 10 May 2021" in NotEligible(reason="not_open_yet", available_from=naive).message


def test_not_eligible_from_dose_eligibility_message_includes_the_opening():
    opens = datetime(2021, 6, 14, 9, 0, tzinfo=TOKYO)
    result = eligibility(windows=[window(opens_at=opens)])
    assert "Mon 14 Jun 2021" in result.error.message


def test_too_early_message_includes_the_first_allowed_date():
    message = TooEarly(first_allowed=date(2021, 7, 11)).message
    assert "Sun 11 Jul 2021" in message
    assert "first" in message
    assert TooEarly(first_allowed=date(2021, 7, 11)).code == "too_early"


def test_too_early_message_includes_the_last_allowed_date():
    message = TooEarly(last_allowed=date(2021, 7, 10)).message
    assert "Sat 10 Jul 2021" in message
    assert "last" in message


def test_too_early_message_without_dates():
    assert TooEarly().message


def test_too_young_message_includes_the_min_age():
    error = TooYoung(min_age=12)
    assert "12" in error.message
    assert error.code == "too_young"


def test_wrong_vaccine_message_includes_the_vaccine_name():
    error = WrongVaccine(vaccine_name="Comirnaty (Pfizer)")
    assert "Comirnaty (Pfizer)" in error.message
    assert error.code == "wrong_vaccine"


def test_already_booked_message_includes_the_reservation_id():
    class Booked:
        code = "AB23CD45"

    assert "AB23CD45" in errors.AlreadyBooked(reservation=Booked()).message
    assert errors.AlreadyBooked().message


def test_deadline_passed_and_ticket_inactive_messages_give_the_call_centre():
    from django.conf import settings as django_settings

    phone = django_settings.YOYAKU["CALL_CENTRE_PHONES"][0]
    assert phone in errors.DeadlinePassed(deadline=datetime(2021, 6, 9, 23, 59, tzinfo=TOKYO)).message
    assert phone in errors.TicketInactive().message
    assert django_settings.YOYAKU["CALL_CENTRE_HOURS"] in errors.call_centre_text()


def test_capacity_below_booked_message_includes_the_number():
    assert "17" in errors.CapacityBelowBooked(booked=17).message


@pytest.mark.parametrize(
    "error",
    [errors.BookingError(), errors.SlotFull(), errors.SlotUnavailable(), errors.NotActive(),
     errors.ReasonRequired(), errors.TicketInactive(), errors.DeadlinePassed(), errors.AlreadyBooked(),
     errors.CapacityBelowBooked(booked=3), TooYoung(min_age=12), WrongVaccine(vaccine_name="X"),
     TooEarly(first_allowed=date(2021, 1, 1)), TooEarly(last_allowed=date(2021, 1, 1)), TooEarly(),
     NotEligible(reason="no_window"), InvalidInput("Bad.", code="x")],
    ids=lambda e: type(e).__name__,
)
def test_every_error_has_a_message_and_a_code(error):
    assert isinstance(error.message, str)
    assert error.message.strip()
    assert str(error) == error.message
    assert error.code


def test_error_messages_follow_the_active_language():
    from django.utils import translation

    error = NotEligible(reason="window_closed")
    english = error.message
    with translation.override("ja"):
        assert error.message  # computed when shown, in the language active then
    assert error.message == english
