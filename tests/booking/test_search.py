"""Finding a resident: the normalisation (pure) and the query it drives (search.matching)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import factories as f
from yoyaku.booking import search
from yoyaku.booking.errors import InvalidInput
from yoyaku.booking.search import Query

# --- Pure: kana, names, phone numbers ------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["サトウハナ", "さとうはな", "ｻﾄｳﾊﾅ", "サトウ　ハナ", "さとう はな", " ｻﾄｳ ﾊﾅ "])
def test_hiragana_katakana_and_half_width_kana_normalise_to_the_same_katakana(typed):
    assert search.normalize_kana(typed) == "サトウハナ"


@pytest.mark.parametrize("typed, expected", [
    ("ｶﾞｯｺｳ", "ガッコウ"),  # half-width voiced mark joins its kana
    ("ﾊﾟｰｸ", "パーク"),  # half-width semi-voiced mark and long vowel mark
    ("がっこう", "ガッコウ"),  # small kana
    ("ゔぁいおりん", "ヴァイオリン"),
    ("ゝゞ", "ヽヾ"),  # iteration marks
])
def test_voiced_small_and_special_kana_survive_normalisation(typed, expected):
    assert search.normalize_kana(typed) == expected


def test_katakana_to_hiragana_is_the_inverse_on_kana():
    assert search.katakana_to_hiragana("サトウハナ") == "さとうはな"
    assert search.katakana_to_hiragana("ヴァー") == "ゔぁー"


@given(st.text(alphabet=st.characters(min_codepoint=0x3041, max_codepoint=0x3096)))
def test_any_hiragana_round_trips_through_katakana(text):
    katakana = search.normalize_kana(text)
    assert search.katakana_to_hiragana(katakana) == text
    assert search.normalize_kana(search.katakana_to_hiragana(katakana)) == katakana


@pytest.mark.parametrize("typed, expected", [
    ("さとう", True), ("ｻﾄｳ", True), ("サトー", True), ("佐藤", False), ("sato", False), ("", False), ("   ", False),
])
def test_is_kana_says_whether_the_kana_columns_are_worth_searching(typed, expected):
    assert search.is_kana(typed) is expected


@pytest.mark.parametrize("typed", ["0195-23-3111", "０１９５－２３－３１１１", "(0195) 23 3111", "0195ー23ー3111",
                                   "0195‐23‐3111", "0195.23.3111"])
def test_phone_digits_ignore_hyphens_spaces_brackets_and_width(typed):
    assert search.phone_digits(typed) == "0195233111"


def test_names_lose_spaces_and_width():
    assert search.normalize_name("山田　太郎") == "山田太郎"
    assert search.normalize_name("ＹＡＭＡＤＡ Taro") == "YAMADATaro"


def test_an_empty_query_is_empty():
    assert Query().empty
    assert Query(name="  ").empty
    assert not Query(phone="3111").empty
    assert not Query(birth_date=date(1945, 1, 1)).empty


# --- The query ---------------------------------------------------------------------------------------------


@pytest.fixture
def people(db):
    return {
        "hana": f.resident(family_name="佐藤", given_name="ハナ", family_name_kana="サトウ", given_name_kana="ハナ",
                           phone="0195-23-3111", birth_date=date(1944, 5, 10)),
        # Typed by hand in hiragana, with a space; the phone without hyphens.
        "ichiro": f.resident(family_name="佐藤", given_name="一郎", family_name_kana="さとう ",
                             given_name_kana="いちろう", phone="09012345678", birth_date=date(1950, 3, 15)),
        "taro": f.resident(family_name="山田", given_name="太郎", family_name_kana="ヤマダ", given_name_kana="タロウ",
                           phone="0195 (00) 0000", birth_date=date(1944, 5, 10)),
    }


def found(query: Query) -> set[str]:
    return {r.given_name for r in search.matching(query)}


@pytest.mark.parametrize("typed", ["さとう", "サトウ", "ｻﾄｳ", "さ と う"])
def test_kana_in_any_script_finds_kana_stored_in_either_script(people, typed):
    assert found(Query(name=typed)) == {"ハナ", "一郎"}


@pytest.mark.parametrize("typed", ["さとうはな", "サトウ ハナ", "ｻﾄｳﾊﾅ"])
def test_family_and_given_kana_match_together(people, typed):
    assert found(Query(name=typed)) == {"ハナ"}


def test_kanji_name_with_or_without_the_space(people):
    assert found(Query(name="佐藤")) == {"ハナ", "一郎"}
    assert found(Query(name="山田　太郎")) == found(Query(name="山田太郎")) == {"太郎"}


def test_phone_matches_by_digits_whatever_the_hyphens_stored_or_typed(people):
    assert found(Query(phone="0195233111")) == {"ハナ"}
    assert found(Query(phone="090123")) == {"一郎"}
    assert found(Query(phone="01950000")) == {"太郎"}  # stored with a space and brackets
    assert found(Query(phone="3111")) == {"ハナ"}


def test_ticket_number_and_birth_date_are_exact(people):
    assert found(Query(ticket_number=people["taro"].ticket_number)) == {"太郎"}
    assert found(Query(birth_date=date(1944, 5, 10))) == {"ハナ", "太郎"}


def test_every_given_part_must_match(people):
    assert found(Query(name="さとう", birth_date=date(1944, 5, 10))) == {"ハナ"}
    assert found(Query(name="やまだ", phone="3111")) == set()


def test_the_search_is_one_query(people, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(search.matching(Query(name="さとう", phone="0195", birth_date=date(1944, 5, 10))))


# --- One box: what was typed ---------------------------------------------------------------------------------

TODAY = date(2021, 12, 1)


def kinds(typed: str) -> list[str]:
    return [term.kind for term in search.readings(typed, today=TODAY)]


@pytest.mark.parametrize("typed, expected", [
    ("2000000011", ["ticket_number", "phone"]),  # a 10-digit landline number looks the same
    ("２０００-０００-０１１", ["ticket_number", "phone"]),
    ("090-1234-5678", ["phone"]),
    ("3111", ["phone"]),
    ("19440510", ["birth_date", "phone"]),
    ("1944/5/10", ["birth_date"]),
    ("昭和19年5月10日", ["birth_date"]),
    ("S19.5.10", ["birth_date"]),
    ("h1.5.1", ["birth_date"]),
    ("さとう はな", ["name"]),
    ("佐藤", ["name"]),
    ("sato", ["name"]),
    ("axtz-s3yz", ["reservation_code"]),
    ("ABCDEFGH", ["reservation_code", "name"]),  # eight letters may be a name written in the alphabet
])
def test_the_box_reads_what_was_typed_every_way_it_can_be_read(typed, expected):
    assert kinds(typed) == expected


@pytest.mark.parametrize("typed, code", [("", "search_empty"), ("  ", "search_empty"), ("01", "search_short"),
                                         ("--", "search_short")])
def test_what_cannot_be_read_says_what_to_type(typed, code):
    with pytest.raises(InvalidInput) as error:
        search.readings(typed, today=TODAY)
    assert error.value.code == code


def test_filters_are_dropped_when_the_box_names_one_resident():
    assert search.understand("AXTZS3YZ", today=TODAY, birth_date=date(1944, 5, 10)).ignored_filters
    assert search.understand("ABCDEFGH", today=TODAY, phone="3111").ignored_filters  # a code, or a name
    assert search.understand("2000000011", today=TODAY, phone="3111").ignored_filters  # a ticket, or a phone
    kept = search.understand("さとう", today=TODAY, birth_date=date(1944, 5, 10))
    assert not kept.ignored_filters and kept.birth_date == date(1944, 5, 10)


def search_for(typed: str, **filters) -> set[str]:
    return {r.given_name for r in search.found(search.understand(typed, today=date.today(), **filters))}


def test_any_reading_may_match_and_filters_narrow_only_the_broad_ones(people):
    taro = people["taro"]
    assert search_for("0195") == {"ハナ", "太郎"}
    assert search_for("0195", birth_date=date(1950, 3, 15)) == set()
    assert search_for(taro.ticket_number, birth_date=date(1950, 3, 15)) == {"太郎"}  # the ticket wins
    assert search_for("さとう", phone="5678") == {"一郎"}
    assert search_for("S19.5.10") == {"ハナ", "太郎"}


def test_the_found_residents_carry_their_active_reservations_in_two_queries(people, django_assert_num_queries):
    with django_assert_num_queries(2):
        rows = list(search.found(search.understand("さとう", today=TODAY)))
    assert all(r.active_reservations == [] for r in rows)
