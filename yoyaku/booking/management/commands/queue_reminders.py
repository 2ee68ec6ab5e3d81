"""Queue the day-before reminders now (the worker does this by itself every few minutes)."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from yoyaku.booking.notifications import reminders_queue


class Command(BaseCommand):
    help = ("Queue one reminder for each active reservation whose appointment is tomorrow (local time), from "
            "YOYAKU_NOTIFY_REMINDER_TIME on. Safe to run any number of times: each reminder is queued once.")

    def handle(self, *args, **options):
        try:
            count = reminders_queue()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{count} reminder(s) queued")
