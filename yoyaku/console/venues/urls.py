"""Console URLs: the venues area (move-up and its offers, rosters and check-in). Every view wears
roles.staff_required. URLs carry only database ids, dates and reservation codes."""

from django.urls import path

from . import desk, move_up, move_up_offers, rosters, scan

urlpatterns = [
    path("move-up/", move_up.move_up_list_view, name="move_up"),
    path("move-up/slots/<int:slot_id>/", move_up.move_up_slot_view, name="move_up_slot"),
    path("move-up/offers/", move_up_offers.offers_view, name="move_up_offers"),
    path("rosters/", rosters.rosters_view, name="rosters"),
    path("rosters/<int:venue_id>/<str:day>/", rosters.roster_view, name="roster"),
    path("rosters/<int:venue_id>/<str:day>/print/", rosters.roster_print_view, name="roster_print"),
    path("rosters/<int:venue_id>/<str:day>/roster.csv", rosters.roster_csv_view, name="roster_csv"),
    path("rosters/<int:venue_id>/<str:day>/roster.xlsx", rosters.roster_xlsx_view, name="roster_xlsx"),
    path("rosters/<int:venue_id>/<str:day>/desk/", desk.desk_view, name="desk"),
    path("rosters/<int:venue_id>/<str:day>/desk/scan/", scan.scan_view, name="desk_scan"),
    path("check-in/<str:code>/", rosters.check_in_view, name="check_in"),
    path("check-in/<str:code>/no-show/", rosters.no_show_view, name="no_show"),
]
