"""A process limit that binds root: a pids cgroup of the sandbox's own.

RLIMIT_NPROC never counts the processes of root, and a sandbox started by root
(CI, Gradescope) maps its user to root, so there the process limit must come
from the kernel's pids controller instead. `PidsCgroup` makes a cgroup of its
own under the controller (cgroup v1's `pids` hierarchy, or cgroup v2's root
where `pids` is enabled for its children), caps it, and moves the sandbox into
it before bwrap runs (`join`, called between fork and exec), so every process
the app starts is counted. Where none can be made, `problem` says why, and the
grade records that the limit is not in force.
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
_numbers = itertools.count(1)


def _parent() -> Path | None:
    """The folder to make a pids cgroup in, where this machine has one this process may write."""
    v1 = ROOT / "pids"
    if (v1 / "cgroup.procs").exists():
        return v1
    controls = ROOT / "cgroup.subtree_control"
    try:
        if "pids" in controls.read_text().split():
            return ROOT
    except OSError:
        pass
    return None


class PidsCgroup:
    """At most `limit` processes for everything started after `join` (as root, on Linux)."""

    def __init__(self, limit: int):
        self.folder: Path | None = None
        self.problem = ""
        parent = _parent() if os.name == "posix" and os.geteuid() == 0 else None
        if parent is None:
            self.problem = "no pids cgroup controller this grader may use"
            return
        # Named after this process (see sweep), with a random part: a leftover of an earlier process
        # that had the same id is never taken, nor removed, by this one.
        folder = parent / f"flask-club-{os.getpid()}-{next(_numbers)}{secrets.token_hex(4)}"
        try:
            folder.mkdir()
        except OSError as error:
            self.problem = f"a pids cgroup could not be made: {error.strerror}"
            return
        try:
            (folder / "pids.max").write_text(str(limit))
        except OSError as error:
            self.problem = f"a pids cgroup could not be made: {error.strerror}"
            self._remove(folder)
            return
        self.folder = folder
        self._procs = str(folder / "cgroup.procs")

    def join(self) -> None:
        """Move the calling process into the cgroup (between fork and exec: no Python objects are made)."""
        if self.folder is not None:
            descriptor = os.open(self._procs, os.O_WRONLY)
            try:
                os.write(descriptor, str(os.getpid()).encode())
            finally:
                os.close(descriptor)

    def remove(self) -> None:
        """Kill whatever is still in the cgroup, then remove it."""
        folder, self.folder = self.folder, None
        if folder is not None:
            empty_and_remove(folder)

    @staticmethod
    def _remove(folder: Path) -> None:
        for _ in range(100):  # a killed process leaves its cgroup a moment after it is reaped
            try:
                folder.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.02)


def empty_and_remove(folder: Path) -> None:
    """Kill every process in the cgroup `folder`, then remove it."""
    for _ in range(3):
        try:
            pids = (folder / "cgroup.procs").read_text().split()
        except OSError:
            break
        for pid in pids:
            try:
                os.kill(int(pid), 9)
            except (OSError, ValueError):
                pass
    PidsCgroup._remove(folder)


def process_gone(pid: int) -> bool:
    """Whether no process has this id (one of another user's counts as there): its grader is gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def sweep(older_than: float = 600, now: float | None = None, parent: Path | None = None) -> list[str]:
    """Remove the pids cgroups that graders killed with no chance to clean up left behind (as root).

    A cgroup is left over when it is named flask-club-PID-…, is older than `older_than` seconds, and
    process PID is gone; whatever still runs in it is killed first. `parent` is where to look (by
    default, the controller's top). Returns the cgroups removed.
    """
    if parent is None:
        parent = _parent() if os.name == "posix" and os.geteuid() == 0 else None
    if parent is None:
        return []
    now = time.time() if now is None else now
    removed = []
    for folder in parent.glob("flask-club-*-*"):
        found = re.fullmatch(r"flask-club-(\d+)-[0-9a-f]+", folder.name)
        try:
            old = now - folder.stat().st_mtime >= older_than
        except OSError:
            continue
        if not found or not old or not process_gone(int(found.group(1))):
            continue
        empty_and_remove(folder)
        if not folder.exists():
            removed.append(str(folder))
    return removed
