"""The resident site's own forms: the login, the waiting list. The shared forms are in yoyaku/web/forms.py."""

from __future__ import annotations

from django import forms
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy

from yoyaku.booking import rules
from yoyaku.booking.errors import InvalidInput
from yoyaku.web.forms import BaseForm


class LoginForm(BaseForm):
    ticket_number = forms.CharField(
        label=gettext_lazy("Ticket number"),
        help_text=gettext_lazy("The 10-digit number on the document the city sent you."),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username", "class": "medium"}),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        help_text=gettext_lazy(
            "Your date of birth as 8 digits, year in the Western calendar: 19450101 for 1 January 1945."
        ),
        max_length=40,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "inputmode": "numeric"}),
    )

    def clean_ticket_number(self):
        try:
            return rules.normalize_ticket_number(self.cleaned_data["ticket_number"])
        except InvalidInput as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def clean_password(self):
        try:
            return rules.parse_birth_date(self.cleaned_data["password"], today=timezone.localdate())
        except InvalidInput as error:
            raise forms.ValidationError(error.message, code=error.code) from None


class HouseholdMemberForm(LoginForm):
    """A family member's own ticket number and date of birth (the household page): the login's fields, with
    the member's words, and the birth date in plain view (it is not the holder's password)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ticket = self.fields["ticket_number"]
        ticket.label = gettext_lazy("Family member's ticket number")
        ticket.help_text = gettext_lazy("The 10-digit number on the document the city sent to this family member.")
        ticket.widget.attrs["autocomplete"] = "off"
        birth = self.fields["password"]
        birth.label = gettext_lazy("Family member's date of birth")
        birth.help_text = gettext_lazy("8 digits, year in the Western calendar: 20100401 for 1 April 2010.")
        birth.widget = forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "class": "medium"})


class WaitingListForm(BaseForm):
    """The address the waiting list's offers go to (required: an offer is an email)."""

    email = forms.CharField(label=gettext_lazy("Email address"), max_length=254,
                            help_text=gettext_lazy("When a place frees up, we send the offer here."),
                            error_messages={"required": gettext_lazy(
                                "Enter the email address the offers should go to.")},
                            widget=forms.TextInput(attrs={"type": "email", "autocomplete": "email",
                                                          "inputmode": "email"}))

    def clean_email(self):
        value = rules.nfkc(self.cleaned_data.get("email"))
        try:
            validate_email(value)
        except forms.ValidationError:
            raise forms.ValidationError(gettext_lazy("Enter an email address like name@example.jp."),
                                        code="email") from None
        return value
