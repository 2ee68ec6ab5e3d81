"""Allocation mode (docs/allocation.md): the wishes form, the same for a resident on the resident site and for
the call centre registering a caller's wishes in the console. Server-side validation only, like every form here;
the cleaned data are the arguments of `services.allocation_register`."""

from __future__ import annotations

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yoyaku.booking import allocation as pure
from yoyaku.booking.models import AllocationRegistration, Venue

from .forms import BaseForm, DetailsForm
from .query import query_day
from .templatetags import yoyaku_dates

CHOICES = 3  # venues or areas in order of preference
PARTS = [(pure.MORNING, gettext_lazy("Morning (before 12:00)")),
         (pure.AFTERNOON, gettext_lazy("Afternoon (12:00 to 17:00)")),
         (pure.EVENING, gettext_lazy("Evening (from 17:00)"))]


def place_choices() -> list:
    """The select's options: any venue, then the areas, then the venues (values "area:<name>", "venue:<id>")."""
    venues = list(Venue.objects.filter(active=True).order_by("area", "code"))
    areas = {}
    for venue in venues:
        if venue.area:
            areas.setdefault(venue.area, venue.local_area)
    return [("", _("Any venue")),
            (_("Areas"), [(f"area:{key}", _("Anywhere in %(area)s") % {"area": label})
                          for key, label in sorted(areas.items())]),
            (_("Venues"), [(f"venue:{v.pk}", v.local_name) for v in venues])]


class WishesForm(BaseForm):
    """Where, which weekdays and times of day, from when, and the move-up wish; email for the allocation's news."""

    choice_1 = forms.ChoiceField(label=gettext_lazy("First choice"), required=False,
                                 help_text=gettext_lazy("A venue, or any venue in an area. Leave it at "
                                                        "“Any venue” if any venue will do."))
    choice_2 = forms.ChoiceField(label=gettext_lazy("Second choice"), required=False)
    choice_3 = forms.ChoiceField(label=gettext_lazy("Third choice"), required=False)
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Weekdays that suit you"), required=False, coerce=int,
        choices=[(i, WEEKDAYS[i]) for i in range(7)], widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: any day."))
    parts = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Times of day that suit you"), required=False, coerce=int, choices=PARTS,
        widget=forms.CheckboxSelectMultiple, help_text=gettext_lazy("None ticked: any time."))
    earliest_date = forms.CharField(
        label=gettext_lazy("Earliest date"), required=False, max_length=10,
        help_text=gettext_lazy("The first day you could come, for example 2026-06-01. Empty: any day."),
        widget=forms.TextInput(attrs={"type": "date", "autocomplete": "off"}))
    email = DetailsForm.base_fields["email"]
    wants_move_up = DetailsForm.base_fields["wants_move_up"]

    clean_email = DetailsForm.clean_email

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A date input takes no maxlength (HTML: only text-like types do); max_length still bounds the value.
        self.fields["earliest_date"].widget.attrs.pop("maxlength", None)
        options = place_choices()
        for n in range(1, CHOICES + 1):
            self.fields[f"choice_{n}"].choices = options
            self.fields[f"choice_{n}"].error_messages["invalid_choice"] = _(
                "This venue or area is not on the list any more. Choose another.")

    @classmethod
    def initial_for(cls, registration: AllocationRegistration | None, *, email: str = "") -> dict:
        if registration is None:
            return {"email": email}
        named = [f"venue:{v}" for v in registration.venue_ids] + [f"area:{a}" for a in registration.areas]
        initial = {f"choice_{n}": value for n, value in enumerate(named[:CHOICES], start=1)}
        if registration.weekday_mask != pure.ALL_WEEKDAYS:
            initial["weekdays"] = [i for i in range(7) if registration.weekday_mask & (1 << i)]
        if registration.part_mask != pure.ALL_PARTS:
            initial["parts"] = [p for p, _label in PARTS if registration.part_mask & p]
        if registration.earliest_date:
            initial["earliest_date"] = registration.earliest_date.isoformat()
        initial["email"] = registration.email
        initial["wants_move_up"] = "yes" if registration.wants_move_up else "no"
        return initial

    def clean_earliest_date(self):
        text = (self.cleaned_data.get("earliest_date") or "").strip()
        if not text:
            return None
        day = query_day(text.replace("/", "-"))
        if day is None:
            raise forms.ValidationError(_("Enter the date as year-month-day, for example 2026-06-01."),
                                        code="date")
        return day

    def clean(self):
        data = super().clean()
        venue_ids, areas = [], []
        for n in range(1, CHOICES + 1):
            kind, _sep, value = (data.get(f"choice_{n}") or "").partition(":")
            if kind == "venue" and value.isdigit() and int(value) not in venue_ids:
                venue_ids.append(int(value))
            elif kind == "area" and value and value not in areas:
                areas.append(value)
        data["venue_ids"], data["areas"] = venue_ids, areas
        return data

    def wishes(self) -> dict:
        """The service's keyword arguments (allocation_register)."""
        data = self.cleaned_data
        return {"venue_ids": data["venue_ids"], "areas": data["areas"], "weekdays": data.get("weekdays") or [],
                "parts": data.get("parts") or [], "earliest_date": data.get("earliest_date"),
                "wants_move_up": data.get("wants_move_up") == "yes", "email": data.get("email") or ""}


def wishes_summary(registration: AllocationRegistration) -> list[tuple[str, str]]:
    """The wishes in words, for the resident's page and the console: (label, value) rows."""
    venues = Venue.objects.in_bulk(registration.venue_ids)
    names = [venues[v].local_name for v in registration.venue_ids if v in venues]
    area_labels = {}
    for venue in Venue.objects.filter(area__in=registration.areas):
        area_labels.setdefault(venue.area, venue.local_area)
    names += [_("Anywhere in %(area)s") % {"area": area_labels.get(a, a)} for a in registration.areas]
    days = ([str(WEEKDAYS[i]) for i in range(7) if registration.weekday_mask & (1 << i)]
            if registration.weekday_mask != pure.ALL_WEEKDAYS else [])
    parts = ([str(label) for p, label in PARTS if registration.part_mask & p]
             if registration.part_mask != pure.ALL_PARTS else [])
    return [
        (_("Venues"), " → ".join(names) if names else _("Any venue")),
        (_("Weekdays"), " / ".join(days) if days else _("Any day")),
        (_("Times of day"), " / ".join(parts) if parts else _("Any time")),
        (_("Earliest date"), yoyaku_dates.day(registration.earliest_date) if registration.earliest_date
         else _("Any day")),
        (_("Earlier date"), _("Wanted") if registration.wants_move_up else _("Not wanted")),
    ]
