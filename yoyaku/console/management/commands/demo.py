"""Load the demo city into an empty database and print how to log in (`make run` calls it).

    manage.py demo [--if-empty] [--residents 1000] [--seed 1]

With --if-empty, a database that already has data is left alone: the command prints the logins and
exits 0. What the demo contains is in yoyaku/booking/demo_data.py; the command is the console's because it
also gives the demo's venue staff their venues (the console's StaffProfile), which booking may not import.
"""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yoyaku.booking import demo_data
from yoyaku.booking.models import Resident, Venue
from yoyaku.console.models import StaffProfile


def demo_staff_venues() -> None:
    """Venue staff see the rosters of their venues only (demo_data.STAFF_VENUES, in their StaffProfile)."""
    users = get_user_model().objects.filter(username__in=list(demo_data.STAFF_VENUES))
    for user in users:
        profile, _created = StaffProfile.objects.get_or_create(user=user)
        profile.venues.add(*Venue.objects.filter(code__in=demo_data.STAFF_VENUES[user.username]))


def demo_load(*, residents: int = 1000, seed: int = 1, now=None) -> demo_data.DemoSummary:
    """The whole demo city, in one transaction: booking's data and the console's staff profiles."""
    with transaction.atomic():
        summary = demo_data.load(residents=residents, seed=seed, now=now)
        demo_staff_venues()
    return summary


class Command(BaseCommand):
    help = "Load the demo city (venues, slots, residents, reservations, staff users) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="If the database already has data, only print the logins (exit 0).")
        parser.add_argument("--residents", type=int, default=1000, help="Number of residents (default 1000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: the same seed gives the same city.")

    def handle(self, *args, **options):
        if options["residents"] < demo_data.MIN_RESIDENTS:
            raise CommandError(_("The demo needs at least %(min)d residents.") % {"min": demo_data.MIN_RESIDENTS})
        if demo_data.database_has_data():
            if not options["if_empty"]:
                raise CommandError(_(
                    "The database already has data (residents, venues, vaccines or slots): the demo loads only "
                    "into an empty database. Use a new database, or --if-empty to just print the logins."
                ))
            self.stdout.write(
                _("The database already has data (%(count)d residents): nothing loaded.")
                % {"count": Resident.objects.count()}
            )
            self._print_logins()
            return

        started = time.monotonic()
        summary = demo_load(residents=options["residents"], seed=options["seed"], now=timezone.now())
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            _("Demo city loaded in %(seconds).1f s: %(venues)d venues, %(slots)d slots, %(residents)d residents, "
              "%(reservations)d reservations (%(cancelled)d cancelled), %(doses)d earlier doses, %(notices)d "
              "notices.")
            % {"seconds": elapsed, "venues": summary.venues, "slots": summary.slots,
               "residents": summary.residents, "reservations": summary.reservations,
               "cancelled": summary.cancelled, "doses": summary.imported_doses, "notices": summary.notices}
        ))
        self._print_logins(existing_staff=frozenset(summary.staff_existing))

    def _print_logins(self, existing_staff=frozenset()):
        self.stdout.write("")
        for line in demo_data.login_lines(existing_staff=existing_staff):
            self.stdout.write(line)
