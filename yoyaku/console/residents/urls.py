"""Console URLs: the residents area. Every view wears roles.staff_required.

URLs carry database ids and reservation codes only: searches by personal data are POSTed.
"""

from django.urls import path

from . import contact, imports
from . import views as residents

urlpatterns = [
    path("residents/", residents.search_view, name="resident_search"),
    path("residents/import/", imports.import_view, name="residents_import"),
    path("residents/<int:resident_id>/", residents.detail_view, name="resident_detail"),
    path("residents/<int:resident_id>/contact/", contact.contact_channel_view, name="resident_contact_channel"),
    path("residents/<int:resident_id>/book/<int:dose>/", residents.book_view, name="resident_book"),
    path("residents/<int:resident_id>/book/<int:dose>/details/", residents.book_details_view,
         name="resident_book_details"),
    path("residents/<int:resident_id>/book/<int:dose>/check/", residents.book_check_view,
         name="resident_book_check"),
    path("residents/<int:resident_id>/reservations/<str:code>/change/", residents.change_view,
         name="resident_reservation_change"),
    path("residents/<int:resident_id>/reservations/<str:code>/cancel/", residents.cancel_view,
         name="resident_reservation_cancel"),
]
