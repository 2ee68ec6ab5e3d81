from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yoyaku.booking.integrations import SCOPES, WEBHOOK_EVENTS
from yoyaku.web.forms import BaseForm


class TokenForm(BaseForm):
    name = forms.CharField(label=_("Name of the system"), max_length=100,
                           help_text=_("For example: health system (VRS upload), call-centre software."))
    scopes = forms.MultipleChoiceField(label=_("What it may do"), widget=forms.CheckboxSelectMultiple,
                                       choices=list(SCOPES.items()))


class WebhookForm(BaseForm):
    name = forms.CharField(label=_("Name of the receiving system"), max_length=100,
                           help_text=_("For example: LINE bot, call-centre software."))
    url = forms.CharField(label=_("URL"), max_length=500,
                          help_text=_("The receiver's full address, starting with https://. Each event is POSTed "
                                      "to it as JSON, signed with the secret shown once after saving."))
    events = forms.MultipleChoiceField(label=_("Events to send"), widget=forms.CheckboxSelectMultiple,
                                       choices=list(WEBHOOK_EVENTS.items()))
