"""The console's home, per role: today's figures of the venues one works for, the tasks waiting, and (city
admin) the recent audit events worth a look. Reads only (booking.reports), a fixed number of queries."""

from django.utils import timezone

from yoyaku.booking import reports
from yoyaku.web.pages import page

from .residents.forms import ResidentSearchForm
from .roles import CALL_CENTRE, CITY_ADMIN, VENUE_STAFF, roles_of, staff_required, venue_ids_of


@staff_required(CITY_ADMIN, CALL_CENTRE, VENUE_STAFF)
def home_view(request):
    roles = roles_of(request.user)
    now = timezone.now()
    today = timezone.localdate(now)
    context = {"today": today, "is_admin": CITY_ADMIN in roles, "is_desk": bool(roles & {CITY_ADMIN, CALL_CENTRE})}
    if roles & {CITY_ADMIN, VENUE_STAFF}:
        venue_ids = venue_ids_of(request.user)
        context["venues_today"] = reports.today_by_venue(day=today, venue_ids=venue_ids)
        context["no_venues"] = venue_ids is not None and not venue_ids
    if context["is_desk"]:
        context["tasks"] = reports.tasks(now=now)
        context["search_form"] = ResidentSearchForm()
    if context["is_admin"]:
        context["stewardship"] = reports.stewardship_figures(start=today, days=1)
        context["events"] = list(reports.audit_worth_a_look())
    return page(request, "console/home.html", context)
