"""The console's forms for residents: search, booking on a resident's behalf, change, cancel, import.

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
from yoyaku.web.forms import BaseForm, DetailsForm

from ..forms import reason_field

CALL_REASON_HELP = gettext_lazy(
    "Recorded in the audit log with your name. For example: called the call centre, past the web deadline.")

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # 100,000 residents are about 15 MB


class ResidentSearchForm(BaseForm):
    ticket_number = forms.CharField(
        label=gettext_lazy("Ticket number"), required=False, max_length=40,
        help_text=gettext_lazy("10 digits. Full-width digits and hyphens are fine."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "medium"}),
    )
    name = forms.CharField(
        label=gettext_lazy("Name (kanji or kana)"), required=False, max_length=100,
        help_text=gettext_lazy("Part of the name is enough. Hiragana, katakana and half-width kana all match."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone number"), required=False, max_length=40,
        help_text=gettext_lazy("At least 4 digits; hyphens are ignored."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off", "class": "medium"}),
    )
    birth_date = forms.CharField(
        label=gettext_lazy("Date of birth"), required=False, max_length=40,
        help_text=gettext_lazy("For example 19450101, 1945/1/1 or 昭和20年1月1日."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "medium"}),
    )

    def clean_ticket_number(self):
        value = self.cleaned_data["ticket_number"]
        if not value.strip():
            return ""
        try:
            return rules.normalize_ticket_number(value)
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

    def clean(self):
        data = super().clean()
        if not self.errors and self.query().empty:
            raise forms.ValidationError(
                _("Enter at least one of: ticket number, name, phone number, date of birth."), code="empty"
            )
        return data

    def query(self) -> search.Query:
        data = self.cleaned_data
        return search.Query(ticket_number=data.get("ticket_number") or "", name=data.get("name") or "",
                            phone=data.get("phone") or "", birth_date=data.get("birth_date"))


class StaffBookingForm(DetailsForm):
    """The resident site's questions (booker, phones, email, move-up), asked on the phone, plus a reason.

    `request_key` makes a double submit book once: the page carries a fresh key, the service returns the
    reservation the first submit made.
    """

    request_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    reason = reason_field(help_text=CALL_REASON_HELP)

    field_order = ["booker", "booker_name", "booker_relation", "booker_phone", "recipient_phone", "email",
                   "wants_move_up", "reason"]


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
