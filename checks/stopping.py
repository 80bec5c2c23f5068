"""How `python -m checks` ends: at once, once its output is out; after Ctrl-C or SIGTERM, with one line and 130.

By the time `leave` is called the grader has removed its sandboxes and copies, and written what it
writes (each file closed). Python's own exit would then take apart, one by one, the thousands of
objects pytest, Flask and BeautifulSoup left: a tenth of a level-1 grade. And after an interrupt
that landed while pytest was being imported, the interpreter can mark it unhandled even once the
grader has caught it, and end itself with SIGINT instead of 130 (a parent sees -2). So `leave`
runs the exit handlers (bubblewrap's probe is joined there, temporary folders are removed),
flushes the two output streams, and ends the process with its code itself.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from typing import NoReturn

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


def leave(code: int) -> NoReturn:
    """End the process with `code` once the exit handlers have run and standard output and error are flushed."""
    for ignored in (signal.SIGINT, signal.SIGTERM):
        signal.signal(ignored, signal.SIG_IGN)  # a second Ctrl-C while the exit handlers run changes nothing
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (| head): nothing more can reach it
            if code == 0:
                code = 1
    os._exit(code)
