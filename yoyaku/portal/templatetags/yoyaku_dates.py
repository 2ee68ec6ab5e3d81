"""Dates as each language writes them: 2026年12月3日（木）9:30 / Thu 3 Dec 2026, 9:30."""

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import get_language

register = template.Library()

FORMATS = {
    "ja": {"day": "Y年n月j日（D）", "datetime": "Y年n月j日（D）G:i", "short": "n/j", "time": "G:i"},
    "zh-hans": {"day": "Y年n月j日（D）", "datetime": "Y年n月j日（D）G:i", "short": "n/j", "time": "G:i"},
    "ko": {"day": "Y년 n월 j일 (D)", "datetime": "Y년 n월 j일 (D) G:i", "short": "n/j", "time": "G:i"},
    "en": {"day": "D j M Y", "datetime": "D j M Y, G:i", "short": "j/n", "time": "G:i"},
}


def _format(value, kind: str) -> str:
    if value is None or value == "":
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "hour") and timezone.is_aware(value):
        value = timezone.localtime(value)
    patterns = FORMATS.get(get_language() or "ja", FORMATS["ja"])
    return date_format(value, patterns[kind])


@register.filter
def day(value):
    return _format(value, "day")


@register.filter
def when(value):
    return _format(value, "datetime")


@register.filter
def shortday(value):
    return _format(value, "short")


@register.filter
def clock(value):
    return _format(value, "time")
