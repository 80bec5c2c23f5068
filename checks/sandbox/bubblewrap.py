"""What a student's app sees: the bubblewrap sandbox it runs in.

bubblewrap (`bwrap`, Debian's `bubblewrap` package) starts the app in new user,
process, network, IPC and host-name namespaces, with no capabilities, in a new
session, and dies with the grader. Its file system is built from nothing; it
holds only:

| path in the sandbox | what | how |
| --- | --- | --- |
| /usr, /lib*, /bin | the system's libraries and programs | read-only |
| /python (or the runtime's own path under /usr) | the Python runtime, without its site-packages | read-only |
| /packages | Flask and its dependencies, Pillow, level 3's extensions, pytest: nothing else | read-only |
| /sandbox/child.py | the script that imports app.py and answers the grader | read-only |
| /etc | a host name, a user, and nothing else of the machine's | read-only |
| /app | the submission's own copy (kept across restarts of the app) | writable |
| /tmp | a private, empty, size-limited folder | writable, 256 MB at most |
| /dev, /proc | a minimal /dev (null, zero, random…), the sandbox's own processes | /dev read-only (no POSIX shm) |

memfd_create, memfd_secret, shmget and msgget are refused (seccomp: REFUSED_CALLS), so no memory
is kept outside a folder or a process. All the sandbox's processes count against one budget
(cgroup.py), where the machine gives one.

Level 2's apps share one such sandbox, the nursery (nursery.py): each is forked on its
own copy, at /app/copy-NAME, in an IPC namespace of its own, and between two of them every
other process is killed and /tmp is emptied.

So the app cannot see the kit, the reference solution, the grader's virtual
environment, other students' copies, anyone's home folder or the machine's
files, cannot reach any network (not even the machine's loopback), and every
process it starts dies with it. bubblewrap runs the same as root and as an
ordinary user where unprivileged user namespaces are allowed.

Longer than 300 lines: the table above is all the sandbox holds, and this module is the whole of
it: the mounts, the calls refused, and the probe that such a sandbox starts here.
"""

from __future__ import annotations

import csv
import functools
import json
import os
import platform
import shutil
import site
import struct
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from checks.sandbox.limits import Limits, rlimits

CHILD = Path(__file__).with_name("child.py")
APP = "/app"  # the submission's copy, inside the sandbox
RUNTIME = "/python"
PACKAGES = "/packages"
SANDBOX_CHILD = "/sandbox/child.py"
UID = 1000  # who the app is inside its user namespace
TMP_SIZE = 256 << 20
# What the contract lets an app import, besides the standard library (their own dependencies come along).
ALLOWED = (
    *("flask", "werkzeug", "jinja2", "markupsafe", "itsdangerous", "click", "blinker", "pillow"),
    # Level 3's extensions (greenlet named: SQLAlchemy 2.0, Python 3.10's, requires it under a marker).
    *("flask-login", "flask-wtf", "wtforms", "flask-sqlalchemy", "sqlalchemy", "greenlet", "email-validator"),
    # Step 16 runs a submission's tests/ with pytest (exceptiongroup and tomli: 3.10's, under markers).
    *("pytest", "iniconfig", "packaging", "pluggy", "pygments", "exceptiongroup", "tomli"),
)
INSTALL = "install bubblewrap (apt-get install bubblewrap), or grade on Linux or in a Linux container"


class Unavailable(Exception):
    """No bubblewrap sandbox can be had here; the message says why, in a clause."""


def runtime() -> tuple[str | None, str]:
    """(the host folder to mount at /python, None for a runtime under /usr; the interpreter's path inside)."""
    base = os.path.realpath(sys.base_prefix)
    executable = os.path.realpath(sys.executable)
    if os.path.basename(executable).startswith("python") and not executable.startswith(base + os.sep):
        # A virtual environment's python links to the runtime's: find it there.
        executable = os.path.join(base, "bin", f"python{sys.version_info[0]}.{sys.version_info[1]}")
    if base == "/usr" or base.startswith("/usr/"):
        return None, executable
    return base, RUNTIME + executable[len(base):]


def hidden_site_packages() -> list[str]:
    """The runtime's own site-packages, as the sandbox sees them: covered with empty folders."""
    base = os.path.realpath(sys.base_prefix)
    mounted, _ = runtime()
    hidden = []
    others = [str(path) for path in Path("/usr/local/lib").glob("python3*/*-packages")]
    for folder in [*site.getsitepackages([base]), "/usr/lib/python3/dist-packages", *others]:
        folder = os.path.realpath(folder)
        if not os.path.isdir(folder):
            continue
        if mounted and folder.startswith(mounted + os.sep):
            folder = RUNTIME + folder[len(mounted):]
        elif not folder.startswith("/usr/"):
            continue
        if folder not in hidden:
            hidden.append(folder)
    return hidden


def _requirements(distribution: metadata.Distribution) -> list[str]:
    """The names a distribution requires unconditionally (no extras, no markers)."""
    names = []
    for requirement in distribution.requires or []:
        if ";" in requirement:
            continue
        name = requirement.split("[")[0]
        for stop in "<>=!~ (":
            name = name.split(stop)[0]
        names.append(name.strip())
    return names


def top_level(distribution: metadata.Distribution) -> set[str]:
    """The top-level names of the files a distribution installed (Pygments lists some 600 files).

    Read from its RECORD as text: `Distribution.files` makes a path object of every line, a fifth of
    the time a grade takes to start its app. Where there is no RECORD (an egg), `files` reads what there is.
    """
    record = distribution.read_text("RECORD")
    if record is None:
        return {str(file).replace("\\", "/").split("/", 1)[0] for file in distribution.files or []}
    return {row[0].replace("\\", "/").split("/", 1)[0] for row in csv.reader(record.splitlines()) if row}


@functools.cache
def packages() -> tuple[tuple[str, str], ...]:
    """(host path, sandbox path) of every top-level file and folder of the allowed distributions."""
    wanted, seen, mounts = list(ALLOWED), set(), {}
    while wanted:
        name = wanted.pop().lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        wanted += _requirements(distribution)
        tops = top_level(distribution)
        for top in sorted(tops):
            if not top or top in ("..", "bin", "__pycache__") or top.endswith(".pth") or top in mounts:
                continue
            source = os.path.realpath(distribution.locate_file(top))
            if os.path.exists(source):
                mounts[top] = source
    return tuple((source, f"{PACKAGES}/{top}") for top, source in sorted(mounts.items()))


def program() -> str:
    """bwrap, as the grader's PATH finds it."""
    return shutil.which("bwrap") or "bwrap"


@functools.cache
def features() -> str:
    """bwrap's --help: which options this version has."""
    try:
        return subprocess.run([program(), "--help"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def system_mounts() -> list[str]:
    """/usr read-only, and /lib, /lib64, /bin, /sbin as this machine has them (links or folders)."""
    arguments = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            arguments += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            arguments += ["--ro-bind", top, top]
    return arguments


def write_etc(folder: Path) -> Path:
    """The sandbox's /etc: a host name and a user, so that `localhost` and getpass work."""
    etc = folder / "etc"
    etc.mkdir(exist_ok=True)
    (etc / "hosts").write_text("127.0.0.1 localhost\n::1 localhost\n")
    (etc / "hostname").write_text("sandbox\n")
    (etc / "passwd").write_text(f"app:x:{UID}:{UID}:app:/tmp:/usr/sbin/nologin\n")
    (etc / "group").write_text(f"app:x:{UID}:\n")
    (etc / "nsswitch.conf").write_text("passwd: files\ngroup: files\nhosts: files\n")
    return etc


# The system calls that keep memory outside every file and process limit, refused in the sandbox (with
# EPERM): memfd_create and memfd_secret (memory behind a descriptor, in no folder), shmget and msgget
# (SysV memory kept by the kernel with no process holding it). An app of the contract uses none of them.
# By machine: (the audit architecture seccomp sees, those calls' numbers).
REFUSED_CALLS = {
    "x86_64": (0xC000003E, (319, 447, 29, 68)),
    "aarch64": (0xC00000B7, (279, 447, 194, 186)),
}


def seccomp_program() -> bytes | None:
    """A classic BPF program for `bwrap --seccomp` refusing REFUSED_CALLS (any other ABI: every call), or None.

    Refused, not killed: the app sees an error it can report. A call of another architecture's ABI
    (x86's int 0x80, x32) is refused whole, so no other numbering reaches the same calls.
    """
    arch, numbers = REFUSED_CALLS.get(platform.machine(), (None, ()))
    if arch is None:
        return None
    count = len(numbers)
    load, equal, at_least, answer = 0x20, 0x15, 0x35, 0x06
    program = [
        (load, 0, 0, 4),  # the call's architecture
        (equal, 0, count + 3, arch),  # another ABI: refused
        (load, 0, 0, 0),  # the call's number
        (at_least, count + 1, 0, 0x40000000),  # x32's numbers: refused
        *((equal, count - index, 0, number) for index, number in enumerate(numbers)),
        (answer, 0, 0, 0x7FFF0000),  # SECCOMP_RET_ALLOW
        (answer, 0, 0, 0x00050000 | 1),  # SECCOMP_RET_ERRNO | EPERM
    ]
    return b"".join(struct.pack("=HBBI", *instruction) for instruction in program)


def seccomp_pipe() -> int | None:
    """A pipe's read end holding seccomp_program() for `bwrap --seccomp FD`, or None where there is none."""
    program = seccomp_program()
    if program is None:
        return None
    read, write = os.pipe()
    try:
        os.write(write, program)
    finally:
        os.close(write)
    return read


def command(copy: Path, scratch: Path, info_fd: int | None, arguments: list[str], first: bool = False,
            seccomp_fd: int | None = None) -> list[str]:
    """The bwrap command line that runs child.py on the copy (mounted at /app), with `arguments` after it.

    `first` makes child.py the sandbox's first process (its init, which no process inside can kill),
    as the nursery is: it reaps the processes of the sandbox itself. `seccomp_fd` (seccomp_pipe) refuses
    the app the calls of REFUSED_CALLS.
    """
    help_text = features()
    mounted, python = runtime()
    bwrap = [
        program(),
        "--unshare-all",
        "--unshare-user",
        "--uid", str(UID),
        "--gid", str(UID),
        "--hostname", "sandbox",
        "--cap-drop", "ALL",
        "--die-with-parent",
        "--new-session",
    ]
    if "--disable-userns" in help_text:
        bwrap.append("--disable-userns")
    if first:
        # The nursery gives each app it forks an IPC namespace of its own (child.py's own_ipc), which
        # takes this capability in the sandbox's user namespace; each app drops it before its code runs.
        bwrap += ["--cap-add", "CAP_SYS_ADMIN"]
    bwrap += system_mounts()
    if mounted:
        bwrap += ["--ro-bind", mounted, RUNTIME]
    for folder in hidden_site_packages():
        bwrap += ["--tmpfs", folder, "--remount-ro", folder]
    for source, target in packages():
        bwrap += ["--ro-bind", source, target]
    bwrap += ["--ro-bind", str(write_etc(scratch)), "/etc"]
    bwrap += ["--ro-bind", str(CHILD), SANDBOX_CHILD]
    bwrap += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev"]
    if "--size" in help_text:
        bwrap += ["--size", str(TMP_SIZE)]
    # The copy is the app's own: what it writes there (a database) is still there when it is started again.
    bwrap += ["--tmpfs", "/tmp", "--bind", str(copy), APP, "--chdir", APP]
    if info_fd is not None:
        bwrap += ["--info-fd", str(info_fd)]
    if seccomp_fd is not None:
        bwrap += ["--seccomp", str(seccomp_fd)]
    if first:
        bwrap.append("--as-pid-1")
    return [*bwrap, "--", python, "-I", "-S", "-B", SANDBOX_CHILD, APP, *arguments]


def arguments_pipe(arguments: list[str]) -> int:
    """A pipe's read end holding bwrap's arguments, NUL-separated, for `bwrap --args FD`."""
    data = "".join(f"{argument}\0" for argument in arguments).encode()
    read, write = os.pipe()
    try:
        if len(data) > 60000:  # a pipe holds 64 KiB: more would block before bwrap reads it
            raise OSError("bwrap's arguments do not fit in a pipe")
        os.write(write, data)
    except OSError:
        os.close(read)
        raise
    finally:
        os.close(write)
    return read


def environment(extra: dict[str, str]) -> dict[str, str]:
    """The whole environment of the sandbox (bwrap passes it on): nothing of the grader's, and `extra`.

    Passed as the environment rather than on bwrap's command line, which every user of the machine can read.
    """
    kept = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/tmp",
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONUNBUFFERED": "1",
    }
    if runtime()[0]:
        kept["LD_LIBRARY_PATH"] = f"{RUNTIME}/lib"  # a runtime built with an absolute run path
    return {**kept, **extra}


PROBE = """\
import json, resource, sys
for name, value in json.loads(sys.argv[1]).items():
    kind = getattr(resource, name)
    hard = resource.getrlimit(kind)[1]
    value = value if hard == resource.RLIM_INFINITY else min(value, hard)
    try:
        resource.setrlimit(kind, (value, value))
    except (OSError, ValueError) as error:
        sys.exit(f"could not set {name}: {error}")
"""


@functools.lru_cache(maxsize=4)
def check(rlimits: str = "{}") -> None:
    """Raise Unavailable (saying why) unless a bubblewrap sandbox starts here and takes the rlimits (JSON)."""
    if not sys.platform.startswith("linux"):
        raise Unavailable(f"bubblewrap needs Linux, and this is {sys.platform}")
    if shutil.which("bwrap") is None:
        raise Unavailable("bubblewrap (bwrap) is not installed")
    # Removed here, not by TemporaryDirectory's finalizer: that one runs at the grader's exit, before
    # isolation.probe_soon's wait for a probe still running in the background. Named after this process, as
    # the copies are: where a kill -9 leaves it, the next grader's sweep (run/scratch.py) removes it.
    folder = Path(tempfile.mkdtemp(prefix=f"flask-club-{os.getpid()}-probe-"))
    try:
        (folder / "app").mkdir()
        probe = command(folder / "app", folder, None, [])
        probe = [*probe[: probe.index("--") + 2], "-I", "-S", "-B", "-c", PROBE, rlimits]
        try:
            done = subprocess.run(
                probe, env=environment({}), capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise Unavailable(f"bubblewrap could not start: {error}") from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or ["no message"])[-1][:200]
        if said.startswith("could not set"):
            raise Unavailable(f"the sandbox {said}")
        raise Unavailable(f"bubblewrap could not build the sandbox here ({said}: are user namespaces allowed?)")


def can_be_first() -> bool:
    """Whether this bwrap can make its program the sandbox's first process (--as-pid-1), as the nursery needs."""
    return "--as-pid-1" in features()


def available() -> bool:
    """Whether the sandbox can be had here (with the default limits)."""
    try:
        check(json.dumps(rlimits(Limits())))
    except Unavailable:
        return False
    return True
