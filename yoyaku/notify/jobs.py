"""Periodic jobs the worker runs between batches (the day-before reminders). The app that owns a job registers
it at start-up (`register("reminders", reminders_queue, every_seconds=...)`), so the worker calls it without
importing that app. A job must be safe to run by several workers at once (queue with a dedupe_key).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("yoyaku.notify")


@dataclass(frozen=True)
class Job:
    name: str
    # Does the work; returns how many messages it queued (logged when not 0).
    run: Callable[[], int | None]
    # Seconds between two runs: a number, or a function read each time (a setting tests may change).
    every_seconds: float | Callable[[], float]
    # Raises ImproperlyConfigured if the job's settings are wrong: run_worker checks it before starting.
    check: Callable[[], object] | None = None

    def interval(self) -> float:
        return float(self.every_seconds() if callable(self.every_seconds) else self.every_seconds)


JOBS: dict[str, Job] = {}


def register(name: str, run: Callable[[], int | None], *, every_seconds: float | Callable[[], float],
             check: Callable[[], object] | None = None) -> None:
    JOBS[name] = Job(name, run, every_seconds, check)


def jobs_check() -> None:
    for job in JOBS.values():
        if job.check is not None:
            job.check()

