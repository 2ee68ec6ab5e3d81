"""The booking pages' calendar, venue choice, day's venues and time radios are written as plain strings with each
text escaped once (web/time_choice.py). Rule: the markup is byte for byte what format_html wrote before (the
reference below is the earlier code), for every kind of cell and for texts that need escaping."""

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext, override

from yoyaku.web import time_choice
from yoyaku.web.forms import TimeForm


def reference_calendar_rows(weeks, *, day, venue_id):
    words = {"free": ("○", gettext("places free")), "few": ("△", gettext("a few left"))}
    full = format_html('×<span class="visually-hidden">{}</span>', gettext("full"))
    link = f"?venue={venue_id}&day=" if venue_id else "?day="
    rows = []
    for week in weeks:
        cells = []
        for cell in week:
            num = "num with-month" if cell["with_month"] else "num"
            level = cell["level"]
            if level in words:
                selected = cell["day"] == day
                mark, word = words[level]
                cells.append(format_html(
                    '<td><a class="day-link{}" href="{}{}#times"{}><span class="visually-hidden">{}</span>'
                    '<span class="{}" aria-hidden="true">{}</span><span class="mark level-{}">{}'
                    '<span class="visually-hidden">{}</span></span></a></td>',
                    " selected" if selected else "", link, cell["day"].isoformat(),
                    mark_safe(' aria-current="date"') if selected else "", cell["spoken"], num, cell["label"],  # noqa: S308
                    level, mark, word))
            else:
                cells.append(format_html(
                    '<td><span class="day"><span class="visually-hidden">{}</span><span class="{}" aria-hidden="true">'
                    '{}</span><span class="mark">{}</span></span></td>', cell["spoken"], num, cell["label"],
                    full if level == "full" else mark_safe("&nbsp;")))  # noqa: S308
        rows.append(format_html("<tr>{}</tr>", mark_safe("".join(cells))))  # noqa: S308 - format_html's
    return mark_safe("".join(rows))  # noqa: S308 - format_html's


def reference_venue_options(venues, venue_id):
    options = [format_html('<option value="">{}</option>', gettext("All venues"))]
    for venue in venues:
        options.append(format_html('<option value="{}"{}>{} ({})</option>', venue.pk,
                                   mark_safe(" selected") if venue.pk == venue_id else "",  # noqa: S308
                                   venue.local_name, venue.local_area))
    return mark_safe("".join(options))  # noqa: S308 - format_html's


def reference_day_venue_items(day_venues, day):
    if not day:
        return mark_safe("")  # noqa: S308
    items = []
    for venue, places, _times in day_venues:
        area = format_html(' <span class="muted">({})</span>', venue.local_area) if venue.local_area else ""
        left = ngettext("%(n)s place left", "%(n)s places left", places) % {"n": places}
        items.append(format_html('\n    <li><a href="?venue={}&amp;day={}#times">{}</a>{} — {}</li>', venue.pk,
                                 day.isoformat(), venue.local_name, area, left))
    return mark_safe("".join(items))  # noqa: S308 - format_html's


def reference_radios(rows):
    radio = ('<div class="radio"><input type="radio" name="{0}" value="{1}" id="{2}"{3}>'
             '<label for="{2}">{4}</label></div>')
    return format_html_join("", radio, rows)


START = date(2026, 12, 30)  # a month's first day inside the six weeks, and a week across the new year
LEVELS = {START + timedelta(days=i): level for i, level in
          enumerate(["free", "few", "full", None, "free", "few", "full"] * 5) if level}
VENUES = [SimpleNamespace(pk=3, local_name='Clinic <"A"> & Sons', local_area="北区"),
          SimpleNamespace(pk=12, local_name="市民センター", local_area="")]


@pytest.mark.parametrize("language", ["ja", "en", "ko", "zh-hans"])
@pytest.mark.parametrize(("day", "venue_id"), [(None, None), (START + timedelta(days=4), 3), (START, None)])
def test_the_calendar_and_lists_are_the_markup_format_html_wrote(language, day, venue_id):
    with override(language):
        weeks = time_choice.calendar_weeks(start=START, levels=LEVELS)
        assert time_choice.calendar_rows(weeks, day=day, venue_id=venue_id) == \
            reference_calendar_rows(weeks, day=day, venue_id=venue_id)
        assert time_choice.venue_options(VENUES, venue_id) == reference_venue_options(VENUES, venue_id)
        day_venues = [(VENUES[0], 1, 1), (VENUES[1], 23, 4)]
        assert time_choice.day_venue_items(day_venues, day) == reference_day_venue_items(day_venues, day)


def test_the_time_radios_are_the_markup_format_html_wrote():
    start = timezone.make_aware(datetime(2026, 12, 1, 9, 30))
    vaccine = SimpleNamespace(local_name="Pfizer <b>&</b>")
    slots = [SimpleNamespace(pk=pk, venue_id=venue.pk, venue=venue, vaccine=vaccine, free=pk,
                             starts_at=start + timedelta(minutes=30 * pk),
                             ends_at=start + timedelta(minutes=30 * pk + 30))
             for pk, venue in [(7, VENUES[0]), (8, VENUES[0]), (9, VENUES[1])]]
    form = TimeForm(data={"slot": "8"}, slots=slots)
    groups = time_choice.slot_groups(form, slots)
    field = form["slot"]
    labels = dict(field.field.choices)
    expected = [reference_radios([(field.html_name, s.pk, f"{field.auto_id}_{i}", " checked" if s.pk == 8 else "",
                                   labels[s.pk]) for i, s in enumerate(slots) if s.venue_id == venue.pk])
                for venue in VENUES]
    assert [g["html"] for g in groups] == expected
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in groups[0]["html"] and ' checked>' in groups[0]["html"]
