"""Allocate the places of allocation-mode booking windows (docs/allocation.md)."""

from django.core.management.base import BaseCommand, CommandError

from yoyaku.booking import services
from yoyaku.booking.errors import BookingError
from yoyaku.booking.models import BookingWindow


class Command(BaseCommand):
    help = ("Allocate the free places of an allocation-mode window (or all of them) to the registered residents: "
            "priority groups first, then a seeded lottery. --dry-run prints the figures and writes nothing.")

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--window", type=int, metavar="ID", help="the booking window's id")
        which.add_argument("--all", action="store_true", help="every allocation-mode window")
        parser.add_argument("--dry-run", action="store_true", help="compute and print, write nothing")
        parser.add_argument("--seed", type=int, default=None,
                            help="the lottery's seed (the same seed and registrations give the same result); "
                                 "without it one is drawn and printed")
        parser.add_argument("--reason", default="", help="recorded in the audit trail")

    def handle(self, *args, window=None, all=False, dry_run=False, seed=None, reason="", **options):
        windows = BookingWindow.objects.allocation().order_by("pk")
        if window is not None:
            windows = windows.filter(pk=window)
            if not windows.exists():
                raise CommandError(f"no allocation-mode booking window with id {window}")
        actor = services.Actor.system()
        totals = {"allocated": 0, "registrations": 0, "left": 0, "overbooked": 0}
        for item in windows:
            try:
                summary = services.allocation_run(actor=actor, window=item, seed=seed, dry_run=dry_run,
                                                  reason=reason or "manage.py allocate")
            except BookingError as error:
                raise CommandError(f"window {item.pk}: {error.message}") from None
            for line in summary.lines():
                self.stdout.write(line)
            totals["allocated"] += summary.allocated
            totals["registrations"] += summary.registrations
            totals["left"] += summary.places_left
            totals["overbooked"] = summary.overbooked
        self.stdout.write(f"allocated {totals['allocated']} of {totals['registrations']} registrations, "
                          f"{totals['left']} places left, {totals['overbooked']} overbooked")
