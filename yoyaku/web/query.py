"""Reading numbers and days from URLs and query strings: one parser each, so every page treats bad input
the same way (ignored in a query string, a 404 in a path)."""

from __future__ import annotations

from datetime import date

from django.http import Http404

# The days a page can be about. A booking system has nothing to show in year 1 or 9999, and a day near
# date.max overflows the moment a page adds a week to it (OverflowError, a 500): such days are bad input.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2199, 12, 31)


def query_int(text) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def query_day(text) -> date | None:
    """A YYYY-MM-DD day between FIRST_DAY and LAST_DAY, or None for anything else (empty, garbage, an
    impossible or far date)."""
    try:
        day = date.fromisoformat(str(text).strip()) if text else None
    except ValueError:
        return None
    return day if day is not None and FIRST_DAY <= day <= LAST_DAY else None


def day_or_404(text) -> date:
    """A YYYY-MM-DD day from a URL path, or 404."""
    day = query_day(text)
    if day is None:
        raise Http404
    return day
