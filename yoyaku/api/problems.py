"""Errors as RFC 9457 problem details (application/problem+json), with the site's translated messages.

A domain error (`BookingError`) keeps its stable `code` and its `.message`, in the language of the request's
Accept-Language (Django's LocaleMiddleware activates it), exactly the words the resident site shows."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _

from yoyaku.booking import errors

CONTENT_TYPE = "application/problem+json"

# The HTTP status of each domain error; anything else a domain error is refused as 409 (the state forbids it).
STATUS_OF = {
    errors.InvalidInput: 422,
    errors.ReasonRequired: 422,
    errors.NotYours: 403,
}


class Problem(Exception):
    """An error the API answers with, outside the domain's: authentication, scope, not found, rate limit."""

    def __init__(self, status: int, code: str, detail: str, *, headers: dict | None = None, extra=None):
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.headers = headers or {}
        self.extra = extra or {}


def problem_response(status: int, code: str, detail: str, *, headers=None, **extra) -> HttpResponse:
    body = {"type": f"urn:yoyaku:problem:{code}", "title": _title(status), "status": status, "detail": detail,
            "code": code, **extra}
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    response["Content-Language"] = _current_language()
    return response


def _current_language() -> str:
    from django.utils import translation

    return translation.get_language() or "ja"


def _title(status: int) -> str:
    titles = {
        400: _("The request is not valid."),
        401: _("An API token is needed."),
        403: _("This token may not do this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("This could not be done."),
        422: _("The request is not valid."),
        429: _("Too many requests."),
    }
    return titles.get(status, _("This could not be done."))


def from_booking_error(error: errors.BookingError) -> HttpResponse:
    status = next((s for kind, s in STATUS_OF.items() if isinstance(error, kind)), 409)
    return problem_response(status, error.code, error.message)


def from_problem(problem: Problem) -> HttpResponse:
    return problem_response(problem.status, problem.code, problem.detail, headers=problem.headers, **problem.extra)
