"""API tokens, on one page: the list, a new token (its secret shown on this one answer, never again) and
revoking one (a POST with `revoke=<id>`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yoyaku.booking.errors import BookingError
from yoyaku.booking.integrations import ApiToken
from yoyaku.booking.services.integrations import api_token_create, api_token_revoke
from yoyaku.web.pages import page
from yoyaku.web.request import staff_actor

from ..roles import CITY_ADMIN, staff_required
from .forms import TokenForm


@require_http_methods(["GET", "POST"])
@staff_required(CITY_ADMIN)
def tokens_view(request):
    if request.method == "POST" and "revoke" in request.POST:
        return _revoke(request)
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = api_token_create(actor=staff_actor(request), name=form.cleaned_data["name"],
                                             scopes=form.cleaned_data["scopes"])
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            form = TokenForm()
    tokens = ApiToken.objects.filter(kind=ApiToken.Kind.SYSTEM).order_by("-created_at", "-pk")
    response = page(request, "console/integrations/tokens.html",
                    {"form": form, "tokens": tokens, "secret": secret}, forms=[form])
    response["Cache-Control"] = "no-store"  # the secret must not stay in any cache
    return response


def _revoke(request):
    token = ApiToken.objects.filter(pk=request.POST.get("revoke", "") if request.POST["revoke"].isdigit() else None,
                                    kind=ApiToken.Kind.SYSTEM).first()
    if token is None:
        raise Http404
    if api_token_revoke(actor=staff_actor(request), token=token):
        messages.success(request, _("The token is revoked: it no longer works."))
    return redirect("console:integrations")
