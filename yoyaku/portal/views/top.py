"""The top page (トップページ): the resident's doses (their next action) first, the city's notices folded, and
the venue filter (接種場所の絞り込み) whose cells open that venue's day on the booking page."""

from datetime import timedelta

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from yoyaku.booking import availability, deadline, recent, selectors
from yoyaku.booking.models import Notice
from yoyaku.web.pages import page
from yoyaku.web.query import query_day
from yoyaku.web.templatetags import yoyaku_dates

from .. import furigana
from ..session import booking_for, resident_required

FILTER_DAYS = 7
MAX_WEEKS = 26  # the week choice: half a year ahead at most

# One table for the legend and the cells, so the two can never disagree (they did: 「－接種なし」 vs "–").
LEVELS = {
    "free": ("○", _("places free")),
    "few": ("△", _("a few left")),
    "full": ("×", _("full")),
    "none": ("–", _("no appointments")),
}


def week_starts(first_day, last_day) -> list:
    """The weeks the resident can jump to: from the first day bookable on the web to the last with slots."""
    weeks = [first_day]
    while len(weeks) < MAX_WEEKS and last_day is not None and weeks[-1] + timedelta(days=FILTER_DAYS) <= last_day:
        weeks.append(weeks[-1] + timedelta(days=FILTER_DAYS))
    return weeks


def cells_html(cells: list[dict], venue_name: str) -> str:
    """A venue's week as table cells, written here rather than by the template: the grid is most of the top
    page's markup (venues × 7 cells: 1,400 cells in a city of 200 venues). Each text is escaped once, then the
    cells are plain string formatting (format_html per cell was most of a big city's top page)."""
    name = escape(venue_name)
    out = []
    for cell in cells:
        day, mark, word = escape(yoyaku_dates.shortday(cell["day"])), cell["mark"], escape(cell["word"])
        if cell["url"]:
            out.append(f'<td class="level-{cell["level"]}"><a href="{escape(cell["url"])}"><span aria-hidden="true">'
                       f'{mark}</span><span class="visually-hidden">{day} {name}: {word}</span></a></td>')
        else:
            out.append(f'<td class="level-{cell["level"]}"><span aria-hidden="true">{mark}</span>'
                       f'<span class="visually-hidden">{day}: {word}</span></td>')
    return mark_safe("".join(out))  # noqa: S308 - every text above escaped; levels and marks are our constants


def filter_section(request, now, *, book_dose: int | None) -> str:
    """The venue filter's section, rendered. It is the same for every resident who may book the same dose (the
    grid's cells link to that dose's booking page), so it is kept for the moment the availability under it is
    (booking/recent.py): it was half the top page's CPU at opening time (issue 11). The key holds what the
    section depends on: the language, the first day bookable on the web, the dose and the filter's choices as
    asked (each cut short: a made-up value only misses the memo, which is bounded)."""
    key = ("top_filter", get_language(), deadline.first_web_day(now), book_dose,
           *(request.GET.get(name, "")[:64] for name in ("from", "area", "vaccine")))
    return recent.remembered(key, lambda: render_to_string(
        "portal/top_filter.html", {"filter": venue_filter(request, now, book_dose=book_dose)}))


def venue_filter(request, now, *, book_dose: int | None):
    first_day = deadline.first_web_day(now)
    start = max(query_day(request.GET.get("from")) or first_day, first_day)
    start = min(start, first_day + timedelta(days=365))
    area = request.GET.get("area", "")
    vaccines = availability.active_vaccines()
    vaccine_id = next((v.pk for v in vaccines if str(v.pk) == request.GET.get("vaccine")), None)
    everywhere = availability.active_venues()
    # The area's Japanese is the filter's key; the label is the city's name for it in the page's language.
    labels = {}
    for venue, _offered in everywhere:
        labels.setdefault(venue.area, venue.local_area)
    areas = sorted(labels)
    if area not in areas:
        area = ""
    venues = [venue for venue, offered in everywhere
              if (not area or venue.area == area) and (not vaccine_id or vaccine_id in offered)]
    levels = availability.availability_grid(start=start, days=FILTER_DAYS, area=area, vaccine_id=vaccine_id, now=now)
    days = [start + timedelta(days=i) for i in range(FILTER_DAYS)]
    book_url = reverse("portal:book", kwargs={"dose": book_dose}) if book_dose else ""
    levels_here = {key: (mark, str(word)) for key, (mark, word) in LEVELS.items()}  # translated once, not per cell
    rows = []
    for venue in venues:
        cells = []
        for day in days:
            level = levels.get((venue.pk, day), "none")
            mark, word = levels_here[level]
            url = ""
            if book_url and level in ("free", "few"):
                url = f"{book_url}?venue={venue.pk}&day={day.isoformat()}#times"
            cells.append({"day": day, "level": level, "mark": mark, "word": word, "url": url})
        rows.append({"venue": venue, "cells": cells, "cells_html": cells_html(cells, venue.local_name)})
    weeks = week_starts(first_day, availability.last_bookable_day(now=now))
    if start not in weeks:
        weeks = sorted({*weeks, start})
    return {
        "areas": [(a, labels[a]) for a in areas], "area": area, "vaccines": vaccines, "vaccine_id": vaccine_id,
        "days": days, "rows": rows,
        "start": start,
        "prev_start": max(start - timedelta(days=FILTER_DAYS), first_day) if start > first_day else None,
        "next_start": start + timedelta(days=FILTER_DAYS), "weeks": weeks, "book_dose": book_dose,
        "legend": [LEVELS[level] for level in ("free", "few", "full", "none")],
    }


@resident_required
def top_view(request):
    resident = booking_for(request)
    now = timezone.now()
    language = get_language()
    easy = furigana.wanted(request)  # the city's easy-Japanese notices, with the guide's easy sentences
    published = recent.remembered(("notices",), lambda: list(Notice.objects.published(now=now)[:10]))
    notices = [notice.in_language(language, easy=easy) for notice in published]
    doses = selectors.dose_rows(resident=resident, now=now)
    # The grid's cells book the first dose the resident can book now (none: the cells only show).
    book_dose = next((row["dose"] for row in doses if row["eligibility"] and row["eligibility"].allowed), None)
    for row in doses:  # nothing left to book anywhere: say so here, instead of an empty calendar further on
        row["sold_out"] = bool(row["eligibility"] and row["eligibility"].allowed
                               and not availability.places_left(dose_number=row["dose"], now=now))
    if any(row["sold_out"] for row in doses):  # and offer the waiting list (one more query, only then)
        waiting = selectors.waiting_list_doses(resident=resident)
        for row in doses:
            row["waiting"] = row["dose"] in waiting
    return page(request, "portal/top.html", {
        "nav": "top", "notices": notices, "doses": doses,
        "filter_html": filter_section(request, now, book_dose=book_dose),
    })
