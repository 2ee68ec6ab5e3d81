"""Login, logout and the text size."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yoyaku.booking import selectors, services
from yoyaku.booking.errors import call_centre_text
from yoyaku.web import throttle
from yoyaku.web.context import TEXT_SIZE_COOKIE
from yoyaku.web.pages import page, safe_next
from yoyaku.web.request import client_address

from ..forms import LoginForm
from ..session import current_resident, log_in, log_out


def _wait_text(seconds: int) -> str:
    if seconds >= 60:
        return _("%(n)d minutes") % {"n": (seconds + 59) // 60}
    return _("%(n)d seconds") % {"n": seconds}


@require_http_methods(["GET", "POST"])
def login_view(request):
    if current_resident(request) is not None:
        return redirect("portal:top")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ticket = form.cleaned_data["ticket_number"]
        birth_date = form.cleaned_data["password"]
        address = client_address(request)
        verdict = throttle.attempt(ticket=ticket, address=address)  # counted first, then decided
        if not verdict.allowed:
            if verdict.scope == "ticket":
                message = _(
                    "Login with this ticket number is paused after several failed attempts. Try again in %(wait)s, "
                    "or call us."
                ) % {"wait": _wait_text(verdict.retry_after)}
            else:
                message = _("Too many failed attempts from your connection. Try again in %(wait)s, or call us.") % {
                    "wait": _wait_text(verdict.retry_after)
                }
            form.add_error(None, message + " " + call_centre_text())
        else:
            resident = selectors.resident_by_ticket(ticket)
            # An unknown or inactive ticket gets exactly the answer of a wrong birth date.
            if resident is not None and resident.active and resident.birth_date == birth_date:
                throttle.succeeded(ticket=ticket, address=address)
                log_in(request, resident)
                services.resident_log_in(actor=services.Actor.for_resident(resident, client_address=address))
                return redirect(safe_next(request, reverse("portal:top")))
            outcome = throttle.failed(ticket=ticket, address=address, counted=True)
            services.login_failed(
                actor=services.Actor.unknown_resident(client_address=address),
                subject_hash=throttle.ticket_hash(ticket), reason="wrong_password", resident=resident,
                locked=outcome.scope if outcome.locked_now else "")
            form.add_error(None, _(
                "The ticket number or the password (date of birth) is not right. Check both and try again."
            ))
    return page(request, "portal/login.html", {"form": form, "next": request.GET.get("next", "")}, forms=[form])


@require_POST
def logout_view(request):
    log_out(request)
    return redirect(settings.LOGIN_URL)


@require_POST
def text_size_view(request):
    response = redirect(safe_next(request, reverse("portal:top")))
    size = request.POST.get("size")
    if size in {"s", "m", "l"}:
        response.set_cookie(TEXT_SIZE_COOKIE, size, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=request.is_secure() or not settings.DEBUG, httponly=True)
    return response


@require_POST
def furigana_view(request):
    """The header's switch: furigana and easy Japanese on the Japanese pages, or not (a cookie)."""
    from ..furigana import FURIGANA_COOKIE

    response = redirect(safe_next(request, reverse("portal:top")))
    if request.POST.get("furigana") == "on":
        response.set_cookie(FURIGANA_COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax",
                            secure=request.is_secure() or not settings.DEBUG, httponly=True)
    elif request.POST.get("furigana") == "off":
        response.delete_cookie(FURIGANA_COOKIE, samesite="Lax")
    return response
