"""`make run`'s two processes as one: the web server and the notification worker, stopped together.

    python -m yoyaku.supervise [--pidfile var/run.pid] -- CMD1 ... -- CMD2 ...

Each command after a `--` is started as a child. Ctrl-C, SIGINT, SIGTERM or SIGHUP to this process (or to its
process group: the terminal's Ctrl-C, `kill -INT %1` on a background job) stops every child with SIGTERM
(runserver's autoreloader and the worker both stop cleanly on it), waits for them (SIGKILL after 10 s) and
exits 0. When one child ends on its own, the other is stopped too and its exit status is returned.

Why not a shell trap in the Makefile: a job started in the background by a non-interactive shell (`make run &`
in a script) inherits SIGINT *ignored*, and POSIX shells may not trap a signal ignored on entry, nor does
Python's runserver see Ctrl-C then. Python may install a handler whatever it inherited, and the children,
started after the handler is installed, get SIGINT back at its default. `make stop` signals the pid file.

No Django here: this module only starts and stops processes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

GRACE_SECONDS = 10
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def split_commands(argv: list[str]) -> tuple[Path | None, list[list[str]]]:
    pidfile = None
    if argv[:1] == ["--pidfile"]:
        pidfile, argv = Path(argv[1]), argv[2:]
    commands: list[list[str]] = []
    for word in argv:
        if word == "--":
            commands.append([])
        elif commands:
            commands[-1].append(word)
        else:
            raise SystemExit("usage: python -m yoyaku.supervise [--pidfile FILE] -- CMD ... [-- CMD ...]")
    commands = [c for c in commands if c]
    if not commands:
        raise SystemExit("usage: python -m yoyaku.supervise [--pidfile FILE] -- CMD ... [-- CMD ...]")
    return pidfile, commands


def stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def main(argv: list[str]) -> int:
    pidfile, commands = split_commands(argv)
    requested: list[int] = []

    def on_signal(signum, _frame):
        requested.append(signum)

    # Installed before the children start: they begin with these signals at their defaults, even when this
    # process inherited SIGINT ignored.
    for signum in STOP_SIGNALS:
        signal.signal(signum, on_signal)
    if pidfile:
        pidfile.parent.mkdir(parents=True, exist_ok=True)
        pidfile.write_text(f"{os.getpid()}\n")
    children = [subprocess.Popen(command) for command in commands]  # noqa: S603 - the Makefile's commands
    status = 0
    try:
        while not requested:
            ended = [child for child in children if child.poll() is not None]
            if ended:
                status = ended[0].returncode
                break
            time.sleep(0.2)
    finally:
        stop(children)
        if pidfile:
            pidfile.unlink(missing_ok=True)
    if requested:
        print("Stopped the server and the worker.", flush=True)
        return 0
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
