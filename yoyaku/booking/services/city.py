"""The city's set-up: vaccines, venues, closing and reopening slots and days, closing booking windows,
notices. One transaction and one audit trail per act; staff acts that take places away from residents
(closing) need a reason.

Closing a slot (or a venue's day) sets `Slot.closed`: nobody can book it any more, and the reservations
in it stay booked, because the people holding them have to be told first. The console lists them
(`selectors.reservations_to_call`), and each of them gets an audit event on their own trail, so the call
centre sees why they are being called.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..errors import InvalidInput, NotYours
from ..imports import CODE_PATTERN
from ..models import Notice, Reservation, Slot, Vaccine, Venue
from .audit import Actor, audit_record, audit_records_bulk, require_reason

__all__ = [
    "VACCINE_LANGUAGE_FIELDS",
    "VENUE_LANGUAGE_FIELDS",
    "SlotsClosed",
    "notice_save",
    "notice_withdraw",
    "slot_close",
    "slot_reopen",
    "vaccine_save",
    "venue_day_close",
    "venue_save",
]

# The same bounds as the CSV imports (imports.VACCINES), so a value typed in the console could also be imported.
VACCINE_LIMITS = {"min_age": (0, 120), "next_dose_min_days": (0, 3650), "doses_per_vial": (1, 100)}


def _staff_only(actor: Actor) -> None:
    if actor.is_resident:
        raise NotYours()


def _local_minute(value: datetime | None) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _clean_code(value: str, *, model) -> str:
    value = (value or "").strip()
    limit = _max_length(model, "code")
    if not value:
        raise InvalidInput(_("Enter a code."), code="code_empty")
    if not CODE_PATTERN.match(value) or len(value) > limit:
        raise InvalidInput(
            _("A code is 1 to %(max)d letters A-Z, digits, “.”, “_” or “-”, for example PFZ or C01.") % {"max": limit},
            code="code_invalid",
        )
    return value


def _clean_text(value: str, *, model, name: str, label: str, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(_("Enter the %(field)s.") % {"field": label}, code=f"{name}_empty")
    limit = _max_length(model, name)
    if limit is not None and len(value) > limit:
        raise InvalidInput(
            _("The %(field)s is too long: at most %(max)d characters.") % {"field": label, "max": limit},
            code=f"{name}_too_long",
        )
    return value


def _changes(obj, values: dict) -> dict:
    """{field: [old, new]} of the fields that change. Vaccines and venues hold no personal data."""
    return {name: [getattr(obj, name), value] for name, value in values.items() if getattr(obj, name) != value}


# The names and texts a city may give per UI language (booking migration 0008): empty shows the Japanese.
LANGUAGE_SUFFIXES = ("en", "zh_hans", "ko")
VACCINE_LANGUAGE_FIELDS = tuple(f"name_{lang}" for lang in LANGUAGE_SUFFIXES)
VENUE_LANGUAGE_FIELDS = tuple(f"{name}_{lang}" for name in ("name", "area", "address", "notes")
                              for lang in LANGUAGE_SUFFIXES)


def _per_language(model, fields: tuple[str, ...], given: dict[str, str | None]) -> dict[str, str]:
    """The per-language values given (None: not given, the stored one stays), trimmed and within bounds."""
    values = {}
    for name in fields:
        if given.get(name) is not None:
            label = str(model._meta.get_field(name).verbose_name)
            values[name] = _clean_text(given[name], model=model, name=name, label=label)
    return values


def _code_taken(model, code: str) -> InvalidInput:
    return InvalidInput(
        _("The code %(code)s is already used by another %(kind)s. Choose another code.")
        % {"code": code, "kind": model._meta.verbose_name},
        code="code_taken",
    )


# --- Vaccines and venues ---------------------------------------------------------------------------------


def vaccine_save(
    *,
    actor: Actor,
    vaccine: Vaccine | None = None,
    code: str,
    name: str,
    min_age: int,
    next_dose_min_days: int,
    doses_per_vial: int,
    active: bool = True,
    name_en: str | None = None,
    name_zh_hans: str | None = None,
    name_ko: str | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> Vaccine:
    """Create a vaccine (`vaccine` None) or change one. Changes apply to bookings made from now on:
    reservations already made keep their slot. The name per language (`name_en`…) is optional: empty shows
    the Japanese; None leaves the stored one as it is."""
    _staff_only(actor)
    values = {
        "code": _clean_code(code, model=Vaccine),
        "name": _clean_text(name, model=Vaccine, name="name", label=_("vaccine name"), required=True),
        "active": bool(active),
        **_per_language(Vaccine, VACCINE_LANGUAGE_FIELDS,
                        {"name_en": name_en, "name_zh_hans": name_zh_hans, "name_ko": name_ko}),
    }
    numbers = {"min_age": min_age, "next_dose_min_days": next_dose_min_days, "doses_per_vial": doses_per_vial}
    labels = {"min_age": _("minimum age"), "next_dose_min_days": _("minimum days to the next dose"),
              "doses_per_vial": _("doses per vial")}
    for field, number in numbers.items():
        low, high = VACCINE_LIMITS[field]
        if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
            raise InvalidInput(_("The %(field)s must be a whole number from %(min)d to %(max)d.")
                               % {"field": labels[field], "min": low, "max": high}, code=f"{field}_invalid")
        values[field] = number

    try:
        with transaction.atomic():
            if Vaccine.objects.filter(code=values["code"]).exclude(pk=vaccine.pk if vaccine else None).exists():
                raise _code_taken(Vaccine, values["code"])
            if vaccine is None:
                vaccine = Vaccine.objects.create(**values)
                audit_record(actor=actor, action="vaccine.create", obj=vaccine, reason=reason, now=now,
                             data={"code": vaccine.code, "values": values})
                return vaccine
            current = Vaccine.objects.select_for_update().get(pk=vaccine.pk)
            changes = _changes(current, values)
            if changes:
                for field, value in values.items():
                    setattr(current, field, value)
                current.save(update_fields=list(values))
                audit_record(actor=actor, action="vaccine.update", obj=current, reason=reason, now=now,
                             data={"code": current.code, "changes": changes})
            return current
    except IntegrityError:  # the same code saved at the same moment by someone else
        raise _code_taken(Vaccine, values["code"]) from None


def venue_save(
    *,
    actor: Actor,
    venue: Venue | None = None,
    code: str,
    name: str,
    kind: str,
    area: str = "",
    address: str = "",
    phone: str = "",
    notes: str = "",
    vaccines: Iterable[Vaccine] = (),
    active: bool = True,
    reason: str = "",
    now: datetime | None = None,
    **per_language: str | None,
) -> Venue:
    """Create a venue (`venue` None) or change one. Slots already generated stay as they are (close them on
    the slots page); an inactive venue's slots cannot be booked, and its reservations stay. Name, area,
    address and access notes per language (`name_en`, `area_ko`, `notes_zh_hans`… VENUE_LANGUAGE_FIELDS)
    are optional: empty shows the Japanese; not given (None) leaves the stored one as it is."""
    _staff_only(actor)
    unknown = set(per_language) - set(VENUE_LANGUAGE_FIELDS)
    if unknown:
        raise TypeError(f"venue_save() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
    if kind not in Venue.Kind.values:
        raise InvalidInput(_("Choose the kind of venue: clinic or group site."), code="kind_invalid")
    values = {
        "code": _clean_code(code, model=Venue),
        "name": _clean_text(name, model=Venue, name="name", label=_("venue name"), required=True),
        "kind": kind,
        "area": _clean_text(area, model=Venue, name="area", label=_("area")),
        "address": _clean_text(address, model=Venue, name="address", label=_("address")),
        "phone": _clean_text(phone, model=Venue, name="phone", label=_("phone")),
        "notes": (notes or "").strip(),
        "active": bool(active),
        **_per_language(Venue, VENUE_LANGUAGE_FIELDS, per_language),
    }
    vaccine_ids = sorted({v.pk for v in vaccines})

    try:
        with transaction.atomic():
            if Venue.objects.filter(code=values["code"]).exclude(pk=venue.pk if venue else None).exists():
                raise _code_taken(Venue, values["code"])
            known = set(Vaccine.objects.filter(pk__in=vaccine_ids).values_list("pk", flat=True))
            if known != set(vaccine_ids):
                raise InvalidInput(_("A vaccine you chose no longer exists. Choose the vaccines again."),
                                   code="vaccine_gone")
            codes = sorted(Vaccine.objects.filter(pk__in=vaccine_ids).values_list("code", flat=True))
            if venue is None:
                venue = Venue.objects.create(**values)
                venue.vaccines.set(vaccine_ids)
                audit_record(actor=actor, action="venue.create", obj=venue, reason=reason, now=now,
                             data={"code": venue.code, "values": values, "vaccines": codes})
                return venue
            current = Venue.objects.select_for_update().get(pk=venue.pk)
            changes = _changes(current, values)
            old_codes = sorted(current.vaccines.values_list("code", flat=True))
            if old_codes != codes:
                changes["vaccines"] = [old_codes, codes]
            if changes:
                for field, value in values.items():
                    setattr(current, field, value)
                current.save(update_fields=list(values))
                current.vaccines.set(vaccine_ids)
                audit_record(actor=actor, action="venue.update", obj=current, reason=reason, now=now,
                             data={"code": current.code, "changes": changes})
            return current
    except IntegrityError:
        raise _code_taken(Venue, values["code"]) from None


# --- Closing slots and days ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotsClosed:
    closed: int  # slots closed by this call
    already_closed: int  # slots that were closed before (left as they were)
    to_call: int  # active reservations in the slots closed by this call: the residents to call


def _close(*, actor: Actor, slots: list[Slot], reason: str, now: datetime) -> tuple[list[int], int]:
    """Close the open ones of `slots` (inside the caller's transaction); one audit event per reservation
    that stays in a slot closed now. Returns (ids closed, active reservations in them)."""
    ids = [slot.pk for slot in slots if not slot.closed]
    # Locked and re-read (PostgreSQL; SQLite's IMMEDIATE transactions queue writers anyway): a slot closed by
    # someone else meanwhile is not closed, counted or audited twice. A booking racing the close either took
    # its place first (and its resident is listed) or meets `NOT closed` in its conditional update.
    closing = list(Slot.objects.select_for_update().filter(pk__in=ids, closed=False).order_by("pk")
                   .values_list("pk", flat=True))
    Slot.objects.filter(pk__in=closing).update(closed=True)
    stranded = list(Reservation.objects.active().filter(slot_id__in=closing).select_related("resident")
                    .order_by("slot_id", "pk"))
    audit_records_bulk(actor=actor, now=now, records=[
        {"action": "reservation.slot_closed", "resident": r.resident, "reservation": r, "obj": r, "reason": reason,
         "data": {"slot": r.slot_id}}
        for r in stranded
    ])
    return closing, len(stranded)


def _refuse_started(slot: Slot, now: datetime) -> None:
    if slot.starts_at <= now:
        raise InvalidInput(
            _("This slot began at %(when)s: a slot that has begun cannot be closed.")
            % {"when": _local_minute(slot.starts_at)},
            code="slot_started",
        )


def slot_close(*, actor: Actor, slot: Slot, reason: str, now: datetime | None = None) -> SlotsClosed:
    """Close a slot: nobody can book it; its reservations stay booked and are listed for a call. Closing a
    closed slot changes nothing."""
    _staff_only(actor)
    require_reason(actor, reason)
    now = now or timezone.now()
    with transaction.atomic():
        current = Slot.objects.select_related("venue").get(pk=slot.pk)
        if current.closed:
            return SlotsClosed(closed=0, already_closed=1, to_call=0)
        _refuse_started(current, now)
        closing, to_call = _close(actor=actor, slots=[current], reason=reason.strip(), now=now)
        if closing:
            audit_record(actor=actor, action="slot.close", obj=current, reason=reason.strip(), now=now,
                         data={"venue": current.venue.code, "starts_at": _local_minute(current.starts_at),
                               "booked": current.booked, "to_call": to_call})
        return SlotsClosed(closed=len(closing), already_closed=1 - len(closing), to_call=to_call)


def slot_reopen(*, actor: Actor, slot: Slot, reason: str, now: datetime | None = None) -> bool:
    """Open a closed slot for booking again. False (and nothing written) when it was not closed."""
    _staff_only(actor)
    require_reason(actor, reason)
    with transaction.atomic():
        if not Slot.objects.filter(pk=slot.pk, closed=True).update(closed=False):
            return False
        current = Slot.objects.select_related("venue").get(pk=slot.pk)
        audit_record(actor=actor, action="slot.reopen", obj=current, reason=reason.strip(), now=now,
                     data={"venue": current.venue.code, "starts_at": _local_minute(current.starts_at)})
        return True


def venue_day_close(*, actor: Actor, venue: Venue, day: date, reason: str,
                    now: datetime | None = None) -> SlotsClosed:
    """Close every slot of a venue on a local day that has not begun (the rest of today, when it is today)."""
    _staff_only(actor)
    require_reason(actor, reason)
    now = now or timezone.now()
    with transaction.atomic():
        slots = list(Slot.objects.filter(venue=venue, day=day).order_by("starts_at", "pk"))
        coming = [slot for slot in slots if slot.starts_at > now]
        if not coming:
            raise InvalidInput(
                _("%(venue)s has no slot on %(day)s that has not begun: nothing to close.")
                % {"venue": venue.name, "day": day.isoformat()},
                code="day_nothing_to_close",
            )
        closing, to_call = _close(actor=actor, slots=coming, reason=reason.strip(), now=now)
        if closing:
            audit_record(actor=actor, action="venue.day_close", obj=venue, reason=reason.strip(), now=now,
                         data={"venue": venue.code, "day": day.isoformat(), "slots": closing, "to_call": to_call})
        return SlotsClosed(closed=len(closing), already_closed=len(coming) - len(closing), to_call=to_call)


# --- Notices ---------------------------------------------------------------------------------------------

NOTICE_TEXT_FIELDS = ("title_ja", "body_ja", "title_en", "body_en", "title_zh_hans", "body_zh_hans",
                      "title_ko", "body_ko", "title_easy", "body_easy")
NOTICE_REQUIRED_FIELDS = ("title_ja", "body_ja")  # other languages fall back to Japanese (Notice.in_language)


def notice_save(
    *,
    actor: Actor,
    notice: Notice | None = None,
    texts: dict[str, str],
    publish_from: datetime,
    publish_until: datetime | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> Notice:
    """Write a notice (`notice` None) or change one. Title and body are required in Japanese only; English,
    Chinese and Korean are optional (residents reading those see the Japanese when they are empty), and so is
    the easy-Japanese version (title_easy, body_easy: shown on Japanese pages with furigana on)."""
    _staff_only(actor)
    unknown = set(texts) - set(NOTICE_TEXT_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown notice fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
                           code="notice_field_unknown")
    values = {}
    for field in NOTICE_TEXT_FIELDS:
        label = str(Notice._meta.get_field(field).verbose_name)
        value = (texts.get(field) or "").strip()
        if field in NOTICE_REQUIRED_FIELDS and not value:
            raise InvalidInput(_("Enter the %(field)s.") % {"field": label}, code=f"{field}_empty")
        limit = _max_length(Notice, field)
        if limit is not None and len(value) > limit:
            raise InvalidInput(_("The %(field)s is too long: at most %(max)d characters.")
                               % {"field": label, "max": limit}, code=f"{field}_too_long")
        values[field] = value
    if publish_until is not None and publish_until <= publish_from:
        raise InvalidInput(
            _("“Publish until” (%(until)s) must be after “publish from” (%(from)s).")
            % {"from": _local_minute(publish_from), "until": _local_minute(publish_until)},
            code="notice_until_before_from",
        )
    values["publish_from"] = publish_from
    values["publish_until"] = publish_until
    # The audit names the fields that changed and the schedule; the texts are in the notice itself.
    schedule = {"publish_from": _local_minute(publish_from), "publish_until": _local_minute(publish_until)}
    with transaction.atomic():
        if notice is None:
            notice = Notice.objects.create(**values)
            audit_record(actor=actor, action="notice.create", obj=notice, reason=reason.strip(), now=now,
                         data={**schedule, "languages": _languages(values)})
            return notice
        current = Notice.objects.select_for_update().get(pk=notice.pk)
        changed = sorted(name for name, value in values.items() if getattr(current, name) != value)
        if changed:
            for name, value in values.items():
                setattr(current, name, value)
            current.save(update_fields=list(values))
            audit_record(actor=actor, action="notice.update", obj=current, reason=reason.strip(), now=now,
                         data={**schedule, "fields": changed, "languages": _languages(values)})
        return current


def _languages(values: dict) -> list[str]:
    languages = [lang for lang in ("ja", "en", "zh_hans", "ko") if values.get(f"title_{lang}")]
    return [*languages, "easy"] if values.get("title_easy") or values.get("body_easy") else languages


def notice_withdraw(*, actor: Actor, notice: Notice, reason: str = "", now: datetime | None = None) -> Notice:
    """Stop showing a notice now (publish_until = now). A notice no longer shown is left as it is."""
    _staff_only(actor)
    now = now or timezone.now()
    with transaction.atomic():
        current = Notice.objects.select_for_update().get(pk=notice.pk)
        if current.publish_until is not None and current.publish_until <= now:
            return current
        before = _local_minute(current.publish_until)
        current.publish_until = now
        current.save(update_fields=["publish_until"])
        audit_record(actor=actor, action="notice.withdraw", obj=current, reason=(reason or "").strip(), now=now,
                     data={"publish_from": _local_minute(current.publish_from), "publish_until_before": before,
                           "publish_until": _local_minute(now)})
        return current
