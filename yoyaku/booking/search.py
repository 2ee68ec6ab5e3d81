"""Finding a resident (the console's search): what was typed, and how it is compared with what is stored.

The console has one search box. `understand` reads what the operator typed as the things it can be: a
ticket number (10 digits), a reservation ID (予約ID, 8 letters and digits), a phone number (4 or more
digits), a birth date in any form people say it (19440510, 1944/5/10, 昭和19年5月10日, S19.5.10) or a name
in kanji or kana. Text that can be read several ways is searched every way at once (a 10-digit number is a
ticket number or a landline phone number) and the page says which readings were tried: the operator never
has to pick a field, and never gets an empty answer for a term that sits in a field they forgot. Optional
filters (birth date, phone) narrow a name search; they are dropped (and the page says so) when the text can
be a ticket number or a reservation ID, which name one person: a forgotten filter never hides them.

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
from dataclasses import dataclass, field
from datetime import date

from django.db.models import CharField, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Concat, Replace
from django.utils.translation import gettext as _

from .errors import InvalidInput
from .models import Reservation, Resident
from .rules import nfkc, normalize_reservation_code, normalize_ticket_number, parse_birth_date

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


# --- One box: what was typed ------------------------------------------------------------------------------

TICKET_NUMBER = "ticket_number"
RESERVATION_CODE = "reservation_code"
PHONE = "phone"
BIRTH_DATE = "birth_date"
NAME = "name"
EXACT = frozenset({TICKET_NUMBER, RESERVATION_CODE})  # one person: filters do not apply
_PHONE_LIKE = re.compile(r"^[\d\s\-()‐‑‒–—―−ー.]+$")  # after NFKC: digits and what people put between them


@dataclass(frozen=True)
class Term:
    kind: str  # one of TICKET_NUMBER, RESERVATION_CODE, PHONE, BIRTH_DATE, NAME
    value: str | date


@dataclass(frozen=True)
class Understood:
    """The readings of one typed text (a resident matches if any reading matches) and the filters (all must)."""

    terms: tuple[Term, ...]
    birth_date: date | None = None  # filter
    phone: str = ""  # filter: digits
    ignored_filters: bool = False  # filters were given but the text names one person
    filters: tuple[Term, ...] = field(default=())

    @property
    def exact(self) -> bool:
        return all(term.kind in EXACT for term in self.terms)


def readings(text: str, *, today: date) -> tuple[Term, ...]:
    """Every way `text` can be read as a search term, or InvalidInput saying what to type."""
    cleaned = nfkc(text)
    if not cleaned:
        raise InvalidInput(_("Type a ticket number, a reservation ID, a name, a phone number or a date of birth."),
                           code="search_empty")
    terms: list[Term] = []
    try:
        terms.append(Term(BIRTH_DATE, parse_birth_date(cleaned, today=today)))
    except InvalidInput:
        pass
    if _PHONE_LIKE.match(cleaned):
        digits = phone_digits(cleaned)
        try:
            terms.insert(0, Term(TICKET_NUMBER, normalize_ticket_number(cleaned)))
        except InvalidInput:
            pass
        if len(digits) >= MIN_PHONE_DIGITS:
            terms.append(Term(PHONE, digits))
        if not terms:
            raise InvalidInput(
                _("Enter at least %(n)d digits of the phone number, the 10-digit ticket number or the date of "
                  "birth.") % {"n": MIN_PHONE_DIGITS}, code="search_short")
        return tuple(terms)
    if terms:  # a date with an era or 年月日: not a name
        return tuple(terms)
    try:
        terms.append(Term(RESERVATION_CODE, normalize_reservation_code(cleaned)))
    except InvalidInput:
        pass
    if normalize_name(cleaned) and not (terms and any(ch.isdigit() for ch in cleaned)):  # names have no digits
        terms.append(Term(NAME, cleaned))
    if not terms:
        raise InvalidInput(_("Type a ticket number, a reservation ID, a name, a phone number or a date of birth."),
                           code="search_empty")
    return tuple(terms)


def understand(text: str, *, today: date, birth_date: date | None = None, phone: str = "") -> Understood:
    terms = readings(text, today=today)
    filters = tuple(t for t in (Term(BIRTH_DATE, birth_date) if birth_date else None,
                                Term(PHONE, phone) if phone else None) if t)
    if filters and any(term.kind in EXACT for term in terms):  # it may name one resident: never hide them
        return Understood(terms=terms, ignored_filters=True)
    return Understood(terms=terms, birth_date=birth_date, phone=phone, filters=filters)


def _name_condition(residents: QuerySet, typed: str) -> tuple[QuerySet, Q]:
    name = normalize_name(typed)
    residents = residents.annotate(_name=Concat("family_name", "given_name", output_field=CharField()))
    condition = Q(_name__icontains=name)
    if is_kana(name):
        kana = normalize_kana(name)
        residents = residents.annotate(
            _kana=_without(Concat("family_name_kana", "given_name_kana", output_field=CharField()), " 　"),
        )
        condition |= Q(_kana__contains=kana) | Q(_kana__contains=katakana_to_hiragana(kana))
    return residents, condition


def found(understood: Understood) -> QuerySet:
    """The residents matching any reading, in ticket-number order, each with `active_reservations` (with slot
    and venue). The filters narrow the broad readings (name, phone, birth date) only: a ticket number or a
    reservation ID finds its resident whatever the filters say. Two queries when evaluated."""
    residents = Resident.objects.all()
    if any(t.kind == PHONE for t in understood.terms) or understood.phone:
        residents = residents.annotate(_phone=_without("phone", PHONE_SEPARATORS))
    exact, broad = Q(pk__in=[]), Q(pk__in=[])
    for term in understood.terms:
        if term.kind == TICKET_NUMBER:
            exact |= Q(ticket_number=term.value)
        elif term.kind == RESERVATION_CODE:
            exact |= Q(reservations__code=term.value)
        elif term.kind == PHONE:
            broad |= Q(_phone__contains=term.value)
        elif term.kind == BIRTH_DATE:
            broad |= Q(birth_date=term.value)
        elif term.kind == NAME:
            residents, name_condition = _name_condition(residents, str(term.value))
            broad |= name_condition
    if understood.birth_date:
        broad &= Q(birth_date=understood.birth_date)
    if understood.phone:
        broad &= Q(_phone__contains=understood.phone)
    residents = residents.filter(exact | broad)
    active = Reservation.objects.active().select_related("slot__venue").order_by("dose_number")
    return (residents.distinct().order_by("ticket_number")
            .prefetch_related(Prefetch("reservations", queryset=active, to_attr="active_reservations")))


def roster_filter(reservations, typed: str) -> list:
    """The reservations of a roster (a venue's day: a few hundred at most, already read) whose 予約ID, ticket
    number, name or kana contains what was typed at the venue's desk; all of them for an empty text.
    Kana in either script, full-width letters and spaces are all fine, as in the one search box."""
    text = normalize_name(typed)
    if not text:
        return list(reservations)
    code, kana = re.sub(r"[-‐‑−ー]", "", text.upper()), normalize_kana(typed)
    found = []
    for reservation in reservations:
        resident = reservation.resident
        names = normalize_name(resident.family_name + resident.given_name)
        kanas = normalize_kana(resident.family_name_kana + resident.given_name_kana)
        if (code in reservation.code or (text.isdigit() and text in resident.ticket_number) or text in names
                or (kana and kana in kanas)):
            found.append(reservation)
    return found
