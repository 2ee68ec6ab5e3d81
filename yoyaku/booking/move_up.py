"""Move-up (繰上げ): the free places of the coming days, and who can take each of them, best first.

Reads and pure rules only; the move itself is `services.reservation_move_up`. The console's move-up
pages use this module, and so can anything that offers a freed place to residents (emailed offers):

    free_slots(now=..., days=7)                -> the slots with a free place in the coming days
    candidates(slot=..., now=..., limit=20)    -> the residents who can take one slot, best first
    candidates_for_slots(slots=[...], now=..., limit=3) -> the same for many slots, in a fixed number of queries

A candidate holds an active reservation for a dose the slot serves, asked for an earlier date
(`wants_move_up`), is an active resident, has an appointment later than the slot, and may take the slot
by the rules a booking follows (`rules.dose_eligibility`: the booking windows; `rules.check_slot_for_dose`:
minimum age on the day, the interval after the previous dose, the same vaccine unless the city allows a
switch, and the interval before a following dose already booked or given).

THE ORDERING RULE: first asked, first served. Candidates are ordered by the moment they made the
reservation in which they asked for an earlier date (`Reservation.created_at`), the earliest first; two
made at the same moment go by reservation number. It is fair (nobody overtakes someone who asked earlier),
it does not depend on the slot (the same person is first wherever they can go), and a person can be told
on the phone why they were called. `order_key` is the rule; the database sorts by the same key so that the
best candidates come first and the scan can stop early.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from . import rules, selectors
from .availability import local_midnight
from .errors import BookingError, MoveUpNotPossible, SlotUnavailable, WrongVaccine
from .models import DoseRecord, Reservation, Slot, StandbyEntry, Vaccine

DEFAULT_DAYS = 7
MAX_DAYS = 31
# The candidates are read in chunks of CHUNK rows, best first, until every slot asked about has its
# `limit`. MAX_SCAN bounds the work (and the queries: MAX_SCAN / CHUNK at most); with real data the
# first chunk is nearly always enough, because most people who asked can take most earlier places.
CHUNK = 500
MAX_SCAN = 5000


# --- The facts the rules need ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotFacts:
    """The free slot, as the pure rules see it."""

    slot_id: int
    starts_at: datetime
    day: date
    dose_mask: int
    vaccine_code: str
    vaccine_name: str
    vaccine_min_age: int
    vaccine_next_dose_min_days: int

    @classmethod
    def of(cls, slot: Slot) -> SlotFacts:
        return cls(
            slot_id=slot.pk, starts_at=slot.starts_at, day=timezone.localdate(slot.starts_at),
            dose_mask=slot.dose_mask, vaccine_code=slot.vaccine.code, vaccine_name=slot.vaccine.name,
            vaccine_min_age=slot.vaccine.min_age, vaccine_next_dose_min_days=slot.vaccine.next_dose_min_days,
        )

    def serves(self, dose_number: int) -> bool:
        return bool(self.dose_mask & (1 << (dose_number - 1)))


@dataclass(frozen=True)
class Candidate:
    """A resident who asked for an earlier date, with their reservation and the facts of their other doses."""

    reservation_id: int
    code: str
    dose_number: int
    asked_at: datetime  # when the reservation that asks for an earlier date was made
    current_slot_id: int
    current_starts_at: datetime
    current_venue: str
    resident_id: int
    family_name: str
    given_name: str
    family_name_kana: str
    given_name_kana: str
    birth_date: date
    phone: str
    groups: frozenset[str] = field(default_factory=frozenset)
    previous: rules.PreviousDose | None = None  # the dose before: given or booked
    following: rules.PreviousDose | None = None  # the dose after, when already booked or given
    given_doses: frozenset[int] = frozenset()  # of this dose number: a record already says it was given

    @property
    def name(self) -> str:
        return f"{self.family_name} {self.given_name}"

    @property
    def kana(self) -> str:
        return f"{self.family_name_kana} {self.given_name_kana}".strip()

    def days_earlier(self, slot_day: date) -> int:
        """How many days earlier the slot is than the current appointment (0: the same day, earlier time)."""
        return (timezone.localdate(self.current_starts_at) - slot_day).days


# --- The pure rules ----------------------------------------------------------------------------------


def order_key(candidate: Candidate) -> tuple:
    """THE ORDERING RULE: first asked, first served; the reservation number breaks a tie."""
    return (candidate.asked_at, candidate.reservation_id)


def rank(candidates: Iterable[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=order_key)


def why_not(candidate: Candidate, slot: SlotFacts, *, windows: Sequence[rules.Window], now: datetime,
            allow_vaccine_switch: bool, max_dose: int) -> BookingError | None:
    """Why this candidate cannot take this slot (the error a booking would raise), or None if they can."""
    if not slot.serves(candidate.dose_number):
        return SlotUnavailable()
    if candidate.current_starts_at <= slot.starts_at:
        return MoveUpNotPossible(reason="not_earlier")
    eligibility = rules.dose_eligibility(
        dose_number=candidate.dose_number, birth_date=candidate.birth_date, groups=candidate.groups,
        windows=list(windows), previous=candidate.previous, given_doses=candidate.given_doses, now=now,
        max_dose=max_dose,
    )
    if not eligibility.allowed:
        return eligibility.error
    try:
        rules.check_slot_for_dose(
            slot_day=slot.day, vaccine_code=slot.vaccine_code, vaccine_min_age=slot.vaccine_min_age,
            birth_date=candidate.birth_date, previous=candidate.previous, following=candidate.following,
            following_vaccine_min_days=slot.vaccine_next_dose_min_days, allow_vaccine_switch=allow_vaccine_switch,
        )
    except BookingError as error:
        return error
    following = candidate.following
    if following is not None and not allow_vaccine_switch and following.vaccine_code != slot.vaccine_code:
        return WrongVaccine(vaccine_name=following.vaccine_name)
    return None


def can_take(candidate: Candidate, slot: SlotFacts, **context) -> bool:
    return why_not(candidate, slot, **context) is None


# --- Reads ------------------------------------------------------------------------------------------------


def free_slots(*, now: datetime | None = None, days: int | None = DEFAULT_DAYS,
               venue_ids: Iterable[int] | None = None):
    """The slots with a free place from now to the end of the `days`-th day (today is the first; None: no
    end), that a booking could take now (open, on sale, venue and vaccine active), earliest first. A QuerySet."""
    now = now or timezone.now()
    slots = (
        Slot.objects.bookable(now=now).with_free()
        .filter(venue__active=True, vaccine__active=True)
        .select_related("venue", "vaccine")
        .order_by("starts_at", "venue__area", "venue__code", "pk")
    )
    if days is not None:
        slots = slots.filter(starts_at__lt=local_midnight(timezone.localdate(now) + timedelta(days=max(1, days))))
    if venue_ids is not None:
        slots = slots.filter(venue_id__in=list(venue_ids))
    return slots


def _fact(prefix: str, *, offset: int):
    """Subqueries for the dose `offset` away from the reservation's own: given (a DoseRecord), or booked."""
    dose = OuterRef("dose_number") + offset
    # .order_by(): one row at most matches (the unique indexes), so no sort in the subquery.
    given = DoseRecord.objects.filter(resident=OuterRef("resident_id"), dose_number=dose).order_by()
    booked = Reservation.objects.filter(resident=OuterRef("resident_id"), dose_number=dose,
                                        status=Reservation.Status.BOOKED).order_by()
    return {
        f"{prefix}_given_on": Subquery(given.values("given_on")[:1]),
        f"{prefix}_given_vaccine": Subquery(given.values("vaccine_id")[:1]),
        f"{prefix}_booked_at": Subquery(booked.values("slot__starts_at")[:1]),
        f"{prefix}_booked_vaccine": Subquery(booked.values("slot__vaccine_id")[:1]),
    }


def wanting_move_up():
    """Active reservations of active residents who asked for an earlier date, with the facts of the doses
    before and after (one row each, no extra queries), best first by the ordering rule."""
    return (
        Reservation.objects.active()
        .filter(wants_move_up=True, resident__active=True)
        .annotate(
            **_fact("prev", offset=-1),
            **_fact("next", offset=1),
            this_given=Exists(DoseRecord.objects.filter(resident=OuterRef("resident_id"),
                                                        dose_number=OuterRef("dose_number"))),
        )
        .select_related("resident", "slot__venue")
        # Only what a Candidate shows or the rules need: narrow rows sort in memory, even by the thousand.
        .only("code", "dose_number", "created_at", "recipient_phone", "resident_id", "slot_id",
              "resident__family_name", "resident__given_name", "resident__family_name_kana",
              "resident__given_name_kana", "resident__birth_date", "resident__phone", "resident__groups",
              "slot__starts_at", "slot__venue_id", "slot__venue__name")
        .order_by("created_at", "pk")
    )


def _dose(dose_number: int, given_on, given_vaccine, booked_at, booked_vaccine, vaccines) -> rules.PreviousDose | None:
    # As selectors.dose_fact: a dose given wins over a booking of it.
    if given_on is not None and given_vaccine in vaccines:
        vaccine, on, given = vaccines[given_vaccine], given_on, True
    elif booked_at is not None and booked_vaccine in vaccines:
        vaccine, on, given = vaccines[booked_vaccine], timezone.localdate(booked_at), False
    else:
        return None
    return rules.PreviousDose(dose_number=dose_number, on=on, vaccine_code=vaccine.code, vaccine_name=vaccine.name,
                              next_dose_min_days=vaccine.next_dose_min_days, given=given)


def candidate_of(row: Reservation, vaccines: dict[int, Vaccine]) -> Candidate:
    """A Candidate from a row of `wanting_move_up()`."""
    resident = row.resident
    return Candidate(
        reservation_id=row.pk, code=row.code, dose_number=row.dose_number, asked_at=row.created_at,
        current_slot_id=row.slot_id, current_starts_at=row.slot.starts_at, current_venue=row.slot.venue.name,
        resident_id=resident.pk, family_name=resident.family_name, given_name=resident.given_name,
        family_name_kana=resident.family_name_kana, given_name_kana=resident.given_name_kana,
        birth_date=resident.birth_date, phone=row.recipient_phone or resident.phone, groups=resident.group_set,
        previous=_dose(row.dose_number - 1, row.prev_given_on, row.prev_given_vaccine, row.prev_booked_at,
                       row.prev_booked_vaccine, vaccines) if row.dose_number > 1 else None,
        following=_dose(row.dose_number + 1, row.next_given_on, row.next_given_vaccine, row.next_booked_at,
                        row.next_booked_vaccine, vaccines),
        given_doses=frozenset({row.dose_number}) if row.this_given else frozenset(),
    )


@dataclass
class Found:
    """Candidates per slot id, best first; `complete` is False when the scan stopped at MAX_SCAN rows
    before every slot had its limit (more candidates may exist further down the list)."""

    by_slot: dict[int, list[Candidate]]
    complete: bool = True


def candidates_for_slots(*, slots: Sequence[Slot], now: datetime | None = None, limit: int = 3,
                         chunk: int = CHUNK, max_scan: int = MAX_SCAN) -> Found:
    """The best `limit` candidates of each slot (slots with venue and vaccine loaded).

    Queries: the booking windows, the vaccines, and one per chunk of CHUNK candidates read (in practice
    one): the same number whatever the number of residents, reservations or slots.
    """
    now = now or timezone.now()
    facts = [SlotFacts.of(slot) for slot in slots]
    found: dict[int, list[Candidate]] = {fact.slot_id: [] for fact in facts}
    if not facts or limit <= 0:
        return Found(found)
    city = settings.YOYAKU
    context = {"windows": selectors.booking_windows(), "now": now,
               "allow_vaccine_switch": city["ALLOW_VACCINE_SWITCH"], "max_dose": city["MAX_DOSE"]}
    vaccines = {vaccine.pk: vaccine for vaccine in Vaccine.objects.all()}

    # Narrow in SQL what cannot be a candidate for any of the slots; the rules decide in Python.
    doses = sorted({dose for fact in facts for dose in range(1, 17) if fact.serves(dose)})
    oldest_allowed_birth = max(rules.latest_birth_date_for_age(fact.vaccine_min_age, fact.day) for fact in facts)
    rows = wanting_move_up().filter(
        dose_number__in=doses,
        slot__starts_at__gt=min(fact.starts_at for fact in facts),
        resident__birth_date__lte=oldest_allowed_birth,
    )
    waiting = list(facts)
    scanned = 0
    after: tuple[datetime, int] | None = None
    while waiting and scanned < max_scan:
        page = rows
        if after is not None:
            page = page.filter(Q(created_at__gt=after[0]) | Q(created_at=after[0], pk__gt=after[1]))
        batch = list(page[:chunk])
        scanned += len(batch)
        for row in batch:
            candidate = candidate_of(row, vaccines)
            for fact in waiting:
                if can_take(candidate, fact, **context):
                    found[fact.slot_id].append(candidate)
            waiting = [fact for fact in waiting if len(found[fact.slot_id]) < limit]
            if not waiting:
                break
        if len(batch) < chunk:
            return Found(found)
        after = (batch[-1].created_at, batch[-1].pk)
    return Found(found, complete=not waiting)


def candidates(*, slot: Slot, now: datetime | None = None, limit: int = 20) -> list[Candidate]:
    """The residents who can take this slot, best first (at most `limit`)."""
    return candidates_for_slots(slots=[slot], now=now, limit=limit).by_slot[slot.pk]


# How many waiting-list entries one call reads at most: each costs two queries (the resident's doses).
WAITING_LIST_SCAN = 50


def waiting_list_candidates(*, slot: Slot, now: datetime | None = None, limit: int = 3,
                            exclude_entry_ids: Iterable[int] = ()) -> list[StandbyEntry]:
    """The waiting-list entries (any venue, still waiting, with an email address) whose resident could book
    this slot now, oldest first: first asked, first served, as on the move-up list. A resident who holds a
    booking for the dose is left out (the move-up list serves them), and so is one whom a booking of this
    slot would refuse (the booking windows, the minimum age on the day, the dose order and intervals)."""
    now = now or timezone.now()
    fact = SlotFacts.of(slot)
    city = settings.YOYAKU
    doses = [dose for dose in range(1, city["MAX_DOSE"] + 1) if fact.serves(dose)]
    entries = (StandbyEntry.objects.select_related("resident")
               .filter(status=StandbyEntry.Status.WAITING, venue__isnull=True, resident__active=True,
                       dose_number__in=doses,
                       resident__birth_date__lte=rules.latest_birth_date_for_age(fact.vaccine_min_age, fact.day))
               .exclude(email="").exclude(pk__in=list(exclude_entry_ids)).order_by("created_at", "pk"))
    windows = selectors.booking_windows()
    found = []
    for entry in entries[:WAITING_LIST_SCAN]:
        history = selectors.dose_history(resident=entry.resident)
        if history.active(entry.dose_number) is not None or entry.dose_number in history.given:
            continue
        eligibility = selectors.dose_eligibility(resident=entry.resident, dose_number=entry.dose_number, now=now,
                                                 history=history, windows=windows)
        if not eligibility.allowed:
            continue
        try:
            rules.check_slot_for_dose(
                slot_day=fact.day, vaccine_code=fact.vaccine_code, vaccine_min_age=fact.vaccine_min_age,
                birth_date=entry.resident.birth_date,
                previous=selectors.previous_dose(resident=entry.resident, dose_number=entry.dose_number,
                                                 history=history),
                following=selectors.dose_fact(resident=entry.resident, dose_number=entry.dose_number + 1,
                                              history=history),
                following_vaccine_min_days=fact.vaccine_next_dose_min_days,
                allow_vaccine_switch=city["ALLOW_VACCINE_SWITCH"])
        except BookingError:
            continue
        found.append(entry)
        if len(found) >= limit:
            break
    return found


__all__ = [
    "CHUNK", "DEFAULT_DAYS", "MAX_DAYS", "MAX_SCAN", "Candidate", "Found", "SlotFacts", "can_take", "candidate_of",
    "candidates", "candidates_for_slots", "free_slots", "order_key", "rank", "waiting_list_candidates",
    "wanting_move_up", "why_not",
]
