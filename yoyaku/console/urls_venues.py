"""Console URLs: the venues area (move-up, rosters and check-in, dashboard, audit log and export).
Every view wears roles.staff_required. URLs carry only database ids, dates and reservation codes."""

from django.urls import path

from .views import audit, dashboard, moveup, offers, rosters

urlpatterns = [
    path("move-up/", moveup.moveup_list_view, name="moveup"),
    path("move-up/slots/<int:slot_id>/", moveup.moveup_slot_view, name="moveup_slot"),
    path("rosters/", rosters.rosters_view, name="rosters"),
    path("rosters/<int:venue_id>/<str:day>/", rosters.roster_view, name="roster"),
    path("rosters/<int:venue_id>/<str:day>/print/", rosters.roster_print_view, name="roster_print"),
    path("rosters/<int:venue_id>/<str:day>/roster.csv", rosters.roster_csv_view, name="roster_csv"),
    path("rosters/<int:venue_id>/<str:day>/roster.xlsx", rosters.roster_xlsx_view, name="roster_xlsx"),
    path("check-in/<str:code>/", rosters.check_in_view, name="check_in"),
    path("check-in/<str:code>/no-show/", rosters.no_show_view, name="no_show"),
    path("dashboard/", dashboard.dashboard_view, name="dashboard"),
    path("audit/", audit.audit_view, name="audit"),
    path("export/reservations/", audit.reservations_export_view, name="reservations_export"),
    path("move-up/offers/", offers.offers_view, name="moveup_offers"),
]
