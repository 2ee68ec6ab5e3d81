"""The CSV files a city's IT staff import: residents, vaccines, venues (docs/data-formats.md).

Pure (no database) and tested on its own in tests/booking/test_imports.py: decoding (UTF-8 with or
without BOM, else Shift_JIS/CP932), the header, one cleaner per column, every bad row with its physical
line number, duplicate keys within a file, and the plan of what an import would create, update or leave
unchanged. The writing is in services.py (residents_import, vaccines_import, venues_import: one
transaction each, bulk, with an AuditEvent per created or updated record).

`ImportCommand` at the end is the shell the three import_* management commands share: read and validate
the whole file, report every bad row and write nothing if there is one, else call the command's service.
Messages name the line and the column, never a cell's value: the files hold personal data, and it stays
out of logs.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import rules
from .errors import InvalidInput
from .models import Resident, Vaccine, Venue

# --- Decoding -------------------------------------------------------------------------------------

# Tried in this order, strictly. UTF-8 first: a CP932 file is almost never valid UTF-8, while many
# UTF-8 files are valid CP932 (as mojibake).
ENCODINGS = ("utf-8-sig", "cp932")


class ImportFileError(Exception):
    """The file as a whole cannot be read: not text in a known encoding, empty, or a wrong header."""


# Characters no text export contains: control characters (NUL: UTF-16 "decodes" as UTF-8 full of them),
# and what CP932 maps its unused bytes to. Seen in a decoded file, they mean it was not text.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80\uf8f0-\uf8f3]")
_SPREADSHEET_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx (zip), .xls (OLE)


def decode(raw: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was in (`utf-8-sig` or `cp932`)."""
    if raw.startswith(_SPREADSHEET_MAGIC):
        raise ImportFileError(_("This is a spreadsheet file, not CSV. Save it as CSV (UTF-8 or Shift_JIS) first."))
    for encoding in ENCODINGS:
        try:
            text = raw.decode(encoding).rstrip("\x1a")  # old DOS tools end files with Ctrl-Z
        except UnicodeDecodeError:
            continue
        if not _NOT_TEXT.search(text):
            return text, encoding
        break
    raise ImportFileError(
        _("The file is neither UTF-8 nor Shift_JIS (CP932) text. Save it as CSV in one of these "
          "encodings and try again.")
    )


# --- Cleaners: one per column; each returns the clean value or raises CellError ---------------------


class CellError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Context:
    """What cleaning needs to know beyond the cell: today's date, the vaccine codes that exist."""

    today: date
    vaccine_codes: frozenset[str] = frozenset()


Cleaner = Callable[[str, Context], Any]


def _too_long(max_length: int, value: str) -> CellError:
    return CellError(
        _("Too long: at most %(max)d characters, this has %(count)d.") % {"max": max_length, "count": len(value)}
    )


def text(*, max_length: int | None = None, required: bool = False, normalize: bool = False) -> Cleaner:
    """Free text, stripped; `normalize` applies NFKC (for kana, phone numbers, postal codes)."""

    def clean(value: str, context: Context) -> str:
        value = rules.nfkc(value) if normalize else value.strip()
        if required and not value:
            raise CellError(_("A value is required."))
        if max_length is not None and len(value) > max_length:
            raise _too_long(max_length, value)
        return value

    return clean


def ticket_number(value: str, context: Context) -> str:
    try:
        return rules.normalize_ticket_number(value)
    except InvalidInput as error:
        raise CellError(error.message) from None


def birth_date(value: str, context: Context) -> date:
    try:
        return rules.parse_birth_date(value, today=context.today)
    except InvalidInput as error:
        raise CellError(error.message) from None


def email(value: str, context: Context) -> str:
    value = value.strip()
    if not value:
        return ""
    if len(value) > 254:
        raise _too_long(254, value)
    try:
        validate_email(value)
    except ValidationError as error:
        raise CellError(error.messages[0]) from None
    return value


def flag(value: str, context: Context) -> bool:
    value = rules.nfkc(value)
    if value == "1":
        return True
    if value == "0":
        return False
    raise CellError(_("Enter 1 (yes) or 0 (no)."))


def integer(*, minimum: int, maximum: int) -> Cleaner:
    def clean(value: str, context: Context) -> int:
        value = rules.nfkc(value)
        if not value.isascii() or not value.isdigit() or not minimum <= int(value) <= maximum:
            raise CellError(
                _("Enter a whole number from %(min)d to %(max)d.") % {"min": minimum, "max": maximum}
            )
        return int(value)

    return clean


CODE_PATTERN = re.compile(r"^[A-Za-z0-9._-]+$")


def code(*, max_length: int) -> Cleaner:
    """An identifier the city chooses (vaccine and venue codes): letters, digits, `.`, `_`, `-`."""

    def clean(value: str, context: Context) -> str:
        value = rules.nfkc(value)
        if not value:
            raise CellError(_("A value is required."))
        if not CODE_PATTERN.match(value):
            raise CellError(_("Use only letters A-Z, digits, '.', '_' and '-'."))
        if len(value) > max_length:
            raise _too_long(max_length, value)
        return value

    return clean


def choice(choices: Iterable[str]) -> Cleaner:
    allowed = tuple(choices)

    def clean(value: str, context: Context) -> str:
        value = rules.nfkc(value).lower()
        if value not in allowed:
            raise CellError(_("Enter one of: %(choices)s.") % {"choices": ", ".join(allowed)})
        return value

    return clean


def vaccine_codes(value: str, context: Context) -> frozenset[str]:
    """Vaccine codes separated by `|`; each must be a vaccine that exists. Empty: none."""
    codes = [rules.nfkc(part) for part in value.split("|")]
    codes = [part for part in codes if part]
    unknown = sorted({part for part in codes if part not in context.vaccine_codes})
    if unknown:
        raise CellError(
            ngettext(
                "Unknown vaccine code %(codes)s: import it with import_vaccines first.",
                "Unknown vaccine codes %(codes)s: import them with import_vaccines first.",
                len(unknown),
            )
            % {"codes": ", ".join(unknown)}
        )
    return frozenset(codes)


GROUP_CODE_PATTERN = re.compile(r"^[a-z0-9_-]+$")
_GROUP_SEPARATORS = re.compile(r"[\s|]+")


def group_codes(*, max_length: int) -> Cleaner:
    """Group codes separated by `|` or spaces (`medical|care-home`), each of a-z, 0-9, `_` and `-`.

    The clean value is how Resident.groups stores them: each code once, sorted, separated by one space
    (`care-home medical`), so the same groups in another order are no change. Empty: no group.
    """

    def clean(value: str, context: Context) -> str:
        codes = [part for part in _GROUP_SEPARATORS.split(rules.nfkc(value)) if part]
        if any(not GROUP_CODE_PATTERN.match(part) for part in codes):
            raise CellError(_("Group codes use only lower-case letters a-z, digits, '_' and '-', separated by "
                              "'|' or spaces, for example medical|care-home."))
        stored = " ".join(sorted(set(codes)))
        if len(stored) > max_length:
            raise _too_long(max_length, stored)
        return stored

    return clean


# --- Files: header, rows, line numbers -----------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    clean: Cleaner
    optional: bool = False  # the header may leave it out; then the import does not touch that field


@dataclass(frozen=True)
class Schema:
    columns: tuple[Column, ...]
    key: str  # the column that identifies a record (upsert key); unique within a file

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if not c.optional]


@dataclass(frozen=True)
class Row:
    line: int  # physical line of the file where the row starts; the header is line 1
    key: Any
    values: dict[str, Any]


@dataclass(frozen=True)
class RowError:
    line: int
    column: str  # empty when the error is about the whole row
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("line %(line)d: %(column)s: %(message)s") % {
                "line": self.line, "column": self.column, "message": self.message
            }
        return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


def _header_errors(header: list[str], schema: Schema) -> list[RowError]:
    known = {c.name for c in schema.columns}
    errors = []
    missing = [name for name in schema.required if name not in header]
    if missing:
        errors.append(RowError(1, "", _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}))
    unknown = [name for name in header if name not in known]
    if unknown:
        errors.append(RowError(1, "", _("Unknown columns: %(columns)s. Expected: %(expected)s.") % {
            "columns": ", ".join(name or '""' for name in unknown),
            "expected": ", ".join(c.name for c in schema.columns),
        }))
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        message = _("Columns given twice: %(columns)s.") % {"columns": ", ".join(repeated)}
        errors.append(RowError(1, "", message))
    return errors


def parse(text: str, schema: Schema, context: Context) -> tuple[list[Row], list[RowError]]:
    """The clean rows of a CSV text and every error, each with its line. Blank lines are skipped.

    Rows are good only if there are no errors at all: callers write nothing when `errors` is not empty.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        first = next(reader, None)
    except csv.Error as error:
        message = _("line 1: the header is not valid CSV (%(error)s).") % {"error": error}
        raise ImportFileError(message) from None
    header = [name.strip().lower() for name in first or []]
    while header and not header[-1]:
        header.pop()  # trailing empty columns, as spreadsheets sometimes save them
    if not any(header):
        raise ImportFileError(_("The file is empty: the first line must be the header: %(columns)s.") % {
            "columns": ",".join(c.name for c in schema.columns)
        })
    errors = _header_errors(header, schema)
    if errors:
        return [], errors

    by_name = {c.name: c for c in schema.columns}
    columns = [(index, by_name[name]) for index, name in enumerate(header)]
    width = len(header)
    rows: list[Row] = []
    seen: dict[Any, int] = {}
    end = reader.line_num
    while True:
        line = end + 1  # a quoted value may span lines: a row starts after the previous one ended
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            end = reader.line_num
            errors.append(RowError(line, "", _("Not valid CSV (%(error)s).") % {"error": error}))
            continue
        end = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > width and not any(cell.strip() for cell in cells[width:]):
            cells = cells[:width]  # trailing empty cells, as spreadsheets sometimes save them
        if len(cells) != width:
            message = _("This row has %(count)d values; the header has %(expected)d.") % {
                "count": len(cells), "expected": width
            }
            errors.append(RowError(line, "", message))
            continue
        values = {}
        for index, column in columns:
            try:
                values[column.name] = column.clean(cells[index], context)
            except CellError as error:
                errors.append(RowError(line, column.name, error.message))
        if schema.key not in values:
            continue
        key = values[schema.key]
        if key in seen:
            errors.append(RowError(line, schema.key, _("The same %(column)s is also on line %(line)d.") % {
                "column": schema.key, "line": seen[key]
            }))
            continue
        seen[key] = line
        if len(values) == len(columns):
            rows.append(Row(line, key, values))
    return rows, errors


# --- The files -------------------------------------------------------------------------------------


def _max(model: type[models.Model], name: str) -> int:
    return model._meta.get_field(name).max_length


RESIDENTS = Schema(
    key="ticket_number",
    columns=(
        Column("ticket_number", ticket_number),
        Column("birth_date", birth_date),
        Column("family_name", text(max_length=_max(Resident, "family_name"), required=True)),
        Column("given_name", text(max_length=_max(Resident, "given_name"), required=True)),
        Column("family_name_kana", text(max_length=_max(Resident, "family_name_kana"), normalize=True)),
        Column("given_name_kana", text(max_length=_max(Resident, "given_name_kana"), normalize=True)),
        Column("phone", text(max_length=_max(Resident, "phone"), normalize=True)),
        Column("email", email),
        Column("postal_code", text(max_length=_max(Resident, "postal_code"), normalize=True)),
        Column("address", text(max_length=_max(Resident, "address"))),
        Column("groups", group_codes(max_length=_max(Resident, "groups")), optional=True),
        Column("active", flag, optional=True),
    ),
)

# The other UI languages' versions of a Japanese column (name_en, name_zh_hans, name_ko): optional, left
# out of the header or left empty, residents reading that language see the Japanese.
LANGUAGE_SUFFIXES = ("en", "zh_hans", "ko")


def _per_language(model: type[models.Model], name: str) -> tuple[Column, ...]:
    return tuple(Column(f"{name}_{suffix}", text(max_length=_max(model, f"{name}_{suffix}")), optional=True)
                 for suffix in LANGUAGE_SUFFIXES)


VACCINES = Schema(
    key="code",
    columns=(
        Column("code", code(max_length=_max(Vaccine, "code"))),
        Column("name", text(max_length=_max(Vaccine, "name"), required=True)),
        *_per_language(Vaccine, "name"),
        Column("min_age", integer(minimum=0, maximum=120)),
        Column("next_dose_min_days", integer(minimum=0, maximum=3650)),
        Column("doses_per_vial", integer(minimum=1, maximum=100)),
        Column("active", flag, optional=True),
    ),
)

VENUES = Schema(
    key="code",
    columns=(
        Column("code", code(max_length=_max(Venue, "code"))),
        Column("name", text(max_length=_max(Venue, "name"), required=True)),
        Column("kind", choice(Venue.Kind.values)),
        Column("area", text(max_length=_max(Venue, "area"))),
        Column("address", text(max_length=_max(Venue, "address"))),
        Column("phone", text(max_length=_max(Venue, "phone"), normalize=True)),
        Column("notes", text()),
        Column("vaccines", vaccine_codes),
        Column("active", flag, optional=True),
        *(column for name in ("name", "area", "address", "notes") for column in _per_language(Venue, name)),
    ),
)


# --- The plan: what an import changes ---------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    line: int
    key: Any
    values: dict[str, Any]
    fields: tuple[str, ...]  # the fields that change (every given field, for a new record)


@dataclass
class Plan:
    create: list[Change] = field(default_factory=list)
    update: list[Change] = field(default_factory=list)
    unchanged: int = 0


def plan(rows: Iterable[Row], current: Mapping[Any, Mapping[str, Any]]) -> Plan:
    """Compare clean rows with the current values of the records that exist (by key)."""
    result = Plan()
    for row in rows:
        now = current.get(row.key)
        if now is None:
            result.create.append(Change(row.line, row.key, row.values, tuple(row.values)))
            continue
        changed = tuple(name for name, value in row.values.items() if now[name] != value)
        if changed:
            result.update.append(Change(row.line, row.key, row.values, changed))
        else:
            result.unchanged += 1
    return result


# --- The commands' shell (no writes) ---------------------------------------------------------------


class ImportCommand(BaseCommand):
    """`manage.py import_<things> FILE.csv [--dry-run]`: all rows or none; exit status 1 on any bad row.

    The shell the three import commands share: read the file, decode and parse it (above), report every
    bad row, else hand the clean rows to the command's service (`write`) and print what it did. It
    writes nothing itself: the services (residents_import, vaccines_import, venues_import) do.
    """

    model: type[models.Model]  # for the report's "<things>:" (its verbose_name_plural)
    schema: Schema

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file, UTF-8 (with or without BOM) or Shift_JIS/CP932.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Validate and report what would change; write nothing.")

    def context(self) -> Context:
        return Context(today=timezone.localdate())

    def write(self, rows: list[Row], *, dry_run: bool):
        """Call the service; return its ImportResult (created, updated, unchanged)."""
        raise NotImplementedError

    def handle(self, *args, file, dry_run=False, **options):
        try:
            raw = Path(file).read_bytes()
        except OSError as error:
            message = _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            raise CommandError(message) from None
        try:
            content, encoding = decode(raw)
            rows, errors = parse(content, self.schema, self.context())
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        if options.get("verbosity", 1) >= 2:
            self.stdout.write(_("read as %(encoding)s") % {"encoding": encoding})
        if errors:
            for error in errors:
                self.stderr.write(str(error))
            bad = len({error.line for error in errors})
            raise CommandError(
                ngettext("%(count)d bad row: nothing written.", "%(count)d bad rows: nothing written.", bad)
                % {"count": bad}
            )

        try:
            result = self.write(rows, dry_run=dry_run)
        except InvalidInput as error:
            raise CommandError(error.message) from None

        self.stdout.write(
            _("%(things)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged") % {
                "things": self.model._meta.verbose_name_plural,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            }
        )
        if dry_run:
            self.stdout.write(_("dry run: nothing written"))
