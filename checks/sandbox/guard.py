"""What the grader counts itself where the kernel keeps no budget for the app (no cgroup: see cgroup.py).

The copy's folder is counted wherever it is (its files and folders; in memory, on /dev/shm, they are
the machine's memory), and where no memory budget holds, the app's processes too: their own memory,
and the files they hold open that no folder shows any more (unlinked while open). The walk goes
folder by folder through descriptors, so no path grows past PATH_MAX however deep the tree; a folder
the app made unreadable to hide what it holds (mode 0300) is given back its owner's permissions to be
counted. Past a limit, the grader stops the app, and the check's message names the limit.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass

from checks.sandbox.limits import MAX_FOLDER_BYTES, MAX_FOLDER_ENTRIES

MAX_DEPTH = 256  # folders deeper than this in an app's copy stop it: no app of the exercise nests them
FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
FOLDER_POLL = 0.2  # seconds between two looks at the size of the app's folder


@dataclass
class Usage:
    """What the copy holds (bytes, files and folders, how deep) and what the app's processes hold."""

    size: int = 0
    entries: int = 0
    depth: int = 0
    hidden: int = 0  # bytes in files its processes hold open that no folder shows
    memory: int = 0  # bytes of its processes' own memory (proportional set, anonymous and shared)

    def over(self, memory_limit: int | None) -> str:
        """Why the app must be stopped, for the check's message ('' if it need not)."""
        if self.size + self.hidden > MAX_FOLDER_BYTES or self.entries > MAX_FOLDER_ENTRIES:
            kept = f", {self.hidden >> 20} MiB of them in files it removed but kept open" if self.hidden >> 20 else ""
            return (f"was stopped: it wrote more into its folder than the grader allows "
                    f"({MAX_FOLDER_BYTES >> 20} MiB or {MAX_FOLDER_ENTRIES} files and folders in all{kept})")
        if self.depth > MAX_DEPTH:
            return f"was stopped: it nested folders more than {MAX_DEPTH} deep in its folder"
        if memory_limit is not None and self.memory > memory_limit:
            return (f"was stopped: its processes together used more than the {memory_limit >> 20} MiB of memory "
                    "the grader allows a submission")
        return ""


def _open_folder(name: str, dir_fd: int) -> int:
    """Open a folder of the copy; one the grader owns but may not read (0300, 0000) is made readable first."""
    try:
        return os.open(name, FOLDER, dir_fd=dir_fd)
    except PermissionError:
        if os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_uid != os.geteuid():
            raise
        os.chmod(name, 0o700, dir_fd=dir_fd)  # just seen as the grader's own folder, never a link (O_NOFOLLOW)
        return os.open(name, FOLDER, dir_fd=dir_fd)


def count_folder(root: str | os.PathLike, usage: Usage) -> None:
    """Add what the folder `root` holds to `usage`; counting stops past any limit.

    Depth first, one descriptor open per level (MAX_DEPTH at most), never through a link.
    """
    try:
        top = os.open(root, FOLDER)
    except OSError:
        return
    stack = [(top, iter(_listing(top)))]
    try:
        while stack:
            descriptor, names = stack[-1]
            usage.depth = max(usage.depth, len(stack))
            for name in names:
                usage.entries += 1
                try:
                    info = os.stat(name, dir_fd=descriptor, follow_symlinks=False)
                except OSError:
                    continue
                usage.size += max(info.st_size, getattr(info, "st_blocks", 0) * 512)
                if usage.over(None):
                    return
                if not stat.S_ISDIR(info.st_mode):
                    continue
                if len(stack) >= MAX_DEPTH:
                    usage.depth = MAX_DEPTH + 1
                    return
                try:
                    inner = _open_folder(name, descriptor)
                except OSError:
                    continue
                stack.append((inner, iter(_listing(inner))))
                break
            else:
                os.close(stack.pop()[0])
    finally:
        for descriptor, _ in stack:
            os.close(descriptor)


def _listing(descriptor: int) -> list[str]:
    try:
        return os.listdir(descriptor)
    except OSError:
        return []


def processes_in(first: int) -> list[int]:
    """The processes of the sandbox whose first process is `first` (its process namespace: the same as first's)."""
    try:
        namespace = os.readlink(f"/proc/{first}/ns/pid")
    except OSError:
        return []
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.readlink(f"/proc/{entry}/ns/pid") == namespace:
                    found.append(int(entry))
            except OSError:
                continue
    return found


def count_processes(pids: list[int], usage: Usage, memory: bool) -> None:
    """Add what these processes hold to `usage`: files open that no folder shows, and (`memory`) their memory."""
    seen: set[tuple[int, int]] = set()
    for pid in pids:
        try:
            descriptors = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            descriptors = []
        for descriptor in descriptors:
            try:
                info = os.stat(f"/proc/{pid}/fd/{descriptor}")
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode) and info.st_nlink == 0 and (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                usage.hidden += max(info.st_size, info.st_blocks * 512)
        if memory:
            try:
                with open(f"/proc/{pid}/smaps_rollup") as rollup:
                    for line in rollup:
                        if line.startswith(("Pss_Anon:", "Pss_Shmem:")):
                            usage.memory += int(line.split()[1]) << 10
            except (OSError, ValueError, IndexError):
                continue


def watch(running: Callable[[], bool], folder: str | os.PathLike, first: Callable[[], int | None],
          memory: int | None, sandboxed: bool) -> str:
    """Look at the app every FOLDER_POLL seconds while `running()`; why it must be stopped, or '' once it ended.

    `folder` is the copy (a nursery's whole folder: its apps can write beside their copies);
    `first()` the sandbox's first process, whose processes are counted where `sandboxed`;
    `memory` their memory limit where no cgroup keeps it (None: the kernel does).
    """
    while running():
        usage = Usage()
        count_folder(folder, usage)
        pid = first()
        if sandboxed and pid is not None:
            count_processes(processes_in(pid), usage, memory=memory is not None)
        reason = usage.over(memory)
        if reason:
            return reason
        time.sleep(FOLDER_POLL)
    return ""
