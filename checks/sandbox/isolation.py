"""How a student's app is isolated, decided once per run: the bubblewrap sandbox, or process limits only."""

from __future__ import annotations

import atexit
import json
import threading
from dataclasses import dataclass

from checks.sandbox import bubblewrap
from checks.sandbox.limits import Limits, rlimits

BUBBLEWRAP, PROCESS = "bubblewrap", "process"


class NoSandbox(Exception):
    """Grading others' work was asked for where no sandbox can be had; the message says how to get one."""


@dataclass(frozen=True)
class Isolation:
    """How the student's app is isolated: `mode` is "bubblewrap" or "process"; `label` is what outputs record."""

    mode: str
    label: str
    note: str = ""  # said once on stderr, where the app runs with less than the sandbox


_probes: dict[str, threading.Thread] = {}  # bubblewrap's probes started ahead (probe_soon), by their rlimits


def probe_soon(limits: Limits | None = None) -> None:
    """Start bubblewrap's probe (a sandbox started once, to see that it works here) in the background.

    It is a process to wait for: the grader's own modules load meanwhile, and choose() waits for it
    instead of starting another. Before the grader exits, it waits for a probe still running, so the
    probe's folder is always removed.
    """
    key = json.dumps(rlimits(limits or Limits()))
    if key not in _probes:
        thread = _probes[key] = threading.Thread(target=_probe, args=(key,), name="flask-club-probe", daemon=True)
        thread.start()
        atexit.register(thread.join, 40)  # the probe's own limit is 30 s


def _probe(key: str) -> None:
    try:
        bubblewrap.check(key)  # kept (lru_cache) where it works
    except Exception:  # noqa: BLE001 - choose() probes again, and says why
        pass


def choose(no_sandbox: bool = False, others_work: bool = True, limits: Limits | None = None) -> Isolation:
    """The isolation to grade with; raise NoSandbox when others' work would be graded without the sandbox.

    `others_work` is false only for a student checking their own work (`--student` on their
    machine): there the app runs with process limits where no sandbox can be had, and says so.
    """
    if no_sandbox:
        return Isolation(PROCESS, "process limits (--no-sandbox)")
    key = json.dumps(rlimits(limits or Limits()))
    if key in _probes:
        _probes[key].join()
    try:
        bubblewrap.check(key)
    except bubblewrap.Unavailable as error:
        if others_work:
            raise NoSandbox(
                f"no sandbox to grade others' work in: {error}; {bubblewrap.INSTALL}, "
                "or pass --no-sandbox to grade with process limits only"
            ) from None
        return Isolation(
            PROCESS,
            f"process limits (no sandbox here: {error})",
            f"no sandbox here ({error}): your app runs with process limits only; {bubblewrap.INSTALL} for the sandbox",
        )
    return Isolation(BUBBLEWRAP, BUBBLEWRAP)
