"""Generate a venue's slots for one vaccine from a pattern: dates × weekdays × times, local time.

    manage.py generate_slots --venue C01 --vaccine PFZ --from 2026-04-01 --to 2026-04-30 \\
        --weekdays mon-fri --times 14:00,14:30,15:00 --minutes 30 --capacity 3 \\
        [--doses 1,2] [--bookable-from "2026-03-25 09:00"] [--dry-run]

Re-running it is safe: a slot that exists (same venue, vaccine and start) is left as it is and counted
as "already existed". `slots_generate` is the write (the demo calls it too); it belongs with the other
services and lives here only until it moves to services.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yoyaku.booking import services
from yoyaku.booking.errors import InvalidInput
from yoyaku.booking.models import Slot, Vaccine, Venue, dose_mask
from yoyaku.booking.slot_patterns import SlotPattern, parse_doses, parse_local_datetime


@dataclass(frozen=True)
class SlotsGenerated:
    created: int
    existed: int
    first_starts_at: datetime
    last_starts_at: datetime
    in_past: int  # slots of the pattern that start before now (created or not): never bookable


def slots_generate(
    *,
    actor: services.Actor,
    venue: Venue,
    vaccine: Vaccine,
    pattern: SlotPattern,
    capacity: int,
    doses: list[int],
    bookable_from: datetime | None = None,
    tz: tzinfo | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> SlotsGenerated:
    """Create the pattern's slots that do not exist yet, in one transaction, with one audit event.

    Existing slots (same venue, vaccine and start) are not touched: their capacity, bookings and
    end stay as they are. Raises InvalidInput, before writing anything, on a bad pattern or a venue
    that does not offer the vaccine.
    """
    now = now or timezone.now()
    tz = tz or timezone.get_current_timezone()
    if capacity < 1:
        raise InvalidInput(_("The capacity must be at least 1; %(capacity)d is not possible.")
                           % {"capacity": capacity}, code="capacity_invalid")
    max_dose = settings.YOYAKU["MAX_DOSE"]
    if not doses or any(not 1 <= dose <= max_dose for dose in doses):
        raise InvalidInput(_("Dose numbers go from 1 to %(max)d.") % {"max": max_dose}, code="dose_invalid")
    if not venue.vaccines.filter(pk=vaccine.pk).exists():
        raise InvalidInput(
            _("%(venue)s (%(venue_code)s) does not offer %(vaccine)s (%(vaccine_code)s). Add the vaccine to the "
              "venue first, or choose another venue.")
            % {"venue": venue.name, "venue_code": venue.code, "vaccine": vaccine.name, "vaccine_code": vaccine.code},
            code="venue_lacks_vaccine",
        )
    times = pattern.expand(tz)
    first, last = times[0][0], times[-1][0]
    mask = dose_mask(doses)

    with transaction.atomic():
        existing = set(
            Slot.objects.filter(venue=venue, vaccine=vaccine, starts_at__gte=first, starts_at__lte=last)
            .values_list("starts_at", flat=True)
        )
        new = [
            Slot(venue=venue, vaccine=vaccine, starts_at=starts_at, ends_at=ends_at, capacity=capacity,
                 dose_mask=mask, bookable_from=bookable_from)
            for starts_at, ends_at in times
            if starts_at not in existing
        ]
        result = SlotsGenerated(
            created=len(new),
            existed=len(times) - len(new),
            first_starts_at=first,
            last_starts_at=last,
            in_past=sum(1 for starts_at, _ends_at in times if starts_at <= now),
        )
        if dry_run:
            return result
        # ignore_conflicts: a run racing this one may insert the same start first; the unique
        # constraint (venue, vaccine, starts_at) then keeps one, and neither run fails.
        Slot.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
        services.audit_record(
            actor=actor,
            action="slot.generate",
            obj=venue,
            now=now,
            data={
                "venue": venue.code,
                "vaccine": vaccine.code,
                "pattern": pattern.as_data(),
                "time_zone": str(tz),
                "capacity": capacity,
                "doses": sorted(doses),
                "bookable_from": timezone.localtime(bookable_from, tz).isoformat() if bookable_from else None,
                "created": result.created,
                "existed": result.existed,
            },
        )
    return result


class Command(BaseCommand):
    help = (
        "Generate slots for a venue and vaccine from a pattern (dates × weekdays × times, local time). "
        "Existing slots are kept; re-running creates no duplicates."
    )

    def add_arguments(self, parser):
        parser.add_argument("--venue", required=True, help="Venue code.")
        parser.add_argument("--vaccine", required=True, help="Vaccine code; the venue must offer it.")
        parser.add_argument("--from", dest="first_day", required=True, metavar="YYYY-MM-DD",
                            help="First day (included).")
        parser.add_argument("--to", dest="last_day", required=True, metavar="YYYY-MM-DD",
                            help="Last day (included).")
        parser.add_argument("--weekdays", default="", metavar="mon,tue,...",
                            help="Weekdays (mon..sun, ranges like mon-fri). Default: every day.")
        parser.add_argument("--times", required=True, metavar="HH:MM,...",
                            help="Start times, local time, for example 09:00,09:30.")
        parser.add_argument("--minutes", type=int, required=True, help="Length of each slot in minutes.")
        parser.add_argument("--capacity", type=int, required=True, help="Places per slot.")
        parser.add_argument("--doses", default="", metavar="1,2",
                            help="Dose numbers the slots serve. Default: every dose (1 to MAX_DOSE).")
        parser.add_argument("--bookable-from", default="", metavar='"YYYY-MM-DD HH:MM"',
                            help="Local time from which the slots can be booked. Default: at once.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be created; write nothing.")

    def handle(self, *args, **options):
        tz = timezone.get_current_timezone()
        max_dose = settings.YOYAKU["MAX_DOSE"]
        try:
            pattern = SlotPattern.parse(
                first_day=options["first_day"],
                last_day=options["last_day"],
                weekdays=options["weekdays"],
                times=options["times"],
                minutes=options["minutes"],
            )
            doses = (parse_doses(options["doses"], max_dose=max_dose) if options["doses"].strip()
                     else list(range(1, max_dose + 1)))
            bookable_from = (parse_local_datetime(options["bookable_from"], tz)
                             if options["bookable_from"].strip() else None)
        except InvalidInput as error:
            raise CommandError(error.message) from None

        venue = Venue.objects.filter(code=options["venue"].strip()).first()
        if venue is None:
            raise CommandError(_("No venue has the code “%(code)s”.") % {"code": options["venue"]})
        vaccine = Vaccine.objects.filter(code=options["vaccine"].strip()).first()
        if vaccine is None:
            raise CommandError(_("No vaccine has the code “%(code)s”.") % {"code": options["vaccine"]})

        try:
            result = slots_generate(
                actor=services.Actor.system(),
                venue=venue,
                vaccine=vaccine,
                pattern=pattern,
                capacity=options["capacity"],
                doses=doses,
                bookable_from=bookable_from,
                tz=tz,
                dry_run=options["dry_run"],
            )
        except InvalidInput as error:
            raise CommandError(error.message) from None

        if not venue.active:
            self.stderr.write(self.style.WARNING(_("Note: %(venue)s is not active; its slots cannot be booked "
                                                   "until it is.") % {"venue": venue.name}))
        if not vaccine.active:
            self.stderr.write(self.style.WARNING(_("Note: %(vaccine)s is not active; its slots cannot be "
                                                   "booked until it is.") % {"vaccine": vaccine.name}))
        if result.in_past:
            self.stderr.write(self.style.WARNING(
                _("Note: %(count)d of these times are already past; they can never be booked.")
                % {"count": result.in_past}))
        self.stdout.write(
            _("%(venue)s / %(vaccine)s: %(first)s to %(last)s (%(zone)s).")
            % {
                "venue": venue.name,
                "vaccine": vaccine.name,
                "first": timezone.localtime(result.first_starts_at, tz).strftime("%Y-%m-%d %H:%M"),
                "last": timezone.localtime(result.last_starts_at, tz).strftime("%Y-%m-%d %H:%M"),
                "zone": str(tz),
            }
        )
        if options["dry_run"]:
            self.stdout.write(_("Dry run, nothing written: %(created)d would be created, %(existed)d already "
                                "exist.") % {"created": result.created, "existed": result.existed})
        else:
            self.stdout.write(_("%(created)d created, %(existed)d already existed.")
                              % {"created": result.created, "existed": result.existed})
