"""Warm a new app process before it answers anyone: every view imported, every template compiled.

Without it, each gunicorn worker paid about 0.4 s of CPU on its first requests (importing the views through
the URLconf, compiling the templates into the cached loader, segno for the QR code), on residents' time.
At the opening moment, on 2 cores with 4 workers, that was 1.5 s of CPU before anyone got past the login
page (issue 11's flash crowd: the login page's p95 was 0.8 s). yoyaku/wsgi.py calls this once per process,
before gunicorn lets the worker accept connections; nothing here touches the database or the cache, so a
process starts the same with either down.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template import engines
from django.urls import get_resolver
from django.utils import translation


def warm_up() -> dict[str, int]:
    """Import the sites' views and compile the project's templates; returns how many URL patterns and templates."""
    resolver = get_resolver()
    views = len(resolver.url_patterns)  # importing the URLconf imports every view, form and selector module
    templates = 0
    for engine in engines.all():
        for folder in engine.template_dirs:
            folder = Path(folder)
            if not folder.is_relative_to(settings.BASE_DIR / "yoyaku"):
                continue  # Django's own (the admin's) are compiled when staff first use them
            for path in sorted(folder.rglob("*.html")):
                engine.get_template(path.relative_to(folder).as_posix())  # into the cached loader
                templates += 1
    for code, _name in settings.LANGUAGES:  # each language's catalogue, read once
        with translation.override(code):
            translation.gettext("Log in")
    return {"url_patterns": views, "templates": templates}
