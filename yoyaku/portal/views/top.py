"""The top page (トップページ): notices, the resident's doses, and the venue filter (接種場所の絞り込み)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from yoyaku.booking import availability, deadline, selectors
from yoyaku.booking.models import Notice, Reservation, Vaccine, Venue
from yoyaku.web.pages import page
from yoyaku.web.query import query_day

from ..session import current_resident, resident_required

FILTER_DAYS = 7


def dose_rows(resident, now):
    """One row per dose number: the reservation holding it, or whether (and from when) it can be booked."""
    reservations = list(
        Reservation.objects.filter(resident=resident)
        .exclude(status=Reservation.Status.CANCELLED)
        .select_related("slot__venue", "slot__vaccine")
    )
    by_dose = {r.dose_number: r for r in reservations}
    rows = []
    for dose in range(1, settings.YOYAKU["MAX_DOSE"] + 1):
        reservation = by_dose.get(dose)
        eligibility = None if reservation else selectors.dose_eligibility(resident=resident, dose_number=dose, now=now)
        rows.append({"dose": dose, "reservation": reservation, "eligibility": eligibility})
    return rows


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
    levels = availability.venue_days(start=start, days=FILTER_DAYS, area=area, vaccine_id=vaccine_id, now=now)
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
        "nav": "top", "notices": notices, "doses": dose_rows(resident, now), "filter": venue_filter(request, now),
    })
