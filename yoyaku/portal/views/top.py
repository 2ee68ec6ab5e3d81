"""The top page (トップページ): notices, the resident's doses, and the venue filter (接種場所の絞り込み)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import get_language

from yoyaku.booking import availability, deadline, selectors
from yoyaku.booking.models import Notice, Vaccine, Venue
from yoyaku.web.pages import page
from yoyaku.web.query import query_day

from ..session import current_resident, resident_required

FILTER_DAYS = 7


def venue_filter(request, now):
    first_day = deadline.first_web_day(now)
    start = max(query_day(request.GET.get("from")) or first_day, first_day)
    start = min(start, first_day + timedelta(days=365))
    area = request.GET.get("area", "")
    vaccines = list(Vaccine.objects.filter(active=True))
    vaccine_id = next((v.pk for v in vaccines if str(v.pk) == request.GET.get("vaccine")), None)
    venues = Venue.objects.filter(active=True)
    areas = sorted(set(venues.values_list("area", flat=True)))
    if area not in areas:
        area = ""
    if area:
        venues = venues.filter(area=area)
    if vaccine_id:
        venues = venues.filter(vaccines=vaccine_id)
    levels = availability.availability_grid(start=start, days=FILTER_DAYS, area=area, vaccine_id=vaccine_id, now=now)
    days = [start + timedelta(days=i) for i in range(FILTER_DAYS)]
    rows = [{"venue": v, "cells": [levels.get((v.pk, d), "none") for d in days]} for v in venues]
    return {
        "areas": areas, "area": area, "vaccines": vaccines, "vaccine_id": vaccine_id, "days": days, "rows": rows,
        "start": start, "prev_start": start - timedelta(days=FILTER_DAYS) if start > first_day else None,
        "next_start": start + timedelta(days=FILTER_DAYS),
    }


@resident_required
def top_view(request):
    resident = current_resident(request)
    now = timezone.now()
    language = get_language()
    notices = [notice.in_language(language) for notice in Notice.objects.published(now=now)[:10]]
    return page(request, "portal/top.html", {
        "nav": "top", "notices": notices, "doses": selectors.dose_rows(resident=resident, now=now),
        "filter": venue_filter(request, now),
    })
