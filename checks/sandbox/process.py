"""Process control: start child.py (in the sandbox, or with process limits only), read it, stop it.

`launch` starts child.py, in bubblewrap (bubblewrap.py: what the app sees) or in a plain process
with resource limits, in a budget of its own (cgroup.py); `Process` is one run of it, with the
frames it sends and what it prints; `stop` kills it and everything it started, and returns once
they are all gone. The child inherits nothing of the grader but its two protocol pipes and its
standard error.
"""

from __future__ import annotations

import json
import os
import queue
import select
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from checks.sandbox import bubblewrap
from checks.sandbox.cgroup import Budget
from checks.sandbox.isolation import BUBBLEWRAP, PROCESS, Isolation
from checks.sandbox.limits import Limits
from checks.sandbox.output import Output
from checks.sandbox.protocol import HEADER, MAX_ANSWER_FRAME

CHILD = Path(__file__).with_name("child.py")
KEPT_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP")


def sandbox_environment(extra: dict[str, str]) -> dict[str, str]:
    """The grader's environment less anything private, plus the exercise's variables."""
    env = {key: os.environ[key] for key in KEPT_ENVIRONMENT if key in os.environ}
    env.setdefault("LANG", "C.UTF-8")
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def exit_description(code: int | None) -> str:
    if code is None:
        return "stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " (it may have gone over the memory or CPU limit)" if name in ("SIGKILL", "SIGXCPU", "SIGSEGV") else ""
        return f"was killed by {name}{hint}"
    return f"exited with code {code}"


@dataclass
class Process:
    """One run of child.py: the process, its frames and what it printed."""

    popen: subprocess.Popen
    started: bool = False
    frames: queue.Queue = field(default_factory=queue.Queue)
    output: Output = field(default_factory=Output)
    info: int | None = None  # bwrap's --info-fd: the host pid of the sandbox's first process
    init: int | None = None  # a pidfd of that process, the whole sandbox: killing it kills every process in it
    first: int | None = None  # that process's pid (where it is known)
    unset: list[str] = field(default_factory=list)  # limits the child could not set, and why
    informed: threading.Event = field(default_factory=threading.Event)
    overflow: str = ""  # why the grader stopped the app for what it wrote into its folder
    budget: Budget | None = None  # the cgroup its processes count against (a nursery's: shared by its apps)
    reaper: bool = False  # child.py runs the app under a reaper of its own (no sandbox, no cgroup): see launch
    readers: list[threading.Thread] = field(default_factory=list)  # the threads reading stdout and stderr
    read_streams: list = field(default_factory=list)  # the streams they read, and close at the end of the pipe

    def read_info(self) -> None:
        """Take the sandbox's first process from bwrap's info (a pidfd, so its pid cannot be reused under us)."""
        if self.info is None:
            self.informed.set()
            return
        data = b""
        try:
            while chunk := os.read(self.info, 4096):
                data += chunk
            pid = int(json.loads(data)["child-pid"])
            self.init = os.pidfd_open(pid)
            self.first = pid
        except (OSError, ValueError, KeyError, TypeError):
            pass
        finally:
            os.close(self.info)
            self.info = None
            self.informed.set()


def kill_all(process: Process) -> None:
    """Send SIGKILL to the sandbox's first process (which takes every other with it) and its process group."""
    if not isinstance(process.popen, subprocess.Popen):
        process.popen.kill()  # an app of the nursery: the nursery kills it, with every process of its sandbox
        return
    if process.reaper and process.popen.poll() is None:
        # The reaper kills every process the app left (it is their parent now), then exits.
        try:
            process.popen.send_signal(signal.SIGTERM)
            process.popen.wait(timeout=REAPER_SECONDS)
        except (OSError, subprocess.TimeoutExpired):
            pass
    process.informed.wait(5)  # bwrap says which process is the sandbox's first at once (or exits)
    if process.init is not None:
        try:
            signal.pidfd_send_signal(process.init, signal.SIGKILL)
        except OSError:
            pass
    try:
        if os.name == "posix":
            os.killpg(process.popen.pid, signal.SIGKILL)
        else:
            process.popen.kill()
    except OSError:
        pass


REAPER_SECONDS = 5  # how long the reaper may take to kill what the app left


def close_quietly(stream) -> None:
    try:
        if stream is not None:
            stream.close()
    except (OSError, ValueError):
        pass


@dataclass
class Launched:
    """A started child.py: its process, bwrap's info pipe, its budget (cgroup), limits that could not be set."""

    popen: subprocess.Popen
    info: int | None
    cgroup: Budget | None
    unset: list[str]
    reaper: bool = False


def launch(root: Path, env: dict[str, str], limits: Limits, isolation: Isolation, stdin=subprocess.PIPE,
           nursery: bool = False, within: Budget | None = None) -> Launched:
    """Start child.py on `root` in the sandbox (or with process limits only); `nursery` starts the nursery there.

    `within` is the submission's budget: the app's own cgroup is made inside it, so that all the apps
    of one submission together stay within its memory, processes and core."""
    arguments = limits.for_sandbox()
    scratch = root.parent
    info_write = options = None
    unset: list[str] = []
    seccomp = None
    if isolation.mode == BUBBLEWRAP:
        arguments["path"] = [bubblewrap.PACKAGES]
        arguments["nursery"] = nursery
        info_read, info_write = os.pipe()
        seccomp = bubblewrap.seccomp_pipe()
        command = bubblewrap.command(root, scratch, info_write, [json.dumps(arguments)], first=nursery,
                                     seccomp_fd=seccomp)
        # bwrap reads its arguments from a pipe: its command line, which the app (as the sandbox's
        # first process's) and every user of the machine can read, names no path of the grader's.
        split = command.index("--")  # the options go through the pipe, the (neutral) command stays
        options = bubblewrap.arguments_pipe(command[1:split])
        command = [command[0], "--args", str(options), *command[split:]]
        env = bubblewrap.environment(env)
        cwd, pass_fds = scratch, tuple(fd for fd in (info_write, options, seccomp) if fd is not None)
    else:
        if nursery:
            raise ValueError("the nursery runs in the bubblewrap sandbox only")
        info_read = None
        own_tmp = scratch / "tmp"
        own_tmp.mkdir(exist_ok=True)
        env = {**sandbox_environment(env), "TMPDIR": str(own_tmp), "HOME": str(own_tmp)}
        command = [sys.executable, "-I", "-B", str(CHILD), str(root), json.dumps(arguments)]
        cwd, pass_fds = root, ()
    cgroup = join = None
    if os.name == "posix":
        # One budget for all the app's processes together, kept by the kernel (cgroup.py): memory
        # (files kept in memory included), processes and CPU. bwrap (or child.py) joins it before it
        # runs, so every process of the app is counted there, and killed with it. It is also what
        # binds root, whom RLIMIT_NPROC never counts (the sandbox maps its user to the grader's).
        cgroup = Budget(limits.processes + 3, limits.memory_mb << 20, oom_group=not nursery,  # + bwrap, init, child
                        within=within)
        join = cgroup.join if cgroup.folders else None
        if cgroup.problem and os.geteuid() == 0 and isolation.mode == BUBBLEWRAP:
            unset.append(f"RLIMIT_NPROC: set, but it does not bind a sandbox started by root, and "
                         f"{cgroup.problem} (grade as an ordinary user for a process limit)")
        if cgroup.problem:
            instead = ("the grader counts their memory instead" if isolation.mode == BUBBLEWRAP
                       else f"each process has its own {limits.memory_mb} MiB")
            unset.append(f"the kernel's budget for all the app's processes together: {cgroup.problem} ({instead})")
        if not cgroup.folders:
            cgroup = None
        elif not cgroup.problem:
            command[-1] = json.dumps({**arguments, "counted": True})  # child.py's last argument: its limits
    reaper = isolation.mode == PROCESS and cgroup is None and sys.platform.startswith("linux")
    if reaper:
        # No cgroup to find the app's processes by: child.py forks the app under a reaper of its
        # own, which every process the app leaves behind falls to, and kills them all at the end.
        command[-1] = json.dumps({**arguments, "reaper": True})
    try:
        popen = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=stdin,
            # The nursery speaks on its socket (stdin) only; its apps print into pipes of their own.
            stdout=subprocess.DEVNULL if nursery else subprocess.PIPE,
            stderr=subprocess.DEVNULL if nursery else subprocess.PIPE,
            close_fds=True,  # the app inherits its pipes, and nothing else of the grader's
            pass_fds=pass_fds,
            start_new_session=os.name == "posix",
            preexec_fn=join,
        )
    except BaseException:
        if cgroup is not None:
            cgroup.remove()
        if info_read is not None:
            os.close(info_read)
        raise
    finally:
        for descriptor in (info_write, options, seccomp):
            if descriptor is not None:
                os.close(descriptor)
    return Launched(popen, info_read, cgroup, unset, reaper)


def stop(process: Process, cgroup: Budget | None) -> None:
    """Kill a started child.py and everything it started; return once they are all gone (10 s at most)."""
    popen = process.popen
    kill_all(process)
    try:
        popen.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    if process.init is not None:
        select.select([process.init], [], [], 10)  # readable once the sandbox's first process has exited
        os.close(process.init)
        process.init = None
    if cgroup is not None:
        cgroup.remove()  # whatever is left in the budget is killed: the pipes' last holders are gone
    try:
        if popen.stdin is not None:
            popen.stdin.close()
    except OSError:
        pass
    # A reader thread blocked on stdout or stderr holds its stream's lock: closing the stream here
    # would wait for that read, for ever if a leftover still holds the pipe. Each reader closes its
    # own stream at the end of the pipe; a stream no reader took is closed here.
    read = {id(stream) for stream in process.read_streams}
    for stream in (popen.stdout, popen.stderr):
        if stream is not None and id(stream) not in read:
            try:
                stream.close()
            except OSError:
                pass
    for reader in process.readers:
        reader.join(timeout=1)



def read_frames(process: Process) -> None:
    """Put each frame child.py sends on `process.frames`, then ("eof", None) (a reader thread's work)."""
    stream = process.popen.stdout
    try:
        while True:
            head = stream.read(HEADER.size)
            if len(head) < HEADER.size:
                break
            (size,) = HEADER.unpack(head)
            if size > MAX_ANSWER_FRAME:
                process.frames.put(("error", f"sent a frame of {size} bytes"))
                return
            data = stream.read(size)
            if len(data) < size:
                break
            process.frames.put(("frame", data))
    except (OSError, ValueError):
        pass
    finally:
        close_quietly(stream)
    process.frames.put(("eof", None))


def read_output(process: Process) -> None:
    """Keep what child.py (the app) prints in `process.output` (a reader thread's work)."""
    stream = process.popen.stderr
    try:
        while chunk := stream.read1(65536):
            process.output.add(chunk)
    except (OSError, ValueError):
        pass
    finally:
        close_quietly(stream)
