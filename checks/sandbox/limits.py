"""How long and how much a submission may take: the time limits the grader keeps, the rlimits the child sets."""

from __future__ import annotations

import os
from dataclasses import dataclass

# What the grader reads of a submission itself, outside the sandbox.
MAX_SOURCE = 256 << 10  # app.py and templates/user.html, each
MAX_COPY = 64 << 20  # a whole submission's copy (a file past it is left out, with a note)
# What the app may keep in its copy while it runs (the copy included): past either, the grader stops it.
# The copy lives in memory where the machine has /dev/shm, so this bounds the memory one app can fill.
MAX_FOLDER_BYTES = 256 << 20
MAX_FOLDER_ENTRIES = 20_000


@dataclass(frozen=True)
class Limits:
    """How long and how much a submission may take."""

    request_timeout: float = 5.0
    check_timeout: float = 20.0
    import_timeout: float = 10.0
    submission_timeout: float = 120.0
    memory_mb: int = 1024
    file_mb: int = 64
    processes: int = 64
    max_body: int = 2 << 20
    cores: int = 0  # the submission's CPU, all its apps together: 0 is every core (machine_cores; a class: share_of)

    def for_sandbox(self) -> dict:
        """The resource limits child.py sets on itself before any of the student's code runs."""
        return {
            "memory_bytes": self.memory_mb << 20,
            "cpu_seconds": int(self.submission_timeout) + 5,
            "file_bytes": self.file_mb << 20,
            "processes": self.processes,
            "max_body": self.max_body,
        }


def machine_cores() -> int:
    """The cores this grader may run on (its affinity, where the system says; else the machine's)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def share_of(jobs: int) -> int:
    """A submission's cores where `jobs` are graded at once: an equal share of the machine, at least one."""
    return max(1, machine_cores() // max(1, jobs))


def rlimits(limits: Limits) -> dict[str, int]:
    """The resource limits child.py sets, by name (the process limit leaves room for the tasks running)."""
    values = limits.for_sandbox()
    return {
        "RLIMIT_AS": values["memory_bytes"],
        "RLIMIT_CPU": values["cpu_seconds"],
        "RLIMIT_FSIZE": values["file_bytes"],
        "RLIMIT_NPROC": values["processes"] + 16,
        "RLIMIT_CORE": 0,
    }
