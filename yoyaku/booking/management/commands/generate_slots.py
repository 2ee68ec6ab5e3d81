"""Generate a venue's slots for one vaccine from a pattern: dates × weekdays × times, local time.

    manage.py generate_slots --venue C01 --vaccine PFZ --from 2026-04-01 --to 2026-04-30 \\
        --weekdays mon-fri --times 14:00,14:30,15:00 --minutes 30 --capacity 3 \\
        [--doses 1,2] [--bookable-from "2026-03-25 09:00"] [--dry-run]

Re-running it is safe: a slot that exists (same venue, vaccine and start) is left as it is and counted
as "already existed". The write is `services.slots_generate` (the demo calls it too).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from yoyaku.booking import services
from yoyaku.booking.errors import InvalidInput
from yoyaku.booking.models import Vaccine, Venue
from yoyaku.booking.slot_patterns import SlotPattern, parse_doses, parse_local_datetime


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
            result = services.slots_generate(
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
