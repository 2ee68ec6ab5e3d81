"""Open booking: a BookingWindow for some dose numbers, to residents born in a range or in a group.

    manage.py open_booking --doses 1,2 --born-on-or-before 1957-04-01 --from "2026-05-10 09:00" \\
        [--born-after YYYY-MM-DD] [--group CODE] [--until "YYYY-MM-DD HH:MM"] [--label TEXT]
    manage.py open_booking --doses 1,2 --min-age 65 --age-on 2027-03-31 --from "2026-05-10 09:00"

Times are local (settings.TIME_ZONE). Ages follow the Act on Calculation of Age (rules.age_on): with
--min-age 65 --age-on 2022-03-31 the window admits residents born on or before 1957-04-01. The write is
`services.booking_window_open` (the demo calls it too).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from yoyaku.booking import rules, services
from yoyaku.booking.errors import InvalidInput
from yoyaku.booking.slot_patterns import parse_date, parse_doses, parse_local_datetime


def _local(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


class Command(BaseCommand):
    help = (
        "Open booking (a booking window) for dose numbers, to residents born in a range (or of a minimum age "
        "on a day) and/or in a group, from a local date and time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--doses", required=True, metavar="1,2", help="Dose numbers the window opens.")
        parser.add_argument("--born-on-or-before", default="", metavar="YYYY-MM-DD",
                            help="Only residents born on or before this day.")
        parser.add_argument("--born-after", default="", metavar="YYYY-MM-DD",
                            help="Only residents born after this day.")
        parser.add_argument("--min-age", type=int, default=None, metavar="N",
                            help="Only residents aged at least N on --age-on, counting ages as the law does (a "
                                 "year older from the day before the birthday): sets --born-on-or-before. "
                                 "--min-age 65 --age-on 2022-03-31 gives 1957-04-01 (昭和32年4月1日以前に生まれた方).")
        parser.add_argument("--age-on", default="", metavar="YYYY-MM-DD", help="The day --min-age refers to.")
        parser.add_argument("--group", default="", metavar="CODE",
                            help="Only residents in this group (for example medical). Default: everyone.")
        parser.add_argument("--from", dest="opens_at", required=True, metavar='"YYYY-MM-DD HH:MM"',
                            help="Local time at which booking opens.")
        parser.add_argument("--until", dest="closes_at", default="", metavar='"YYYY-MM-DD HH:MM"',
                            help="Local time at which booking closes. Default: never.")
        parser.add_argument("--label", default="", help="A name staff will recognise, for example 65歳以上.")

    def handle(self, *args, **options):
        tz = timezone.get_current_timezone()
        try:
            doses = parse_doses(options["doses"], max_dose=settings.YOYAKU["MAX_DOSE"])
            opens_at = parse_local_datetime(options["opens_at"], tz)
            closes_at = parse_local_datetime(options["closes_at"], tz) if options["closes_at"].strip() else None
            born_on_or_before = (parse_date(options["born_on_or_before"])
                                 if options["born_on_or_before"].strip() else None)
            born_after = parse_date(options["born_after"]) if options["born_after"].strip() else None
            min_age, age_on = options["min_age"], options["age_on"].strip()
            if min_age is not None or age_on:
                if min_age is None or not age_on:
                    raise InvalidInput(_("--min-age and --age-on go together: give both, for example "
                                         "--min-age 65 --age-on 2027-03-31."), code="age_incomplete")
                if born_on_or_before is not None:
                    raise InvalidInput(_("Give either --min-age with --age-on or --born-on-or-before, not both."),
                                       code="age_conflict")
                if not 0 <= min_age <= 150:
                    raise InvalidInput(_("%(age)d is not an age.") % {"age": min_age}, code="age_invalid")
                born_on_or_before = rules.latest_birth_date_for_age(min_age, parse_date(age_on))
            window = services.booking_window_open(
                actor=services.Actor.system(),
                doses=doses,
                opens_at=opens_at,
                closes_at=closes_at,
                born_on_or_before=born_on_or_before,
                born_after=born_after,
                group=options["group"],
                label=options["label"],
            )
        except InvalidInput as error:
            raise CommandError(error.message) from None

        if min_age is not None:
            self.stdout.write(_("Aged %(age)d or over on %(day)s: born on or before %(date)s.")
                              % {"age": min_age, "day": age_on, "date": born_on_or_before.isoformat()})
        self.stdout.write(
            _("Booking window %(id)d opened: doses %(doses)s; for %(who)s; from %(from)s; until %(until)s "
              "(%(zone)s).")
            % {
                "id": window.pk,
                "doses": ", ".join(str(dose) for dose in window.doses),
                "who": window.who(),
                "from": _local(window.opens_at),
                "until": _local(window.closes_at) if window.closes_at else _("no end"),
                "zone": str(tz),
            }
        )
