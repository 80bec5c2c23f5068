"""Where the grader's copies go, and the sweep of those a killed grader left behind.

Every copy lives in a folder named flask-club-PID-… after the grader's process, in memory where
the machine has room (/dev/shm), else in the temporary folder; a class's worker is given a folder
of its own (FLASK_CLUB_SCRATCH). A folder whose process is gone is removed by the next run.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import sys
import tempfile
import time
from pathlib import Path

from checks.run.tree import remove_tree
from checks.run.tree import shown as escaped
from checks.sandbox.cgroup import process_gone

SCRATCH = "FLASK_CLUB_SCRATCH"  # where a class's worker makes its copies (removed when it stops)


def scratch_base() -> str | None:
    """A memory-backed folder for the copy where there is one with room (Linux's /dev/shm), else the default.

    Students' apps often commit to SQLite after every POST; on a disk each commit waits for it (20 ms
    and more), in memory it doesn't. A class's worker is given a folder of its own (FLASK_CLUB_SCRATCH).
    """
    own = os.environ.get(SCRATCH)
    if own and os.path.isdir(own):
        return own
    shm = Path("/dev/shm")
    try:
        if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 256 << 20:
            return str(shm)
    except OSError:
        pass
    return None


PREFIX = "flask-club-"
LEFTOVER_SECONDS = 600  # a grader's folder this old, whose process is gone, was left by a killed grader


def new_scratch(kind: str = "") -> Path:
    """A new private folder for copies, named after this process (flask-club-PID-…): see sweep_leftovers."""
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-{kind}", dir=scratch_base()))


def sweep_leftovers(
    now: float | None = None, bases: list[str] | None = None, left: list[str] | None = None
) -> list[str]:
    """Remove the copies that graders killed with no chance to clean up (SIGKILL, a crash) left behind.

    A folder is left over when it is named flask-club-PID-… by this user, is older than ten
    minutes, and process PID is gone: a running grader's folders are never touched. `bases` are
    the folders to look in (by default the temporary folder and /dev/shm). Returns the folders removed;
    what could not be removed (whatever an app made of it) is added to `left` (said on stderr without
    it), and never stops the sweep.
    """
    now = time.time() if now is None else now
    if bases is None:
        bases = [tempfile.gettempdir(), *(["/dev/shm"] if os.path.isdir("/dev/shm") else [])]
    removed = []
    for base in sorted(set(bases)):
        try:
            entries = list(os.scandir(base))
        except OSError:
            continue
        for entry in entries:
            found = re.fullmatch(rf"{PREFIX}(\d+)-.+", entry.name)
            if not found:
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
                continue
            if now - info.st_mtime < LEFTOVER_SECONDS or not process_gone(int(found.group(1))):
                continue
            problems = remove_tree(entry.path)
            if problems and left is not None:
                left.append(f"{escaped(entry.path)}: {problems[0]}")
            elif problems:
                print(f"python -m checks: note: a leftover copy could not be removed: {escaped(entry.path)}: "
                      f"{problems[0]}", file=sys.stderr)
            else:
                removed.append(entry.path)
    return removed
