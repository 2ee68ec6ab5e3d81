"""Console URLs: the integrations area (API tokens, webhooks), for city admins."""

from django.urls import path

from . import views, webhooks

urlpatterns = [
    path("integrations/", views.tokens_view, name="integrations"),
    path("integrations/webhooks/", webhooks.webhooks_view, name="integrations_webhooks"),
]
