"""Furigana (ruby) and やさしい日本語 on the resident site, for residents who read kana more easily than kanji.

A resident turns it on with the header's switch (a cookie, like the text size). Japanese pages are then
served with the guide's key sentences in easy Japanese (EASY) and a reading over every word written in kanji,
in the page's main part. The readings come from pykakasi (a dictionary-based converter, pure Python); a few
words our pages use that it reads wrongly are fixed in READINGS. Off, and on pages in other languages,
nothing changes. Forms, select options and text areas are left alone: their values are what is submitted.
"""

from __future__ import annotations

import re
from functools import cache, wraps
from html import escape

from django.utils import translation
from django.utils.translation import gettext

FURIGANA_COOKIE = "furigana"

# Key sentences of the guide in easy Japanese (やさしい日本語: short sentences, common words, spaces
# between phrases), by their English source string. The city's notices can be written easy by the city itself.
EASY = {
    "Your reservation has been received.": "予約が できました。",
    "Keep your reservation ID: you need it to change or cancel, and when you call us.":
        "予約IDを なくさないで ください。予約を 変える とき、やめる とき、電話する ときに 使います。",
    "You can book this dose now.": "この回の 予約が できます。",
    "Have the document the city sent you (宛名文書) at hand: the ticket number is on it.":
        "市から 届いた 紙（宛名文書）を 見て ください。接種券番号が 書いて あります。",
    "If this is not right, call the call centre before booking.":
        "ちがう ときは、予約の 前に 予約相談センターに 電話して ください。",
    "We are sending a confirmation to your email address.": "メールで お知らせを 送ります。",
    "Changes and cancellations on the web are no longer possible for this reservation.":
        "この予約は、もう インターネットで 変える ことも やめる ことも できません。",
    "Please book the previous dose first.": "先に 前の回の 予約を して ください。",
    "The 10-digit number on the document the city sent you.": "市から 届いた 紙に ある 10けたの 番号です。",
    "Choose a venue to see its free times.": "場所を えらぶと、あいている 時間が わかります。",
}

# Words pykakasi reads otherwise than our pages mean them (方: the person, not the direction).
READINGS = {"方": "かた", "接種券": "せっしゅけん", "宛名": "あてな", "繰上げ": "くりあげ", "繰上": "くりあげ"}

KANJI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々〆]")
TAG = re.compile(r"(<[^>]+>)")
SKIP = {"script", "style", "textarea", "option", "select", "rt", "rp", "ruby", "title"}


@cache
def _converter():
    import pykakasi  # loads its dictionaries (about a second), once per process and only when asked for

    return pykakasi.kakasi()


def _to_hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def _ruby(word: str, reading: str) -> str:
    """<ruby> over the kanji of one word only: its kana ends (送り仮名) stay outside."""
    hira = _to_hiragana(word)
    start = 0
    while start < len(word) and start < len(reading) and hira[start] == reading[start]:
        start += 1
    end = 0
    while end < len(word) - start and end < len(reading) - start and hira[-1 - end] == reading[-1 - end]:
        end += 1
    core, core_reading = word[start:len(word) - end], reading[start:len(reading) - end]
    if not core or not core_reading:
        return escape(word, quote=False)
    before, after = escape(word[:start], quote=False), escape(word[len(word) - end:], quote=False)
    return (f"{before}<ruby>{escape(core, quote=False)}<rp>(</rp><rt>{escape(core_reading, quote=False)}</rt>"
            f"<rp>)</rp></ruby>{after}")


def ruby_text(text: str) -> str:
    """Plain text with a reading over each word in kanji (the text comes unescaped, leaves escaped)."""
    if not KANJI.search(text):
        return escape(text, quote=False)
    out = []
    for part in _converter().convert(text):
        word = part["orig"]
        if KANJI.search(word):
            out.append(_ruby(word, READINGS.get(word, part["hira"])))
        else:
            out.append(escape(word, quote=False))
    return "".join(out)


def add_ruby(html: str) -> str:
    """Readings over the words in kanji of the text in <main>, outside form controls and scripts."""
    start, end = html.find("<main"), html.rfind("</main>")
    if start < 0 or end < 0:
        return html
    from html import unescape

    pieces, skipping = [], []
    for piece in TAG.split(html[start:end]):
        if piece.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", piece)
            tag = name.group(1).lower() if name else ""
            if tag in SKIP and not piece.endswith("/>"):
                if piece.startswith("</"):
                    if skipping and skipping[-1] == tag:
                        skipping.pop()
                else:
                    skipping.append(tag)
            pieces.append(piece)
        elif skipping or not KANJI.search(piece):
            pieces.append(piece)
        else:
            # The readings are for the eye. Screen readers (and the names of labels, buttons and headings) get
            # the text as written: browsers put spaces between ruby parts (「接種 券 番号」) and read the readings.
            pieces.append(f'<span class="visually-hidden">{piece}</span>'
                          f'<span aria-hidden="true">{ruby_text(unescape(piece))}</span>')
    return html[:start] + "".join(pieces) + html[end:]


def easy_japanese(html: str) -> str:
    """The key sentences in easy Japanese (the page is rendered in Japanese)."""
    for source, easy in EASY.items():
        html = html.replace(escape(gettext(source), quote=False), escape(easy, quote=False))
    return html


def wanted(request) -> bool:
    return request.COOKIES.get(FURIGANA_COOKIE) == "1" and translation.get_language() == "ja"


def with_furigana(view):
    """Wrap a resident page: when the resident asked for it, easy Japanese and furigana in its main part."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if (wanted(request) and response.status_code == 200 and not getattr(response, "streaming", False)
                and response.get("Content-Type", "").startswith("text/html")):
            html = response.content.decode(response.charset or "utf-8")
            response.content = add_ruby(easy_japanese(html)).encode(response.charset or "utf-8")
        return response

    return wrapper
