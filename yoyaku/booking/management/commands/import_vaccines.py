"""Import vaccines: docs/data-formats.md, "Vaccines"."""

from yoyaku.booking import services
from yoyaku.booking.imports import VACCINES, ImportCommand
from yoyaku.booking.models import Vaccine


class Command(ImportCommand):
    help = (
        "Create or update vaccines by code from a CSV file (UTF-8 or Shift_JIS). "
        "Every bad row is reported by line and nothing is written if there is one (exit status 1)."
    )
    model = Vaccine
    schema = VACCINES

    def write(self, rows, *, dry_run):
        return services.vaccines_import(actor=services.Actor.system(), rows=rows, dry_run=dry_run)
