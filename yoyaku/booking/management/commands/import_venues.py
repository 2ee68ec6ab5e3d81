"""Import venues and the vaccines each offers: docs/data-formats.md, "Venues"."""

from yoyaku.booking import services
from yoyaku.booking.imports import VENUES, Context, ImportCommand
from yoyaku.booking.models import Vaccine, Venue


class Command(ImportCommand):
    help = (
        "Create or update venues by code, with the vaccines they offer, from a CSV file "
        "(UTF-8 or Shift_JIS). "
        "Every bad row is reported by line and nothing is written if there is one (exit status 1)."
    )
    model = Venue
    schema = VENUES

    def context(self) -> Context:
        # The vaccines column names vaccines that must exist: the cleaner checks against these codes.
        codes = frozenset(Vaccine.objects.values_list("code", flat=True))
        return Context(today=super().context().today, vaccine_codes=codes)

    def write(self, rows, *, dry_run):
        return services.venues_import(actor=services.Actor.system(), rows=rows, dry_run=dry_run)
