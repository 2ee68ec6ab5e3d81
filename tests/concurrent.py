"""Running a job in many threads released together, each with its own database connection: the tests of
throttles, the gate's line and the shared cache under a burst."""

from __future__ import annotations

import threading

from django.db import connections


def at_once(count, job, *, timeout=120):
    """`job` in `count` threads released together; their results (every thread must succeed)."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(job())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert errors == []
    return results
