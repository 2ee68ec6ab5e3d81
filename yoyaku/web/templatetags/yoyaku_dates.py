"""Dates as each language writes them (2026年12月3日（木）9:30 / Thu 3 Dec 2026, 9:30), in local time.

The patterns are Django format modules (yoyaku/web/formats/<language>/formats.py, FORMAT_MODULE_PATH), so
the domain's error messages and the emails format dates the same way without importing this module."""

from functools import lru_cache

from django import template
from django.utils import formats, timezone, translation

register = template.Library()


def _format(value, name: str) -> str:
    if value is None or value == "":
        return ""
    if hasattr(value, "hour") and timezone.is_aware(value):
        value = timezone.localtime(value)
    return _formatted(translation.get_language(), value, name)


@lru_cache(maxsize=8192)
def _formatted(language, value, name: str) -> str:
    # A day's label in a language never changes, and the calendar writes 42 of them per page (formatting
    # one walks Django's format machinery: about a tenth of the booking page's time before this cache).
    # `language` is the key only: date_format reads the active language itself.
    return formats.date_format(value, name)


@register.filter
def day(value):
    return _format(value, "DATE_FORMAT")


@register.filter
def when(value):
    return _format(value, "DATETIME_FORMAT")


@register.filter
def shortday(value):
    return _format(value, "MONTH_DAY_FORMAT")


@register.filter
def clock(value):
    return _format(value, "TIME_FORMAT")
