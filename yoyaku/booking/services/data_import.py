"""Imports of residents, vaccines, venues and doses given elsewhere: all or nothing, audited per record."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import imports, rules
from ..errors import (
    DoseImportRefused,
    InvalidInput,
)
from ..models import (
    DoseRecord,
    Resident,
    Vaccine,
    Venue,
)
from .audit import Actor, audit_records_bulk, require_reason

# --- Imports (import_residents, import_vaccines, import_venues) ----------------------------------------
#
# The commands read and validate the file (imports.py, pure) and hand the clean rows here. Each import
# is all or nothing: one transaction that creates and updates records by key (bulk, in batches) and
# writes an AuditEvent per created or updated record, whose data names changed fields, never values.

IMPORT_BATCH_SIZE = 1000


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    dry_run: bool = False


@dataclass(frozen=True)
class _ImportSpec:
    """How one kind of record is imported: what `_records_import` needs to know beyond the rows."""

    model: type[models.Model]
    key: str  # the field the rows' key matches (unique)
    audit_prefix: str  # actions <prefix>.import_create and <prefix>.import_update
    audit_resident: bool = False  # the record is a resident: AuditEvent.resident points at it
    queryset: Callable[[], models.QuerySet] | None = None
    current_values: Callable[[models.Model, Sequence[str]], dict[str, Any]] | None = None
    # Many-to-many values of created and updated records, after they have primary keys.
    write_relations: Callable[[list[tuple[models.Model, imports.Change]]], None] | None = None


def _field_values(obj: models.Model, names: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _records_import(*, spec: _ImportSpec, actor: Actor, rows: Iterable[imports.Row], dry_run: bool,
                    now: datetime | None) -> ImportResult:
    now = now or timezone.now()
    rows = list(rows)
    queryset = spec.queryset or spec.model.objects.all
    current_values = spec.current_values or _field_values

    def planned() -> tuple[imports.Plan, dict[Any, models.Model]]:
        objects = queryset().in_bulk([row.key for row in rows], field_name=spec.key)
        names = list(rows[0].values) if rows else []
        current = {key: current_values(obj, names) for key, obj in objects.items()}
        return imports.plan(rows, current), objects

    if dry_run:
        plan, _objects = planned()
    else:
        try:
            with transaction.atomic():
                plan, objects = planned()
                _import_write(spec=spec, actor=actor, plan=plan, objects=objects, now=now)
        except IntegrityError:
            # The database's message may quote a ticket number: it is not shown.
            raise InvalidInput(
                _("The database refused a row (was the same data changed at the same time?): "
                  "nothing written. Run the import again."),
                code="import_refused",
            ) from None
    return ImportResult(created=len(plan.create), updated=len(plan.update), unchanged=plan.unchanged,
                        dry_run=dry_run)


def _import_write(*, spec: _ImportSpec, actor: Actor, plan: imports.Plan, objects: dict[Any, models.Model],
                  now: datetime) -> None:
    model = spec.model
    concrete = {f.name for f in model._meta.concrete_fields}
    has_updated_at = "updated_at" in concrete

    created = [model(**{k: v for k, v in c.values.items() if k in concrete}) for c in plan.create]
    model.objects.bulk_create(created, batch_size=IMPORT_BATCH_SIZE)
    if any(obj.pk is None for obj in created):  # databases that cannot return ids from a bulk insert
        ids = model.objects.in_bulk([c.key for c in plan.create], field_name=spec.key)
        created = [ids[c.key] for c in plan.create]

    updated, update_fields = [], set()
    for change in plan.update:
        obj = objects[change.key]
        for name in change.fields:
            if name in concrete:
                setattr(obj, name, change.values[name])
                update_fields.add(name)
        if has_updated_at:
            obj.updated_at = now  # bulk_update does not apply auto_now
        updated.append(obj)
    if update_fields:
        if has_updated_at:
            update_fields.add("updated_at")
        model.objects.bulk_update(updated, sorted(update_fields), batch_size=IMPORT_BATCH_SIZE)

    if spec.write_relations is not None:
        spec.write_relations(list(zip(created, plan.create, strict=True))
                             + list(zip(updated, plan.update, strict=True)))

    def record(obj: models.Model, action: str, data: dict) -> dict[str, Any]:
        return {"action": f"{spec.audit_prefix}.{action}", "obj": obj, "data": data,
                "resident": obj if spec.audit_resident else None}

    audit_records_bulk(
        actor=actor,
        now=now,
        batch_size=IMPORT_BATCH_SIZE,
        records=[
            *(record(obj, "import_create", {}) for obj in created),
            *(record(obj, "import_update", {"fields": list(change.fields)})
              for obj, change in zip(updated, plan.update, strict=True)),
        ],
    )


def _venue_values(venue: Venue, names: Sequence[str]) -> dict[str, Any]:
    values = _field_values(venue, [name for name in names if name != "vaccines"])
    values["vaccines"] = frozenset(vaccine.code for vaccine in venue.vaccines.all())
    return values


def _venue_vaccines_set(changes: list[tuple[models.Model, imports.Change]]) -> None:
    ids = dict(Vaccine.objects.values_list("code", "id"))
    for venue, change in changes:
        if "vaccines" not in change.fields:
            continue
        missing = change.values["vaccines"] - ids.keys()
        if missing:  # deleted since the file was checked: roll everything back
            raise InvalidInput(
                _("line %(line)d: vaccines: unknown vaccine code %(codes)s; nothing written.")
                % {"line": change.line, "codes": ", ".join(sorted(missing))},
                code="import_unknown_vaccine",
            )
        venue.vaccines.set([ids[code] for code in change.values["vaccines"]])


_RESIDENTS_IMPORT = _ImportSpec(model=Resident, key="ticket_number", audit_prefix="resident", audit_resident=True)
_VACCINES_IMPORT = _ImportSpec(model=Vaccine, key="code", audit_prefix="vaccine")
_VENUES_IMPORT = _ImportSpec(
    model=Venue, key="code", audit_prefix="venue",
    queryset=lambda: Venue.objects.prefetch_related("vaccines"),
    current_values=_venue_values,
    write_relations=_venue_vaccines_set,
)


def residents_import(*, actor: Actor, rows: Iterable[imports.Row], dry_run: bool = False,
                     now: datetime | None = None) -> ImportResult:
    """Create or update residents by ticket number from clean rows (`imports.RESIDENTS`), all or none.
    With `dry_run`, count what would change and write nothing."""
    return _records_import(spec=_RESIDENTS_IMPORT, actor=actor, rows=rows, dry_run=dry_run, now=now)


def vaccines_import(*, actor: Actor, rows: Iterable[imports.Row], dry_run: bool = False,
                    now: datetime | None = None) -> ImportResult:
    """Create or update vaccines by code from clean rows (`imports.VACCINES`), all or none."""
    return _records_import(spec=_VACCINES_IMPORT, actor=actor, rows=rows, dry_run=dry_run, now=now)


def venues_import(*, actor: Actor, rows: Iterable[imports.Row], dry_run: bool = False,
                  now: datetime | None = None) -> ImportResult:
    """Create or update venues by code, with the vaccines each offers, from clean rows (`imports.VENUES`),
    all or none. A vaccine code that no longer exists rolls everything back (InvalidInput)."""
    return _records_import(spec=_VENUES_IMPORT, actor=actor, rows=rows, dry_run=dry_run, now=now)


# --- Doses given elsewhere (the national system, through the API) ---------------------------------------


@dataclass(frozen=True)
class DoseGiven:
    ticket_number: str
    dose_number: int
    vaccine_code: str
    given_on: date
    lot: str = ""
    place: str = ""


def doses_import(*, actor: Actor, records: Iterable, reason: str) -> tuple[int, int]:
    """Record doses given elsewhere, all or nothing, one AuditEvent per dose recorded. A record identical to
    one already held is left as it is (unchanged); one that differs, or names an unknown ticket or vaccine,
    refuses the whole import (DoseImportRefused naming the record). Returns (created, unchanged)."""
    require_reason(actor, reason)
    created = unchanged = 0
    with transaction.atomic():
        vaccines = {v.code: v for v in Vaccine.objects.all()}
        audit = []
        for index, record in enumerate(records, start=1):
            try:
                ticket = rules.normalize_ticket_number(record.ticket_number)
            except InvalidInput:
                ticket = ""
            resident = Resident.objects.filter(ticket_number=ticket).first() if ticket else None
            vaccine = vaccines.get(record.vaccine_code)
            if resident is None:
                raise DoseImportRefused(_("Record %(n)d: no resident has this ticket number.") % {"n": index},
                                        code="dose_import_ticket")
            if vaccine is None:
                raise DoseImportRefused(_("Record %(n)d: no vaccine has this code.") % {"n": index},
                                        code="dose_import_vaccine")
            held = DoseRecord.objects.filter(resident=resident, dose_number=record.dose_number).first()
            if held is not None:
                if held.vaccine_id == vaccine.pk and held.given_on == record.given_on:
                    unchanged += 1
                    continue
                raise DoseImportRefused(
                    _("Record %(n)d: another dose is already recorded for this dose number.") % {"n": index},
                    code="dose_import_conflict")
            dose = DoseRecord.objects.create(resident=resident, dose_number=record.dose_number, vaccine=vaccine,
                                             given_on=record.given_on, lot=(record.lot or "").strip(),
                                             place=(record.place or "").strip(), source=DoseRecord.Source.IMPORT)
            created += 1
            audit.append({"action": "dose.import", "resident": resident, "obj": dose, "reason": reason,
                          "data": {"dose": record.dose_number, "vaccine": vaccine.code}})
        audit_records_bulk(actor=actor, records=audit)
    return created, unchanged
