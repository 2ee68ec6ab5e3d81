"""Open booking: a BookingWindow for some dose numbers, to residents born in a range or in a group.

    manage.py open_booking --doses 1,2 --born-on-or-before 1957-04-01 --from "2026-05-10 09:00" \\
        [--born-after YYYY-MM-DD] [--group CODE] [--until "YYYY-MM-DD HH:MM"] [--label TEXT]
    manage.py open_booking --doses 1,2 --min-age 65 --age-on 2027-03-31 --from "2026-05-10 09:00"

Times are local (settings.TIME_ZONE). `booking_window_open` is the write (the demo calls it too); it
belongs with the other services and lives here only until it moves to services.py.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yoyaku.booking import rules, services
from yoyaku.booking.errors import InvalidInput
from yoyaku.booking.models import BookingWindow, dose_mask
from yoyaku.booking.slot_patterns import parse_date, parse_doses, parse_local_datetime

# Resident.groups holds codes separated by spaces: a code is one word.
_GROUP_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,50}$")


def booking_window_open(
    *,
    actor: services.Actor,
    doses: list[int],
    opens_at: datetime,
    closes_at: datetime | None = None,
    born_on_or_before: date | None = None,
    born_after: date | None = None,
    group: str = "",
    label: str = "",
    now: datetime | None = None,
) -> BookingWindow:
    """Create a booking window, with its audit event. Raises InvalidInput, writing nothing, when the
    window could never admit anyone or its codes are malformed."""
    max_dose = settings.YOYAKU["MAX_DOSE"]
    if not doses or any(not 1 <= dose <= max_dose for dose in doses):
        raise InvalidInput(_("Dose numbers go from 1 to %(max)d.") % {"max": max_dose}, code="dose_invalid")
    if closes_at is not None and closes_at <= opens_at:
        raise InvalidInput(
            _("The window must close after it opens: %(until)s is not after %(from)s.")
            % {"from": _local(opens_at), "until": _local(closes_at)},
            code="window_closes_before_opening",
        )
    if born_on_or_before is not None and born_after is not None and born_after >= born_on_or_before:
        raise InvalidInput(
            _("Nobody is born after %(after)s and on or before %(before)s: “born after” must be earlier than "
              "“born on or before”.") % {"after": born_after.isoformat(), "before": born_on_or_before.isoformat()},
            code="window_birth_range_empty",
        )
    group = (group or "").strip()
    if group and not _GROUP_CODE.match(group):
        raise InvalidInput(
            _("“%(group)s” is not a group code: use one word of letters, digits, “-” or “_”, for example "
              "care-home.") % {"group": group},
            code="group_invalid",
        )
    label = (label or "").strip()
    if len(label) > BookingWindow._meta.get_field("label").max_length:
        raise InvalidInput(_("The label is too long (at most 100 characters)."), code="label_too_long")

    with transaction.atomic():
        window = BookingWindow.objects.create(
            dose_mask=dose_mask(doses),
            born_on_or_before=born_on_or_before,
            born_after=born_after,
            group=group,
            opens_at=opens_at,
            closes_at=closes_at,
            label=label,
        )
        services.audit_record(
            actor=actor,
            action="booking_window.open",
            obj=window,
            now=now,
            data={
                "doses": sorted(doses),
                "born_on_or_before": born_on_or_before.isoformat() if born_on_or_before else None,
                "born_after": born_after.isoformat() if born_after else None,
                "group": group,
                "opens_at": _local(opens_at),
                "closes_at": _local(closes_at) if closes_at else None,
                "time_zone": str(timezone.get_current_timezone()),
                "label": label,
            },
        )
    return window


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
                            help="Only residents aged at least N on --age-on (sets --born-on-or-before to the day "
                                 "N years before --age-on). For a cohort the state defines by birth date, such "
                                 "as 昭和32年4月1日以前に生まれた方, give --born-on-or-before instead.")
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
            window = booking_window_open(
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
        who = []
        if window.born_on_or_before:
            who.append(_("born on or before %(date)s") % {"date": window.born_on_or_before.isoformat()})
        if window.born_after:
            who.append(_("born after %(date)s") % {"date": window.born_after.isoformat()})
        if window.group:
            who.append(_("in group %(group)s") % {"group": window.group})
        self.stdout.write(
            _("Booking window %(id)d opened: doses %(doses)s; for %(who)s; from %(from)s; until %(until)s "
              "(%(zone)s).")
            % {
                "id": window.pk,
                "doses": ", ".join(str(dose) for dose in window.doses),
                "who": _("residents %(conditions)s") % {"conditions": ", ".join(who)} if who else _("everyone"),
                "from": _local(window.opens_at),
                "until": _local(window.closes_at) if window.closes_at else _("no end"),
                "zone": str(tz),
            }
        )
