"""The simulated month: events on a simulated clock, each a call of a real service (or of the outbox
worker's claim_batch/send_batch) with `now=` the simulated time. The random draws come from one seeded
generator, in event order, so a seed gives the same month.

Refills are counted per session (a venue, a vaccine, a day: the unit vials are opened for): a place freed
by a cancellation or a move-up is refilled when a later take into the same session finds it outstanding;
what is still outstanding when the session's first slot begins is left empty.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock

from django.contrib.auth import get_user_model
from django.core import mail
from django.test.utils import override_settings
from django.utils import timezone

from yoyaku.notify import worker
from yoyaku.notify.models import Notification

from .. import deadline, demo_data, move_up, reports, rules, services
from ..errors import BookingError
from ..models import MoveUpOffer, Reservation, Resident, Slot, StandbyEntry, Vaccine, Venue
from ..slot_patterns import SlotPattern, parse_times, parse_weekdays
from .parameters import Parameters

Actor = services.Actor
SOURCES = ["move_up_offer", "waiting_list_offer", "call_centre", "waiting_list", "standby", "web"]
# The emails a simulated resident reads: the offers (to move up, and to the waiting list).
OFFER_KINDS = [Notification.Kind.MOVE_UP_OFFER, Notification.Kind.WAITING_LIST_OFFER]


@dataclass
class Session:
    venue_id: int
    vaccine_id: int
    day: date
    doses_per_vial: int
    first_start: datetime
    freed: int = 0
    freed_by_cancel: int = 0
    outstanding: int = 0
    refilled: dict = field(default_factory=lambda: defaultdict(int))
    left_empty: int = 0
    given: int = 0
    no_shows: int = 0
    vials: int = 0
    wasted: int = 0
    topped_up: int = 0


@dataclass
class Outcome:
    parameters: Parameters
    first_day: date
    sessions: list[Session]
    offers: list[tuple[date, str]]  # (slot day, final status)
    residents: int
    booked_initially: int
    seconds: float


class Month:
    def __init__(self, p: Parameters):
        self.p = p
        self.rng = random.Random(f"yoyaku-simulate-{p.seed}")
        self.events: list = []
        self.seq = itertools.count()
        self.now: datetime = timezone.now()
        self.sessions: dict[tuple[int, int, date], Session] = {}
        self.slot_session: dict[int, tuple[int, int, date]] = {}
        self.unbooked: set[int] = set()
        self.no_show: set[int] = set()
        self.offer_seen = 0
        self.booked_initially = 0

    # --- the clock ---

    def at(self, when: datetime, fn, *args) -> None:
        heapq.heappush(self.events, (when, next(self.seq), fn, args))

    def run(self) -> None:
        while self.events:
            when, _seq, fn, args = heapq.heappop(self.events)
            self.now = max(self.now, when)
            fn(*args)

    def local(self, day: date, hour: int, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(day, clock(hour, minute)))

    # --- the city ---

    def build(self) -> None:
        p = self.p
        today = timezone.localdate()
        first_day = today + timedelta(days=p.elder_lead_days + 1)
        first_day += timedelta(days=(7 - first_day.weekday()) % 7)  # a Monday: every seed sees the same weeks
        self.first_day = first_day
        last_day = first_day + timedelta(days=7 * p.weeks - 1)
        self.now = self.local(first_day - timedelta(days=p.elder_lead_days + 1), 0)
        system = Actor.system()
        User = get_user_model()
        self.call_centre = Actor.for_staff(User.objects.create(username="sim-call-centre"))
        self.venue_staff = Actor.for_staff(User.objects.create(username="sim-venue-staff"))
        vaccines = {}
        for spec in demo_data.VACCINES:
            vaccines[spec.code] = Vaccine.objects.create(code=spec.code, name=spec.name, min_age=spec.min_age,
                                                         next_dose_min_days=spec.next_dose_min_days,
                                                         doses_per_vial=spec.doses_per_vial)
        tz = timezone.get_current_timezone()
        for spec in demo_data.VENUES:
            venue = Venue.objects.create(code=spec.code, name=spec.name, kind=spec.kind, area=spec.area,
                                         address=spec.address, phone=spec.phone)
            venue.vaccines.set([vaccines[code] for code in spec.vaccines])
            for schedule in spec.schedules:
                pattern = SlotPattern(first_day=first_day, last_day=last_day,
                                      weekdays=parse_weekdays(schedule.weekdays),
                                      times=tuple(parse_times(schedule.times)), minutes=schedule.minutes)
                services.slots_generate(actor=system, venue=venue, vaccine=vaccines[schedule.vaccine], pattern=pattern,
                                        capacity=schedule.capacity, doses=[1], tz=tz, now=self.now)
        self.vaccine_min_age = {v.pk: v.min_age for v in vaccines.values()}
        for slot in Slot.objects.select_related("vaccine").order_by("starts_at"):
            key = (slot.venue_id, slot.vaccine_id, slot.day)
            session = self.sessions.get(key)
            if session is None:
                session = self.sessions[key] = Session(slot.venue_id, slot.vaccine_id, slot.day,
                                                       slot.vaccine.doses_per_vial, slot.starts_at)
            self.slot_session[slot.pk] = key
        elder_born = date(first_day.year - 65, first_day.month, first_day.day)
        elder_opens = self.local(first_day - timedelta(days=p.elder_lead_days), 9)
        opens = self.local(first_day - timedelta(days=p.lead_days), 9)
        services.booking_window_open(actor=system, doses=[1], opens_at=elder_opens, born_on_or_before=elder_born,
                                     label="65歳以上", now=self.now)
        services.booking_window_open(actor=system, doses=[1], opens_at=opens, born_after=elder_born,
                                     label="12歳以上", now=self.now)
        rows = demo_data.plan_residents(count=p.residents, seed=p.seed)
        for n, row in enumerate(rows):
            row["email"] = f"sim{n:06d}@example.com" if self.rng.random() < p.email_share else ""
        Resident.objects.bulk_create([Resident(**row) for row in rows], batch_size=500)
        for resident in Resident.objects.only("pk", "birth_date"):
            if rules.age_on(resident.birth_date, first_day) < 12:
                continue
            window = elder_opens if resident.birth_date <= elder_born else opens
            delay = (timedelta(hours=2 * self.rng.random()) if self.rng.random() < p.rush_share
                     else timedelta(days=self.rng.expovariate(1 / p.mean_delay_days)))
            self.at(window + delay, self.first_try, resident.pk)
        # The days: revisits hourly, the call centre, the venues.
        day = self.now.date()
        while day <= last_day:
            for hour in range(7, 23):
                self.at(self.local(day, hour, 5), self.revisits)
            if p.call_centre and day.weekday() < 5:
                for hour in range(9, 17):
                    self.at(self.local(day, hour, 10), self.call_centre_hour)
            day += timedelta(days=1)
        for key, session in self.sessions.items():
            starts = sorted(s.starts_at for s in Slot.objects.filter(venue_id=key[0], vaccine_id=key[1], day=key[2]))
            self.at(session.first_start - timedelta(seconds=1), self.session_opens, key)
            if p.standby:
                for start in starts:
                    self.at(start - timedelta(minutes=45), self.standby_fill, key, start, start == starts[-1])
            self.at(self.local(key[2], 20), self.session_close, key)

    # --- bookkeeping ---

    def freed(self, slot_id: int, *, by_cancel: bool) -> None:
        session = self.sessions[self.slot_session[slot_id]]
        session.freed += 1
        session.freed_by_cancel += by_cancel
        session.outstanding += 1

    def taken(self, slot_id: int, source: str) -> None:
        session = self.sessions[self.slot_session[slot_id]]
        if session.outstanding > 0 and self.now < session.first_start:
            session.outstanding -= 1
            session.refilled[source] += 1

    def drain(self) -> None:
        """The outbox worker, as it runs: claim due emails and send them (Django's locmem backend).

        Only the move-up offers are sent: they are the emails a simulated resident reads. The others the
        services queue (confirmations with their calendar file and attachments, changes, cancellations)
        are marked skipped unrendered: rendering them was a sixth of a profiled run (1,500 residents, one
        week) and changes no figure."""
        Notification.objects.filter(status=Notification.Status.PENDING).exclude(kind__in=OFFER_KINDS).update(
            status=Notification.Status.SKIPPED, last_error="simulation: not read by anyone")
        while True:
            token, notes = worker.claim_batch(limit=200, lease_seconds=300, now=self.now)
            if not notes:
                break
            worker.send_batch(token, notes, claimed_at=time.monotonic())
        mail.outbox = []
        sent = (Notification.objects.filter(kind__in=OFFER_KINDS, status=Notification.Status.SENT,
                                            pk__gt=self.offer_seen).order_by("pk").values_list("pk", "payload"))
        for pk, payload in sent:
            self.offer_seen = pk
            if self.rng.random() < self.p.offer_accept_share:
                minutes = self.rng.lognormvariate(math.log(self.p.offer_read_median_minutes), self.p.offer_read_sigma)
                self.at(self.now + timedelta(minutes=minutes), self.accept_offer, payload["offer"]["id"])

    # --- residents ---

    def web_slots(self, resident: Resident):
        first_web_day = timezone.localdate(self.now) + timedelta(days=3)  # the web deadline: 2 days before, 23:59
        slots = Slot.objects.bookable(now=self.now).with_free().filter(day__gte=first_web_day)
        if rules.age_on(resident.birth_date, first_web_day) < 18:
            slots = slots.exclude(vaccine__min_age__gte=18)
        return list(slots.order_by("starts_at").values_list("pk", flat=True)[:40])

    def try_book(self, resident: Resident) -> Reservation | None:
        for _attempt in range(2):
            choices = self.web_slots(resident)
            if not choices:
                return None
            slot_id = self.rng.choice(choices)
            try:
                reservation = services.reservation_book(
                    actor=Actor.for_resident(resident), resident=resident, slot_id=slot_id, dose_number=1,
                    email=resident.email, recipient_phone=resident.phone,
                    wants_move_up=self.rng.random() < self.p.wants_move_up_share, now=self.now)
            except BookingError:
                continue
            self.taken(slot_id, "web")
            self.after_booking(reservation)
            return reservation
        return None

    def after_booking(self, reservation: Reservation) -> None:
        resident_id = reservation.resident_id
        if self.rng.random() < self.p.no_show_share:
            self.no_show.add(resident_id)
        if self.rng.random() < self.p.late_cancel_share:
            starts = reservation.slot.starts_at
            if self.rng.random() < self.p.same_day_share:
                earliest = self.local(timezone.localdate(starts), 7)
                latest = starts - timedelta(minutes=30)
            else:
                earliest = starts - timedelta(days=7)
                latest = self.local(timezone.localdate(starts), 0)
            earliest = max(earliest, self.now + timedelta(minutes=5))
            if latest > earliest:
                self.at(earliest + (latest - earliest) * self.rng.random(), self.cancel, resident_id)
        # No drain here: a booking frees no place, so it queues no offer (the acts that free one drain).

    def first_try(self, resident_id: int) -> None:
        resident = Resident.objects.get(pk=resident_id)
        if self.try_book(resident) is not None:
            self.booked_initially += 1
            return
        self.unbooked.add(resident_id)
        draw = self.rng.random()
        if self.p.standby and draw < self.p.standby_share:
            venue = self.rng.choice(list(Venue.objects.values_list("pk", flat=True)))
            services.standby_join(actor=Actor.for_resident(resident), resident=resident, dose_number=1,
                                  venue=Venue.objects.get(pk=venue), now=self.now)
        elif self.p.waiting_list and draw < self.p.standby_share + self.p.waiting_list_share:
            # With waiting-list offers on, the address they go to (the resident's, when they have one).
            services.standby_join(actor=Actor.for_resident(resident), resident=resident, dose_number=1,
                                  email=resident.email if self.p.waiting_list_offers else "", now=self.now)

    def got_place(self, resident_id: int) -> None:
        self.unbooked.discard(resident_id)
        for entry in StandbyEntry.objects.filter(resident_id=resident_id, status=StandbyEntry.Status.WAITING):
            services.standby_withdraw(actor=Actor.system(), entry=entry, now=self.now)

    def revisits(self) -> None:
        if not self.unbooked:
            return
        expected = len(self.unbooked) * self.p.revisit_per_day / 16
        count = int(expected) + (self.rng.random() < expected - int(expected))
        for resident_id in self.rng.sample(sorted(self.unbooked), min(count, len(self.unbooked))):
            resident = Resident.objects.get(pk=resident_id)
            if self.try_book(resident) is not None:
                self.got_place(resident_id)

    def cancel(self, resident_id: int) -> None:
        reservation = (Reservation.objects.active().select_related("slot", "resident")
                       .filter(resident_id=resident_id, dose_number=1).first())
        if reservation is None or reservation.slot.starts_at <= self.now:
            return
        on_the_web = deadline.web_open(reservation.slot.starts_at, self.now)
        actor = Actor.for_resident(reservation.resident) if on_the_web else self.call_centre
        services.reservation_cancel(actor=actor, reservation=reservation, now=self.now,
                                    reason="" if on_the_web else "電話でキャンセル")
        self.freed(reservation.slot_id, by_cancel=True)
        self.drain()

    def accept_offer(self, offer_id: int) -> None:
        offer = MoveUpOffer.objects.select_related("reservation__resident", "standby_entry__resident").get(pk=offer_id)
        if offer.standby_entry_id is not None:  # a waiting-list offer: accepting books the place
            resident = offer.standby_entry.resident
            try:
                result = services.move_up_offer_accept(actor=Actor.for_resident(resident), token=offer.token,
                                                       now=self.now)
            except BookingError:
                return
            if result.status == MoveUpOffer.Status.ACCEPTED:
                self.taken(offer.slot_id, "waiting_list_offer")
                self.got_place(resident.pk)
                self.after_booking(Reservation.objects.select_related("slot").get(
                    pk=StandbyEntry.objects.get(pk=offer.standby_entry_id).reservation_id))
            self.drain()
            return
        old_slot = offer.reservation.slot_id
        try:
            result = services.move_up_offer_accept(actor=Actor.for_resident(offer.reservation.resident),
                                                   token=offer.token, now=self.now)
        except BookingError:
            return
        if result.status == MoveUpOffer.Status.ACCEPTED:
            self.taken(offer.slot_id, "move_up_offer")
            self.freed(old_slot, by_cancel=False)
        self.drain()

    # --- staff ---

    def call_centre_hour(self) -> None:
        budget = self.p.call_centre_calls_per_hour
        # An operator works down the list of the next 3 days' free places, a few slots an hour.
        for slot in move_up.free_slots(now=self.now, days=3)[: 2 * budget]:
            for _place in range(slot.free):
                if budget <= 0:
                    return
                done, budget = self.call_for(slot, budget)
                if not done:
                    break

    def call_for(self, slot: Slot, budget: int) -> tuple[bool, int]:
        for candidate in move_up.candidates(slot=slot, now=self.now, limit=3):
            if budget <= 0:
                return False, budget
            budget -= 1
            if self.rng.random() < self.p.phone_answer_share and self.rng.random() < self.p.phone_accept_share:
                reservation = Reservation.objects.get(pk=candidate.reservation_id)
                try:
                    services.reservation_move_up(actor=self.call_centre, reservation=reservation, slot_id=slot.pk,
                                                 reason="繰上げ（電話）", now=self.now)
                except BookingError:
                    continue
                self.taken(slot.pk, "call_centre")
                self.freed(reservation.slot_id, by_cancel=False)
                self.drain()
                return True, budget
        if self.p.waiting_list:
            entries = StandbyEntry.objects.filter(status=StandbyEntry.Status.WAITING, venue__isnull=True,
                                                  dose_number=1).select_related("resident")[:10]
            for entry in entries:
                if budget <= 0:
                    return False, budget
                if rules.age_on(entry.resident.birth_date, slot.day) < self.vaccine_min_age[slot.vaccine_id]:
                    continue
                budget -= 1
                if self.rng.random() < self.p.phone_answer_share and self.rng.random() < self.p.phone_accept_share:
                    if self.standby_take(entry, slot.pk, self.call_centre, "waiting_list"):
                        return True, budget
        return False, budget

    def standby_take(self, entry: StandbyEntry, slot_id: int, actor: Actor, source: str) -> bool:
        try:
            services.standby_book(actor=actor, entry=entry, slot_id=slot_id, reason="キャンセル待ち", now=self.now)
        except BookingError:
            return False
        self.taken(slot_id, source)
        self.got_place(entry.resident_id)
        self.drain()
        return True

    def standby_fill(self, key, start: datetime, last: bool) -> None:
        """Venue staff, 45 minutes before a slot: free places from now on, and (at the last slot) the doses
        the last vial will have left, go to the venue's standby list by phone."""
        session = self.sessions[key]
        # The list the console's standby page shows: the venue's own standby list, then (with
        # same_day_waiting_list) the waiting list, any venue; each first come, first served.
        entries = [entry for entry in reports.standby_waiting(venue_id=key[0], limit=30)
                   if entry.dose_number == 1 and (entry.venue_id or self.p.same_day_waiting_list)]
        slots = list(Slot.objects.filter(venue_id=key[0], vaccine_id=key[1], day=key[2], starts_at__gte=start)
                     .order_by("starts_at"))
        for slot in slots:
            for _place in range(slot.free):
                self.call_standby(entries, slot, session)
        if not (last and self.p.vial_top_up):
            return
        coming = (Reservation.objects.active().filter(slot__venue_id=key[0], slot__vaccine_id=key[1], slot__day=key[2])
                  .exclude(resident_id__in=self.no_show).count())
        done = Reservation.objects.filter(slot__venue_id=key[0], slot__vaccine_id=key[1], slot__day=key[2],
                                          status=Reservation.Status.DONE).count()
        left = -(coming + done) % session.doses_per_vial
        last_slot = slots[-1]
        for _dose in range(left):
            answered = self.answering(entries, last_slot)
            if answered is None:
                break
            fresh = Slot.objects.get(pk=last_slot.pk)
            services.slot_set_capacity(actor=self.venue_staff, slot=fresh, capacity=fresh.capacity + 1,
                                       reason="残りのワクチン（キャンセル待ち）", now=self.now)
            if self.standby_take(answered, last_slot.pk, self.venue_staff, "standby"):
                session.topped_up += 1

    def answering(self, entries: list[StandbyEntry], slot: Slot) -> StandbyEntry | None:
        while entries:
            entry = entries.pop(0)
            if rules.age_on(entry.resident.birth_date, slot.day) < self.vaccine_min_age[slot.vaccine_id]:
                continue
            # On a venue's standby list: said they can come within the hour. On the waiting list: asked for
            # any date, so fewer can come at an hour's notice.
            share = self.p.standby_answer_share if entry.venue_id else self.p.waiting_list_same_day_share
            if self.rng.random() < share:
                return entry
        return None

    def call_standby(self, entries, slot: Slot, session: Session) -> None:
        answered = self.answering(entries, slot)
        if answered is not None:
            self.standby_take(answered, slot.pk, self.venue_staff, "standby")

    def session_opens(self, key) -> None:
        session = self.sessions[key]
        session.left_empty = session.outstanding

    def session_close(self, key) -> None:
        """The day's check-ins and no-shows; vials opened as needed, the last one's leftover wasted."""
        session = self.sessions[key]
        reservations = (Reservation.objects.active().select_related("slot__venue", "slot__vaccine", "resident")
                        .filter(slot__venue_id=key[0], slot__vaccine_id=key[1], slot__day=key[2]))
        for reservation in reservations:
            if reservation.resident_id in self.no_show:
                services.reservation_mark_no_show(actor=self.venue_staff, reservation=reservation, now=self.now)
                session.no_shows += 1
            else:
                services.reservation_check_in(actor=self.venue_staff, reservation=reservation, lot="SIM", now=self.now)
                session.given += 1
        session.vials = -(-session.given // session.doses_per_vial)
        session.wasted = session.vials * session.doses_per_vial - session.given


def simulate(p: Parameters) -> Outcome:
    """Run the month on the current (throwaway) database; returns the figures."""
    started = time.monotonic()
    from django.conf import settings

    city = dict(settings.YOYAKU)
    city.update(MOVE_UP_OFFERS=p.move_up_offers, AVAILABILITY_CACHE_SECONDS=0, WEB_DEADLINE_DAYS_BEFORE=2,
                WEB_DEADLINE_TIME="23:59",
                MOVE_UP_OFFER_WINDOW_SHARE=p.window_share if p.short_windows else 0,
                MOVE_UP_OFFER_MIN_HOURS=p.short_min_hours if p.short_windows else city["MOVE_UP_OFFER_MIN_HOURS"])
    quiet = logging.getLogger("yoyaku")
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    try:
        with override_settings(YOYAKU=city, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            month = Month(p)
            month.build()
            month.run()
    finally:
        quiet.setLevel(level)
    offers = [(day, status) for day, status in
              MoveUpOffer.objects.values_list("slot__day", "status")]
    return Outcome(parameters=p, first_day=month.first_day, sessions=list(month.sessions.values()), offers=offers,
                   residents=p.residents, booked_initially=month.booked_initially,
                   seconds=time.monotonic() - started)
