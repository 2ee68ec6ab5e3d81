"""Furigana (ruby) and やさしい日本語 (issue 13, item 6): the header's switch, readings over kanji in the main
part of Japanese pages, the guide's key sentences in easy Japanese; form values and other languages untouched."""

import re

import pytest

from yoyaku.portal.furigana import add_ruby, ruby_text

pytestmark = pytest.mark.django_db


@pytest.mark.slow  # over a second: left out of make test-fast
def test_ruby_goes_over_the_kanji_only_with_the_kana_ending_outside():
    assert ruby_text("受ける") == "<ruby>受<rp>(</rp><rt>う</rt><rp>)</rp></ruby>ける"
    assert ruby_text("接種を受ける方") .endswith("<ruby>方<rp>(</rp><rt>かた</rt><rp>)</rp></ruby>")
    assert ruby_text("ワクチン & 123") == "ワクチン &amp; 123"


def test_ruby_leaves_form_values_scripts_and_the_header_alone():
    html = ('<header>予約</header><main id="main"><p>予約</p><select><option value="北">北地区</option></select>'
            '<textarea>住所</textarea><input value="予約"></main>')
    out = add_ruby(html)
    assert out.startswith("<header>予約</header>")
    assert "<option value=\"北\">北地区</option>" in out and "<textarea>住所</textarea>" in out
    assert '<input value="予約">' in out
    # Screen readers get the text as written; the readings are for the eye.
    assert ('<p><span class="visually-hidden">予約</span><span aria-hidden="true"><ruby>予約<rp>(</rp><rt>よやく</rt>'
            in out)


def test_switch_turns_furigana_and_easy_japanese_on_and_off(client, logged_in, city):
    html = logged_in.get("/").content.decode()
    assert "ふりがな・やさしい日本語" in html and "<ruby>" not in html
    response = logged_in.post("/furigana/", {"furigana": "on", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    html = logged_in.get("/").content.decode()
    assert "<ruby>予約<rp>(</rp><rt>よやく</rt><rp>)</rp></ruby>" in html
    assert "この<ruby>回<rp>(</rp><rt>かい</rt>" in html  # 「この回の 予約が できます。」 in easy Japanese
    assert "今すぐ予約できます" not in html
    assert '<option value="North">North</option>' in html  # the filter's values are not touched
    logged_in.post("/furigana/", {"furigana": "off", "next": "/"})
    assert "<ruby>" not in logged_in.get("/").content.decode()


def test_login_page_help_in_easy_japanese(client, db):
    client.post("/furigana/", {"furigana": "on", "next": "/login/"})
    html = client.get("/login/").content.decode()
    plain = re.sub(r'<span class="visually-hidden">[^<]*</span>|<rp>\(</rp><rt>[^<]*</rt><rp>\)</rp>'
                   r"|</?ruby>|</?span[^>]*>", "", html)
    assert "市から 届いた 紙（宛名文書）を 見て ください。接種券番号が 書いて あります。" in plain
    assert "<ruby>宛名<rp>(</rp><rt>あてな</rt>" in html


def test_english_pages_are_never_changed(logged_in, city):
    logged_in.post("/furigana/", {"furigana": "on", "next": "/"})
    logged_in.cookies["django_language"] = "en"
    html = logged_in.get("/").content.decode()
    assert "<ruby>" not in html and "Furigana" not in html  # the switch is for the Japanese pages


def test_the_citys_easy_japanese_notice_is_shown_with_furigana_on(logged_in, city):
    from yoyaku.booking.models import Notice

    Notice.objects.create(title_ja="接種会場の変更について", body_ja="会場が変更になりました。",
                          title_en="Venue change", title_easy="ちゅうしゃの ばしょが かわります",
                          body_easy="ばしょが かわりました。")
    html = logged_in.get("/").content.decode()
    assert "接種会場の変更について" in html and "ばしょが かわります" not in html
    logged_in.post("/furigana/", {"furigana": "on", "next": "/"})
    html = logged_in.get("/").content.decode()
    assert "<summary>ちゅうしゃの ばしょが かわります</summary>" in html and "ばしょが かわりました。" in html
    assert "会場が変更になりました" not in html
    logged_in.cookies["django_language"] = "en"  # the easy version is Japanese: English pages keep the English
    html = logged_in.get("/").content.decode()
    assert "Venue change" in html and "かわります" not in html


def test_a_notice_without_an_easy_version_shows_its_japanese_with_furigana_on(logged_in, city):
    from yoyaku.booking.models import Notice

    Notice.objects.create(title_ja="おしらせ", body_ja="ほんぶん")
    logged_in.post("/furigana/", {"furigana": "on", "next": "/"})
    assert "<summary>おしらせ</summary>" in logged_in.get("/").content.decode()
