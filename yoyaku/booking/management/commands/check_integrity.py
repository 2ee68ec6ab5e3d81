"""Verify the invariants the booking engine promises. Exit 1 on any breach (for cron and CI)."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F

from yoyaku.booking import selectors
from yoyaku.booking.models import Slot


class Command(BaseCommand):
    help = "Check slot counters against reservations, capacity and double bookings; exit 1 on any mismatch."

    def handle(self, *args, **options):
        problems = []
        for slot in selectors.integrity_mismatches():
            problems.append(f"slot {slot.pk}: booked={slot.booked} but {slot.holding_count} reservations hold a place")
        for slot in Slot.objects.filter(booked__gt=F("capacity")):
            problems.append(f"slot {slot.pk}: booked={slot.booked} over capacity={slot.capacity}")
        for row in selectors.double_bookings():
            problems.append(
                f"resident {row['resident_id']}: {row['n']} active reservations for dose {row['dose_number']}"
            )
        slots = Slot.objects.count()
        if problems:
            for line in problems:
                self.stderr.write(line)
            raise CommandError(f"{len(problems)} integrity problem(s) in {slots} slots")
        self.stdout.write(f"ok: {slots} slots checked, counters match, no overbooking, no double bookings")
