"""The reports area's forms: the dashboard, the audit log and the reservations export.

Filters are GET forms (ids, dates and action names: nothing personal); the ticket number that narrows the
audit log is POSTed, and the page then filters by the resident's database id.
"""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yoyaku.booking.models import AuditEvent, Reservation
from yoyaku.web.forms import BaseForm

from .. import audit_labels
from ..forms import DayField, TicketNumberField, days_field, venue_field

MAX_EXPORT_DAYS = 366
DASHBOARD_DAYS = (1, 3, 7, 14, 31)


# --- Dashboard ------------------------------------------------------------------------------------------


class DashboardForm(BaseForm):
    day = DayField(label=gettext_lazy("From"), required=False)
    days = days_field(gettext_lazy("Number of days"), DASHBOARD_DAYS, 7)
    venue = venue_field()


# --- Audit log and export ---------------------------------------------------------------------------------


def _range_clean(form, data, *, first="date_from", last="date_to", max_days=None):
    start, end = data.get(first), data.get(last)
    if start and end and end < start:
        form.add_error(last, _("The end date must be on or after the start date."))
    elif start and end and max_days and (end - start).days >= max_days:
        form.add_error(last, _("Choose at most %(n)d days.") % {"n": max_days})
    return data


SECURITY = "security"  # the filter's choice for every failed login, lockout and second-factor failure


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
        self.fields["action"].choices = [("", _("Any action")), (SECURITY, _("Failed logins and lockouts (all)")),
                                         *audit_labels.action_choices(actions)]

    def clean(self):
        return _range_clean(self, super().clean())


class AuditResidentForm(BaseForm):
    """The ticket number is POSTed: it never appears in a URL."""

    ticket_number = TicketNumberField(help_text=gettext_lazy("10 digits. Shows the events of this resident only."))


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
