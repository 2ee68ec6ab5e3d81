"""The integration API at /api/v1/: django-ninja builds the OpenAPI 3.1 document (/api/v1/openapi.json) and the
browsable docs (/api/v1/docs) from the endpoints' type hints and schemas.

Every error is an RFC 9457 problem (problems.py), declared as application/problem+json in the document."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from yoyaku.booking.errors import BookingError

from . import bot, system
from .auth import TokenAuth
from .problems import CONTENT_TYPE, Problem, from_booking_error, from_problem, problem_response

DESCRIPTION = """Yoyaku's integration API for city systems (health system, call-centre software, dashboards) and
residents' chat bots. Authenticate with `Authorization: Bearer <token>` (tokens are made in the console,
Integrations; a resident's bot gets one from `POST /bot/authorise`). Send `Idempotency-Key` on POSTs to make
retries safe. Errors are RFC 9457 problem details in the language of `Accept-Language`."""


class YoyakuApi(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        # Error answers are problem documents: say so in the document, as the responses say it.
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[CONTENT_TYPE] = content.pop("application/json")
        return schema


api = YoyakuApi(title="Yoyaku API", version="1", description=DESCRIPTION, urls_namespace="api", auth=TokenAuth(),
                openapi_url="/openapi.json", docs_url="/docs")
api.add_router("", system.router)
api.add_router("", bot.router)


@api.exception_handler(Problem)
def _problem(request, exc: Problem):
    return from_problem(exc)


@api.exception_handler(BookingError)
def _booking_error(request, exc: BookingError):
    return from_booking_error(exc)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problem_response(401, "token_invalid", _("This API token is not valid or has been revoked."),
                            headers={"WWW-Authenticate": 'Bearer realm="yoyaku", error="invalid_token"'})


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    fields = [{"location": ".".join(str(part) for part in error.get("loc", ())), "problem": error.get("msg", "")}
              for error in exc.errors]
    return problem_response(422, "invalid_request", _("Check the request: some values are missing or not valid."),
                            errors=fields)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem_response(404, "not_found", _("Not found."))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return problem_response(exc.status_code, "http_error", str(exc))
