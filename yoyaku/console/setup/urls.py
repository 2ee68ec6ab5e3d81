"""Console URLs: the setup area (vaccines, venues, slots, booking windows, notices), for city admins.
Every view wears roles.staff_required. URLs carry database ids and dates only."""

from django.urls import path

from . import catalogue as setup_catalogue
from . import notices as setup_notices
from . import slots as setup_slots
from . import windows as setup_windows

urlpatterns = [
    path("setup/vaccines/", setup_catalogue.vaccines_view, name="setup_vaccines"),
    path("setup/vaccines/new/", setup_catalogue.vaccine_new_view, name="setup_vaccine_new"),
    path("setup/vaccines/<int:vaccine_id>/", setup_catalogue.vaccine_edit_view, name="setup_vaccine_edit"),
    path("setup/venues/", setup_catalogue.venues_view, name="setup_venues"),
    path("setup/venues/new/", setup_catalogue.venue_new_view, name="setup_venue_new"),
    path("setup/venues/<int:venue_id>/", setup_catalogue.venue_edit_view, name="setup_venue_edit"),
    path("setup/venues/<int:venue_id>/days/<str:day>/", setup_slots.venue_day_view, name="setup_venue_day"),
    path("setup/venues/<int:venue_id>/days/<str:day>/close/", setup_slots.venue_day_close_view,
         name="setup_venue_day_close"),
    path("setup/slots/", setup_slots.slots_view, name="setup_slots"),
    path("setup/slots/generate/", setup_slots.slots_generate_view, name="setup_slots_generate"),
    path("setup/slots/<int:slot_id>/", setup_slots.slot_view, name="setup_slot"),
    path("setup/slots/<int:slot_id>/close/", setup_slots.slot_close_view, name="setup_slot_close"),
    path("setup/slots/<int:slot_id>/reopen/", setup_slots.slot_reopen_view, name="setup_slot_reopen"),
    path("setup/windows/", setup_windows.windows_view, name="setup_windows"),
    path("setup/windows/new/", setup_windows.window_new_view, name="setup_window_new"),
    path("setup/windows/<int:window_id>/close/", setup_windows.window_close_view, name="setup_window_close"),
    path("setup/notices/", setup_notices.notices_view, name="setup_notices"),
    path("setup/notices/new/", setup_notices.notice_new_view, name="setup_notice_new"),
    path("setup/notices/<int:notice_id>/", setup_notices.notice_edit_view, name="setup_notice_edit"),
    path("setup/notices/<int:notice_id>/withdraw/", setup_notices.notice_withdraw_view,
         name="setup_notice_withdraw"),
]
