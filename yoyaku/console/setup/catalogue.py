"""Vaccines and venues: list, create, edit (city admins)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.forms.models import model_to_dict
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yoyaku.booking import services
from yoyaku.booking.errors import BookingError
from yoyaku.booking.models import Vaccine, Venue
from yoyaku.web.pages import page

from .common import actor, admin_only
from .forms import VaccineForm, VenueForm

VACCINE_FIELDS = ["code", "name", "min_age", "next_dose_min_days", "doses_per_vial", "active",
                  *services.VACCINE_LANGUAGE_FIELDS]
VENUE_FIELDS = ["code", "name", "kind", "area", "address", "phone", "notes", "active", *services.VENUE_LANGUAGE_FIELDS]


@admin_only
@require_GET
def vaccines_view(request):
    vaccines = Vaccine.objects.annotate(venue_count=Count("venues")).order_by("code")
    return page(request, "console/setup/vaccines.html", {"vaccines": vaccines})


def _vaccine_form(request, vaccine: Vaccine | None):
    editing = vaccine is not None
    initial = model_to_dict(vaccine, fields=VACCINE_FIELDS) if editing else {
        "min_age": 12, "next_dose_min_days": 21, "doses_per_vial": 6, "active": True}
    form = VaccineForm(request.POST if request.method == "POST" else None, initial=initial, editing=editing)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.vaccine_save(actor=actor(request), vaccine=vaccine, **form.cleaned_data)
        except BookingError as error:
            form.add_domain_error(error, form.FIELDS_BY_CODE)
        else:
            messages.success(request, _("Saved the vaccine %(name)s (%(code)s).") % {"name": saved.name,
                                                                                      "code": saved.code})
            return redirect("console:setup_vaccines")
    return page(request, "console/setup/vaccine_form.html", {"form": form, "vaccine": vaccine}, forms=[form])


@admin_only
@require_http_methods(["GET", "POST"])
def vaccine_new_view(request):
    return _vaccine_form(request, None)


@admin_only
@require_http_methods(["GET", "POST"])
def vaccine_edit_view(request, vaccine_id: int):
    return _vaccine_form(request, get_object_or_404(Vaccine, pk=vaccine_id))


@admin_only
@require_GET
def venues_view(request):
    venues = Venue.objects.prefetch_related("vaccines").order_by("area", "code")
    return page(request, "console/setup/venues.html", {"venues": venues})


def _venue_form(request, venue: Venue | None):
    editing = venue is not None
    if editing:
        initial = {**model_to_dict(venue, fields=VENUE_FIELDS), "vaccines": list(venue.vaccines.all())}
    else:
        initial = {"kind": Venue.Kind.CLINIC, "active": True}
    form = VenueForm(request.POST if request.method == "POST" else None, initial=initial, editing=editing)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.venue_save(actor=actor(request), venue=venue, **form.cleaned_data)
        except BookingError as error:
            form.add_domain_error(error, form.FIELDS_BY_CODE)
        else:
            messages.success(request, _("Saved the venue %(name)s (%(code)s).") % {"name": saved.name,
                                                                                    "code": saved.code})
            return redirect("console:setup_venues")
    return page(request, "console/setup/venue_form.html", {"form": form, "venue": venue}, forms=[form])


@admin_only
@require_http_methods(["GET", "POST"])
def venue_new_view(request):
    return _venue_form(request, None)


@admin_only
@require_http_methods(["GET", "POST"])
def venue_edit_view(request, venue_id: int):
    return _venue_form(request, get_object_or_404(Venue, pk=venue_id))
