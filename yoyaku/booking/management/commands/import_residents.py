"""Import the resident register from the city's health system: docs/data-formats.md, "Residents"."""

from yoyaku.booking import services
from yoyaku.booking.imports import RESIDENTS, ImportCommand
from yoyaku.booking.models import Resident


class Command(ImportCommand):
    help = (
        "Create or update residents by ticket number from a CSV file (UTF-8 or Shift_JIS). "
        "Every bad row is reported by line and nothing is written if there is one (exit status 1)."
    )
    model = Resident
    schema = RESIDENTS

    def write(self, rows, *, dry_run):
        return services.residents_import(actor=services.Actor.system(), rows=rows, dry_run=dry_run)
