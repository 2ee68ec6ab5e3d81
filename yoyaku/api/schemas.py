"""The API's request and response shapes (pydantic, through django-ninja): the OpenAPI document comes from these."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator

TICKET = Field(..., pattern=r"^[0-9]{10}$", description="The 10-digit ticket number (接種券番号).")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_date(value):
    # pydantic would also read a number as a date (seconds since 1970): a date here is YYYY-MM-DD only.
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError("a date is YYYY-MM-DD")
    if not isinstance(value, str | date):
        raise ValueError("a date is YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
REASON = Field(..., min_length=1, max_length=500, description="Why (kept in the audit log).")


class ProblemOut(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    code: str


class VenueOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    area: str
    address: str


class SlotOut(Schema):
    id: int
    venue_id: int
    vaccine_code: str
    vaccine_name: str
    starts_at: datetime
    ends_at: datetime
    day: date
    capacity: int
    booked: int
    free: int
    doses: list[int]
    closed: bool
    bookable_from: datetime | None


class WindowOut(Schema):
    id: int
    label: str
    doses: list[int]
    born_on_or_before: date | None
    born_after: date | None
    group: str
    opens_at: datetime
    closes_at: datetime | None


class ReservationOut(Schema):
    id: int
    code: str
    ticket_number: str
    dose_number: int
    status: str
    channel: str
    slot: SlotOut
    created_at: datetime
    cancelled_at: datetime | None


class DoseOut(Schema):
    ticket_number: str
    dose_number: int
    vaccine_code: str
    given_on: IsoDate
    lot: str
    place: str
    source: str


class ResidentOut(Schema):
    ticket_number: str
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    birth_date: date
    active: bool
    language: str
    reservations: list[ReservationOut]
    doses: list[DoseOut]


class AuditOut(Schema):
    id: int
    created_at: datetime
    actor_kind: str
    actor: str
    action: str
    ticket_number: str | None
    reservation_code: str | None
    object_type: str
    object_id: str
    reason: str
    data: dict


class LookupIn(Schema):
    ticket_number: str = TICKET


class BookIn(Schema):
    ticket_number: str = TICKET
    slot_id: int = Field(..., ge=1, le=2**31 - 1)
    dose_number: int = Field(..., ge=1, le=16)
    reason: str = REASON
    email: str = Field("", max_length=254)
    recipient_phone: str = Field("", max_length=20)
    wants_move_up: bool = False


class ChangeIn(Schema):
    slot_id: int = Field(..., ge=1, le=2**31 - 1)
    reason: str = REASON


class CancelIn(Schema):
    reason: str = REASON


class DoseIn(Schema):
    ticket_number: str = TICKET
    dose_number: int = Field(..., ge=1, le=16)
    vaccine_code: str = Field(..., min_length=1, max_length=20)
    given_on: IsoDate
    lot: str = Field("", max_length=40)
    place: str = Field("", max_length=200)


class DoseImportIn(Schema):
    records: list[DoseIn] = Field(..., min_length=1, max_length=1000)
    reason: str = REASON


class DoseImportOut(Schema):
    created: int
    unchanged: int


class AuthoriseIn(Schema):
    ticket_number: str = TICKET
    birth_date: IsoDate
    name: str = Field("", max_length=100, description="What the resident calls the bot (shown to them).")


class TokenOut(Schema):
    token: str = Field(..., description="Shown once: keep it; only its digest is stored.")
    prefix: str
    scopes: list[str]


class BotBookIn(Schema):
    slot_id: int = Field(..., ge=1, le=2**31 - 1)
    dose_number: int = Field(..., ge=1, le=16)
    email: str = Field("", max_length=254)


class BotChangeIn(Schema):
    slot_id: int = Field(..., ge=1, le=2**31 - 1)


class RevokedOut(Schema):
    revoked: bool


class ContactIn(Schema):
    channel: Literal["email", "sms", "line"] = Field(..., description="How the city sends this resident messages.")
    line_user_id: str | None = Field(None, pattern=r"^U[0-9a-f]{32}$", description=(
        "The resident's LINE user id as the city's LINE bot sees it (the webhook event's source.userId): "
        "links LINE for the city's messages. Left out: the link stays as it is."))


class ContactOut(Schema):
    channel: str
    line_linked: bool

