"""Staff login: password, then a TOTP second factor (set up at the first login)."""

from __future__ import annotations

import base64
from urllib.parse import quote

import segno
from django import forms
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from yoyaku.booking import services
from yoyaku.web import throttle
from yoyaku.web.forms import BaseForm
from yoyaku.web.pages import page, safe_next
from yoyaku.web.request import client_address, staff_actor

from .roles import roles_of


class StaffLoginForm(BaseForm):
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label=gettext_lazy("Password"), max_length=200,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class TokenForm(BaseForm):
    token = forms.CharField(label=gettext_lazy("6-digit code from your authenticator app"), max_length=12,
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))

    def clean_token(self):
        token = "".join(ch for ch in self.cleaned_data["token"] if ch.isdigit())
        if len(token) != 6:
            raise forms.ValidationError(_("Enter the 6 digits your authenticator app shows."))
        return token


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = StaffLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        address = client_address(request)
        subject = f"staff:{username}"
        verdict = throttle.attempt(ticket=subject, address=address)  # counted first, then decided
        if not verdict.allowed:
            form.add_error(None, _("Too many failed attempts. Try again in %(n)d minutes.")
                           % {"n": (verdict.retry_after + 59) // 60})
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is not None and roles_of(user):
                throttle.succeeded(ticket=subject, address=address)
                login(request, user)  # rotates the session key
                return redirect(f"{reverse('console:otp')}?next={quote(safe_next(request, reverse('console:home')))}")
            outcome = throttle.failed(ticket=subject, address=address, counted=True)
            known = get_user_model().objects.filter(username=username).first()  # never the password typed
            services.login_failed(
                actor=services.Actor.for_staff(known, client_address=address), site="console",
                subject_hash=throttle.ticket_hash(subject), reason="no_role" if user is not None else "wrong_password",
                locked=outcome.scope if outcome.locked_now else "")
            form.add_error(None, _("The user name or password is not right, or the account has no console role."))
    return page(request, "console/login.html", {"form": form}, forms=[form])


@require_http_methods(["GET", "POST"])
def otp_view(request):
    """Verify the second factor; at the first login, set up the authenticator app first."""
    user = request.user
    if not user.is_authenticated:
        return redirect("console:login")
    next_url = safe_next(request, reverse("console:home"))
    if user.is_verified():
        return redirect(next_url)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    setting_up = device is None
    if setting_up:
        device = services.staff_device_for_setup(actor=staff_actor(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            services.staff_log_in(actor=staff_actor(request), device=device)
            otp_login(request, device)
            return redirect(next_url)
        services.staff_second_factor_failed(actor=staff_actor(request))
        form.add_error("token", _("This code is not right or has expired. Enter the code shown now."))
    context = {"setting_up": setting_up, "next": next_url}
    if setting_up:
        context["secret"] = base64.b32encode(device.bin_key).decode()
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return page(request, "console/otp.html", {**context, "form": form}, forms=[form])


@require_POST
def logout_view(request):
    logout(request)
    return redirect("console:login")
