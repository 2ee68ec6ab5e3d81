"""Resident import by upload (city admin): check the file (a dry run, every bad row listed), then apply it.

The same file format, checks and service as `manage.py import_residents` (booking/imports.py,
services.residents_import): all rows or none. Between the two steps the uploaded bytes wait in
VAR_DIR/uploads under a random name that only this session knows; "Apply" reads them back, checks them
again (the register may have changed meanwhile) and imports. Reports name lines and columns, never a
cell's value. The file is deleted once applied or discarded; leftovers are removed after a day.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yoyaku.booking import imports, services
from yoyaku.booking.errors import InvalidInput
from yoyaku.web.pages import page
from yoyaku.web.request import staff_actor

from ..roles import CITY_ADMIN, staff_required
from .forms import ImportUploadForm

SESSION_KEY = "console:residents_import"
TOKEN = re.compile(r"^[0-9a-f]{32}$")
KEEP_SECONDS = 24 * 60 * 60
MAX_ERRORS_SHOWN = 1000  # every bad row is counted; a file that bad is the wrong file


@dataclass
class Report:
    """What checking a file found: the file's problem, or its bad rows, or what an import would do."""

    file_error: str = ""
    encoding: str = ""
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    result: services.ImportResult | None = None

    @property
    def bad_rows(self) -> int:
        return len({error.line for error in self.errors})

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.errors


def _read(raw: bytes) -> Report:
    """Decode and validate (pure: booking/imports.py). The rows are clean only when there are no errors."""
    try:
        text, encoding = imports.decode(raw)
        rows, errors = imports.parse(text, imports.RESIDENTS, imports.Context(today=timezone.localdate()))
    except imports.ImportFileError as error:
        return Report(file_error=str(error))
    return Report(encoding=encoding, rows=rows, errors=errors)


def _upload_dir() -> Path:
    directory = Path(settings.VAR_DIR) / "uploads"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory


def _path(token: str) -> Path | None:
    return _upload_dir() / f"residents-{token}.csv" if TOKEN.match(token or "") else None


def _sweep() -> None:
    """Remove uploads nobody applied or discarded (a closed browser, an expired session)."""
    limit = time.time() - KEEP_SECONDS
    for old in _upload_dir().glob("residents-*.csv"):
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            pass


def _store(request, raw: bytes) -> str:
    _forget(request)
    _sweep()
    token = secrets.token_hex(16)
    path = _path(token)
    path.touch(mode=0o600)
    path.write_bytes(raw)
    request.session[SESSION_KEY] = {"token": token, "sha256": hashlib.sha256(raw).hexdigest()}
    return token


def _forget(request) -> None:
    stored = request.session.pop(SESSION_KEY, None) or {}
    path = _path(stored.get("token", ""))
    if path is not None:
        path.unlink(missing_ok=True)


def _stored_bytes(request, token: str) -> bytes | None:
    """The bytes this session uploaded under `token`, unchanged since; None if there are none."""
    stored = request.session.get(SESSION_KEY) or {}
    if not token or stored.get("token") != token:
        return None
    try:
        raw = _path(token).read_bytes()
    except (OSError, AttributeError):
        return None
    return raw if hashlib.sha256(raw).hexdigest() == stored.get("sha256") else None


def _render(request, form, report: Report | None = None, token: str = ""):
    return page(request, "console/residents/import.html", {
        "form": form, "report": report, "token": token,
        "errors_shown": report.errors[:MAX_ERRORS_SHOWN] if report else [],
        "errors_hidden": max(len(report.errors) - MAX_ERRORS_SHOWN, 0) if report else 0,
    }, forms=[form])


def _check(request):
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, form)
    raw = form.cleaned_data["file"].read()
    report = _read(raw)
    token = ""
    if report.ok:
        report.result = services.residents_import(actor=staff_actor(request), rows=report.rows, dry_run=True)
        token = _store(request, raw)
    else:
        _forget(request)
    return _render(request, ImportUploadForm(), report, token)


def _apply(request):
    raw = _stored_bytes(request, request.POST.get("token", ""))
    if raw is None:
        messages.error(request, _("This check is out of date or was already applied. Upload the file again."))
        return redirect("console:residents_import")
    report = _read(raw)  # again: the import must never trust an earlier check
    if report.ok:
        try:
            result = services.residents_import(actor=staff_actor(request), rows=report.rows)
        except InvalidInput as error:
            report.file_error = error.message
        else:
            _forget(request)
            messages.success(request, _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                             % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged})
            return redirect("console:residents_import")
    _forget(request)
    return _render(request, ImportUploadForm(), report)


@staff_required(CITY_ADMIN)
@require_http_methods(["GET", "POST"])
def import_view(request):
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "apply":
            return _apply(request)
        if action == "discard":
            _forget(request)
            messages.info(request, _("The uploaded file was discarded; nothing was imported."))
            return redirect("console:residents_import")
        return _check(request)
    return _render(request, ImportUploadForm())
