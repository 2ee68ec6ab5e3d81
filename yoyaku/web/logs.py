"""Logs without personal data: paths with their identifiers masked, and, on option, one JSON line per request.

YOYAKU_LOG_FORMAT=json (settings.py) turns on RequestLogMiddleware, one line per request: method, path
(masked, never the query string), status, duration in milliseconds; and JsonFormatter for every log line,
so Django's own error lines are JSON too. MaskPathsFilter rewrites the paths in Django's request log lines
("Not Found: /reservations/…/") in both formats.

Masking: a path is resolved against the URLconf and every captured value is replaced by "*" except the
few that say nothing about a person (dose numbers, venue ids, days): reservation codes, move-up tokens,
resident ids, file names all become "*". A path that does not resolve keeps only its first segment.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from urllib.parse import unquote

from django.conf import settings
from django.urls import Resolver404, resolve

logger = logging.getLogger("yoyaku.request")

# Captured URL values that identify nobody; every other captured value is masked.
SAFE_VALUES = {"dose", "venue_id", "day"}
MASK = "*"


def mask_path(path: str, match=None) -> str:
    path = path.split("?", 1)[0]
    if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return path
    if match is None:
        try:
            match = resolve(path)
        except Resolver404:
            match = None
    if match is None:
        segments = path.split("/")
        # "", first segment, then everything else masked; the trailing slash kept.
        return "/".join(segments[:2] + [MASK if s else s for s in segments[2:]])
    hidden = {str(value) for name, value in match.kwargs.items() if name not in SAFE_VALUES}
    hidden |= {str(value) for value in match.args}
    return "/".join(MASK if segment and unquote(segment) in hidden else segment for segment in path.split("/"))


class MaskPathsFilter(logging.Filter):
    """Django's request log lines carry request.path in their arguments: masked here, before any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if path and isinstance(record.args, tuple):
            masked = mask_path(path, getattr(request, "resolver_match", None))
            record.args = tuple(masked if arg == path else arg for arg in record.args)
        return True


FIELDS = ("method", "path", "status", "duration_ms", "fault")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, the request fields when there are some,
    and a traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class RequestLogMiddleware:
    """One line per request (first in MIDDLEWARE when YOYAKU_LOG_FORMAT=json, so it times everything)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        duration = round((time.perf_counter() - started) * 1000, 1)
        path = mask_path(request.path, getattr(request, "resolver_match", None))
        fields = {"method": request.method, "path": path, "status": response.status_code, "duration_ms": duration}
        if fault := getattr(response, "yoyaku_fault", None):
            fields["fault"] = fault
        logger.info("%s %s %s %.1fms", request.method, path, response.status_code, duration, extra=fields)
        return response
