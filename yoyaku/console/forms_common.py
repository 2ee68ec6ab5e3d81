"""What every console area's forms share: the reason staff give for an act, recorded in the audit log."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from yoyaku.web.forms import BaseForm

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


class ReasonForm(BaseForm):
    """An act that needs only a reason (a cancellation, closing a slot)."""

    reason = reason_field()
