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


_requested = False  # Ctrl-C or SIGTERM came (see stop_on_signals)


def _interrupt(signum, frame) -> None:
    global _requested
    _requested = True
    raise KeyboardInterrupt


def stop_on_signals() -> None:
    """Ctrl-C and SIGTERM (a CI job cancelled, `kill`) stop grading: sandboxes and copies are removed.

    Each also leaves a mark, `requested()`. Python loses an interrupt that lands while a finalizer
    runs (a `__del__`, a weak reference's callback: it can only report it, and then carries on), and
    the run would end as if none had come, with a grade and 0; so the grader looks at the mark after
    each check, and before it hands a grade or a class's next grade over (`raise_if_requested`).
    """
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) is _interrupt:
        return  # (set up already: `python -m checks` does it first of all, cli.main again)
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, _interrupt)
    report = sys.unraisablehook

    def unraisable(problem) -> None:  # the interrupt a finalizer lost is not a traceback to show
        if not (_requested and isinstance(problem.exc_value, KeyboardInterrupt)):
            report(problem)

    sys.unraisablehook = unraisable


def requested() -> bool:
    """Whether Ctrl-C or SIGTERM came since stop_on_signals(), even one Python lost."""
    return _requested


def raise_if_requested() -> None:
    """Go on stopping where Ctrl-C or SIGTERM came and was lost (see stop_on_signals)."""
    if _requested:
        raise KeyboardInterrupt


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
