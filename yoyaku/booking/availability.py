"""What can be booked, read from the slot counters: never by counting reservations row by row.

The busy pages (the top page's venue filter, the booking calendar) call these. Each function runs a
fixed number of queries, whatever the number of venues, days or reservations (tests pin the counts).

The day-level summaries are also kept per process for a moment (YOYAKU["AVAILABILITY_CACHE_SECONDS"],
2 s by default): at opening time thousands of residents ask the same question each second, and an answer
two seconds old is good enough to choose a day. The booking itself re-checks everything in its
transaction, so a stale "free" can never overbook; at worst the resident is told the time just filled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Sum
from django.utils import timezone, translation

from . import deadline, rules, selectors
from .models import Resident, Slot, Vaccine, Venue
from .prepared import PreparedRows
from .recent import remembered as _remembered


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day))


def availability_grid(*, start: date, days: int, area: str = "", vaccine_id: int | None = None,
               now: datetime | None = None) -> dict[tuple[int, date], str]:
    """{(venue id, local day): "free" | "few" | "full"} for bookable slots in the range. One query."""

    def compute():
        slots = Slot.objects.bookable(now=now).filter(
            day__gte=start, day__lt=start + timedelta(days=days), venue__active=True
        )
        if area:
            slots = slots.filter(venue__area=area)
        if vaccine_id:
            slots = slots.filter(vaccine_id=vaccine_id)
        rows = slots.values("venue_id", "day").annotate(capacity=Sum("capacity"), booked=Sum("booked")).order_by()
        return {
            (row["venue_id"], row["day"]): rules.availability_level(capacity=row["capacity"], booked=row["booked"])
            for row in rows
        }

    return _remembered(("availability_grid", start, days, area, vaccine_id), compute)


def last_bookable_day(*, now: datetime | None = None) -> date | None:
    """The last local day with a bookable slot (the top page's week choice ends there). One query."""

    def compute():
        # Ordered by the start, not the day (the same last day): the (venue, starts_at) index then hands each
        # venue's slots latest first and the search stops at once. By "-day" it sorted every future slot:
        # 47 ms of the big city's 90 ms top page on SQLite (bench/README.md, "The big city without the cache").
        return Slot.objects.bookable(now=now).filter(venue__active=True).order_by("-starts_at").values_list(
            "day", flat=True).first()

    return _remembered(("last_bookable_day",), compute)


def places_left(*, dose_number: int, now: datetime | None = None) -> bool:
    """Whether any slot open on the web for this dose still has a free place. One EXISTS query, kept for a
    moment: once the places are gone, the top page says so and the resident goes no further (on opening
    morning most residents arrive after that, and each would otherwise walk the calendar to find nothing)."""
    now = now or timezone.now()

    def compute():
        return Slot.objects.bookable(now=now).for_dose(dose_number).with_free().filter(
            venue__active=True, day__gte=deadline.first_web_day(now)).exists()

    return _remembered(("places_left", dose_number), compute)


def all_places_taken(*, now: datetime | None = None) -> bool:
    """Whether every slot open on the web, for any dose, is full (and there is at least one: a city with
    nothing published yet is not "sold out"). For the admission gate's waiting page: the residents in line
    learn there that the places are gone, instead of each waiting for their turn to find out (issue 11). At
    most two EXISTS queries, kept for a moment like the rest of this module."""
    now = now or timezone.now()

    def compute():
        open_on_web = Slot.objects.bookable(now=now).filter(venue__active=True, day__gte=deadline.first_web_day(now))
        return open_on_web.exists() and not open_on_web.with_free().exists()

    return _remembered(("all_places_taken",), compute)


LANGUAGE_SUFFIXES = ("en", "zh_hans", "ko")
VENUE_I18N = tuple(f"{field}_{suffix}" for field in ("name", "area") for suffix in LANGUAGE_SUFFIXES)
VACCINE_I18N = tuple(f"name_{suffix}" for suffix in LANGUAGE_SUFFIXES)


@dataclass(frozen=True)
class Named:
    """A venue or vaccine as the busy pages show it: id, name (and area) in Japanese, and the city's names
    in the other languages (`i18n`: (field_language, text) pairs) for `local_name` and `local_area`."""

    pk: int
    name: str
    area: str = ""
    i18n: tuple = ()

    def localized(self, field: str) -> str:
        suffix = (translation.get_language() or "ja").lower().replace("-", "_")
        return dict(self.i18n).get(f"{field}_{suffix}") or getattr(self, field)

    @property
    def local_name(self) -> str:
        return self.localized("name")

    @property
    def local_area(self) -> str:
        return self.localized("area")


def _i18n(row: dict, prefix: str, fields: tuple) -> tuple:
    return tuple((field, row[f"{prefix}{field}"]) for field in fields if row[f"{prefix}{field}"])


def active_vaccines() -> list[Named]:
    """The active vaccines (the top page's vaccine filter). One query, kept for a moment."""

    def compute():
        rows = Vaccine.objects.filter(active=True).order_by("code").values("pk", "name", *VACCINE_I18N)
        return [Named(r["pk"], r["name"], "", _i18n(r, "", VACCINE_I18N)) for r in rows]

    return _remembered(("active_vaccines",), compute)


def active_venues() -> list[tuple[Named, frozenset[int]]]:
    """The active venues in the order the city lists them, each with the ids of its vaccines (the top page's
    venue filter). Two queries, kept for a moment: the city's venues change a few times a day, not per page."""

    def compute():
        rows = Venue.objects.filter(active=True).order_by("area", "code").values("pk", "name", "area", *VENUE_I18N)
        offered: dict[int, set[int]] = {}
        for venue_id, vaccine_id in Venue.vaccines.through.objects.filter(venue__active=True).values_list(
                "venue_id", "vaccine_id"):
            offered.setdefault(venue_id, set()).add(vaccine_id)
        return [(Named(r["pk"], r["name"], r["area"], _i18n(r, "", VENUE_I18N)), frozenset(offered.get(r["pk"], ())))
                for r in rows]

    return _remembered(("active_venues",), compute)


@dataclass(frozen=True)
class FreeTime:
    """A slot with a free place, as the booking page lists it."""

    pk: int
    starts_at: datetime
    ends_at: datetime
    free: int
    venue: Named
    vaccine: Named

    @property
    def venue_id(self) -> int:
        return self.venue.pk


@dataclass(frozen=True)
class DoseTimes:
    """The slots this resident may choose for this dose now: the rules turned into a query."""

    dose_number: int
    earliest_day: date
    latest_day: date | None
    vaccine_ids: tuple[int, ...]
    now: datetime

    def _terms(self) -> dict:
        """What the queries below filter on besides the dose (the prepared queries' parameters)."""
        return {"now": self.now, "earliest_day": self.earliest_day, "latest_day": self.latest_day,
                "vaccine_ids": self.vaccine_ids}

    def slots(self, *, venue_id: int | None = None, venue_join: bool = True):
        qs = (
            Slot.objects.bookable(now=self.now)
            .for_dose(self.dose_number)
            .filter(vaccine_id__in=self.vaccine_ids, day__gte=self.earliest_day)
        )
        if venue_join:
            qs = qs.filter(venue__active=True)
        else:  # the same venues, without a join (days() below says why)
            qs = qs.exclude(venue_id__in=Venue.objects.filter(active=False).values("pk"))
        if self.latest_day is not None:
            qs = qs.filter(day__lte=self.latest_day)
        if venue_id:
            qs = qs.filter(venue_id=venue_id)
        return qs

    def days(self, *, venue_id: int | None = None, start: date, end: date) -> dict[date, str]:
        """{local day: level} for days between start and end (exclusive) with offerable slots. One query."""

        def compute():
            rows = _DAYS.rows(self.dose_number, **self._terms(), venue_id=venue_id or None, start=start, end=end)
            return {row["day"]: rules.availability_level(capacity=row["capacity"], booked=row["booked"])
                    for row in rows}

        key = ("days", self.dose_number, self.earliest_day, self.latest_day, self.vaccine_ids, venue_id, start, end)
        return _remembered(key, compute)

    def times(self, *, day: date, venue_id: int | None = None) -> list[FreeTime]:
        """The times of one day with a free place, as light rows (no model instances). One query,
        kept for a moment like the calendar."""

        def compute():
            rows = _TIMES.rows(self.dose_number, **self._terms(), venue_id=venue_id or None, day=day)
            return [FreeTime(pk=r["pk"], starts_at=r["starts_at"], ends_at=r["ends_at"],
                             free=r["capacity"] - r["booked"],
                             venue=Named(r["venue_id"], r["venue__name"], r["venue__area"],
                                         _i18n(r, "venue__", VENUE_I18N)),
                             vaccine=Named(r["vaccine_id"], r["vaccine__name"], "",
                                           _i18n(r, "vaccine__", VACCINE_I18N)))
                    for r in rows]

        key = ("times", self.dose_number, self.earliest_day, self.latest_day, self.vaccine_ids, venue_id, day)
        return _remembered(key, compute)

    def day_venues(self, *, day: date) -> list[tuple[Named, int, int]]:
        """The venues with a free time on this day: (venue, free places, free times). One query, kept for a
        moment. A big city has hundreds of venues: the resident picks one before seeing its times."""

        def compute():
            rows = _DAY_VENUES.rows(self.dose_number, **self._terms(), day=day)
            return [(Named(r["venue_id"], r["venue__name"], r["venue__area"], _i18n(r, "venue__", VENUE_I18N)),
                     r["places"], r["times"]) for r in rows]

        key = ("day_venues", self.dose_number, self.earliest_day, self.latest_day, self.vaccine_ids, day)
        return _remembered(key, compute)

    def venues(self) -> list[Named]:
        """Active venues with slots of the vaccines these dose times allow. One query, kept for a moment."""

        def compute():
            if not self.vaccine_ids:
                return []
            rows = _VENUES.rows(vaccine_ids=self.vaccine_ids)
            return [Named(r["pk"], r["name"], r["area"], _i18n(r, "", VENUE_I18N)) for r in rows]

        return _remembered(("venues", self.vaccine_ids), compute)


# The calendar's and the times' queries, built into SQL once per shape and process (booking/prepared.py): the
# ORM took 1-4 ms of CPU to build each of them and the database 0.1 ms to answer it; the venue page's times
# (one key per venue and day) are rarely still kept when the next resident asks (issue 11, round 7).


def _dose_times(dose_number: int, *, now, earliest_day, vaccine_ids, latest_day=None) -> DoseTimes:
    return DoseTimes(dose_number=dose_number, earliest_day=earliest_day, latest_day=latest_day,
                     vaccine_ids=vaccine_ids, now=now)


def _days_query(dose_number: int, *, start, end, venue_id=None, **terms):
    # Without a join to the venues: joined, PostgreSQL hashed them, lost the day index's order and sorted a big
    # city's ~82,000 slots of six weeks on disk to group them (45 ms, `EXPLAIN ANALYZE` in bench/README.md,
    # round 6). "Not at an inactive venue" as a subquery keeps the scan in day order.
    return (_dose_times(dose_number, **terms).slots(venue_id=venue_id, venue_join=False)
            .filter(day__gte=start, day__lt=end)
            .values("day")
            .annotate(capacity=Sum("capacity"), booked=Sum("booked"))
            .order_by())


def _times_query(dose_number: int, *, day, venue_id=None, **terms):
    return (_dose_times(dose_number, **terms).slots(venue_id=venue_id)
            .filter(day=day, booked__lt=F("capacity"))
            .order_by("starts_at", "venue__area", "venue__code")
            .values("pk", "starts_at", "ends_at", "capacity", "booked", "venue_id", "venue__name",
                    "venue__area", "vaccine_id", "vaccine__name", *(f"venue__{f}" for f in VENUE_I18N),
                    *(f"vaccine__{f}" for f in VACCINE_I18N)))


def _day_venues_query(dose_number: int, *, day, **terms):
    return (_dose_times(dose_number, **terms).slots()
            .filter(day=day, booked__lt=F("capacity"))
            .values("venue_id", "venue__name", "venue__area", "venue__code", *(f"venue__{f}" for f in VENUE_I18N))
            .annotate(places=Sum(F("capacity") - F("booked")), times=Count("id"))
            .order_by("venue__area", "venue__code"))


def _venues_query(*, vaccine_ids):
    # EXISTS, not a join with DISTINCT: the join read every slot of the city (200,000 in a big city: 100 ms on
    # PostgreSQL); EXISTS probes each venue's slots by index.
    offered = Slot.objects.filter(venue=OuterRef("pk"), vaccine_id__in=vaccine_ids)
    return (Venue.objects.filter(Exists(offered), active=True)
            .order_by("area", "code").values("pk", "name", "area", *VENUE_I18N))


_DAYS = PreparedRows(Slot, _days_query)
_TIMES = PreparedRows(Slot, _times_query)
_DAY_VENUES = PreparedRows(Slot, _day_venues_query)
_VENUES = PreparedRows(Venue, _venues_query)


def dose_times_for(*, resident: Resident, dose_number: int, now: datetime | None = None, web: bool = True,
                   moving_reservation_id: int | None = None,
                   history: selectors.DoseHistory | None = None) -> DoseTimes:
    """The DoseTimes for a resident and dose. A few small queries (the dose history unless given, vaccines)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    earliest = deadline.first_web_day(now) if web else today
    history = history or selectors.dose_history(resident=resident)
    previous = selectors.previous_dose(resident=resident, dose_number=dose_number,
                                       exclude_reservation_id=moving_reservation_id, history=history)
    following = selectors.dose_fact(resident=resident, dose_number=dose_number + 1,
                                    exclude_reservation_id=moving_reservation_id, history=history)
    age = rules.age_on(resident.birth_date, today)
    vaccines = [v for v in _vaccine_terms() if v.min_age <= age]
    if previous is not None:
        earliest = max(earliest, rules.earliest_next_dose_date(previous))
        if not settings.YOYAKU["ALLOW_VACCINE_SWITCH"]:
            vaccines = [v for v in vaccines if v.code == previous.vaccine_code]
    latest = None
    if following is not None:
        if not settings.YOYAKU["ALLOW_VACCINE_SWITCH"]:
            vaccines = [v for v in vaccines if v.code == following.vaccine_code]
        # The interval before the next dose depends on the vaccine; with one vaccine allowed it is exact,
        # with a switch allowed the service re-checks the chosen slot.
        min_days = min((v.next_dose_min_days for v in vaccines), default=0)
        latest = following.on - timedelta(days=min_days)
    return DoseTimes(dose_number=dose_number, earliest_day=earliest, latest_day=latest,
                     vaccine_ids=tuple(v.pk for v in vaccines), now=now)


@dataclass(frozen=True)
class VaccineTerms:
    pk: int
    code: str
    min_age: int
    next_dose_min_days: int


def _vaccine_terms() -> tuple[VaccineTerms, ...]:
    """The active vaccines' terms that decide which times a resident is shown, by code. One query, kept for a
    moment: every booking page asked it afresh (issue 11); the booking service checks the chosen slot itself."""

    def compute():
        rows = Vaccine.objects.filter(active=True).order_by("code").values_list(
            "pk", "code", "min_age", "next_dose_min_days")
        return tuple(VaccineTerms(*row) for row in rows)

    return _remembered(("vaccine_terms",), compute)



