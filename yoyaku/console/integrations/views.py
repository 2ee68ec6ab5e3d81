"""API tokens: the list, a new token (its secret shown on this one answer, never again) and revoking one."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

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


@require_POST
@staff_required(CITY_ADMIN)
def token_revoke_view(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, kind=ApiToken.Kind.SYSTEM)
    if api_token_revoke(actor=staff_actor(request), token=token):
        messages.success(request, _("The token is revoked: it no longer works."))
    return redirect("console:integrations")
