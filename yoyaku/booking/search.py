"""Finding a resident (the console's search): how typed text is compared with what is stored.

The normalisation is pure and tested on its own (tests/booking/test_search.py). Kana match whatever the
script: hiragana, katakana and half-width katakana are one thing here (NFKC turns half-width katakana into
full-width, then hiragana becomes katakana). Phone numbers match by their digits, whatever the hyphens.

Nothing new is stored. Kana in the register are katakana (the import applies NFKC, so half-width becomes
full-width) or, when typed by hand, sometimes hiragana: `matching` looks for the query in both scripts.
A contains-search scans the resident table once: with 100,000 residents on SQLite about 2-20 ms for a name
or kana, about 100 ms for a phone number (the separators are stripped row by row). No new column or index
is needed for that; the page shows at most `LIMIT` residents and says when there are more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db.models import CharField, Q, QuerySet, Value
from django.db.models.functions import Concat, Replace

from .models import Resident
from .rules import nfkc

LIMIT = 50
MIN_PHONE_DIGITS = 4  # fewer digits match a large part of the city

_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)} | {0x309D: 0x30FD, 0x309E: 0x30FE}
_KATAKANA_TO_HIRAGANA = {katakana: hiragana for hiragana, katakana in _HIRAGANA_TO_KATAKANA.items()}
_SPACES = re.compile(r"\s+")  # after NFKC the ideographic space is a plain space
# What people and old systems put between the digits of a phone number (after NFKC).
PHONE_SEPARATORS = ("-", " ", "(", ")", "‐", "‑", "−", "ー", ".")


def normalize_name(text: str) -> str:
    """A name as compared: NFKC (full-width letters become ASCII), without spaces between the parts."""
    return _SPACES.sub("", nfkc(text))


def normalize_kana(text: str) -> str:
    """Kana as compared: katakana, full-width, without spaces. ｻﾄｳ ﾊﾅ, さとう はな and サトウハナ are one."""
    return normalize_name(text).translate(_HIRAGANA_TO_KATAKANA)


def katakana_to_hiragana(text: str) -> str:
    return text.translate(_KATAKANA_TO_HIRAGANA)


def is_kana(text: str) -> bool:
    """Only kana (either script) and the long vowel mark: worth comparing with the kana columns."""
    kana = normalize_kana(text)
    return bool(kana) and all(0x30A1 <= ord(ch) <= 0x30FE for ch in kana)


def phone_digits(text: str) -> str:
    """The digits of a phone number as typed (full-width, hyphens, spaces, brackets all fine)."""
    return "".join(ch for ch in nfkc(text) if ch.isascii() and ch.isdigit())


@dataclass(frozen=True)
class Query:
    """What the operator asked for; every given part must match (AND). Empty parts are ignored."""

    ticket_number: str = ""  # normalised: 10 digits
    name: str = ""  # kanji or kana, as typed
    phone: str = ""  # digits only
    birth_date: date | None = None

    @property
    def empty(self) -> bool:
        return not (self.ticket_number or normalize_name(self.name) or self.phone or self.birth_date)


def _without(expression, characters):
    for character in characters:
        expression = Replace(expression, Value(character), Value(""))
    return expression


def matching(query: Query) -> QuerySet:
    """The residents matching `query`, in ticket-number order. One query when evaluated."""
    residents = Resident.objects.all()
    if query.ticket_number:
        residents = residents.filter(ticket_number=query.ticket_number)
    if query.birth_date:
        residents = residents.filter(birth_date=query.birth_date)
    name = normalize_name(query.name)
    if name:
        residents = residents.annotate(
            _name=Concat("family_name", "given_name", output_field=CharField()),
        )
        condition = Q(_name__icontains=name)
        if is_kana(name):
            kana = normalize_kana(name)
            residents = residents.annotate(
                _kana=_without(Concat("family_name_kana", "given_name_kana", output_field=CharField()), " 　"),
            )
            condition |= Q(_kana__contains=kana) | Q(_kana__contains=katakana_to_hiragana(kana))
        residents = residents.filter(condition)
    if query.phone:
        residents = residents.annotate(_phone=_without("phone", PHONE_SEPARATORS)).filter(
            _phone__contains=query.phone
        )
    return residents.order_by("ticket_number")
