"""How `python -m checks` ends when Ctrl-C or SIGTERM stops it: one message, exit code 130, no traceback.

Python's own exit after a KeyboardInterrupt is not always 130: an interrupt that lands while pytest
is being imported (a grade's first second) can leave the interpreter marking it unhandled even once
the grader has caught it, and Python then ends itself with SIGINT instead (a parent sees -2). The
grader has removed its sandboxes and copies by the time it gets here, so `leave` runs the exit
handlers (bubblewrap's probe is joined there), flushes, and ends the process with 130 itself.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading

INTERRUPTED = 130  # what a shell reports for a program Ctrl-C stopped (128 + SIGINT)
MESSAGE = ("python -m checks: interrupted: no grade was written for the submission being graded "
           "(a class keeps every grade written before; run again to go on)")


def stop_on_sigterm() -> None:
    """SIGTERM (a CI job cancelled, `kill`) stops grading as Ctrl-C does: sandboxes and copies are removed."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


def say_interrupted() -> int:
    print(f"\n{MESSAGE}", file=sys.stderr)
    return INTERRUPTED


def leave(code: int) -> None:
    """End the process with `code`; an interrupted run ends with 130 whatever the interpreter would say."""
    if code != INTERRUPTED:
        sys.exit(code)
    for ignored in (signal.SIGINT, signal.SIGTERM):
        signal.signal(ignored, signal.SIG_IGN)  # a second Ctrl-C while the exit handlers run changes nothing
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(INTERRUPTED)
