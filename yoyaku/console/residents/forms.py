"""The console's forms for residents: the one search box, booking on a resident's behalf, change, cancel, import.

Server-side validation only (BaseForm: no `required` attributes). Input is read with the domain's rules,
so the operator may type what the resident says in any form: full-width digits, hyphens, era dates.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yoyaku.booking import rules, search
from yoyaku.booking.errors import InvalidInput
from yoyaku.web.forms import BaseForm

from ..forms import reason_field

CALL_REASON_HELP = gettext_lazy(
    "Recorded in the audit log with your name. For example: called the call centre, past the web deadline.")

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # 100,000 residents are about 15 MB


class ResidentSearchForm(BaseForm):
    """One box that reads what was typed (search.understand), and two optional filters that narrow a name
    search. Every search replaces the last one: nothing typed earlier is combined with it unseen."""

    q = forms.CharField(
        label=gettext_lazy("Ticket number, reservation ID, name, phone number or date of birth"),
        required=False, max_length=100,
        help_text=gettext_lazy("Type what the caller gives you, as they say it: 2000000011, 0195-23-3111, "
                               "さとう はな, 佐藤, 昭和19年5月10日, S19.5.10 or 1944/5/10."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "search-box"}),
    )
    birth_date = forms.CharField(
        label=gettext_lazy("Date of birth"), required=False, max_length=40,
        help_text=gettext_lazy("For example 19450101, 1945/1/1 or 昭和20年1月1日."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "medium"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone number"), required=False, max_length=40,
        help_text=gettext_lazy("At least 4 digits; hyphens are ignored."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off", "class": "medium"}),
    )

    FILTERS = ("birth_date", "phone")

    def clean_q(self):
        value = self.cleaned_data["q"]
        try:
            return search.readings(value, today=timezone.localdate()) and value
        except InvalidInput as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        if not value.strip():
            return ""
        digits = search.phone_digits(value)
        if len(digits) < search.MIN_PHONE_DIGITS:
            raise forms.ValidationError(
                _("Enter at least %(n)d digits of the phone number.") % {"n": search.MIN_PHONE_DIGITS}, code="phone"
            )
        return digits

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if not value.strip():
            return None
        try:
            return rules.parse_birth_date(value, today=timezone.localdate())
        except InvalidInput as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def understood(self) -> search.Understood:
        data = self.cleaned_data
        return search.understand(data["q"], today=timezone.localdate(), birth_date=data.get("birth_date"),
                                 phone=data.get("phone") or "")

    @property
    def filters_typed(self) -> bool:
        source = self.data if self.is_bound else self.initial
        return any(str(source.get(name) or "").strip() for name in self.FILTERS)


class CallReasonForm(BaseForm):
    """The last step of booking for a caller: why staff book (recorded in the audit log)."""

    reason = reason_field(help_text=CALL_REASON_HELP)


class ImportUploadForm(BaseForm):
    file = forms.FileField(
        label=gettext_lazy("Residents file (CSV)"),
        help_text=gettext_lazy("UTF-8 or Shift_JIS (CP932), the same format as manage.py import_residents."),
        error_messages={"required": gettext_lazy("Choose the CSV file to check."),
                        "empty": gettext_lazy("The file is empty.")},
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(mb)d MB).") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
                code="too_large",
            )
        return upload
