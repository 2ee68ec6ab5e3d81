"""The pure part of yoyaku.booking.imports: decoding, parsing, cleaning, planning. No database."""

from datetime import date

import pytest

from yoyaku.booking import imports
from yoyaku.booking.imports import Column, Context, ImportFileError, Row, Schema

TODAY = date(2021, 12, 1)
CONTEXT = Context(today=TODAY, vaccine_codes=frozenset({"pfizer", "moderna"}))
SCHEMA = Schema(
    key="code",
    columns=(
        Column("code", imports.code(max_length=5)),
        Column("name", imports.text(max_length=10, required=True)),
        Column("n", imports.integer(minimum=1, maximum=9)),
        Column("active", imports.flag, optional=True),
    ),
)


def parse(text):
    return imports.parse(text, SCHEMA, CONTEXT)


def messages(errors):
    return [str(error) for error in errors]


# --- decode ------------------------------------------------------------------------------------------


def test_decode_reads_utf8_with_bom_without_the_bom():
    assert imports.decode("\ufeffcode,name\n".encode()) == ("code,name\n", "utf-8-sig")


def test_decode_reads_utf8_without_bom():
    assert imports.decode("二戸".encode()) == ("二戸", "utf-8-sig")


def test_decode_falls_back_to_cp932():
    assert imports.decode("二戸,０１２".encode("cp932")) == ("二戸,０１２", "cp932")


@pytest.mark.parametrize("raw", [b"code\n\x81\x20\n", b"code\n\xff\xfe\n", b"code\n\x01\x02\n"])
def test_decode_rejects_text_in_neither_encoding(raw):
    with pytest.raises(ImportFileError, match="neither UTF-8 nor Shift_JIS"):
        imports.decode(raw)


def test_decode_says_a_spreadsheet_is_not_csv():
    with pytest.raises(ImportFileError, match="spreadsheet file, not CSV"):
        imports.decode(b"PK\x03\x04\x14\x00\x06\x00")


def test_decode_drops_a_final_ctrl_z():
    assert imports.decode(b"code\r\n\x1a") == ("code\r\n", "utf-8-sig")


def test_decode_rejects_utf16():
    with pytest.raises(ImportFileError):
        imports.decode("code,name\n".encode("utf-16-le"))


# --- parse: header ---------------------------------------------------------------------------------


def test_header_names_are_trimmed_and_case_insensitive_and_in_any_order():
    rows, errors = parse(" Name ,CODE,n\nx,A1,3\n")
    assert errors == []
    assert rows == [Row(2, "A1", {"name": "x", "code": "A1", "n": 3})]


def test_header_reports_missing_unknown_and_repeated_columns_on_line_1():
    _rows, errors = parse("code,code,nom\n")
    assert messages(errors) == [
        "line 1: Missing columns: name, n.",
        "line 1: Unknown columns: nom. Expected: code, name, n, active.",
        "line 1: Columns given twice: code.",
    ]


def test_trailing_empty_header_cells_are_ignored():
    rows, errors = parse("code,name,n,,\nA1,x,1,,\n")
    assert errors == [] and [row.key for row in rows] == ["A1"]


def test_empty_file_is_a_file_error():
    with pytest.raises(ImportFileError, match="empty"):
        parse("")


# --- parse: rows and line numbers -----------------------------------------------------------------------


def test_line_numbers_are_physical_lines_counting_blank_lines_and_quoted_newlines():
    text = 'code,name,n\r\nA1,"two\r\nlines",1\r\n\r\nA2,x,0\r\n,,\r\nA3,,2\r\n'
    rows, errors = parse(text)
    assert [row.line for row in rows] == [2]
    assert messages(errors) == [
        "line 5: n: Enter a whole number from 1 to 9.",
        "line 7: name: A value is required.",
    ]


def test_bare_cr_line_endings_count_as_lines():
    _rows, errors = parse("code,name,n\rA1,x,1\rA2,x,x\r")
    assert messages(errors) == ["line 3: n: Enter a whole number from 1 to 9."]


def test_every_bad_cell_of_a_row_is_reported():
    _rows, errors = parse("code,name,n\nA 1,,10\n")
    assert [(e.line, e.column) for e in errors] == [(2, "code"), (2, "name"), (2, "n")]


def test_trailing_empty_cells_are_ignored_but_extra_values_are_not():
    rows, errors = parse("code,name,n\nA1,x,1,,\nA2,x,1,y\n")
    assert [row.key for row in rows] == ["A1"]
    assert messages(errors) == ["line 3: This row has 4 values; the header has 3."]


def test_a_repeated_key_is_reported_on_the_later_line_even_if_the_first_row_is_bad():
    _rows, errors = parse("code,name,n\nA1,x,0\nA1,y,1\n")
    assert messages(errors)[-1] == "line 3: code: The same code is also on line 2."


def test_optional_column_is_cleaned_when_given():
    rows, errors = parse("code,name,n,active\nA1,x,1,0\nA2,x,1,yes\n")
    assert rows[0].values["active"] is False
    assert messages(errors) == ["line 3: active: Enter 1 (yes) or 0 (no)."]


# --- cleaners ---------------------------------------------------------------------------------------


def test_ticket_number_accepts_full_width_digits_and_hyphens():
    assert imports.ticket_number("０１２３-４５６-７８９", CONTEXT) == "0123456789"


def test_ticket_number_message_is_the_rules_message():
    with pytest.raises(imports.CellError, match="10 digits; you entered 9"):
        imports.ticket_number("123456789", CONTEXT)


@pytest.mark.parametrize("text", ["1945-01-01", "19450101", "1945/1/1", "１９４５－０１－０１", "昭和20年1月1日"])
def test_birth_date_accepts_the_usual_forms(text):
    assert imports.birth_date(text, CONTEXT) == date(1945, 1, 1)


def test_birth_date_may_not_be_after_today():
    with pytest.raises(imports.CellError, match="future"):
        imports.birth_date("20211202", CONTEXT)


def test_email_may_be_empty_but_not_invalid():
    assert imports.email("  ", CONTEXT) == ""
    assert imports.email(" a@example.jp ", CONTEXT) == "a@example.jp"
    with pytest.raises(imports.CellError, match="valid email"):
        imports.email("a@", CONTEXT)


def test_kana_is_normalised_from_half_width():
    assert imports.text(normalize=True)("ﾔﾏﾀﾞ", CONTEXT) == "ヤマダ"


def test_text_length_is_checked():
    with pytest.raises(imports.CellError, match="at most 3 characters, this has 4"):
        imports.text(max_length=3)("abcd", CONTEXT)


def test_vaccine_codes_are_split_on_bars_and_must_exist():
    assert imports.vaccine_codes(" pfizer | moderna |", CONTEXT) == frozenset({"pfizer", "moderna"})
    assert imports.vaccine_codes("", CONTEXT) == frozenset()
    with pytest.raises(imports.CellError, match="Unknown vaccine codes astra, x"):
        imports.vaccine_codes("pfizer|x|astra", CONTEXT)


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("medical|care-home", "care-home medical"),  # stored sorted, space-separated (Resident.groups)
        ("medical care-home", "care-home medical"),
        (" medical | care-home |", "care-home medical"),
        ("ｍｅｄｉｃａｌ｜care_home", "care_home medical"),  # full-width letters and bar
        ("medical|medical", "medical"),
        ("dialysis2", "dialysis2"),
        ("", ""),
        (" | ", ""),
    ],
)
def test_group_codes_are_split_on_bars_or_spaces_and_stored_sorted(text, stored):
    assert imports.group_codes(max_length=200)(text, CONTEXT) == stored


@pytest.mark.parametrize("text", ["Medical", "care.home", "医療", "medical,care-home", "medical/care-home"])
def test_group_codes_are_lower_case_letters_digits_underscore_and_hyphen(text):
    with pytest.raises(imports.CellError, match="only lower-case letters a-z") as caught:
        imports.group_codes(max_length=200)(text, CONTEXT)
    assert text not in caught.value.message  # no cell value in messages


def test_group_codes_length_is_checked_as_stored():
    with pytest.raises(imports.CellError, match="at most 10 characters, this has 12"):
        imports.group_codes(max_length=10)("medical|care", CONTEXT)


def test_choice_is_case_insensitive():
    assert imports.choice(["clinic", "group"])(" Group ", CONTEXT) == "group"


# --- plan ------------------------------------------------------------------------------------------


def test_plan_sorts_rows_into_create_update_unchanged_with_the_changed_fields():
    rows = [
        Row(2, "A1", {"code": "A1", "name": "new", "n": 1}),
        Row(3, "A2", {"code": "A2", "name": "same", "n": 2}),
        Row(4, "A3", {"code": "A3", "name": "x", "n": 3}),
    ]
    current = {"A1": {"code": "A1", "name": "old", "n": 1}, "A2": {"code": "A2", "name": "same", "n": 2}}

    result = imports.plan(rows, current)

    assert [(c.line, c.fields) for c in result.update] == [(2, ("name",))]
    assert [(c.line, c.fields) for c in result.create] == [(4, ("code", "name", "n"))]
    assert result.unchanged == 1
