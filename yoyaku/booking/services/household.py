"""Households: a logged-in resident (the holder) adds family members by their own ticket number and birth
date, then books, changes and cancels for them through the reservation services (docs/allocation.md, Households).

Verification here is the comparison only; the login throttle that must wrap it (counted first, then decided)
is the web layer's (web/throttle.py), as for the login: the resident site's household page calls it.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..errors import HouseholdAlreadyMember, HouseholdFull, HouseholdNotVerified, HouseholdSelf, NotYours
from ..models import HouseholdMember, Resident
from .audit import Actor, audit_record, require_reason

__all__ = ["household_member_add", "household_member_remove"]


def _check_holder(actor: Actor, holder: Resident) -> None:
    """A resident manages their own household only; staff may act for a caller (with a reason)."""
    if actor.is_resident and (actor.resident is None or actor.resident.pk != holder.pk):
        raise NotYours()
    if not (actor.is_resident or actor.is_staff):
        raise NotYours()


def household_member_add(*, actor: Actor, holder: Resident, ticket_number: str, birth_date: date,
                         reason: str = "", now: datetime | None = None) -> HouseholdMember:
    """Add the resident with this ticket number to the holder's household, if the birth date matches.

    `ticket_number` is normalised already (rules.normalize_ticket_number). An unknown or inactive ticket and a
    wrong birth date all raise HouseholdNotVerified, the same answer. At most settings.YOYAKU["HOUSEHOLD_LIMIT"]
    members: the holder's row is locked first, so two adds at once cannot pass the limit together."""
    now = now or timezone.now()
    require_reason(actor, reason)
    _check_holder(actor, holder)
    limit = settings.YOYAKU["HOUSEHOLD_LIMIT"]
    with transaction.atomic():
        # Serialise one holder's adds (PostgreSQL row lock; SQLite's IMMEDIATE transaction already does).
        Resident.objects.select_for_update().filter(pk=holder.pk).values_list("pk").first()
        member = Resident.objects.filter(ticket_number=ticket_number).first()
        if member is None or not member.active or member.birth_date != birth_date:
            raise HouseholdNotVerified()
        if member.pk == holder.pk:
            raise HouseholdSelf()
        if HouseholdMember.objects.filter(holder=holder, member=member).exists():
            raise HouseholdAlreadyMember()
        if HouseholdMember.objects.filter(holder=holder).count() >= limit:
            raise HouseholdFull(limit=limit)
        try:
            with transaction.atomic():
                link = HouseholdMember.objects.create(holder=holder, member=member, added_at=now)
        except IntegrityError:  # the same add twice at once: the unique constraint had the last word
            raise HouseholdAlreadyMember() from None
        audit_record(actor=actor, action="household.member_add", resident=member, obj=link, reason=reason,
                     now=now, data={"holder": holder.pk})
        return link


def household_member_remove(*, actor: Actor, holder: Resident, member_id: int, reason: str = "",
                            now: datetime | None = None) -> bool:
    """Remove a member from the holder's household. Their reservations stay theirs and stay booked (a family
    member who moves out keeps their appointment). Removing someone not (or no longer) in the household
    changes nothing and returns False."""
    now = now or timezone.now()
    require_reason(actor, reason)
    _check_holder(actor, holder)
    with transaction.atomic():
        link = HouseholdMember.objects.select_related("member").filter(holder=holder, member_id=member_id).first()
        if link is None:
            return False
        member, link_id = link.member, link.pk
        HouseholdMember.objects.filter(pk=link_id).delete()
        audit_record(actor=actor, action="household.member_remove", resident=member, reason=reason, now=now,
                     data={"holder": holder.pk})
        return True
