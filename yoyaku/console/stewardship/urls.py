"""Console URLs: the stewardship area (a venue's same-day standby list). URLs carry only database ids."""

from django.urls import path

from . import views

urlpatterns = [
    path("standby/", views.standby_venues_view, name="standby_venues"),
    path("standby/<int:venue_id>/", views.standby_view, name="standby"),
    path("standby/<int:venue_id>/<int:entry_id>/", views.standby_call_view, name="standby_call"),
]
