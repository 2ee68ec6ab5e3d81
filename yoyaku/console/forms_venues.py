"""The console's forms for move-up, rosters and check-in, the dashboard and the audit log.

Server-side validation only (BaseForm: no `required` attributes); bad input gives a message on the field,
never a 500. Filters are GET forms (their values are ids, dates and codes: nothing personal); the ticket
number that narrows the audit log is POSTed, and the page then filters by the resident's database id.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yoyaku.booking import moveup, rules
from yoyaku.booking.errors import InvalidInput
from yoyaku.booking.models import AuditEvent, Reservation, Venue
from yoyaku.booking.slot_patterns import parse_date
from yoyaku.web.forms import BaseForm

from .forms_common import reason_field

MAX_EXPORT_DAYS = 366
DASHBOARD_DAYS = (1, 3, 7, 14, 31)
MOVE_UP_DAYS = (1, 2, 3, 7, 14, 31)


class DayField(forms.Field):
    """A date typed as 2026-06-01 (also 2026/6/1, 20260601, full-width digits). One box: staff type fast."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", gettext_lazy("For example 2026-06-01."))
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                           "class": "date", "maxlength": "20"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, date):
            return value
        text = rules.nfkc(value)
        if not text:
            return None
        if len(text) > 20:
            raise forms.ValidationError(_("Write the date as YYYY-MM-DD, for example 2026-04-01."), code="date_invalid")
        if re.fullmatch(r"\d{8}", text):
            text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
        try:
            return parse_date(text)
        except InvalidInput as error:
            raise forms.ValidationError(error.message, code=error.code) from None


def venue_field(*, venues=None, label=None) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label or gettext_lazy("Venue"), required=False,
        queryset=venues if venues is not None else Venue.objects.order_by("area", "code"),
        empty_label=gettext_lazy("All venues"),
        error_messages={"invalid_choice": gettext_lazy("Choose a venue from the list.")},
    )


def _days_field(label, choices, initial) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, required=False, coerce=int, initial=initial,
        choices=[(n, str(n)) for n in choices],
        error_messages={"invalid_choice": gettext_lazy("Choose a number of days from the list.")},
    )


# --- Move-up ---------------------------------------------------------------------------------------------


class MoveUpFilterForm(BaseForm):
    days = _days_field(gettext_lazy("Days ahead (today included)"), MOVE_UP_DAYS, moveup.DEFAULT_DAYS)
    venue = venue_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = Venue.objects.filter(active=True).order_by("area", "code")

    def values(self) -> tuple[int, Venue | None]:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["days"] or moveup.DEFAULT_DAYS, self.cleaned_data["venue"]
        return moveup.DEFAULT_DAYS, None


class MoveUpForm(BaseForm):
    """Who moves up into the slot (one of the candidates shown), and why."""

    reservation = forms.TypedChoiceField(
        label=gettext_lazy("Who moves up"), coerce=int, widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the resident who moves up."),
                        "invalid_choice": gettext_lazy(
                            "This resident is no longer a candidate for this time. Choose from the list again.")},
    )
    reason = reason_field(required=True)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reservation"].choices = [(c.reservation_id, c.code) for c in candidates]

    def error_list(self):
        # The radios are in the candidates table; the summary links to the first one.
        return [("id_reservation_0" if target == "id_reservation" else target, message)
                for target, message in super().error_list()]


# --- Rosters and check-in ----------------------------------------------------------------------------


class DayForm(BaseForm):
    day = DayField(label=gettext_lazy("Day"), required=False)


LOT_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9\-]{0,39}$")


class CheckInForm(BaseForm):
    lot = forms.CharField(
        label=gettext_lazy("Lot number"), max_length=60,
        help_text=gettext_lazy("As printed on the vial, for example FF3847."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "medium", "autocapitalize": "characters"}),
        error_messages={"required": gettext_lazy("Enter the lot number of the vial.")},
    )
    reason = reason_field(required=False, label=gettext_lazy("Reason"))

    def clean_lot(self):
        lot = re.sub(r"\s+", "", rules.nfkc(self.cleaned_data["lot"])).upper()
        lot = re.sub(r"[‐‑‒–—―−ーｰ]", "-", lot)
        if not LOT_PATTERN.match(lot):
            raise forms.ValidationError(
                _("A lot number has letters, digits and hyphens only (at most 40), as printed on the vial."),
                code="lot_invalid",
            )
        return lot


class NoShowForm(BaseForm):
    reason = reason_field(required=False, label=gettext_lazy("Reason"))


# --- Dashboard ------------------------------------------------------------------------------------------


class DashboardForm(BaseForm):
    day = DayField(label=gettext_lazy("From"), required=False)
    days = _days_field(gettext_lazy("Number of days"), DASHBOARD_DAYS, 7)
    venue = venue_field()


# --- Audit log and export ---------------------------------------------------------------------------------


def _range_clean(form, data, *, first="date_from", last="date_to", max_days=None):
    start, end = data.get(first), data.get(last)
    if start and end and end < start:
        form.add_error(last, _("The end date must be on or after the start date."))
    elif start and end and max_days and (end - start).days >= max_days:
        form.add_error(last, _("Choose at most %(n)d days.") % {"n": max_days})
    return data


class AuditFilterForm(BaseForm):
    resident = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    staff = forms.ModelChoiceField(
        label=gettext_lazy("Staff member"), required=False, queryset=None, empty_label=gettext_lazy("Anyone"),
        error_messages={"invalid_choice": gettext_lazy("Choose a staff member from the list.")},
    )
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False,
                               error_messages={"invalid_choice": gettext_lazy("Choose an action from the list.")})
    date_from = DayField(label=gettext_lazy("From"), required=False)
    date_to = DayField(label=gettext_lazy("To"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = get_user_model().objects.filter(is_staff=True).order_by("username")
        self.fields["staff"].label_from_instance = lambda user: user.get_username()
        actions = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
        self.fields["action"].choices = [("", _("Any action")), *((a, a) for a in actions)]

    def clean(self):
        return _range_clean(self, super().clean())


class AuditResidentForm(BaseForm):
    """The ticket number is POSTed: it never appears in a URL."""

    ticket_number = forms.CharField(
        label=gettext_lazy("Ticket number"), max_length=40,
        help_text=gettext_lazy("10 digits. Shows the events of this resident only."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "medium"}),
        error_messages={"required": gettext_lazy("Enter the 10-digit ticket number.")},
    )

    def clean_ticket_number(self):
        try:
            return rules.normalize_ticket_number(self.cleaned_data["ticket_number"])
        except InvalidInput as error:
            raise forms.ValidationError(error.message, code=error.code) from None


class ReservationExportForm(BaseForm):
    date_from = DayField(label=gettext_lazy("Appointments from"),
                         error_messages={"required": gettext_lazy("Enter the first day.")})
    date_to = DayField(label=gettext_lazy("Appointments to"),
                       error_messages={"required": gettext_lazy("Enter the last day.")})
    venue = venue_field()
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False,
        choices=[("", gettext_lazy("Any status")), *Reservation.Status.choices],
        error_messages={"invalid_choice": gettext_lazy("Choose a status from the list.")},
    )

    def clean(self):
        return _range_clean(self, super().clean(), max_days=MAX_EXPORT_DAYS)

    @staticmethod
    def default_range(today: date) -> dict:
        return {"date_from": today.isoformat(), "date_to": (today + timedelta(days=30)).isoformat()}
