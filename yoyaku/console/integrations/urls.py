"""Console URLs: the integrations area (API tokens), for city admins."""

from django.urls import path

from . import views

urlpatterns = [
    path("integrations/", views.tokens_view, name="integrations"),
]
