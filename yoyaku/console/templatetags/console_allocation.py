"""The resident's page in the console: their state in each allocation round (console/allocation/
resident_rounds.html), read here so that the residents area's view needs no change to show it."""

from django import template
from django.utils import timezone

from yoyaku.booking.models import AllocationRegistration, BookingWindow
from yoyaku.booking.services import allocation as rounds
from yoyaku.web.allocation_forms import wishes_summary

register = template.Library()
Status = AllocationRegistration.Status


@register.simple_tag
def console_allocation_rows(resident):
    now = timezone.now()
    rows = []
    windows = {w.pk: w for w in rounds.windows_for(resident, now=now)}
    for window in BookingWindow.objects.allocation().filter(pk__in=windows).order_by("-opens_at"):
        registration = rounds.registration_of(window=window, resident=resident)
        status = registration.status if registration else None
        is_open = rounds.registration_open(window, now)
        rows.append({"window": window, "registration": registration, "state": status,
                     "reservation": registration.reservation if registration else None,
                     "wishes": wishes_summary(registration) if registration else [],
                     "can_register": is_open and status in (None, Status.WITHDRAWN),
                     "can_change": is_open and status == Status.REGISTERED})
    return rows
