"""Who acts (Actor) and the audit trail every write leaves: who, what, when, why."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..errors import ReasonRequired
from ..models import (
    AuditEvent,
    Resident,
)


@dataclass(frozen=True)
class Actor:
    """Who is acting: the resident on the web, a staff member (with a reason), or the system."""

    kind: str
    resident: Resident | None = None
    user: object | None = None
    client_address: str | None = None

    @classmethod
    def for_resident(cls, resident: Resident, *, client_address: str | None = None) -> Actor:
        return cls(AuditEvent.ActorKind.RESIDENT, resident=resident, client_address=client_address)

    @classmethod
    def for_staff(cls, user, *, client_address: str | None = None) -> Actor:
        return cls(AuditEvent.ActorKind.STAFF, user=user, client_address=client_address)

    @classmethod
    def unknown_resident(cls, *, client_address: str | None = None) -> Actor:
        """Someone trying to log in to the resident site (not logged in: who, the log cannot say)."""
        return cls(AuditEvent.ActorKind.RESIDENT, client_address=client_address)

    @classmethod
    def system(cls) -> Actor:
        return cls(AuditEvent.ActorKind.SYSTEM)

    @property
    def is_resident(self) -> bool:
        return self.kind == AuditEvent.ActorKind.RESIDENT

    @property
    def is_staff(self) -> bool:
        return self.kind == AuditEvent.ActorKind.STAFF


def _audit_event(*, actor: Actor, action: str, resident=None, reservation=None, obj=None, reason: str = "",
                 data: dict | None = None, now: datetime) -> AuditEvent:
    # Ids rather than instances: assigning a related instance costs checks that add up in bulk (imports).
    return AuditEvent(
        created_at=now,
        actor_kind=actor.kind,
        actor_user_id=actor.user.pk if actor.user is not None else None,
        actor_resident_id=actor.resident.pk if actor.resident is not None else None,
        action=action,
        resident_id=resident.pk if resident is not None else None,
        reservation_id=reservation.pk if reservation is not None else None,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        reason=reason,
        data=data or {},
        client_address=actor.client_address,
    )


def audit_record(*, actor: Actor, action: str, resident=None, reservation=None, obj=None, reason: str = "",
                 data: dict | None = None, now: datetime | None = None) -> AuditEvent:
    event = _audit_event(actor=actor, action=action, resident=resident, reservation=reservation, obj=obj,
                         reason=reason, data=data, now=now or timezone.now())
    event.save(force_insert=True)
    return event


def audit_records_bulk(*, actor: Actor, records: Iterable[Mapping[str, Any]], now: datetime | None = None,
                       batch_size: int = 1000) -> list[AuditEvent]:
    """`audit_record` for many records at once (imports): one AuditEvent per record, inserted in batches.

    Each record holds the keyword arguments of `audit_record` other than `actor` and `now`: `action`
    and any of `resident`, `reservation`, `obj`, `reason`, `data`. Call it inside the transaction of
    the change it records.
    """
    now = now or timezone.now()
    events = [_audit_event(actor=actor, now=now, **record) for record in records]
    return AuditEvent.objects.bulk_create(events, batch_size=batch_size)



def resident_log_in(*, actor: Actor) -> None:
    """Record a resident's login (who and from where; the session is the view's business)."""
    audit_record(actor=actor, action="resident.login", resident=actor.resident, obj=actor.resident)


# Failed logins, lockouts and second-factor failures: the city sees an attack in its own log (issue 18).
# Never the typed password or birth date; the ticket number (or a staff user name that matches no account)
# only as a keyed hash (web/throttle.ticket_hash).
LOGIN_FAILED = "resident.login_failed"
LOGIN_LOCKED = "resident.login_locked"
STAFF_LOGIN_FAILED = "staff.login_failed"
STAFF_LOGIN_LOCKED = "staff.login_locked"
STAFF_SECOND_FACTOR_FAILED = "staff.second_factor_failed"
SECURITY_ACTIONS = (LOGIN_FAILED, LOGIN_LOCKED, STAFF_LOGIN_FAILED, STAFF_LOGIN_LOCKED, STAFF_SECOND_FACTOR_FAILED)


def login_failed(*, actor: Actor, subject_hash: str, reason: str, site: str = "portal", resident=None,
                 locked: str = "") -> None:
    """Record a failed login (and, when it locked the ticket/account or the address, the lockout).

    `actor`: Actor(kind resident or staff, with the staff user when the name matches an account) and the
    client address; `subject_hash`: the keyed hash of the ticket number or user name; `reason`: a code
    (wrong_password, no_role, not_superuser); `locked`: "" or the scope locked now ("ticket", "address")."""
    staff = actor.is_staff
    data = {"subject": subject_hash, "reason": reason, "site": site}
    with transaction.atomic():
        audit_record(actor=actor, action=STAFF_LOGIN_FAILED if staff else LOGIN_FAILED, resident=resident, data=data)
        if locked:
            audit_record(actor=actor, action=STAFF_LOGIN_LOCKED if staff else LOGIN_LOCKED, resident=resident,
                         data={**data, "scope": locked})


def require_reason(actor: Actor, reason: str) -> None:
    if actor.is_staff and not (reason or "").strip():
        raise ReasonRequired()
