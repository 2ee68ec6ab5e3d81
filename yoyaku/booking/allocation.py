"""Allocation mode, the pure part: the lottery order and the matching of wishes to places. No database here.

The rule (docs/allocation.md): priority groups first, then a seeded random lottery among equals; in that order
each resident gets the best free place within their wishes that the dose rules allow (`rules.check_slot_for_dose`,
the same check the booking engine makes). "Best": the first venue (or area) in the resident's order of
preference that has a place, and there the earliest time. No wishes about venues: the earliest place anywhere.

services/allocation.py gathers the facts, asks these functions, and takes the places through the booking
engine's conditional update.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext as _

from . import rules
from .errors import BookingError

# Times of day a resident may pick: bit 0 morning (before 12:00), bit 1 afternoon (12:00-16:59), bit 2 evening.
MORNING, AFTERNOON, EVENING = 1, 2, 4
ALL_PARTS = MORNING | AFTERNOON | EVENING
ALL_WEEKDAYS = 0b1111111


class AllocationError(BookingError):
    """An act on a registration that the round no longer allows; `reason` says which, the message says why."""

    code = "allocation"

    def __init__(self, *, reason: str):
        super().__init__(reason=reason)
        self.reason = reason
        self.code = f"allocation_{reason}"

    @property
    def message(self) -> str:
        messages = {
            "not_allocation": _("This booking window does not take wishes."),
            "registration_closed": _("The registration period is closed; wishes can no longer be changed."),
            "registration_not_open": _("The registration period has not started yet."),
            "not_offered": _("There is no allocated appointment waiting for your answer."),
            "confirm_time_over": _("The time to confirm this appointment is over; the place went to the next person."),
            "not_registered": _("You have no registration to change."),
        }
        return messages.get(self.reason, _("This could not be done."))


def part_of_day(hour: int) -> int:
    if hour < 12:
        return MORNING
    if hour < 17:
        return AFTERNOON
    return EVENING


@dataclass(frozen=True)
class Place:
    """A slot that can take allocations: its free places are counted by `allocate`."""

    slot_id: int
    venue_id: int
    area: str
    starts_at: datetime  # aware; compared only with other slots' times
    day: date  # local day
    hour: int  # local hour
    vaccine_code: str
    vaccine_name: str
    vaccine_min_age: int
    vaccine_next_dose_min_days: int
    free: int


@dataclass(frozen=True)
class Wish:
    """One registration's wishes and the facts the dose rules need."""

    registration_id: int
    resident_id: int
    dose_number: int
    birth_date: date
    venue_ids: tuple[int, ...] = ()
    areas: tuple[str, ...] = ()
    weekday_mask: int = ALL_WEEKDAYS
    part_mask: int = ALL_PARTS
    earliest_date: date | None = None
    previous: rules.PreviousDose | None = None
    following: rules.PreviousDose | None = None
    priority: int = 0
    position: int | None = None  # the place in the order from an earlier round, kept

    def venue_rank(self, place: Place) -> int | None:
        """0 for the first choice, 1 for the next…; None: not acceptable. No venue wishes: every venue is 0."""
        if not self.venue_ids and not self.areas:
            return 0
        if place.venue_id in self.venue_ids:
            return self.venue_ids.index(place.venue_id)
        if place.area in self.areas:
            return len(self.venue_ids) + self.areas.index(place.area)
        return None

    def accepts_time(self, place: Place) -> bool:
        if self.earliest_date is not None and place.day < self.earliest_date:
            return False
        if not self.weekday_mask & (1 << place.day.weekday()):
            return False
        return bool(self.part_mask & part_of_day(place.hour))


def dose_rules_allow(wish: Wish, place: Place, *, allow_vaccine_switch: bool) -> bool:
    """The booking engine's check of a slot for a dose (age, interval, same vaccine), as a yes or no."""
    try:
        rules.check_slot_for_dose(
            slot_day=place.day, vaccine_code=place.vaccine_code, vaccine_min_age=place.vaccine_min_age,
            birth_date=wish.birth_date, previous=wish.previous, following=wish.following,
            following_vaccine_min_days=place.vaccine_next_dose_min_days, allow_vaccine_switch=allow_vaccine_switch,
        )
    except BookingError:
        return False
    if wish.following is not None and not allow_vaccine_switch and wish.following.vaccine_code != place.vaccine_code:
        return False
    return True


def acceptable(wish: Wish, place: Place, *, allow_vaccine_switch: bool) -> bool:
    return (wish.venue_rank(place) is not None and wish.accepts_time(place)
            and dose_rules_allow(wish, place, allow_vaccine_switch=allow_vaccine_switch))


def lottery_order(wishes: Iterable[Wish], *, seed: int) -> list[Wish]:
    """Priority first (lower is served first); among equals, those placed in an earlier round keep their order
    ahead of newcomers, and newcomers are drawn by a lottery seeded with `seed`: the same registrations and seed
    always give the same order, whatever order they were read in."""
    wishes = sorted(wishes, key=lambda w: w.registration_id)
    rng = random.Random(seed)
    draws = {w.registration_id: rng.random() for w in wishes}
    return sorted(wishes, key=lambda w: (w.priority, 0 if w.position is not None else 1,
                                         w.position if w.position is not None else 0, draws[w.registration_id]))


@dataclass
class Matching:
    """Who gets which slot, and the free places left."""

    assignments: dict[int, int] = field(default_factory=dict)  # registration id -> slot id
    first_choice: int = 0  # allocated at their first venue or area (or anywhere, when they named none)
    free: dict[int, int] = field(default_factory=dict)  # slot id -> free places left


class _Board:
    """The free places by venue, each venue's in time order; a full slot leaves its list."""

    def __init__(self, places: Sequence[Place]):
        self.free = {p.slot_id: p.free for p in places}
        self.by_venue: dict[int, list[Place]] = {}
        for place in sorted(places, key=lambda p: (p.starts_at, p.slot_id)):
            if place.free > 0:
                self.by_venue.setdefault(place.venue_id, []).append(place)
        self.days = {venue: [p.day for p in lst] for venue, lst in self.by_venue.items()}
        self.area_of = {p.venue_id: p.area for p in places}

    def first_fit(self, wish: Wish, venue_id: int, allow_switch: bool) -> Place | None:
        lst = self.by_venue.get(venue_id)
        if not lst:
            return None
        start = bisect.bisect_left(self.days[venue_id], wish.earliest_date) if wish.earliest_date else 0
        for index in range(start, len(lst)):
            place = lst[index]
            if self.free[place.slot_id] > 0 and wish.accepts_time(place) and dose_rules_allow(
                    wish, place, allow_vaccine_switch=allow_switch):
                return place
        return None

    def take(self, place: Place) -> None:
        self.free[place.slot_id] -= 1
        if self.free[place.slot_id] == 0:
            index = self.by_venue[place.venue_id].index(place)
            del self.by_venue[place.venue_id][index]
            del self.days[place.venue_id][index]


def best_place(board: _Board, wish: Wish, *, allow_vaccine_switch: bool) -> tuple[Place | None, int | None]:
    """The best free place for this wish and its rank (0: first choice)."""
    ranked: dict[int, list[int]] = {}
    for venue_id in board.by_venue:
        rank = wish.venue_rank(Place(0, venue_id, board.area_of[venue_id], datetime.min, date.min, 0, "", "", 0, 0, 0))
        if rank is not None:
            ranked.setdefault(rank, []).append(venue_id)
    for rank in sorted(ranked):
        found = [p for v in ranked[rank] if (p := board.first_fit(wish, v, allow_vaccine_switch)) is not None]
        if found:
            return min(found, key=lambda p: (p.starts_at, p.slot_id)), rank
    return None, None


def allocate(ordered: Sequence[Wish], places: Sequence[Place], *, allow_vaccine_switch: bool) -> Matching:
    """In the given order, each wish gets the best free place it accepts, or none."""
    board = _Board(places)
    result = Matching()
    for wish in ordered:
        place, rank = best_place(board, wish, allow_vaccine_switch=allow_vaccine_switch)
        if place is None:
            continue
        board.take(place)
        result.assignments[wish.registration_id] = place.slot_id
        result.first_choice += rank == 0
    result.free = board.free
    return result
