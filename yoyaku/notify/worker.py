"""The outbox worker: claims due notifications, sends each through its channel's adapter (channels.py: email
through Django's email backend, webhooks over HTTP, the log), records the result. Everything below holds for
every channel; "SMTP" reads "the receiver" for the others.

Claiming. A worker claims a small batch in one short transaction: the due rows (pending and due, or
`sending` with an expired lease) are marked `sending` with a fresh claim token and a lease expiry. On
PostgreSQL the candidates are read with `SELECT ... FOR UPDATE SKIP LOCKED`, so workers claim different
rows without waiting for each other; on SQLite the IMMEDIATE write transaction serialises claims. The
UPDATE repeats the "due" condition, so a row can only be claimed by one batch at a time.

Sending. One SMTP connection per batch; after the server accepted a message, the row is marked `sent` at
once, in its own statement, conditioned on the claim token (a worker that lost its claim changes
nothing). Each message carries a stable Message-ID (`<notification-<id>@host>`).

Exactly once. The one window left: the SMTP server has accepted a message and the worker dies (or the
database is unreachable) before the `sent` row commits. The lease then expires, another worker claims the
row and the message goes out a second time, with the same Message-ID. Everything else (a kill before the
server's acceptance, between messages, during a claim) loses nothing and sends nothing twice.

Failures. An SMTP error counts an attempt: the row goes back to `pending` with next_attempt_at = now +
BACKOFF_SECONDS * 2^(attempts-1) (at most BACKOFF_MAX_SECONDS), or to `failed` after MAX_ATTEMPTS (at once
when the server refuses the recipient with a 5xx). When the connection itself fails, every message still
unsent in the batch counts the attempt. Logs name notification ids, never an address or a name.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import smtplib
import threading
import time
import uuid
from datetime import timedelta

from django.db import DatabaseError, close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from .channels import adapter_for, channels_config_check, describe_error
from .conf import notify_setting, notify_settings_check
from .jobs import JOBS, jobs_check
from .messages import NotStillWanted, build_message  # noqa: F401 - the email adapter's, by this name
from .models import Notification

log = logging.getLogger("yoyaku.notify")

Status = Notification.Status
__all__ = ["Worker", "backoff", "claim_batch", "describe_error", "mark_failed", "mark_sent", "send_batch"]


def _due(now) -> Q:
    return Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING, lease_expires_at__lte=now)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: BACKOFF_SECONDS, doubled each time, capped."""
    seconds = notify_setting("BACKOFF_SECONDS") * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, notify_setting("BACKOFF_MAX_SECONDS")))


def _recipient_refused_for_good(exc: BaseException) -> bool:
    return isinstance(exc, smtplib.SMTPRecipientsRefused) and bool(exc.recipients) and all(
        500 <= code < 600 for code, _msg in exc.recipients.values()
    )


def claim_batch(*, limit: int, lease_seconds: float, now=None) -> tuple[str, list[Notification]]:
    """Claim up to `limit` due notifications for this worker. Returns the claim token and the rows."""
    now = now or timezone.now()
    # A read first: an idle worker never takes SQLite's write lock (bookings would wait for it).
    if not Notification.objects.filter(_due(now)).exists():
        return "", []
    token = uuid.uuid4().hex
    with transaction.atomic():
        candidates = Notification.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return "", []
        Notification.objects.filter(_due(now), pk__in=ids).update(
            status=Status.SENDING, claim_token=token, lease_expires_at=now + timedelta(seconds=lease_seconds)
        )
    return token, list(Notification.objects.filter(pk__in=ids, claim_token=token).order_by("pk"))


def _ours(note: Notification, token: str):
    return Notification.objects.filter(pk=note.pk, status=Status.SENDING, claim_token=token)


def mark_sent(note: Notification, token: str, *, retries: int = 4) -> bool:
    """Record the server's acceptance at once. The database may be busy or briefly away: try again a few
    times (1, 2, 4, 8 s) rather than leave the row to be claimed and sent again when the lease expires."""
    for attempt in range(retries + 1):
        try:
            done = _ours(note, token).update(status=Status.SENT, sent_at=timezone.now(), claim_token="",
                                             lease_expires_at=None, payload=note.payload)
            break
        except DatabaseError:
            if attempt == retries:
                log.error("notification %s sent, but could not be marked: it will be sent again", note.pk)
                raise
            log.warning("notification %s sent, but not yet marked (database error): trying again", note.pk)
            with contextlib.suppress(Exception):
                if not connection.in_atomic_block:
                    connection.close()
            time.sleep(2 ** attempt)
    if done:
        log.info("notification %s sent", note.pk)
    else:
        log.warning("notification %s sent, but its claim had expired: it may be sent twice", note.pk)
    return bool(done)


def mark_failed(note: Notification, token: str, exc: BaseException, *, adapter=None) -> None:
    """One attempt counted: retried after the backoff, or failed for good (the last attempt, or an error the
    channel's adapter calls permanent). Without an adapter, the email channel's rules."""
    attempts = note.attempts + 1
    error = adapter.describe(exc) if adapter is not None else describe_error(exc)
    permanent = adapter.permanent(exc) if adapter is not None else _recipient_refused_for_good(exc)
    fields = {"attempts": attempts, "last_error": error, "claim_token": "", "lease_expires_at": None}
    if permanent or attempts >= notify_setting("MAX_ATTEMPTS"):
        _ours(note, token).update(status=Status.FAILED, **fields)
        log.error("notification %s failed for good after %s attempt(s): %s", note.pk, attempts, type(exc).__name__)
    else:
        retry_at = timezone.now() + backoff(attempts)
        _ours(note, token).update(status=Status.PENDING, next_attempt_at=retry_at, **fields)
        log.warning("notification %s: attempt %s failed (%s), next at %s", note.pk, attempts,
                    type(exc).__name__, retry_at.isoformat(timespec="seconds"))


def mark_skipped(note: Notification, token: str, reason: str) -> None:
    _ours(note, token).update(status=Status.SKIPPED, last_error=reason, claim_token="", lease_expires_at=None)
    log.info("notification %s skipped: %s", note.pk, reason)


def release(notes: list[Notification], token: str) -> None:
    """Give claimed but unsent rows back (stopping, or the lease is about to run out)."""
    if notes:
        Notification.objects.filter(pk__in=[n.pk for n in notes], status=Status.SENDING, claim_token=token).update(
            status=Status.PENDING, claim_token="", lease_expires_at=None
        )


def send_batch(token: str, notes: list[Notification], *, claimed_at: float, should_stop=lambda: False) -> int:
    """Send claimed notifications one by one, each through its channel's adapter (channels.py) and marked
    right after the receiver accepted it."""
    lease, timeout = notify_setting("LEASE_SECONDS"), notify_setting("SEND_TIMEOUT")
    # Never start a message that might still be in flight when the lease runs out (another worker
    # would then claim it again).
    send_until = claimed_at + lease - timeout
    adapters: dict[str, object] = {}  # one per channel for the batch (the email one holds the SMTP connection)
    lost: set[str] = set()  # channels whose connection failed: their other rows already counted the attempt
    sent = 0
    try:
        for index, note in enumerate(notes):
            if should_stop() or time.monotonic() >= send_until:
                release([rest for rest in notes[index:] if rest.channel not in lost], token)
                break
            if note.channel in lost:
                continue
            try:
                adapter = adapters.get(note.channel) or adapters.setdefault(
                    note.channel, adapter_for(note.channel, timeout=timeout))
                message = adapter.prepare(note)
            except NotStillWanted as stale:
                mark_skipped(note, token, str(stale) or "no longer wanted")
                continue
            except Exception as exc:  # a template or data error: retried like a send error
                log.exception("notification %s could not be rendered", note.pk)
                mark_failed(note, token, exc)
                continue
            try:
                adapter.send(message)
            except Exception as exc:
                if adapter.connection_lost(exc):
                    lost.add(note.channel)
                    for rest in notes[index:]:
                        if rest.channel == note.channel:
                            mark_failed(rest, token, exc, adapter=adapter)
                    continue
                mark_failed(note, token, exc, adapter=adapter)
                continue
            sent += mark_sent(note, token)
    finally:
        for adapter in adapters.values():
            with contextlib.suppress(Exception):
                adapter.close()
    return sent


def is_idle(now=None) -> bool:
    """Nothing due now, and nothing being sent (by any worker, or left claimed by a dead one)."""
    now = now or timezone.now()
    return not Notification.objects.filter(
        Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.SENDING)
    ).exists()


def config_check() -> None:
    """The settings, the channels' and every registered job's: ImproperlyConfigured, one line, before anything runs."""
    notify_settings_check()
    channels_config_check()
    jobs_check()


class Worker:
    def __init__(self, *, batch_size: int | None = None, jobs: bool = True):
        config_check()
        self.batch_size = batch_size or notify_setting("BATCH_SIZE")
        self.jobs = jobs
        self._stop = threading.Event()
        self._next_run: dict[str, float] = {}

    def stop(self, *_args) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run_jobs(self) -> None:
        """The registered periodic jobs that are due. A database error goes to the loop (which reconnects);
        any other error is logged and the job tried again at its next time, so sending goes on."""
        if not self.jobs:
            return
        for job in list(JOBS.values()):
            if time.monotonic() < self._next_run.get(job.name, 0.0):
                continue
            try:
                count = job.run()
            except DatabaseError:
                raise
            except Exception:
                log.exception("job %s failed", job.name)
                count = 0
            self._next_run[job.name] = time.monotonic() + job.interval()
            if count:
                log.info("job %s: %s message(s) queued", job.name, count)

    def run_once(self) -> int:
        """One claim and its batch. Returns how many messages were sent."""
        claimed_at = time.monotonic()
        token, notes = claim_batch(limit=self.batch_size, lease_seconds=notify_setting("LEASE_SECONDS"))
        if not notes:
            return 0
        return send_batch(token, notes, claimed_at=claimed_at, should_stop=lambda: self.stopping)

    def run(self, *, until_idle: bool = False) -> None:
        previous = {}
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                previous[signum] = signal.signal(signum, self.stop)
        try:
            self._loop(until_idle=until_idle)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _loop(self, *, until_idle: bool) -> None:
        log.info("notification worker started")
        while not self.stopping:
            if not connection.in_atomic_block:
                close_old_connections()  # honours CONN_MAX_AGE and reconnects after a database restart
            try:
                self.run_jobs()
                worked = self.run_once()
                if until_idle and not worked and is_idle():
                    break
            except DatabaseError:
                log.exception("database error; trying again")
                worked = 0
                with contextlib.suppress(Exception):
                    connection.close()
            if not worked:
                self._stop.wait(notify_setting("POLL_SECONDS"))
        log.info("notification worker stopped")
