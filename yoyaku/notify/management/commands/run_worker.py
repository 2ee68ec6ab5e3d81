"""Send queued notifications (the outbox) until stopped. Any number of workers may run at once."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from yoyaku.notify.worker import Worker


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = (
        "Send the queued notifications through the email backend (SMTP in production), retry with backoff, "
        "and run the periodic jobs (the day-before reminders). Stops cleanly on SIGTERM or Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument("--until-idle", action="store_true",
                            help="exit when nothing is due and nothing is being sent (for cron and tests)")
        parser.add_argument("--batch-size", type=_positive, default=None, help="messages claimed at a time")
        parser.add_argument("--no-jobs", "--no-reminders", dest="no_jobs", action="store_true",
                            help="do not run the periodic jobs (the day-before reminders)")

    def handle(self, *args, **options):
        try:
            worker = Worker(batch_size=options["batch_size"], jobs=not options["no_jobs"])
        except ImproperlyConfigured as exc:
            # A wrong YOYAKU_NOTIFY_* value: one line saying which, and exit status 1 (no traceback).
            raise CommandError(str(exc)) from None
        worker.run(until_idle=options["until_idle"])
