"""Real worker processes (`manage.py run_worker`) against this test's database and a real SMTP server.

- A worker is killed (SIGKILL) in the middle of a batch, twice, and restarted: every message arrives once.
- Two workers run at once: both send, and nothing is sent twice.

Where the kill lands: the SMTP server kills the worker while it is receiving one of the worker's messages,
before it accepts that message. The worker dies with messages of its batch sent and marked, one in flight
and the rest of the batch claimed but unsent; the in-flight one was not accepted, so it must be sent again.
A kill in the one unprotected window (after the server's acceptance, before the worker's commit) would send
that one message twice: see docs/architecture.md, "Notifications".
"""

import contextlib
import os
import re
import signal
import subprocess
import time

import pytest

from tests import factories as f
from yoyaku.booking.notifications import reservation_snapshot
from yoyaku.notify.models import Notification

from .conftest import MAIL_HOST, book, worker_command, worker_env

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

COUNT = 200
Status = Notification.Status


@pytest.fixture
def queued(booking_city):
    """COUNT pending notifications (one booking's confirmation, and copies)."""
    reservation = book(f.slot(venue=booking_city["venue"], vaccine=booking_city["vaccine"]))
    payload = reservation_snapshot(reservation)
    Notification.objects.bulk_create(
        Notification(kind="booked", reservation=reservation, payload=payload, email="taro@example.jp", language="ja")
        for _ in range(COUNT - 1)
    )
    ids = list(Notification.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) == COUNT
    return {f"<notification-{pk}@{MAIL_HOST}>" for pk in ids}


def start(env, *args):
    return subprocess.Popen(worker_command(*args), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def wait(proc, timeout=90):
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"worker did not finish in {timeout}s:\n{err[-3000:]}")
    return out, err


def sent_ids_in_log(err: str) -> list[int]:
    # Whatever the log format puts before the message ("INFO yoyaku.notify: ..." or nothing).
    return [int(match[1]) for match in re.finditer(r"notification (\d+) sent$", err, re.MULTILINE)]


def test_a_worker_killed_mid_batch_and_restarted_sends_every_message_exactly_once(queued, smtp_server, tmp_path):
    env = worker_env(smtp_server.port, tmp_path, BATCH_SIZE=10, LEASE_SECONDS=3, SEND_TIMEOUT=1)
    smtp_server.delay = 0.005
    kill_points = [47, 121]  # the 48th and the 122nd message: in the middle of the 5th and the 13th batch
    current = {}
    kills = []

    def kill_mid_batch(envelope):
        if kill_points and smtp_server.count() == kill_points[0]:
            kill_points.pop(0)
            pid = current["proc"].pid
            os.kill(pid, signal.SIGKILL)
            kills.append(pid)
            # Dead before this reply goes out (not reaped here: the test's thread reaps it; if it already
            # did, there is no child left to wait for).
            with contextlib.suppress(ChildProcessError):
                os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
            return "451 4.3.0 Try again later"  # never read: the client is dead
        return None

    smtp_server.before_accept = kill_mid_batch
    states = []
    for _run in range(2):
        current["proc"] = proc = start(env)
        wait(proc)
        assert proc.returncode == -signal.SIGKILL
        counts = dict.fromkeys(Status, 0)
        for status in Notification.objects.values_list("status", flat=True):
            counts[status] += 1
        states.append(counts)

    # Killed in the middle of a batch: what was accepted is marked sent (each right after its 250), the
    # rest of that batch is still claimed by the dead worker, the rest of the queue untouched.
    assert len(kills) == 2, (kills, states, kill_points, smtp_server.count())
    assert states[0][Status.SENT] == 47 and states[0][Status.SENDING] == 10 - 47 % 10
    assert states[1][Status.SENT] == 121 and states[1][Status.SENDING] > 0

    started = time.monotonic()
    current["proc"] = proc = start(env, "--until-idle")
    _out, err = wait(proc)
    assert proc.returncode == 0, err[-3000:]
    assert time.monotonic() - started < 60

    arrived = smtp_server.message_ids()
    assert set(arrived) == queued
    assert [mid for mid, n in arrived.items() if n != 1] == []
    assert sum(arrived.values()) == COUNT
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}
    assert set(Notification.objects.values_list("attempts", flat=True)) == {0}


def test_two_workers_at_once_send_nothing_twice(queued, smtp_server, tmp_path):
    env = worker_env(smtp_server.port, tmp_path, BATCH_SIZE=5, LEASE_SECONDS=30, SEND_TIMEOUT=5)
    smtp_server.delay = 0.01
    procs = [start(env, "--until-idle") for _ in range(2)]
    logs = [wait(proc)[1] for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], [log[-2000:] for log in logs]

    arrived = smtp_server.message_ids()
    assert set(arrived) == queued
    assert [mid for mid, n in arrived.items() if n != 1] == []
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}
    by_worker = [set(sent_ids_in_log(log)) for log in logs]
    assert all(by_worker), "both workers sent messages"
    assert by_worker[0].isdisjoint(by_worker[1])
    assert len(by_worker[0] | by_worker[1]) == COUNT
