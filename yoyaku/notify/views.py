"""The dev inbox: the emails the file-based backend wrote (DEBUG's default, folder var/mail/), readable in
the browser at /dev/mail/ so that a newcomer running `make run` sees what residents receive. Only when
DEBUG is on: otherwise every URL here is a 404."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.shortcuts import render

SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # what django.core.mail.backends.filebased writes after each message
_FILE_NAME = re.compile(r"^[\w.-]+\.log$")
LIST_LIMIT = 200


def _require_debug():
    if not settings.DEBUG:
        raise Http404()


def mail_folder() -> Path:
    return Path(settings.EMAIL_FILE_PATH)


def _messages_in(path: Path) -> list:
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(chunk) for chunk in path.read_bytes().split(SEPARATOR) if chunk.strip()]


def _files() -> list[Path]:
    folder = mail_folder()
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_file() and _FILE_NAME.match(p.name)),
                  key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


def inbox(request):
    _require_debug()
    rows = []
    for path in _files():
        for index, message in reversed(list(enumerate(_messages_in(path)))):
            rows.append({"file": path.name, "index": index, "date": message["Date"], "to": message["To"],
                         "subject": (message["Subject"] or "").strip()})
        if len(rows) >= LIST_LIMIT:
            break
    return render(request, "notify/dev_inbox.html", {
        "rows": rows[:LIST_LIMIT], "folder": mail_folder(), "backend": settings.EMAIL_BACKEND,
        "file_backend": settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"),
    })


def message(request, name: str, index: int):
    _require_debug()
    path = mail_folder() / name
    if not _FILE_NAME.match(name) or not path.is_file():
        raise Http404()
    messages = _messages_in(path)
    if not 0 <= index < len(messages):
        raise Http404()
    msg = messages[index]
    body = msg.get_body(preferencelist=("plain",))
    attachments = [
        {"name": part.get_filename() or "", "type": part.get_content_type(),
         "text": part.get_content() if part.get_content_maintype() == "text" else ""}
        for part in msg.iter_attachments()
    ]
    headers = [(name, str(msg[name]).strip()) for name in ("Subject", "From", "To", "Date", "Message-ID") if msg[name]]
    return render(request, "notify/dev_message.html", {
        "headers": headers, "body": body.get_content() if body is not None else "", "attachments": attachments,
        "subject": (msg["Subject"] or "").strip(),
    })
