"""Import venues and the vaccines each offers: docs/data-formats.md, "Venues"."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

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
    audit_prefix = "venue"

    def context(self) -> Context:
        codes = frozenset(Vaccine.objects.values_list("code", flat=True))
        return Context(today=super().context().today, vaccine_codes=codes)

    def queryset(self):
        return Venue.objects.prefetch_related("vaccines")

    def current_values(self, obj, names):
        values = super().current_values(obj, [name for name in names if name != "vaccines"])
        values["vaccines"] = frozenset(vaccine.code for vaccine in obj.vaccines.all())
        return values

    def write_relations(self, changes):
        ids = dict(Vaccine.objects.values_list("code", "id"))
        for venue, change in changes:
            if "vaccines" not in change.fields:
                continue
            missing = change.values["vaccines"] - ids.keys()
            if missing:  # deleted since the file was checked: roll everything back
                message = _("line %(line)d: vaccines: unknown vaccine code %(codes)s; nothing written.") % {
                    "line": change.line, "codes": ", ".join(sorted(missing))
                }
                raise CommandError(message)
            venue.vaccines.set([ids[code] for code in change.values["vaccines"]])
