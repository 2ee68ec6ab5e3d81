"""Choosing a time, for the resident site and the console alike: the venue, a calendar of days with their
availability, and the free times of the chosen day as radio buttons."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from django.utils.dates import WEEKDAYS_ABBR
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

from yoyaku.booking import availability

from .templatetags import yoyaku_dates

CALENDAR_WEEKS = 6


def calendar_weeks(*, start: date, levels: dict[date, str]) -> list[list[dict]]:
    """Weeks (Monday first) from the week of `start`, each day with its availability level and labels: the
    day number (with the month on the first cell and on the 1st; "11/28" does not fit a 320 px week) and
    the full date for screen readers. Built here, not in a template include per cell."""
    first = start - timedelta(days=start.weekday())
    weeks = []
    for w in range(CALENDAR_WEEKS):
        week = []
        for d in range(7):
            day = first + timedelta(days=w * 7 + d)
            with_month = day.day == 1 or (w == 0 and d == 0)
            week.append({"day": day, "level": levels.get(day), "before": day < start, "with_month": with_month,
                         "label": yoyaku_dates.shortday(day) if with_month else str(day.day),
                         "spoken": yoyaku_dates.day(day)})
        weeks.append(week)
    return weeks


def calendar_rows(weeks: list[list[dict]], *, day: date | None, venue_id: int | None) -> str:
    """The calendar's rows as HTML, written here rather than by a template: 42 cells of a dozen template nodes
    each were a third of the booking page's rendering time at opening (issue 11). Same markup as before:
    a link for a day with free places (○ or △), a plain cell otherwise (× full, or nothing offered).
    Plain string formatting with each text escaped once, as the top page's grid: format_html per cell (ten
    arguments, each through conditional_escape) was a tenth of the booking pages' CPU."""
    words = {"free": ("○", escape(gettext("places free"))), "few": ("△", escape(gettext("a few left")))}
    full = f'×<span class="visually-hidden">{escape(gettext("full"))}</span>'
    link = escape(f"?venue={venue_id}&day=" if venue_id else "?day=")
    rows = []
    for week in weeks:
        cells = []
        for cell in week:
            num = "num with-month" if cell["with_month"] else "num"
            level = cell["level"]
            spoken, label = escape(cell["spoken"]), escape(cell["label"])
            if level in words:
                selected = cell["day"] == day
                chosen, current = (" selected", ' aria-current="date"') if selected else ("", "")
                mark, word = words[level]
                cells.append(
                    f'<td><a class="day-link{chosen}" href="{link}{cell["day"].isoformat()}'
                    f'#times"{current}><span class="visually-hidden">{spoken}'
                    f'</span><span class="{num}" aria-hidden="true">{label}</span><span class="mark level-{level}">'
                    f'{mark}<span class="visually-hidden">{word}</span></span></a></td>')
            else:
                cells.append(
                    f'<td><span class="day"><span class="visually-hidden">{spoken}</span><span class="{num}" '
                    f'aria-hidden="true">{label}</span><span class="mark">{full if level == "full" else "&nbsp;"}'
                    f'</span></span></td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return mark_safe("".join(rows))  # noqa: S308 - every text above escaped; the rest our own markup


def venue_options(venues, venue_id: int | None) -> str:
    """The venue choice's options as HTML, written here for the same reason as the calendar: a big city's
    200 venues were 200 template iterations with two translated names each (issue 11)."""
    options = [f'<option value="">{escape(gettext("All venues"))}</option>']
    for venue in venues:
        options.append(f'<option value="{venue.pk}"{" selected" if venue.pk == venue_id else ""}>'
                       f'{escape(venue.local_name)} ({escape(venue.local_area)})</option>')
    return mark_safe("".join(options))  # noqa: S308 - every text above escaped


def day_venue_items(day_venues, day: date | None) -> str:
    """The day's venues with free times, as the list's items (a link to each venue's times of the day)."""
    if not day:
        return mark_safe("")  # noqa: S308
    items = []
    for venue, places, _times in day_venues:
        area = f' <span class="muted">({escape(venue.local_area)})</span>' if venue.local_area else ""
        left = escape(ngettext("%(n)s place left", "%(n)s places left", places) % {"n": places})
        items.append(f'\n    <li><a href="?venue={venue.pk}&amp;day={day.isoformat()}#times">'
                     f'{escape(venue.local_name)}</a>{area} — {left}</li>')
    return mark_safe("".join(items))  # noqa: S308 - every text above escaped


class TimeChoice:
    """The venue, the calendar and the times of the chosen day, for a DoseTimes.

    With `venue_first` (the resident site) and no venue chosen, the day shows the venues with free times
    (links), not the times of every venue: a big city has hundreds of venues and thousands of times a day.
    The times of all venues are still read when a form is posted without a venue (to validate it).
    """

    def __init__(self, *, dose_times: availability.DoseTimes, venue_id: int | None, day: date | None,
                 venue_first: bool = False):
        self.dose_times = dose_times
        self.venues = dose_times.venues()
        self.venue_id = venue_id if any(v.pk == venue_id for v in self.venues) else None
        end = dose_times.earliest_day + timedelta(days=CALENDAR_WEEKS * 7)
        self.levels = dose_times.days(venue_id=self.venue_id, start=dose_times.earliest_day, end=end)
        bookable_days = sorted(d for d, level in self.levels.items() if level != "full")
        if day not in bookable_days:
            day = bookable_days[0] if bookable_days else None
        self.day = day
        self.weeks = calendar_weeks(start=dose_times.earliest_day, levels=self.levels)
        self.show_times = not (venue_first and self.venue_id is None)
        self.day_venues = dose_times.day_venues(day=day) if day and not self.show_times else []
        self._slots = None

    @property
    def slots(self):
        if self._slots is None:
            self._slots = self.dose_times.times(day=self.day, venue_id=self.venue_id) if self.day else []
        return self._slots

    @slots.setter
    def slots(self, value):
        self._slots = value

    def venue_of(self, slot_id: int) -> int | None:
        """The venue of a chosen time, so that going back to the page shows that venue's times."""
        return next((s.venue_id for s in self.slots if s.pk == slot_id), self.venue_id)

    def context(self) -> dict:
        return {"venues": self.venues, "venue_id": self.venue_id, "day": self.day, "weeks": self.weeks,
                "calendar_rows": calendar_rows(self.weeks, day=self.day, venue_id=self.venue_id),
                "weekdays": [WEEKDAYS_ABBR[i] for i in range(7)], "has_slots": bool(self.levels),
                "show_times": self.show_times, "day_venues": self.day_venues,
                "venue_options": venue_options(self.venues, self.venue_id),
                "day_venue_items": day_venue_items(self.day_venues, self.day)}


def slot_groups(time_form, slots) -> list[dict]:
    """The time radios grouped by venue, as ready HTML per group (a template per radio was most of the
    booking page's cost at opening time). Ids follow Django's (id_slot_<n>), so the error summary's link
    to the first radio still lands."""
    field = time_form["slot"]
    chosen = str(field.value() or "")
    labels = dict(field.field.choices)
    groups: dict[int, dict] = {}
    for index, slot in enumerate(slots):
        groups.setdefault(slot.venue_id, {"venue": slot.venue, "radios": []})["radios"].append(
            (field.html_name, slot.pk, f"{field.auto_id}_{index}", " checked" if str(slot.pk) == chosen else "",
             labels[slot.pk])
        )
    return [{"venue": g["venue"], "html": mark_safe("".join(  # noqa: S308 - every text escaped
        f'<div class="radio"><input type="radio" name="{escape(name)}" value="{pk}" id="{escape(id_)}"{checked}>'
        f'<label for="{escape(id_)}">{escape(label)}</label></div>' for name, pk, id_, checked, label in g["radios"]))}
        for g in groups.values()]
