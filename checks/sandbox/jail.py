"""Run the sandbox in a jail: every file system read-only but the submission's copy, no capabilities.

Used on Linux when the grader runs as root (CI, Gradescope), where the
resource limits alone cannot stop a fork bomb or a write to the grader's own
files. The grader starts this script under `unshare --mount --pid --fork
--mount-proc`, so it is process 1 of a new process namespace with a private
mount table. It then

1. moves itself into the sandbox's pids and memory cgroups (given by the grader),
2. keeps one folder writable (the submission's copy and its temporary folder),
3. remounts every other mount read-only, and /proc/sys too,
4. executes the sandbox through `setpriv`, with every capability dropped and
   no way to regain one: the student's code is root without root's powers,
   cannot remount, cannot see or signal the grader, cannot leave its cgroups.

Usage: jail.py WRITABLE_DIR CGROUP_PROCS_FILES(comma-separated, or -) COMMAND...
Exit status 97 (and a line on stderr) when the jail could not be built.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import sys

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC = 32, 4096, 16384
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
KEPT_FLAGS = {
    "nosuid": MS_NOSUID,
    "nodev": MS_NODEV,
    "noexec": MS_NOEXEC,
    "noatime": MS_NOATIME,
    "nodiratime": MS_NODIRATIME,
    "relatime": MS_RELATIME,
}
FAILED = 97

libc = ctypes.CDLL(None, use_errno=True)


def mount(source: str | None, target: str, flags: int) -> None:
    encode = lambda text: text.encode() if text is not None else None  # noqa: E731
    if libc.mount(encode(source), encode(target), None, ctypes.c_ulong(flags), None) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error), target)


def decode(path: str) -> str:
    """Mount points in mountinfo escape spaces and the like as \\040."""
    return path.encode().decode("unicode_escape")


def mounts() -> list[tuple[str, int]]:
    """Every mount point, with the flags a read-only remount must keep."""
    found = []
    with open("/proc/self/mountinfo") as file:
        for line in file:
            fields = line.split()
            flags = 0
            for option in fields[5].split(","):
                flags |= KEPT_FLAGS.get(option, 0)
            found.append((decode(fields[4]), flags))
    return found


def inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def main() -> None:
    writable = os.path.realpath(sys.argv[1])
    cgroups = [] if sys.argv[2] == "-" else sys.argv[2].split(",")
    command = sys.argv[3:]
    setpriv = shutil.which("setpriv")
    try:
        for procs in cgroups:
            with open(procs, "w") as file:
                file.write(str(os.getpid()))
        mount(writable, writable, MS_BIND | MS_REC)
        for point, flags in mounts():
            # /dev and /dev/pts stay as they are (devices); /dev/shm does not: other copies may live there.
            if inside(point, writable) or inside(point, "/proc") or point in ("/dev", "/dev/pts"):
                continue
            try:
                mount(None, point, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
            except OSError:
                if point == "/":
                    raise
        mount("/proc/sys", "/proc/sys", MS_BIND | MS_REC)
        mount(None, "/proc/sys", MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)
        if setpriv is None:
            raise OSError("setpriv not found")
    except OSError as error:
        print(f"jail: {error}", file=sys.stderr)
        sys.exit(FAILED)
    os.execv(setpriv, [setpriv, "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs", "--", *command])


if __name__ == "__main__":
    main()
