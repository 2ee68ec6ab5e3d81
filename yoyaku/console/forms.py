"""What every console area's forms share: the reason staff give for an act (recorded in the audit log), a
typed day, the venue filter, a number of days, a typed ticket number."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yoyaku.booking import rules
from yoyaku.booking.errors import InvalidInput
from yoyaku.booking.models import Venue
from yoyaku.booking.slot_patterns import parse_date
from yoyaku.web.forms import BaseForm
from yoyaku.web.query import FIRST_DAY, LAST_DAY

REASON_HELP = gettext_lazy("Recorded in the audit log with your name. Do not write personal details.")


def reason_field(*, required: bool = True, label=None, help_text=REASON_HELP) -> forms.CharField:
    """A reason (stripped: spaces alone count as none)."""
    return forms.CharField(
        label=label or (gettext_lazy("Reason") if required else gettext_lazy("Reason for the change")),
        required=required, max_length=500, help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("Give a reason: it is recorded in the audit log."),
                        "max_length": gettext_lazy("Keep the reason under 500 characters.")},
    )


class TicketNumberField(forms.CharField):
    """The 10-digit ticket number (接種券番号) as staff type it: cleaned to its digits, or the rule's message.
    Forms that take one are POSTed: a ticket number never goes into a URL."""

    def __init__(self, *, help_text, **kwargs):
        super().__init__(
            label=gettext_lazy("Ticket number"), max_length=40, help_text=help_text,
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "medium"}),
            error_messages={"required": gettext_lazy("Enter the 10-digit ticket number.")}, **kwargs)

    def clean(self, value):
        try:
            return rules.normalize_ticket_number(super().clean(value))
        except InvalidInput as error:
            raise forms.ValidationError(error.message, code=error.code) from None


class ReasonForm(BaseForm):
    """An act that needs only a reason (a cancellation, closing a slot)."""

    reason = reason_field()


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
            day = parse_date(text)
        except InvalidInput as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        if not FIRST_DAY <= day <= LAST_DAY:  # year 1 or 9999: a page adding a week to it would overflow (a 500)
            raise forms.ValidationError(_("Write the date as YYYY-MM-DD, for example 2026-04-01."), code="date_invalid")
        return day


def venue_field(*, venues=None, label=None) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label or gettext_lazy("Venue"), required=False,
        queryset=venues if venues is not None else Venue.objects.order_by("area", "code"),
        empty_label=gettext_lazy("All venues"),
        error_messages={"invalid_choice": gettext_lazy("Choose a venue from the list.")},
    )


def days_field(label, choices, initial) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, required=False, coerce=int, initial=initial,
        choices=[(n, str(n)) for n in choices],
        error_messages={"invalid_choice": gettext_lazy("Choose a number of days from the list.")},
    )
