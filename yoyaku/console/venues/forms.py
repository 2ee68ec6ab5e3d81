"""The venues area's forms: move-up, rosters and check-in.

Server-side validation only (BaseForm: no `required` attributes); bad input gives a message on the field,
never a 500. Filters are GET forms (their values are ids, dates and codes: nothing personal); the ticket
number that narrows the audit log is POSTed, and the page then filters by the resident's database id.
"""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yoyaku.booking import move_up, rules
from yoyaku.booking.models import Venue
from yoyaku.web.forms import BaseForm

from ..forms import DayField, days_field, reason_field, venue_field

MOVE_UP_DAYS = (1, 2, 3, 7, 14, 31)


# --- Move-up ---------------------------------------------------------------------------------------------


class MoveUpFilterForm(BaseForm):
    days = days_field(gettext_lazy("Days ahead (today included)"), MOVE_UP_DAYS, move_up.DEFAULT_DAYS)
    venue = venue_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = Venue.objects.filter(active=True).order_by("area", "code")

    def values(self) -> tuple[int, Venue | None]:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["days"] or move_up.DEFAULT_DAYS, self.cleaned_data["venue"]
        return move_up.DEFAULT_DAYS, None


class MoveUpForm(BaseForm):
    """Who moves up into the slot (one of the candidates shown), and why."""

    reservation = forms.TypedChoiceField(
        label=gettext_lazy("Who moves up"), coerce=int, widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the resident who moves up."),
                        "invalid_choice": gettext_lazy(
                            "This resident is no longer a candidate for this time. Choose from the list again.")},
    )
    reason = reason_field(required=True)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reservation"].choices = [(c.reservation_id, c.code) for c in candidates]

    def error_list(self):
        # The radios are in the candidates table; the summary links to the first one.
        return [("id_reservation_0" if target == "id_reservation" else target, message)
                for target, message in super().error_list()]


# --- Rosters and check-in ----------------------------------------------------------------------------


class DayForm(BaseForm):
    day = DayField(label=gettext_lazy("Day"), required=False)


LOT_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9\-]{0,39}$")


class CheckInForm(BaseForm):
    lot = forms.CharField(
        label=gettext_lazy("Lot number"), max_length=60,
        help_text=gettext_lazy("As printed on the vial, for example FF3847."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "medium", "autocapitalize": "characters"}),
        error_messages={"required": gettext_lazy("Enter the lot number of the vial.")},
    )
    reason = reason_field(required=False, label=gettext_lazy("Reason"))

    def clean_lot(self):
        lot = re.sub(r"\s+", "", rules.nfkc(self.cleaned_data["lot"])).upper()
        lot = re.sub(r"[‐‑‒–—―−ーｰ]", "-", lot)
        if not LOT_PATTERN.match(lot):
            raise forms.ValidationError(
                _("A lot number has letters, digits and hyphens only (at most 40), as printed on the vial."),
                code="lot_invalid",
            )
        return lot


class LotForm(CheckInForm):
    """The venue desk's lot number, set once and used for every one-tap check-in of the session."""

    reason = None


class DeskSearchForm(BaseForm):
    q = forms.CharField(
        label=gettext_lazy("Name, kana, reservation ID or ticket number"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "class": "search-box",
                                      "enterkeyhint": "search"}),
        error_messages={"max_length": gettext_lazy("Type at most 100 characters.")},
    )


class NoShowForm(BaseForm):
    reason = reason_field(required=False, label=gettext_lazy("Reason"))




class ScanForm(BaseForm):
    """What the scanner read (the QR code's token) or the 予約ID typed by hand: the service tells them apart."""

    scanned = forms.CharField(
        label=gettext_lazy("Reservation ID"), max_length=200,
        help_text=gettext_lazy("8 letters and digits, as on the confirmation. A scanned QR code fills this in."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "medium", "autocapitalize": "characters",
                                      "spellcheck": "false", "enterkeyhint": "go"}),
        error_messages={"required": gettext_lazy("Scan the QR code or enter the reservation ID."),
                        "max_length": gettext_lazy("Scan the QR code or enter the reservation ID.")},
    )
