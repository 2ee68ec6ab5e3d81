"""Idempotency keys (the `Idempotency-Key` header, IETF draft-ietf-httpapi-idempotency-key-header) on every POST.

The first answer (2xx) given to a key is stored with the token, the endpoint and a digest of the body; the same
key again gets the same status and body without doing anything. The same key with another body or on another
endpoint is a 422 problem. Error answers are not stored: the client may fix the request and retry with the
same key. Booking also passes the key to services.reservation_book as its request key, so two concurrent
first attempts still make one reservation."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Status

from .models import IdempotentResponse
from .problems import Problem

HEADER = "Idempotency-Key"


def request_key(request) -> str | None:
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return None
    if len(key) > 100 or not key.isascii() or not key.isprintable():
        raise Problem(422, "idempotency_key_invalid",
                      _("The Idempotency-Key must be 1 to 100 printable ASCII characters."))
    return key


def _fingerprint(request) -> str:
    return hashlib.sha256(request.method.encode() + b" " + request.path.encode() + b"\n" + request.body).hexdigest()


def _replay(stored: IdempotentResponse, fingerprint: str):
    if stored.fingerprint != fingerprint:
        raise Problem(422, "idempotency_key_reused",
                      _("This Idempotency-Key was already used for another request. Use a new key."))
    response = JsonResponse(stored.body, status=stored.status, safe=False)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(request, run: Callable[[], tuple[int, object]]):
    """run() -> (status, JSON-ready body), once per key; the stored answer for a key already used."""
    key = request_key(request)
    if key is None:
        status, body = run()
        return Status(status, body)
    token = request.auth
    fingerprint = _fingerprint(request)
    stored = IdempotentResponse.objects.filter(token=token, key=key).first()
    if stored is not None:
        return _replay(stored, fingerprint)
    status, body = run()
    if 200 <= status < 300:
        try:
            with transaction.atomic():
                IdempotentResponse.objects.create(token=token, key=key, fingerprint=fingerprint, status=status,
                                                  body=json.loads(json.dumps(body, cls=DjangoJSONEncoder)))
        except IntegrityError:  # a concurrent first attempt stored its answer first: give that one
            return _replay(IdempotentResponse.objects.get(token=token, key=key), fingerprint)
    return Status(status, body)
