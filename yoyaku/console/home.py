"""The console's start page: what each role can do from here."""

from django.shortcuts import render

from .roles import CALL_CENTRE, CITY_ADMIN, VENUE_STAFF, roles_of, staff_required


@staff_required(CITY_ADMIN, CALL_CENTRE, VENUE_STAFF)
def home_view(request):
    return render(request, "console/home.html", {"roles": roles_of(request.user)})
