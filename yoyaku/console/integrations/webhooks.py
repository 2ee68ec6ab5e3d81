"""Webhooks, on one page: the endpoints (a new one's secret shown on this one answer, never again; disabling
one is a POST with `disable=<id>`) and the latest deliveries with their state, each sent again by a POST with
`send_again=<id>`. Every act audited (booking/services/integrations.py); the worker delivers
(yoyaku/notify/channels.py)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yoyaku.booking.errors import BookingError
from yoyaku.booking.integrations import WEBHOOK_EVENTS
from yoyaku.booking.services.integrations import (
    webhook_deliveries_send_again,
    webhook_endpoint_create,
    webhook_endpoint_disable,
)
from yoyaku.notify.models import Notification, WebhookEndpoint
from yoyaku.web.pages import page
from yoyaku.web.request import staff_actor

from ..roles import CITY_ADMIN, staff_required
from .forms import WebhookForm

DELIVERIES_SHOWN = 50


def _posted_id(request, name: str) -> int:
    value = request.POST.get(name, "")
    if not value.isdigit() or len(value) > 18:
        raise Http404
    return int(value)


@require_http_methods(["GET", "POST"])
@staff_required(CITY_ADMIN)
def webhooks_view(request):
    if request.method == "POST" and "disable" in request.POST:
        endpoint = WebhookEndpoint.objects.filter(pk=_posted_id(request, "disable")).first()
        if endpoint is None:
            raise Http404
        if webhook_endpoint_disable(actor=staff_actor(request), endpoint=endpoint):
            messages.success(request, _("The webhook is disabled: no more events go to it."))
        return redirect("console:integrations_webhooks")
    if request.method == "POST" and "send_again" in request.POST:
        if webhook_deliveries_send_again(actor=staff_actor(request),
                                         notification_ids=[_posted_id(request, "send_again")]):
            messages.success(request, _("The delivery is queued to be sent again."))
        else:
            messages.error(request, _("This delivery cannot be sent again now (it is waiting to be sent, or its "
                                      "webhook is disabled)."))
        return redirect("console:integrations_webhooks")
    form = WebhookForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _endpoint, secret = webhook_endpoint_create(actor=staff_actor(request), name=form.cleaned_data["name"],
                                                        url=form.cleaned_data["url"],
                                                        events=form.cleaned_data["events"])
        except BookingError as error:
            form.add_error("url" if error.code == "webhook_url" else None, error.message)
        else:
            form = WebhookForm()
    endpoints = list(WebhookEndpoint.objects.order_by("-created_at", "-pk"))
    for endpoint in endpoints:
        endpoint.event_labels = [WEBHOOK_EVENTS.get(e, e) for e in endpoint.events]
    deliveries = list(Notification.objects.filter(kind=Notification.WEBHOOK_KIND).select_related("endpoint")
                      .order_by("-pk")[:DELIVERIES_SHOWN])
    for delivery in deliveries:
        delivery.event_type = delivery.payload.get("type", "")
        delivery.event_id = delivery.payload.get("id", "")
        delivery.can_send_again = (delivery.status not in (Notification.Status.PENDING, Notification.Status.SENDING)
                                   and delivery.endpoint.active)
    response = page(request, "console/integrations/webhooks.html",
                    {"form": form, "endpoints": endpoints, "deliveries": deliveries, "secret": secret,
                     "shown": DELIVERIES_SHOWN}, forms=[form])
    response["Cache-Control"] = "no-store"  # the secret must not stay in any cache
    return response
