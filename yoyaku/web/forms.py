"""The forms both sites share: the base form (server-side validation only, no `required` attributes,
an error summary in page order), the phone field, the time choice and the booking details. Messages say
how to fix the input; normalisation is the domain's rules."""

from __future__ import annotations

import re

from django import forms
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yoyaku.booking import rules


class BaseForm(forms.Form):
    use_required_attribute = False  # the browser's own bubbles are not translated or accessible

    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) pairs for the error summary, in the order of the page."""
        items = [("", str(e)) for e in self.non_field_errors()]
        for name, field in self.fields.items():
            for message in self.errors.get(name, []):
                bound = self[name]
                target = bound.auto_id
                if isinstance(field.widget, forms.RadioSelect):
                    target = f"{bound.auto_id}_0"
                items.append((target, message))
        return items


def normalize_phone(text: str) -> str:
    """Digits with hyphens as typed (full-width allowed), checked for a Japanese phone number's length."""
    cleaned = rules.nfkc(text)
    cleaned = re.sub(r"[‐‑‒–—―−ーｰ]", "-", cleaned)
    cleaned = re.sub(r"[\s()]", "", cleaned)
    digits = re.sub(r"\D", "", cleaned)
    if not re.fullmatch(r"[0-9\-]+", cleaned) or not 10 <= len(digits) <= 11 or not digits.startswith("0"):
        raise forms.ValidationError(
            _("Enter a phone number of 10 or 11 digits starting with 0, for example 0195-23-3111."), code="phone"
        )
    return cleaned.strip("-")


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "type": "tel"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return normalize_phone(value) if value else value


class TimeForm(BaseForm):
    """(2) The time: radio buttons of the free times of the chosen day (a calendar picks the day)."""

    slot = forms.TypedChoiceField(label=gettext_lazy("Time"), coerce=int, widget=forms.RadioSelect,
                                  error_messages={"required": gettext_lazy("Choose a time.")})

    def __init__(self, *args, slots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [(s.pk, slot_label(s)) for s in slots]
        self.fields["slot"].error_messages["invalid_choice"] = _(
            "This time is no longer available. Choose another time."
        )


def slot_label(slot) -> str:
    start = timezone.localtime(slot.starts_at)
    end = timezone.localtime(slot.ends_at)
    # The venue is the heading of the group the radio sits in (includes/time_radios.html).
    return _("%(start)s–%(end)s (%(vaccine)s, %(free)d left)") % {
        "start": f"{start:%H:%M}", "end": f"{end:%H:%M}", "vaccine": slot.vaccine.local_name, "free": slot.free,
    }


class DetailsForm(BaseForm):
    """(3) booker, (4) phones and email, (5) move-up."""

    BOOKER_SELF = "self"
    BOOKER_PROXY = "proxy"

    booker = forms.ChoiceField(
        label=gettext_lazy("Who is making this booking?"),
        choices=[(BOOKER_SELF, gettext_lazy("The person receiving the vaccination")),
                 (BOOKER_PROXY, gettext_lazy("Someone else, on their behalf (family, carer)"))],
        widget=forms.RadioSelect, initial=BOOKER_SELF,
        error_messages={"required": gettext_lazy("Choose who is making this booking.")},
    )
    booker_name = forms.CharField(label=gettext_lazy("Booker's name"), required=False, max_length=100,
                                  help_text=gettext_lazy("Only if you are booking for someone else."),
                                  widget=forms.TextInput(attrs={"autocomplete": "name"}))
    booker_relation = forms.CharField(label=gettext_lazy("Relation to the person"), required=False, max_length=50,
                                      help_text=gettext_lazy("For example: son, daughter, carer."))
    booker_phone = PhoneField(label=gettext_lazy("Booker's phone number"), required=False,
                              help_text=gettext_lazy("A number where we can reach you during the day."))
    recipient_phone = PhoneField(label=gettext_lazy("Phone number of the person receiving the vaccination"),
                                 help_text=gettext_lazy("We call this number if the appointment has to change."),
                                 error_messages={"required": gettext_lazy("Enter a phone number.")})
    email = forms.CharField(label=gettext_lazy("Email address"), required=False, max_length=254,
                            help_text=gettext_lazy("We send the confirmation here. Leave empty for no email."),
                            widget=forms.TextInput(attrs={"type": "email", "autocomplete": "email",
                                                          "inputmode": "email"}))
    wants_move_up = forms.ChoiceField(
        label=gettext_lazy("Would you like an earlier date?"),
        help_text=gettext_lazy(
            "If someone cancels an earlier appointment, the city may offer you an earlier date, "
            "possibly on the same day."
        ),
        choices=[("yes", gettext_lazy("Yes, I would like an earlier date")),
                 ("no", gettext_lazy("No, I do not"))],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose whether you would like an earlier date.")},
    )

    def clean_email(self):
        value = rules.nfkc(self.cleaned_data.get("email"))
        if value:
            try:
                validate_email(value)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("Enter an email address like name@example.jp, or leave it empty."), code="email"
                ) from None
        return value

    def clean(self):
        data = super().clean()
        if data.get("booker") == self.BOOKER_PROXY:
            for name, message in (
                ("booker_name", _("Enter your name (the person making the booking).")),
                ("booker_relation", _("Enter your relation to the person receiving the vaccination.")),
                ("booker_phone", _("Enter your phone number (the person making the booking).")),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        elif data.get("booker") == self.BOOKER_SELF:
            data["booker_name"] = data["booker_relation"] = data["booker_phone"] = ""
        return data
