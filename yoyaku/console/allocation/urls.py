"""Console URLs: the allocation area. Every view wears roles.staff_required."""

from django.urls import path

from . import views

urlpatterns = [
    path("allocation/", views.rounds_view, name="allocation"),
    path("allocation/<int:window_id>/", views.preview_view, name="allocation_preview"),
    path("residents/<int:resident_id>/allocation/<int:window_id>/", views.wishes_view,
         name="allocation_resident_wishes"),
]
