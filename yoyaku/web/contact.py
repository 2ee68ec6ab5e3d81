"""The form that chooses how a resident gets our messages (email, SMS, LINE), on the resident's details page
and, with a reason, on the console's resident page (docs/channels.md)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from yoyaku.booking.delivery import contact_channel_choices

from .forms import BaseForm


class ContactChannelForm(BaseForm):
    contact_channel = forms.ChoiceField(
        label=gettext_lazy("How should we send you messages?"),
        help_text=gettext_lazy("Confirmations, reminders and offers of an earlier date come this way. If we have "
                               "no address for it, we send them by email."),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose how we send you messages."),
                        "invalid_choice": gettext_lazy("Choose how we send you messages.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_channel"].choices = contact_channel_choices()
