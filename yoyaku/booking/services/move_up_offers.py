"""Move-up offers (繰上げ): a freed place is emailed to the best candidates, who may accept it themselves.

`move_up_offers_make` is called by the services that free a place (cancel, change, capacity increase), inside
their transaction, so the offers and their emails commit or roll back with the act. Accepting is
`services.move_up.move_up_offer_accept`. This module imports no other service, so any service may call it.

For each free place of the slot the best YOYAKU["MOVE_UP_OFFERS_PER_PLACE"] candidates (the console's move-up
list: `move_up.candidates`, first asked, first served) get an offer, valid MOVE_UP_OFFER_MINUTES, unless:
- the feature is off (MOVE_UP_OFFERS), or the slot starts within MOVE_UP_OFFER_MIN_HOURS, or is not bookable;
- the candidate already holds a live offer for a slot at the same time or earlier (they would rather have
  that one), or already had an offer for this slot that did not end as "taken" (no second email for it);
- the candidate's reservation has no email address (the offer is an email; staff can still phone them).
Offers already open for the slot count: calling it twice makes nothing twice.

When the move-up list has fewer candidates than that, the rest of the offers go to the waiting list
(StandbyEntry with no venue and an email address, oldest first; WAITING_LIST_OFFERS turns it off): residents
with no place yet, for whom accepting books the place (`move_up_offer_accept`).
"""

from __future__ import annotations

import contextvars
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from .. import move_up
from ..models import MoveUpOffer, Reservation, Slot, StandbyEntry
from ..notifications import notification_for_move_up_offer, notification_for_waiting_list_offer
from .audit import Actor, audit_record

__all__ = ["move_up_offers_make", "offer_url", "offer_window", "offers_deferred"]

# While an offer is being accepted, the engine's own hook (the old place freed by the move) waits: the
# accept first settles the slot's other offers, then makes the offers for the old place itself.
_deferred: contextvars.ContextVar[bool] = contextvars.ContextVar("move_up_offers_deferred", default=False)


class offers_deferred:  # noqa: N801 - used as a context manager, named like one
    def __enter__(self):
        self._token = _deferred.set(True)

    def __exit__(self, *exc):
        _deferred.reset(self._token)
        return False


def _city():
    return settings.YOYAKU


def offer_url(token: str) -> str:
    return _city()["SITE_URL"] + reverse("portal:move_up_offer", kwargs={"token": token})


def offer_window(lead: timedelta) -> timedelta:
    """How long an offer holds when the slot starts `lead` from now. With MOVE_UP_OFFER_WINDOW_SHARE at 0,
    always MOVE_UP_OFFER_MINUTES; else that share of the time left, between MOVE_UP_OFFER_MIN_MINUTES and
    MOVE_UP_OFFER_MINUTES: the nearer the day, the shorter the window, so a place freed late still goes
    round several candidates before its day (docs/architecture.md, "Stewardship")."""
    city = _city()
    longest = timedelta(minutes=city["MOVE_UP_OFFER_MINUTES"])
    share = city.get("MOVE_UP_OFFER_WINDOW_SHARE", 0)
    if not share:
        return longest
    shortest = timedelta(minutes=city.get("MOVE_UP_OFFER_MIN_MINUTES", 15))
    return max(shortest, min(longest, lead * share))


def _live(now: datetime):
    return MoveUpOffer.objects.filter(status=MoveUpOffer.Status.OPEN, expires_at__gt=now)


def move_up_offers_make(*, slot: Slot | int, now: datetime | None = None) -> list[MoveUpOffer]:
    """Offer the free places of `slot` to the best candidates; returns the offers made (each with its email
    queued). Call inside the transaction that freed the place."""
    city = _city()
    if not city["MOVE_UP_OFFERS"] or _deferred.get():
        return []
    now = now or timezone.now()
    slot_id = getattr(slot, "pk", slot)
    slot = (move_up.free_slots(now=now, days=None).filter(pk=slot_id)
            .filter(starts_at__gte=now + timedelta(hours=city["MOVE_UP_OFFER_MIN_HOURS"]))
            .annotate(free_places=F("capacity") - F("booked")).first())
    if slot is None:  # full, closed, not on sale, too soon, or gone
        return []
    wanted = slot.free_places * city["MOVE_UP_OFFERS_PER_PLACE"] - _live(now).filter(slot=slot).count()
    if wanted <= 0:
        return []
    to_reservations = MoveUpOffer.objects.filter(reservation__isnull=False)
    busy = set(_live(now).filter(reservation__isnull=False, slot__starts_at__lte=slot.starts_at)
               .values_list("reservation_id", flat=True))
    busy |= set(to_reservations.filter(slot=slot).exclude(status=MoveUpOffer.Status.TAKEN)
                .values_list("reservation_id", flat=True))
    # Read a few more than wanted: some are busy, some have no email address.
    found = move_up.candidates(slot=slot, now=now, limit=wanted + len(busy) + 20)
    ids = [c.reservation_id for c in found if c.reservation_id not in busy]
    # PostgreSQL: lock the chosen reservations, skipping any another transaction holds (that resident is
    # changing or cancelling it right now). The offer rows' foreign keys would otherwise wait for such a
    # transaction while holding this slot's row, which it may need: a deadlock. SQLite: no-op.
    reservations = (Reservation.objects.select_related("slot__venue", "slot__vaccine", "resident")
                    .select_for_update(skip_locked=True, no_key=True, of=("self",))
                    .filter(pk__in=ids).exclude(email="").in_bulk())
    chosen = [reservations[pk] for pk in ids if pk in reservations][:wanted]
    expires_at = min(now + offer_window(slot.starts_at - now), slot.starts_at)
    made = []
    for reservation in chosen:
        offer = MoveUpOffer.objects.create(slot=slot, reservation=reservation, token=secrets.token_urlsafe(32),
                                           created_at=now, expires_at=expires_at)
        notification_for_move_up_offer(offer, reservation, url=offer_url(offer.token), now=now)
        audit_record(actor=Actor.system(), action="move_up_offer.make", resident=reservation.resident,
                     reservation=reservation, obj=offer, now=now,
                     data={"slot": slot.pk, "expires_at": expires_at.isoformat()})
        made.append(offer)
    if len(made) < wanted and city.get("WAITING_LIST_OFFERS", True):
        made += _offer_waiting_list(slot, wanted - len(made), now=now, expires_at=expires_at)
    return made


def _offer_waiting_list(slot: Slot, wanted: int, *, now: datetime, expires_at: datetime) -> list[MoveUpOffer]:
    """The places the move-up list leaves unoffered go to the waiting list (entries with an email address,
    oldest first: move_up.waiting_list_candidates), under the same rules: no second offer for this slot, none
    to an entry that holds a live offer for the same time or earlier."""
    live = _live(now).filter(standby_entry__isnull=False)
    busy = set(live.filter(slot__starts_at__lte=slot.starts_at).values_list("standby_entry_id", flat=True))
    busy |= set(MoveUpOffer.objects.filter(slot=slot, standby_entry__isnull=False)
                .exclude(status=MoveUpOffer.Status.TAKEN).values_list("standby_entry_id", flat=True))
    found = move_up.waiting_list_candidates(slot=slot, now=now, limit=wanted, exclude_entry_ids=busy)
    # As for the reservations above: skip an entry another transaction holds (staff giving it a place).
    free = set(StandbyEntry.objects.select_for_update(skip_locked=True, no_key=True, of=("self",))
               .filter(pk__in=[entry.pk for entry in found], status=StandbyEntry.Status.WAITING)
               .values_list("pk", flat=True))
    made = []
    for entry in (entry for entry in found if entry.pk in free):
        offer = MoveUpOffer.objects.create(slot=slot, standby_entry=entry, token=secrets.token_urlsafe(32),
                                           created_at=now, expires_at=expires_at)
        notification_for_waiting_list_offer(offer, entry, url=offer_url(offer.token), now=now)
        audit_record(actor=Actor.system(), action="move_up_offer.make", resident=entry.resident, obj=offer, now=now,
                     data={"slot": slot.pk, "expires_at": expires_at.isoformat(), "waiting_list": entry.pk})
        made.append(offer)
    return made
