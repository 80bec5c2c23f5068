"""One budget per submission, kept by the kernel: a cgroup of the sandbox's own.

Every process of a submission's app (bwrap, the sandbox's init, child.py and all the app starts)
joins one cgroup before bwrap runs (`join`, called between fork and exec), so the kernel counts
them together, whatever they do:

- memory: anonymous memory, memfd and SysV shared memory, and the pages of every file they write
  in memory (the copy in /dev/shm, /tmp), unlinked, hidden or unreadable alike; past the budget the
  kernel's OOM killer stops a process of the app (cgroup v1 `memory.limit_in_bytes`, v2 `memory.max`);
- processes: `pids.max` (RLIMIT_NPROC never counts root's processes, and a sandbox started by root
  maps its user to root);
- CPU: one core's bandwidth at most for each app (v1 `cpu.cfs_quota_us`, v2 `cpu.max`), so an app's
  processes together take no more CPU time than the grading's wall-clock time; a submission's budget
  (Grading.budget) holds all its apps to its share of the machine (`Limits.cores`: every core for one
  grade, the cores divided by the jobs in a class), so a classmate graded beside it keeps theirs;
  `cpu_seconds()` says how much they used.

Where the machine has them: as root, cgroup v1's hierarchies (`pids`, `memory`, `cpu`) or cgroup
v2's root; as an ordinary user, a cgroup v2 subtree delegated to them (systemd's `Delegate=yes`,
as in `systemd-run --user --scope -p Delegate=yes`). `problem` says which limits could not be
made, and the grade records it. `reached()` names the limit the app went over, for the check's message.

Longer than 300 lines: finding where a budget can be made (v1 or v2, as root or delegated), making
it, reading what it counted and sweeping those of graders that are gone all depend on the same
layouts of the machine's cgroups, so they are kept in one place.
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
import time
from pathlib import Path

from checks.sandbox.limits import Limits

ROOT = Path("/sys/fs/cgroup")
V1 = ("pids", "memory")  # the hierarchies a budget needs on cgroup v1
PERIOD = 100_000  # the CPU bandwidth's period, in microseconds (one core: the whole period; n cores: n periods)
_numbers = itertools.count(1)


def _v2_mount() -> Path | None:
    """Where cgroup v2 is mounted: /sys/fs/cgroup itself, or its `unified` folder (a hybrid machine)."""
    for folder in (ROOT, ROOT / "unified"):
        if (folder / "cgroup.controllers").exists():
            return folder
    return None


def _own_v2() -> Path | None:
    """This process's own cgroup v2 folder, from /proc/self/cgroup's `0::` line."""
    mount = _v2_mount()
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith("0::") and mount is not None:
            return mount / line[3:].lstrip("/")
    return None


def _words(path: Path) -> list[str]:
    try:
        return path.read_text().split()
    except OSError:
        return []


def _delegated_v2() -> Path | None:
    """As an ordinary user: a cgroup v2 folder of their own to make budgets in, or None.

    The grader's own cgroup must be delegated to its user (writable, with memory and pids among
    its controllers). A cgroup with processes in it cannot hand controllers to its children, so
    the grader first moves itself into a leaf of its own (`flask-club-grader-PID`) beside them.
    """
    own = _own_v2()
    if own is None or not os.access(own, os.W_OK) or not os.access(own / "cgroup.procs", os.W_OK):
        return None
    if own.name.startswith("flask-club-grader-"):
        own = own.parent
    wanted = {"memory", "pids"}
    if not wanted <= set(_words(own / "cgroup.controllers")):
        return None
    if wanted <= set(_words(own / "cgroup.subtree_control")):
        return own
    leaf = own / f"flask-club-grader-{os.getpid()}"
    try:
        leaf.mkdir(exist_ok=True)
        (leaf / "cgroup.procs").write_text(str(os.getpid()))
        offered = set(_words(own / "cgroup.controllers"))
        (own / "cgroup.subtree_control").write_text(" ".join(f"+{name}" for name in ("memory", "pids", "cpu")
                                                             if name in offered))
    except OSError:
        return None
    return own if wanted <= set(_words(own / "cgroup.subtree_control")) else None


V1_OPTIONAL = ("cpu", "cpuacct")  # the CPU's bandwidth and its accounting, where v1 has them


def parents() -> list[Path]:
    """The folders to make a budget's cgroups in: v1's hierarchies (as root), or one v2 folder; [] if none."""
    if os.name != "posix":
        return []
    if os.geteuid() == 0:
        v1: list[Path] = []
        for name in (*V1, *V1_OPTIONAL):
            folder = ROOT / name
            if (folder / "cgroup.procs").exists() and folder.resolve() not in [path.resolve() for path in v1]:
                v1.append(folder)
        if {"pids", "memory"} <= {folder.name for folder in v1}:
            return v1
        mount = _v2_mount()
        if mount is not None and {"memory", "pids"} <= set(_words(mount / "cgroup.subtree_control")):
            return [mount]
        delegated = _delegated_v2() if not v1 else None  # a container's own cgroup v2 (its namespace's root)
        return [delegated] if delegated is not None else v1  # v1: `problem` names the limits it cannot hold
    delegated = _delegated_v2()
    return [delegated] if delegated is not None else []


def _parent() -> Path | None:
    """Where process-limiting cgroups are made here (v1's pids hierarchy or the v2 folder), or None."""
    found = parents()
    return next((folder for folder in found if folder.name == "pids" or _v2_only([folder / "x"])), None)


# Each control file a budget uses, by its v2 name: the v1 hierarchy and file that hold the same.
V1_FILES = {
    "pids.max": ("pids", "pids.max"),
    "pids.events": ("pids", "pids.events"),
    "memory.max": ("memory", "memory.limit_in_bytes"),
    "memory.swap.max": ("memory", "memory.memsw.limit_in_bytes"),
    "memory.events": ("memory", "memory.oom_control"),
    "cpu.max": ("cpu", "cpu.cfs_quota_us"),
    "cpu.stat": ("cpuacct", "cpuacct.usage"),
}


class Budget:
    """At most `memory_bytes` of memory, `processes` processes and `cores` cores for everything started after `join`."""

    def __init__(self, processes: int, memory_bytes: int, oom_group: bool = True, within: Budget | None = None,
                 cores: int = 1):
        self.folders: list[Path] = []
        self.cores = max(1, cores)
        self.v2 = False
        self.problem = ""
        self.memory_bytes, self.processes = memory_bytes, processes
        self._procs: list[str] = []
        self._counted = {"memory": 0, "processes": 0}  # what `reached` had seen at the last `mark`
        # Inside `within` (a submission's budget, see Grading): the kernel holds the sum of its apps to its limits.
        found = list(within.folders) if within is not None and within.folders else parents()
        if not found:
            self.problem = ("no cgroup this grader may use (as root, the pids and memory controllers; "
                            "as a user, a delegated cgroup v2)")
            return
        self.v2 = _v2_only([folder / "x" for folder in found])
        # Named after this process (see sweep), with a random part: a leftover of an earlier process
        # that had the same id is never taken, nor removed, by this one.
        name = f"flask-club-{os.getpid()}-{next(_numbers)}{secrets.token_hex(4)}"
        try:
            for parent in found:
                folder = parent / name
                folder.mkdir()
                self.folders.append(folder)
            self._limit(oom_group)
        except OSError as error:
            self.problem = f"a cgroup could not be made: {error.strerror or error}"
            self.remove()
            return
        missing = [kind for kind, file in (("pids", "pids.max"), ("memory", "memory.max")) if self._file(file) is None]
        if missing:
            self.problem = f"no {' or '.join(missing)} cgroup controller this grader may use"
        self._procs = [str(folder / "cgroup.procs") for folder in self.folders]

    def _file(self, name: str) -> Path | None:
        """A budget's control file by its v2 name (pids.max, memory.max, cpu.max, memory.events, cpu.stat)."""
        if self.v2:
            path = self.folders[0] / name if self.folders else None
        else:
            kind, file = V1_FILES.get(name, ("", ""))
            folder = next((folder for folder in self.folders if _hierarchy(folder) == kind), None)
            path = folder / file if folder is not None else None
        return path if path is not None and path.exists() else None

    def _limit(self, oom_group: bool) -> None:
        for name, value in (
            ("pids.max", str(self.processes)),
            ("memory.max", str(self.memory_bytes)),
            ("memory.swap.max", "0" if self.v2 else str(self.memory_bytes)),
            ("cpu.max", f"{self.cores * PERIOD} {PERIOD}" if self.v2 else str(self.cores * PERIOD)),
        ):
            path = self._file(name)
            if path is not None:
                try:
                    path.write_text(value)
                except OSError:
                    if name in ("pids.max", "memory.max"):
                        raise
        if self.v2:  # the apps' own cgroups, made inside this one, get the same controllers (no process lives here)
            try:
                (self.folders[0] / "cgroup.subtree_control").write_text("+memory +pids +cpu")
            except OSError:
                pass
        if self.v2 and oom_group and (self.folders[0] / "memory.oom.group").exists():
            # The app's processes are stopped together: none is left running with half its state.
            (self.folders[0] / "memory.oom.group").write_text("1")

    # -- use -----------------------------------------------------------------------------------
    def join(self) -> None:
        """Move the calling process into the budget (between fork and exec: no Python objects are made)."""
        for procs in self._procs:
            descriptor = os.open(procs, os.O_WRONLY)
            try:
                os.write(descriptor, str(os.getpid()).encode())
            finally:
                os.close(descriptor)

    def counts(self) -> dict[str, int]:
        """How often the kernel refused the app memory (an OOM kill) or a process, since the budget was made."""
        found = {"memory": 0, "processes": 0}
        for kind, name, key in (("memory", "memory.events", "oom_kill"), ("processes", "pids.events", "max")):
            path = self._file(name)
            try:
                lines = path.read_text().splitlines() if path is not None else []
            except OSError:
                lines = []
            for line in lines:
                words = line.split()
                if len(words) == 2 and words[0] == key and words[1].isdigit():
                    found[kind] = int(words[1])
        return found

    def mark(self) -> None:
        """From now on, `reached` names only what happens after this (the nursery marks each app's start)."""
        self._counted = self.counts()

    def reached(self) -> str:
        """The limit the app went over since the last `mark`, said for the student ('' if none)."""
        now = self.counts()
        if now["memory"] > self._counted["memory"]:
            return (f"was stopped by the kernel: its processes together went over the {self.memory_bytes >> 20} MiB "
                    "of memory the grader allows a submission (memory, shared memory and files kept in memory "
                    "all count)")
        if now["processes"] > self._counted["processes"]:
            return (f"was refused a new process: its processes together reached the {self.processes} processes "
                    "the grader allows a submission")
        return ""

    def cpu_seconds(self) -> float:
        """The CPU time the app's processes have used together, in seconds (0 where it is not counted)."""
        path = self._file("cpu.stat")
        try:
            text = path.read_text() if path is not None else ""
        except OSError:
            return 0.0
        if path is not None and path.name == "cpuacct.usage":
            return int(text.strip() or 0) / 1e9
        found = re.search(r"^usage_usec (\d+)$", text, re.M)
        return int(found.group(1)) / 1e6 if found else 0.0

    def remove(self) -> None:
        """Kill whatever is still in the budget, then remove its cgroups."""
        folders, self.folders = self.folders, []
        self._procs = []
        for folder in folders:
            empty_and_remove(folder)


def _hierarchy(folder: Path) -> str:
    """Which v1 hierarchy a cgroup folder is in ("pids", "memory"...), however deep it is made."""
    try:
        return folder.relative_to(ROOT).parts[0]
    except ValueError:
        return folder.parent.name


def _v2_only(folders: list[Path]) -> bool:
    """Whether these cgroup folders (made or to be made) are one of cgroup v2's."""
    return len(folders) == 1 and (folders[0].parent / "cgroup.controllers").exists()


def PidsCgroup(limit: int) -> Budget:  # noqa: N802 - the name the budget had when it held processes only
    """A budget of `limit` processes and the default memory (kept for callers of the old name)."""
    return Budget(limit, Limits().memory_mb << 20)


def _rmdir(folder: Path) -> None:
    for _ in range(100):  # a killed process leaves its cgroup a moment after it is reaped
        try:
            folder.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.02)


def empty_and_remove(folder: Path) -> None:
    """Kill every process in the cgroup `folder` and in the cgroups inside it, then remove them all."""
    try:
        inner = [path for path in folder.iterdir() if path.is_dir() and not path.is_symlink()]
    except OSError:
        inner = []
    for path in inner:  # a submission's budget holds its apps' (one level: see Budget's `within`)
        empty_and_remove(path)
    kill = folder / "cgroup.kill"
    if kill.exists():  # cgroup v2 (Linux 5.14): the kernel kills them all at once, forks in flight included
        try:
            kill.write_text("1")
        except OSError:
            pass
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
    _rmdir(folder)


def process_gone(pid: int) -> bool:
    """Whether no process has this id (one of another user's counts as there): its grader is gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def sweep(older_than: float = 600, now: float | None = None, parent: Path | None = None,
          pid: int | None = None) -> list[str]:
    """Remove the cgroups that graders killed with no chance to clean up left behind.

    A cgroup is left over when it is named flask-club-PID-…, is older than `older_than` seconds, and
    process PID is gone; whatever still runs in it is killed first. `parent` is where to look (by
    default, every folder budgets are made in); `pid`, only that grader's. Returns the cgroups removed.
    """
    folders = [parent] if parent is not None else parents()
    now = time.time() if now is None else now
    removed = []
    for base in folders:
        for folder in base.glob("flask-club-*-*"):
            found = re.fullmatch(r"flask-club-(\d+)-[0-9a-f]+", folder.name)
            try:
                old = now - folder.stat().st_mtime >= older_than
            except OSError:
                continue
            if not found or not old or not process_gone(int(found.group(1))) or pid not in (None, int(found.group(1))):
                continue
            empty_and_remove(folder)
            if not folder.exists():
                removed.append(str(folder))
    return removed
