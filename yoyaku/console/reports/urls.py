"""Console URLs: the reports area (dashboard, audit log, reservations export), for city admins."""

from django.urls import path

from . import audit, dashboard

urlpatterns = [
    path("dashboard/", dashboard.dashboard_view, name="dashboard"),
    path("audit/", audit.audit_view, name="audit"),
    path("export/reservations/", audit.reservations_export_view, name="reservations_export"),
]
