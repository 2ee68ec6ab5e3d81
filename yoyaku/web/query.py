"""Reading numbers and days from URLs and query strings: one parser each, so every page treats bad input
the same way (ignored in a query string, a 404 in a path)."""

from __future__ import annotations

from datetime import date

from django.http import Http404


def query_int(text) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def query_day(text) -> date | None:
    """A YYYY-MM-DD day, or None for anything else (empty, garbage, an impossible date)."""
    try:
        return date.fromisoformat(str(text).strip()) if text else None
    except ValueError:
        return None


def day_or_404(text) -> date:
    """A YYYY-MM-DD day from a URL path, or 404."""
    day = query_day(text)
    if day is None:
        raise Http404
    return day
