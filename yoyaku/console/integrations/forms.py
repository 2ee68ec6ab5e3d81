from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yoyaku.booking.integrations import SCOPES
from yoyaku.web.forms import BaseForm


class TokenForm(BaseForm):
    name = forms.CharField(label=_("Name of the system"), max_length=100,
                           help_text=_("For example: health system (VRS upload), call-centre software."))
    scopes = forms.MultipleChoiceField(label=_("What it may do"), widget=forms.CheckboxSelectMultiple,
                                       choices=list(SCOPES.items()))
