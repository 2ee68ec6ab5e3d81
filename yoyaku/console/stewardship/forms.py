"""The standby list's forms: put a resident on the list (by ticket number, POSTed), give a place.

Server-side validation only (BaseForm); bad input gives a message on the field and changes nothing."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy

from yoyaku.web.forms import BaseForm
from yoyaku.web.templatetags.yoyaku_dates import clock

from ..forms import TicketNumberField, reason_field


class StandbyAddForm(BaseForm):
    """A resident who can come within the hour, put on this venue's list for today."""

    ticket_number = TicketNumberField(
        help_text=gettext_lazy("10 digits, from the resident's vaccination ticket (接種券)."))
    dose_number = forms.TypedChoiceField(
        label=gettext_lazy("Dose"), coerce=int, initial=1,
        error_messages={"required": gettext_lazy("Choose the dose."),
                        "invalid_choice": gettext_lazy("Choose the dose.")},
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone to call"), max_length=20, required=False,
        help_text=gettext_lazy("Empty: the phone number the city has for the resident."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off", "class": "medium"}),
    )
    reason = reason_field(required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dose_number"].choices = [(n, str(n)) for n in range(1, settings.YOYAKU["MAX_DOSE"] + 1)]

    def clean_phone(self):
        phone = "".join(ch for ch in self.cleaned_data["phone"] if ch.isdigit() or ch in "+-")
        if self.cleaned_data["phone"].strip() and len([ch for ch in phone if ch.isdigit()]) < 6:
            raise forms.ValidationError(gettext_lazy("Enter a phone number (digits, and - if you like)."))
        return phone


class StandbyCallForm(BaseForm):
    """The time the resident on the list is given, whether a place is added for a leftover dose, and why."""

    slot = forms.TypedChoiceField(
        label=gettext_lazy("Time"), coerce=int,
        error_messages={"required": gettext_lazy("Choose the time the resident comes at."),
                        "invalid_choice": gettext_lazy("This time has begun or is closed. Choose another.")},
    )
    add_place = forms.BooleanField(
        label=gettext_lazy("The time is full: add one place for a dose left in the last opened vial"),
        required=False,
    )
    reason = reason_field(required=True)

    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [
            (slot.pk, f"{clock(slot.starts_at)} {slot.vaccine.name} ({slot.free}/{slot.capacity})") for slot in slots]
