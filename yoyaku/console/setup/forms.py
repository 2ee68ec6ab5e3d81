"""The console's forms for the city's set-up: vaccines, venues, slots, booking windows, notices.

Server-side validation only (BaseForm: no `required` attributes). Dates follow the Digital Agency's
pattern: 年 / 月 / 日 as three numeric inputs in a fieldset (`DateField`), with a time as HH:MM beside them
when the moment matters (`DateTimeField`); a whole date typed into the year box (2026-04-01, 2026/4/1) is
read too, for staff who type fast. Full-width digits are fine everywhere.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yoyaku.booking import rules
from yoyaku.booking.errors import InvalidInput
from yoyaku.booking.models import Vaccine, Venue
from yoyaku.booking.slot_patterns import (
    WEEKDAY_CODES,
    SlotPattern,
    local_datetime,
    parse_clock,
    parse_date,
    parse_times,
    parse_weekdays,
)
from yoyaku.web.forms import BaseForm, PhoneField

from ..forms import reason_field

MAX_CAPACITY = 9999
# Dates the city may need: birth dates from 1900 (rules.OLDEST_BIRTH_YEAR) to schedules well ahead. Outside
# them, date arithmetic (ages, time zones) could fail instead of answering with a message.
MIN_YEAR, MAX_YEAR = 1900, 2199

# --- Dates: a native date input (and a time input) in a fieldset ----------------------------------------
#
# <input type="date"> and <input type="time">: the phone's or the browser's own picker, no JavaScript. A
# browser without them shows a text box, and the server reads what is typed there (2026-04-01, 2026/4/1,
# 20260401, full-width digits). The former 年 / 月 / 日 boxes (`<name>_year`, `_month`, `_day`, `_time`) are
# still read when posted, so an open page from before the change still saves.

_PART_LABELS = {"date": gettext_lazy("Date"), "time": gettext_lazy("Time (HH:MM)")}
_LEGACY_PARTS = ("year", "month", "day", "time")


def _part_widgets(with_time: bool, hidden: bool) -> dict:
    if hidden:
        return {name: forms.HiddenInput() for name in ["date", *(["time"] if with_time else [])]}
    # No placeholder: it is not allowed on date and time inputs (vnu), and their pickers show the format.
    widgets = {"date": forms.DateInput(attrs={"type": "date", "class": "date-input", "autocomplete": "off"})}
    if with_time:
        widgets["time"] = forms.TimeInput(attrs={"type": "time", "class": "time-input", "autocomplete": "off"})
    return widgets


class DatePartsWidget(forms.MultiWidget):
    """A date [and a time]: rendered by console/setup/date_field.html, which reads each part's label."""

    def __init__(self, *, with_time: bool = False, hidden: bool = False, attrs=None):
        self.with_time = with_time
        super().__init__(_part_widgets(with_time, hidden), attrs)

    def decompress(self, value):
        if isinstance(value, datetime):
            local = timezone.localtime(value)
            return [local.date().isoformat(), local.strftime("%H:%M")]
        if isinstance(value, date):
            return [value.isoformat(), ""][: 2 if self.with_time else 1]
        return [""] * (2 if self.with_time else 1)

    def value_from_datadict(self, data, files, name):
        if any(f"{name}_{part}" in data for part in _LEGACY_PARTS[:3]):
            parts = _LEGACY_PARTS if self.with_time else _LEGACY_PARTS[:3]
            return ("legacy", *(data.get(f"{name}_{part}", "") for part in parts))
        return super().value_from_datadict(data, files, name)

    def format_value(self, value):
        return value

    def get_context(self, name, value, attrs):
        if isinstance(value, tuple) and value and value[0] == "legacy":  # re-shown after an error
            value = self._from_legacy(value)
        context = super().get_context(name, value, attrs)
        for part, subwidget in zip(self.widgets_names, context["widget"]["subwidgets"], strict=True):
            subwidget["part_label"] = _PART_LABELS[part.lstrip("_")]
        return context

    def _from_legacy(self, value) -> list[str]:
        year, month, day, *clock = value[1:]
        try:
            text = date(int(year), int(month), int(day)).isoformat()
        except ValueError:
            text = ""
        return [text, *clock]


def _date_text(text: str) -> date:
    text = rules.nfkc(text)
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        return parse_date(text)
    except InvalidInput as error:
        raise forms.ValidationError(error.message, code=error.code) from None


class DateField(forms.Field):
    """A local date; with `with_time`, an aware datetime from the date and HH:MM."""

    def __init__(self, *, with_time: bool = False, **kwargs):
        self.with_time = with_time
        kwargs.setdefault("widget", DatePartsWidget(with_time=with_time))
        super().__init__(**kwargs)
        self.hidden_widget = lambda: DatePartsWidget(with_time=with_time, hidden=True)

    def to_python(self, value):
        if not isinstance(value, list | tuple):
            return value if isinstance(value, date) else None
        if value and value[0] == "legacy":
            return self._legacy(list(value[1:]))
        parts = [rules.nfkc(part or "") for part in value]
        if not any(parts):
            return None
        if not parts[0]:
            raise forms.ValidationError(_("Enter the date, for example 2026-04-01."), code="date_incomplete")
        return self._finish(_date_text(parts[0]), parts[1] if len(parts) > 1 else "")

    def _finish(self, day_value: date, clock_text: str):
        if not MIN_YEAR <= day_value.year <= MAX_YEAR:
            raise forms.ValidationError(_("Enter a year from %(min)d to %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR},
                                        code="year_out_of_range")
        if not self.with_time:
            return day_value
        if not clock_text:
            raise forms.ValidationError(_("Enter the time as HH:MM, for example 09:00."), code="time_missing")
        try:
            return local_datetime(day_value, parse_clock(clock_text), timezone.get_current_timezone())
        except InvalidInput as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def _legacy(self, value: list):
        """年 / 月 / 日 [/ 時刻] boxes, as posted by a page from before the date inputs."""
        parts = [rules.nfkc(part) for part in value]
        if not any(parts):
            return None
        year, month, day = parts[:3]
        if year and not month and not day and not year.isdigit():
            day_value = _date_text(year)  # the whole date in the year box
        else:
            day_value = self._day(year, month, day)
        return self._finish(day_value, parts[3] if len(parts) > 3 else "")

    @staticmethod
    def _day(year: str, month: str, day: str) -> date:
        if not (year and month and day):
            raise forms.ValidationError(_("Enter the year, month and day."), code="date_incomplete")
        if not (year.isascii() and year.isdigit() and month.isascii() and month.isdigit() and day.isascii()
                and day.isdigit()) or len(year) != 4:
            raise forms.ValidationError(
                _("Enter the year (4 digits), month and day as numbers, for example 2026, 4, 1."), code="date_invalid"
            )
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(
                _("%(year)s/%(month)s/%(day)s is not a date in the calendar. Check the month and day.")
                % {"year": year, "month": month, "day": day},
                code="date_impossible",
            ) from None


def _format(message: str, **params) -> str:
    return _(message) % params


_lazy_format = lazy(_format, str)  # translated when shown, in the page's language


def whole_number(label, *, minimum: int, maximum: int, required: bool = True, **kwargs) -> forms.IntegerField:
    message = _lazy_format("Enter a whole number from %(min)d to %(max)d.", min=minimum, max=maximum)
    return forms.IntegerField(
        label=label, required=required, min_value=minimum, max_value=maximum,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "class": "short"}),
        error_messages={"invalid": message, "min_value": message, "max_value": message,
                        "required": gettext_lazy("Enter a number.")},
        **kwargs,
    )


class SetupForm(BaseForm):
    """The error summary links to the first input of a group (checkboxes, date parts)."""

    def error_list(self) -> list[tuple[str, str]]:
        items = []
        for target, message in super().error_list():
            name = target.removeprefix("id_")
            field = self.fields.get(name)
            if field is not None and isinstance(field.widget, forms.CheckboxSelectMultiple | DatePartsWidget):
                target = f"{target}_0"
            items.append((target, message))
        return items

    def add_domain_error(self, error, fields_by_code: dict | None = None) -> None:
        """A service's refusal, on the field it concerns (by the error's code) or on the whole form."""
        field = (fields_by_code or {}).get(getattr(error, "code", ""))
        self.add_error(field if field in self.fields else None, error.message)


def _active_field(help_text) -> forms.BooleanField:
    return forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True, help_text=help_text)


# --- Vaccines and venues ---------------------------------------------------------------------------------

# The optional languages of names and texts, as the notice form shows them: each named in itself.
LANGUAGE_SECTIONS = (("en", "en", "English"), ("zh_hans", "zh-Hans", "中文"), ("ko", "ko", "한국어"))


def _language_fields(model, names: tuple[str, ...], *, textarea: tuple[str, ...] = ()) -> dict[str, forms.CharField]:
    """Optional per-language fields (name_en, area_ko…), labelled with the model's verbose names."""
    fields = {}
    for name in names:
        for suffix, _code, _label in LANGUAGE_SECTIONS:
            field_name = f"{name}_{suffix}"
            model_field = model._meta.get_field(field_name)
            widget = forms.Textarea(attrs={"rows": 3}) if name in textarea else forms.TextInput()
            fields[field_name] = forms.CharField(
                label=capfirst(model_field.verbose_name), required=False, widget=widget,
                max_length=model_field.max_length or 2000)  # access notes: as long as the Japanese ones
    return fields


class LanguageSectionsMixin:
    """Adds the per-language fields of LANGUAGE_NAMES, and groups them by language for the template."""

    LANGUAGE_MODEL = None
    LANGUAGE_NAMES: tuple[str, ...] = ()
    LANGUAGE_TEXTAREAS: tuple[str, ...] = ()

    def add_language_fields(self) -> None:
        self.fields.update(_language_fields(self.LANGUAGE_MODEL, self.LANGUAGE_NAMES,
                                            textarea=self.LANGUAGE_TEXTAREAS))

    def language_sections(self) -> list[tuple[str, str, list]]:
        return [(code, label, [self[f"{name}_{suffix}"] for name in self.LANGUAGE_NAMES])
                for suffix, code, label in LANGUAGE_SECTIONS]


class VaccineForm(LanguageSectionsMixin, SetupForm):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=20,
                           help_text=gettext_lazy("Letters, digits, “.”, “_” or “-”, for example PFZ. Used in files "
                                                  "and commands."),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "class": "medium"}),
                           error_messages={"required": gettext_lazy("Enter a code.")})
    name = forms.CharField(label=gettext_lazy("Vaccine name"), max_length=100,
                           error_messages={"required": gettext_lazy("Enter the vaccine's name.")})
    min_age = whole_number(gettext_lazy("Minimum age"), minimum=0, maximum=120,
                           help_text=gettext_lazy("Residents younger than this on the day cannot book it."))
    next_dose_min_days = whole_number(gettext_lazy("Minimum days to the next dose"), minimum=0, maximum=3650,
                                      help_text=gettext_lazy("The next dose can be booked this many days after "
                                                             "this one at the earliest."))
    doses_per_vial = whole_number(gettext_lazy("Doses per vial"), minimum=1, maximum=100,
                                  help_text=gettext_lazy("Used to show the doses an opened vial would waste."))
    active = _active_field(gettext_lazy("Untick to stop new bookings of this vaccine. Reservations already made "
                                        "stay."))
    LANGUAGE_MODEL = Vaccine
    LANGUAGE_NAMES = ("name",)
    FIELDS_BY_CODE = {"code_empty": "code", "code_invalid": "code", "code_taken": "code", "name_empty": "name",
                      "name_too_long": "name", "min_age_invalid": "min_age",
                      "next_dose_min_days_invalid": "next_dose_min_days", "doses_per_vial_invalid": "doses_per_vial",
                      **{f"name_{suffix}_too_long": f"name_{suffix}" for suffix, _c, _l in LANGUAGE_SECTIONS}}

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_language_fields()
        if editing:
            self.fields["reason"] = reason_field(required=False)


class VaccineChoices(forms.ModelMultipleChoiceField):
    """Database ids only: a huge number would overflow SQLite's integer in the query (a 500, not a message)."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if not (text.isascii() and text.isdigit() and len(text) <= 18):
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                            params={"value": text})
        return super()._check_values(value)


class VenueForm(LanguageSectionsMixin, SetupForm):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=20,
                           help_text=gettext_lazy("Letters, digits, “.”, “_” or “-”, for example C01. Used in files "
                                                  "and commands."),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "class": "medium"}),
                           error_messages={"required": gettext_lazy("Enter a code.")})
    name = forms.CharField(label=gettext_lazy("Venue name"), max_length=100,
                           error_messages={"required": gettext_lazy("Enter the venue's name.")})
    kind = forms.ChoiceField(label=gettext_lazy("Kind of venue"), choices=Venue.Kind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": gettext_lazy("Choose the kind of venue.")})
    area = forms.CharField(label=gettext_lazy("Area"), required=False, max_length=50,
                           help_text=gettext_lazy("Residents filter venues by area."))
    address = forms.CharField(label=gettext_lazy("Address"), required=False, max_length=200)
    phone = PhoneField(label=gettext_lazy("Phone number"), required=False)
    notes = forms.CharField(label=gettext_lazy("Access notes"), required=False, max_length=2000,
                            help_text=gettext_lazy("Shown to residents: how to get there, parking, what to know."),
                            widget=forms.Textarea(attrs={"rows": 3}))
    vaccines = VaccineChoices(
        label=gettext_lazy("Vaccines offered"), required=False, queryset=Vaccine.objects.order_by("code"),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Slots can only be generated for vaccines the venue offers. Removing one does not "
                               "close its slots."),
        error_messages={"invalid_choice": gettext_lazy("A vaccine you chose no longer exists. Choose again."),
                        "invalid_pk_value": gettext_lazy("A vaccine you chose no longer exists. Choose again.")},
    )
    active = _active_field(gettext_lazy("Untick to stop new bookings at this venue. Reservations already made "
                                        "stay."))
    LANGUAGE_MODEL = Venue
    LANGUAGE_NAMES = ("name", "area", "address", "notes")
    LANGUAGE_TEXTAREAS = ("notes",)
    FIELDS_BY_CODE = {"code_empty": "code", "code_invalid": "code", "code_taken": "code", "name_empty": "name",
                      "name_too_long": "name", "kind_invalid": "kind", "area_too_long": "area",
                      "address_too_long": "address", "phone_too_long": "phone", "vaccine_gone": "vaccines",
                      **{f"{name}_{suffix}_too_long": f"{name}_{suffix}" for name in LANGUAGE_NAMES
                         for suffix, _c, _l in LANGUAGE_SECTIONS}}

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vaccines"].label_from_instance = lambda v: v.name if v.active else _("%(name)s (inactive)") % {
            "name": v.name}
        self.add_language_fields()
        if editing:
            self.fields["reason"] = reason_field(required=False)


# --- Slots -----------------------------------------------------------------------------------------------


def _dose_choices():
    return [(str(n), _("Dose %(n)d") % {"n": n}) for n in range(1, settings.YOYAKU["MAX_DOSE"] + 1)]


_WEEKDAY_LABELS = {"mon": gettext_lazy("Mon"), "tue": gettext_lazy("Tue"), "wed": gettext_lazy("Wed"),
                   "thu": gettext_lazy("Thu"), "fri": gettext_lazy("Fri"), "sat": gettext_lazy("Sat"),
                   "sun": gettext_lazy("Sun")}


class SlotsGenerateForm(SetupForm):
    """The pattern of `manage.py generate_slots`, read by the same functions (slot_patterns)."""

    venue = forms.ModelChoiceField(label=gettext_lazy("Venue"), queryset=Venue.objects.order_by("code"),
                                   empty_label=gettext_lazy("Choose a venue"),
                                   error_messages={"required": gettext_lazy("Choose a venue."),
                                                   "invalid_choice": gettext_lazy("Choose a venue from the list.")})
    vaccine = forms.ModelChoiceField(label=gettext_lazy("Vaccine"), queryset=Vaccine.objects.order_by("code"),
                                     empty_label=gettext_lazy("Choose a vaccine"),
                                     help_text=gettext_lazy("The venue must offer it."),
                                     error_messages={"required": gettext_lazy("Choose a vaccine."),
                                                     "invalid_choice": gettext_lazy("Choose a vaccine from the "
                                                                                    "list.")})
    first_day = DateField(label=gettext_lazy("First day"),
                          error_messages={"required": gettext_lazy("Enter the first day.")})
    last_day = DateField(label=gettext_lazy("Last day"), help_text=gettext_lazy("Included. At most 366 days."),
                         error_messages={"required": gettext_lazy("Enter the last day.")})
    weekdays = forms.MultipleChoiceField(
        label=gettext_lazy("Weekdays"), widget=forms.CheckboxSelectMultiple,
        choices=[(code, _WEEKDAY_LABELS[code]) for code in WEEKDAY_CODES],
        error_messages={"required": gettext_lazy("Choose at least one weekday."),
                        "invalid_choice": gettext_lazy("Choose weekdays from the list.")},
    )
    times = forms.CharField(label=gettext_lazy("Start times"), max_length=1000,
                            help_text=gettext_lazy("Local time on the 24-hour clock, separated by commas: single "
                                                   "times (09:00, 14:00) or ranges with the minutes between "
                                                   "starts (9:00-12:00/30, 13:30-17:00/30: every 30 minutes, "
                                                   "the last start before the end)."),
                            error_messages={"required": gettext_lazy("Enter at least one start time.")})
    minutes = whole_number(gettext_lazy("Length of each slot (minutes)"), minimum=1, maximum=24 * 60)
    capacity = whole_number(gettext_lazy("Places per slot"), minimum=1, maximum=MAX_CAPACITY)
    doses = forms.MultipleChoiceField(label=gettext_lazy("Doses the slots serve"), widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": gettext_lazy("Choose at least one dose."),
                                                      "invalid_choice": gettext_lazy("Choose doses from the list.")})
    bookable_from = DateField(with_time=True, label=gettext_lazy("Bookable from"), required=False,
                              help_text=gettext_lazy("Leave empty to let residents book them at once."))

    FIELDS_BY_CODE = {"range_backwards": "last_day", "range_too_long": "last_day", "minutes_invalid": "minutes",
                      "weekdays_empty": "weekdays", "weekday_unknown": "weekdays", "pattern_empty": "weekdays",
                      "times_empty": "times", "time_invalid": "times", "time_skipped": "times",
                      "capacity_invalid": "capacity", "dose_invalid": "doses", "venue_lacks_vaccine": "vaccine"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doses"].choices = _dose_choices()
        self.fields["vaccine"].label_from_instance = lambda v: f"{v.name} ({v.code})"
        self.fields["venue"].label_from_instance = lambda v: f"{v.name} ({v.code})"

    def clean_times(self):
        try:
            return tuple(parse_times(self.cleaned_data["times"]))
        except InvalidInput as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["pattern"] = SlotPattern(
                first_day=data["first_day"], last_day=data["last_day"],
                weekdays=parse_weekdays(",".join(data["weekdays"])), times=data["times"], minutes=data["minutes"],
            )
            data["pattern"].expand(timezone.get_current_timezone())  # no day on the weekdays; a skipped time
        except InvalidInput as error:
            self.add_domain_error(error, self.FIELDS_BY_CODE)
        data["doses"] = sorted(int(n) for n in data["doses"])
        return data


class CapacityForm(SetupForm):
    capacity = whole_number(gettext_lazy("New capacity"), minimum=0, maximum=MAX_CAPACITY,
                            help_text=gettext_lazy("Not lower than the places already booked."))
    reason = reason_field()


# --- Booking windows -------------------------------------------------------------------------------------


class WindowForm(SetupForm):
    label = forms.CharField(label=gettext_lazy("Window name"), required=False, max_length=100,
                            help_text=gettext_lazy("A name staff will recognise, for example 65歳以上."))
    doses = forms.MultipleChoiceField(label=gettext_lazy("Doses"), widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": gettext_lazy("Choose at least one dose."),
                                                      "invalid_choice": gettext_lazy("Choose doses from the list.")})
    min_age = whole_number(gettext_lazy("Aged at least"), minimum=0, maximum=150, required=False,
                           help_text=gettext_lazy("With the day below: sets “born on or before”, counting ages as "
                                                  "the law does (65 on 2027-03-31: born on or before 1962-04-01)."))
    age_on = DateField(label=gettext_lazy("on this day"), required=False)
    born_on_or_before = DateField(label=gettext_lazy("Born on or before"), required=False,
                                  help_text=gettext_lazy("Or give the birth date directly."))
    born_after = DateField(label=gettext_lazy("Born after"), required=False,
                           help_text=gettext_lazy("Optional: only residents born after this day."))
    group = forms.CharField(label=gettext_lazy("Group"), required=False, max_length=50,
                            help_text=gettext_lazy("Optional: only residents in this group, for example medical. "
                                                   "Empty: everyone the dates allow."),
                            widget=forms.TextInput(attrs={"autocomplete": "off", "class": "medium"}))
    opens_at = DateField(with_time=True, label=gettext_lazy("Booking opens"),
                         error_messages={"required": gettext_lazy("Enter when booking opens.")})
    closes_at = DateField(with_time=True, label=gettext_lazy("Booking closes"), required=False,
                          help_text=gettext_lazy("Optional. Empty: it stays open."))

    FIELDS_BY_CODE = {"dose_invalid": "doses", "window_closes_before_opening": "closes_at",
                      "window_birth_range_empty": "born_after", "group_invalid": "group",
                      "label_too_long": "label"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doses"].choices = _dose_choices()

    def clean(self):
        data = super().clean()
        min_age, age_on = data.get("min_age"), data.get("age_on")
        if "min_age" in self.errors or "age_on" in self.errors:
            return data
        if min_age is not None or age_on is not None:
            if min_age is None:
                self.add_error("min_age", _("Enter the age, or leave the day empty too."))
            elif age_on is None:
                self.add_error("age_on", _("Enter the day on which residents must have that age."))
            elif data.get("born_on_or_before") is not None:
                self.add_error("born_on_or_before", _("Give either an age on a day or “born on or before”, "
                                                      "not both."))
            else:
                data["born_on_or_before"] = rules.latest_birth_date_for_age(min_age, age_on)
        if "doses" in data:
            data["doses"] = sorted(int(n) for n in data["doses"])
        return data


class WindowCloseForm(SetupForm):
    closes_at = DateField(with_time=True, label=gettext_lazy("Close at"), required=False,
                          help_text=gettext_lazy("Leave empty to close it now."))
    reason = reason_field()

    FIELDS_BY_CODE = {"window_close_in_past": "closes_at", "window_close_not_earlier": "closes_at",
                      "window_close_before_opening": "closes_at"}


# --- Notices ---------------------------------------------------------------------------------------------


class NoticeForm(SetupForm):
    title_ja = forms.CharField(label=gettext_lazy("Title (Japanese)"), max_length=200,
                               error_messages={"required": gettext_lazy("Enter the title in Japanese.")})
    body_ja = forms.CharField(label=gettext_lazy("Text (Japanese)"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 5}),
                              error_messages={"required": gettext_lazy("Enter the text in Japanese.")})
    title_en = forms.CharField(label=gettext_lazy("Title (English)"), required=False, max_length=200,
                               help_text=gettext_lazy("Empty: residents reading English see the Japanese."))
    body_en = forms.CharField(label=gettext_lazy("Text (English)"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    title_zh_hans = forms.CharField(label=gettext_lazy("Title (Chinese)"), required=False, max_length=200,
                                    help_text=gettext_lazy("Empty: residents reading Chinese see the Japanese."))
    body_zh_hans = forms.CharField(label=gettext_lazy("Text (Chinese)"), required=False, max_length=5000,
                                   widget=forms.Textarea(attrs={"rows": 4}))
    title_ko = forms.CharField(label=gettext_lazy("Title (Korean)"), required=False, max_length=200,
                               help_text=gettext_lazy("Empty: residents reading Korean see the Japanese."))
    body_ko = forms.CharField(label=gettext_lazy("Text (Korean)"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    title_easy = forms.CharField(label=gettext_lazy("Title (easy Japanese)"), required=False, max_length=200,
                                 help_text=gettext_lazy("Shown instead of the Japanese to residents who turned on "
                                                        "furigana and easy Japanese. Empty: they see the "
                                                        "Japanese above."))
    body_easy = forms.CharField(label=gettext_lazy("Text (easy Japanese)"), required=False, max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 4}))
    publish_from = DateField(with_time=True, label=gettext_lazy("Publish from"),
                             error_messages={"required": gettext_lazy("Enter when the notice is shown from.")})
    publish_until = DateField(with_time=True, label=gettext_lazy("Publish until"), required=False,
                              help_text=gettext_lazy("Optional. Empty: shown until withdrawn."))

    TEXT_FIELDS = ("title_ja", "body_ja", "title_en", "body_en", "title_zh_hans", "body_zh_hans", "title_ko",
                   "body_ko", "title_easy", "body_easy")
    FIELDS_BY_CODE = {**{f"{name}_empty": name for name in TEXT_FIELDS},
                      **{f"{name}_too_long": name for name in TEXT_FIELDS},
                      "notice_until_before_from": "publish_until"}

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["reason"] = reason_field(required=False)

    def texts(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.TEXT_FIELDS}


class NoticeWithdrawForm(SetupForm):
    reason = reason_field(required=False)
