"""Send queued notifications (the outbox) until stopped. Any number of workers may run at once."""

from django.core.management.base import BaseCommand

from yoyaku.notify.worker import Worker


class Command(BaseCommand):
    help = (
        "Send the queued notifications through the email backend (SMTP in production), retry with backoff, "
        "and queue the day-before reminders. Stops cleanly on SIGTERM or Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument("--until-idle", action="store_true",
                            help="exit when nothing is due and nothing is being sent (for cron and tests)")
        parser.add_argument("--batch-size", type=int, default=None, help="messages claimed at a time")
        parser.add_argument("--no-reminders", action="store_true", help="do not queue day-before reminders")

    def handle(self, *args, **options):
        Worker(batch_size=options["batch_size"], reminders=not options["no_reminders"]).run(
            until_idle=options["until_idle"]
        )
