"""Rendering a page and following a `next` link: the same for the resident site and the console."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


def page(request, template: str, context: dict, *, forms=(), status: int = 200):
    """Render with the error summary's entries and the title's error prefix when a form has errors."""
    errors = [item for form in forms if form is not None and form.is_bound for item in form.error_list()]
    context = {**context, "errors": errors, "form_has_errors": bool(errors)}
    return render(request, template, context, status=status)


def safe_next(request, fallback: str) -> str:
    """The `next` target if it stays on this site, else the fallback (no open redirects)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(  # a path: "0" would be taken for a view name
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback
