"""The trusted side of the sandbox: a student's app in a child process, behind a pipe.

`Sandbox` starts `child.py` in a bubblewrap sandbox (see bubblewrap.py: what the
app sees) or, where there is none and the instructor allows it, in a plain
process with resource limits only. It waits for the child to import the app,
and sends it requests with a time limit each. `RemoteApp` is a WSGI callable
that forwards to it, so Flask's test client (and pytest-flask's `client`) work
unchanged. A request that hangs or kills the app fails alone: the sandbox is
restarted for the next one. The child inherits nothing of the grader but its
two protocol pipes and its standard error; killing the sandbox kills every
process the app started, and returns once they are all gone.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import queue
import re
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from checks.sandbox import bubblewrap
from checks.sandbox.cgroup import Budget
from checks.sandbox.guard import Usage, count_folder, count_processes, processes_in
from checks.sandbox.isolation import BUBBLEWRAP, PROCESS, Isolation, choose
from checks.sandbox.limits import Limits

CHILD = Path(__file__).with_name("child.py")
HEADER = struct.Struct(">I")
STATUS = re.compile(r"^[1-5]\d\d(?: [^\r\n]*)?$")
KEPT_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP")


class NurseryGone(Exception):
    """Level 2's nursery (nursery.py) could not start, or has stopped: the app gets a sandbox of its own."""


class AppFailure(Exception):
    """The student's app could not answer; the message says why, for the student."""


class AppNotLoaded(AppFailure):
    """app.py could not be imported, or defines no Flask app."""


@dataclass
class Answer:
    """What the student's app answered to one request."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes
    exception: str | None = None
    truncated: bool = False


class Output:
    """What a process printed: the start and the end kept, the middle dropped."""

    def __init__(self, head: int = 64 << 10, tail: int = 16 << 10):
        self.head = bytearray()
        self.tail = bytearray()
        self.dropped = 0
        self.head_size, self.tail_size = head, tail
        self.lock = threading.Lock()

    def add(self, data: bytes) -> None:
        with self.lock:
            room = self.head_size - len(self.head)
            self.head += data[:room]
            rest = data[room:]
            if rest:
                self.tail += rest
                if len(self.tail) > self.tail_size:
                    cut = len(self.tail) - self.tail_size
                    self.dropped += cut
                    del self.tail[:cut]

    def quote(self, limit: int = 300) -> str:
        """The end of what was printed, cut to `limit` characters with a note saying so ('' if nothing)."""
        text = self.text().strip()
        if not text:
            return ""
        if len(text) > limit:
            text = f"… ({len(text) - limit} earlier characters not shown)\n" + text[-limit:]
        return "\nyour app printed:\n" + "\n".join(f"  | {line}" for line in text.splitlines())

    def text(self) -> str:
        with self.lock:
            middle = f"\n… ({self.dropped} bytes not kept) …\n".encode() if self.dropped else b""
            return (bytes(self.head) + middle + bytes(self.tail)).decode("utf-8", "replace")


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


FOLDER_POLL = 0.2  # seconds between two looks at the size of the app's folder (see guard.py)


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
           nursery: bool = False) -> Launched:
    """Start child.py on `root` in the sandbox (or with process limits only); `nursery` starts the nursery there."""
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
        cgroup = Budget(limits.processes + 3, limits.memory_mb << 20, oom_group=not nursery)  # + bwrap, init, child
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


class Sandbox:
    """A student's app running in a child process, asked one request at a time."""

    def __init__(
        self,
        root: Path,
        env: dict[str, str],
        limits: Limits | None = None,
        load_error: str | None = None,
        isolation: Isolation | None = None,
        nursery=None,
    ):
        self.root = Path(root)
        self.nursery = nursery  # a Nursery (nursery.py) that forks this app, instead of a sandbox of its own
        self.env = dict(env)  # the exercise's variables (CLUB_PASSWORD): all the app gets of the grader
        self.limits = limits or Limits()
        self.isolation = isolation or choose(others_work=False, limits=self.limits)
        self.process: Process | None = None
        self.load_error = load_error
        self.loaded = False
        self.output = Output()
        self.unset: list[str] = []  # every limit a run of the child could not set, and why
        self.cgroup: Budget | None = None  # the budget (cgroup) its processes count against (see launch)
        if load_error is None:
            self.start()

    # -- the process -------------------------------------------------------
    def start(self) -> None:
        """Start child.py on the submission (or have the nursery fork it); the import goes on in the background."""
        popen = None
        if self.nursery is not None:
            try:
                popen = self.nursery.spawn(self.root)
            except NurseryGone:
                self.nursery = None  # a sandbox of its own, as without a nursery
        if popen is not None:
            self.unset += [line for line in self.nursery.unset if line not in self.unset]
            self.process = Process(popen, output=self.output, budget=self.nursery.cgroup)
        else:
            launched = launch(self.root, self.env, self.limits, self.isolation)
            self.cgroup = launched.cgroup
            self.unset += [line for line in launched.unset if line not in self.unset]
            self.process = Process(launched.popen, output=self.output, info=launched.info, budget=launched.cgroup,
                                   reaper=launched.reaper)
            threading.Thread(target=self.process.read_info, daemon=True).start()
        self.loaded = False
        for target, stream in ((self._read_frames, self.process.popen.stdout),
                               (self._read_output, self.process.popen.stderr)):
            reader = threading.Thread(target=target, args=(self.process,), daemon=True)
            self.process.readers.append(reader)
            self.process.read_streams.append(stream)
            reader.start()
        threading.Thread(target=self._guard_folder, args=(self.process,), daemon=True).start()

    def _guard_folder(self, process: Process) -> None:
        """Stop the app once its folder holds more than MAX_FOLDER_BYTES or MAX_FOLDER_ENTRIES (guard.py).

        RLIMIT_FSIZE caps one file; this caps them all, so no app can fill the machine's memory
        (/dev/shm) or disk through its copy, however many files it writes: the files its processes
        keep open after removing them count too. Where no cgroup keeps the app's memory budget, the
        memory of the sandbox's processes together is counted here as well.
        """
        # An app of the nursery can write beside its copy too: the nursery's whole folder is counted.
        folder = self.nursery.folder if self.nursery is not None else self.root
        sandboxed = self.isolation.mode == BUBBLEWRAP
        memory = self.limits.memory_mb << 20 if sandboxed and process.budget is None else None
        while process.popen.poll() is None:
            usage = Usage()
            count_folder(folder, usage)
            first = self.nursery.process.first if self.nursery is not None else process.first
            if sandboxed and first is not None:
                count_processes(processes_in(first), usage, memory=memory is not None)
            reason = usage.over(memory)
            if reason:
                process.overflow = reason
                kill_all(process)
                return
            time.sleep(FOLDER_POLL)

    @staticmethod
    def _read_frames(process: Process) -> None:
        stream = process.popen.stdout
        limit = (4 << 20) + 1024
        try:
            while True:
                head = stream.read(HEADER.size)
                if len(head) < HEADER.size:
                    break
                (size,) = HEADER.unpack(head)
                if size > limit:
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

    @staticmethod
    def _read_output(process: Process) -> None:
        stream = process.popen.stderr
        try:
            while chunk := stream.read1(65536):
                process.output.add(chunk)
        except (OSError, ValueError):
            pass
        finally:
            close_quietly(stream)

    def kill(self) -> None:
        """Stop the app's process and everything it started; return once every one of them is gone.

        In the sandbox, killing its first process makes the kernel kill every other process of its
        process namespace; bwrap exits only after that one has exited, which it does last. An app the
        nursery forked is killed by the nursery, with every other process of its sandbox.
        """
        process, self.process = self.process, None
        if process is not None:
            stop(process, self.cgroup)
            self.cgroup = None

    close = kill

    def _next(self, timeout: float) -> tuple[str, object]:
        assert self.process is not None
        try:
            return self.process.frames.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return ("timeout", None)

    def _died(self) -> str:
        assert self.process is not None
        if self.process.overflow:
            return self.process.overflow
        try:
            code = self.process.popen.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        reached = self.process.budget.reached() if self.process.budget is not None else ""
        return reached or exit_description(code)

    def describe(self) -> str:
        """How the app was isolated, with every limit that could not be set."""
        if not self.unset:
            return self.isolation.label
        return f"{self.isolation.label}; not set: {'; '.join(self.unset)}"

    # -- the conversation -------------------------------------------------
    def ready(self) -> None:
        """Wait for app.py to be imported; raise AppNotLoaded with the reason if it failed."""
        if self.load_error:
            raise AppNotLoaded(self.load_error)
        if self.process is None:
            self.start()
        if self.loaded:
            return
        kind, data = self._next(self.limits.import_timeout)
        if not self.process.started:
            if kind != "frame" or not json.loads(data).get("started"):
                # Before any of the student's code runs: the sandbox itself could not start.
                said = self.output.text().strip()[-300:]
                self.kill()
                raise RuntimeError(f"the sandbox did not start ({said or kind})")
            self.process.started = True
            for line in json.loads(data).get("unset") or []:
                if isinstance(line, str) and line not in self.unset:
                    self.unset.append(line[:200])
            kind, data = self._next(self.limits.import_timeout)
        if kind == "frame":
            message = json.loads(data)
            if message.get("ready"):
                self.loaded = True
                return
            self.load_error = str(message.get("error", "app.py could not be loaded"))
        elif kind == "timeout":
            self.load_error = (
                f"app.py did not finish importing within {self.limits.import_timeout:g} s "
                "(an endless loop, or a server started at import time, outside `if __name__ == \"__main__\":`?)"
            )
        else:
            self.load_error = f"the process importing app.py {self._died()} before the app was ready"
        if self.load_error and message_kind(kind, data) != "import":
            self.load_error += self.output.quote()
        self.kill()
        raise AppNotLoaded(self.load_error)

    def _send(self, message: dict, body: bytes | None = None) -> None:
        assert self.process is not None
        data = json.dumps(message).encode()
        frames = HEADER.pack(len(data)) + data
        if body is not None:
            frames += HEADER.pack(len(body)) + body
        stream = self.process.popen.stdin
        stream.write(frames)
        stream.flush()

    def _receive(self, what: str, timeout: float) -> bytes:
        kind, data = self._next(timeout)
        if kind == "frame":
            return data
        if kind == "timeout":
            self.kill()
            raise AppFailure(f"your app did not answer {what} within {timeout:.2g} s")
        reason = data if kind == "error" else self._died()
        self.kill()
        raise AppFailure(f"your app's process {reason} while answering {what}{self.output.quote()}")

    def _ask(self, message: dict, what: str, timeout: float, body: bytes | None = None) -> bytes:
        self.ready()
        try:
            self._send(message, body)
        except (OSError, ValueError):
            reason = self._died()
            self.kill()
            raise AppFailure(f"your app's process {reason} before {what} could be sent") from None
        return self._receive(what, timeout)

    def request(
        self, environ: dict[str, str], body: bytes, what: str, timeout: float | None = None, target: str | None = None
    ) -> Answer:
        """Send one request; return the answer or raise AppFailure saying what went wrong.

        `target` sends it to an app that make_apps() made ("default", "testing") instead of the app loaded.
        """
        timeout = self.limits.request_timeout if timeout is None else timeout
        ask = {"op": "request", "environ": environ, **({"app": target} if target else {})}
        message = json.loads(self._ask(ask, what, timeout, body))
        data = self._receive(what, timeout)
        return parse_answer(message, data)

    def serve_http(self) -> int:
        """Start the app as a real HTTP server on a free port of the sandbox's own loopback; return the port."""
        answer = json.loads(self._ask({"op": "serve"}, "the request to start a server", self.limits.request_timeout))
        port = answer.get("port") if isinstance(answer, dict) else None
        if not isinstance(port, int) or not 0 < port < 65536:
            raise AppFailure(f"the server could not be started: {str(answer.get('error', answer))[:200]}")
        return port

    def http_get(self, port: int, path: str, timeout: float) -> http.client.HTTPResponse:
        """GET path from that server over real HTTP, inside the sandbox; the whole answer within `timeout` seconds.

        The child connects, sends the request and relays what came back (64 KiB at most) over the
        pipe; the answer is parsed here. Raises AppFailure saying what went wrong.
        """
        what = f"GET http://127.0.0.1:{port}{path}"
        message = {"op": "http_get", "port": port, "path": path, "timeout": timeout}
        answer = json.loads(self._ask(message, what, timeout + 3))
        raw = self._receive(what, timeout + 3)
        if answer.get("error") == "no server":
            raise AppFailure(f"nothing listened on port {port} within {timeout:g} s")
        if answer.get("error") == "too slow":
            raise AppFailure(f"{what} did not finish answering within {timeout:g} s")
        if answer.get("error"):
            raise AppFailure(f"{what} got no HTTP answer: {str(answer['error'])[:200]}")
        response = http.client.HTTPResponse(_Received(raw))
        try:
            response.begin()
        except (http.client.HTTPException, ValueError, OSError) as error:
            raise AppFailure(f"{what} got no valid HTTP answer: {type(error).__name__}") from None
        return response

    def make_apps(self, timeout: float | None = None) -> dict[str, dict]:
        """Level 3 (step 12): have the app's process call create_app(), create_app("default") and
        create_app("testing"); what it says of each, keyed by the call (see child.py's make_apps).

        The two named apps stay in that process: RemoteApp(sandbox, target="testing") asks one.
        """
        from checks.sandbox.text import clean

        what = 'create_app(), create_app("default") and create_app("testing")'
        answer = json.loads(self._ask({"op": "make_apps"}, what, timeout or self.limits.request_timeout))
        if not isinstance(answer, dict):
            raise AppFailure(f"your app's process gave no report of {what}")
        if "error" in answer:
            return {"error": {"error": clean(str(answer["error"]))[:300]}}
        report = {}
        for call, said in answer.items():
            if not isinstance(said, dict):
                continue
            rules = [pair for pair in said.get("rules") or [] if isinstance(pair, list) and len(pair) == 2]
            report[clean(str(call))[:40]] = {
                "error": clean(str(said["error"]))[:400] if "error" in said else None,
                "new": said.get("new") is True,
                "testing": said.get("testing") is True,
                "shown": clean(str(said.get("shown", "")))[:60],
                "blueprints": [clean(str(name))[:80] for name in said.get("blueprints") or []][:200],
                "rules": [(clean(str(rule))[:200], clean(str(endpoint))[:200]) for rule, endpoint in rules][:500],
            }
        return report

    def temp_files(self, timeout: float | None = None) -> list[tuple[str, bytes]]:
        """Level 3 (step 13): the files of the app's temporary folder, read in its process (2 MiB at most)."""
        import base64
        import binascii

        timeout = timeout or self.limits.request_timeout
        answer = json.loads(self._ask({"op": "temp_files"}, "the list of its temporary files", timeout))
        found = []
        for pair in (answer.get("files") or []) if isinstance(answer, dict) else []:
            if isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair):
                try:
                    found.append((pair[0][:200], base64.b64decode(pair[1])))
                except (binascii.Error, ValueError):
                    continue
        return found

    def stop_http(self) -> None:
        """Stop that server (the child kills it)."""
        if self.process is None:
            return
        try:
            self._send({"op": "stop_serving"})
            self._receive("the request to stop the server", self.limits.request_timeout)
        except (AppFailure, OSError, ValueError):
            pass


class _Received:
    """What http.client needs of a socket, over bytes already received."""

    def __init__(self, data: bytes):
        self.data = data

    def makefile(self, mode: str, *args, **kwargs) -> io.BytesIO:
        return io.BytesIO(self.data)


def message_kind(kind: str, data: object) -> str | None:
    """The sandbox's own word for a failed load ('import', 'exit', ...), where it said one."""
    if kind != "frame":
        return None
    try:
        return json.loads(data).get("kind")
    except (ValueError, AttributeError):
        return None


def parse_answer(message: dict, body: bytes) -> Answer:
    """Check an answer from the untrusted side before anything in the grader uses it.

    This is where the app's text enters the grader: the status line, headers and the
    exception text are made valid, printable text here, once (checks/sandbox/text.py).
    """
    from checks.sandbox.text import clean

    status = message.get("status")
    if not isinstance(status, str) or not STATUS.match(status):
        raise AppFailure(f"your app answered with an invalid HTTP status {clean(str(status)[:60])!r}")
    headers = []
    for pair in message.get("headers") or []:
        if (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(part, str) and "\n" not in part and "\r" not in part for part in pair)
        ):
            headers.append((clean(pair[0]), clean(pair[1])))
    exception = message.get("exception")
    return Answer(
        status=clean(status),
        headers=headers,
        body=body,
        exception=clean(exception) if isinstance(exception, str) else None,
        truncated=bool(message.get("truncated")),
    )


class RemoteApp:
    """A WSGI app that answers by asking the sandbox: Flask's test client can drive it."""

    def __init__(self, sandbox: Sandbox, timeout: float | None = None, target: str | None = None):
        self.sandbox = sandbox
        self.timeout = timeout
        self.target = target  # level 3: an app the sandbox's make_apps() made ("testing"), not the one loaded
        self.last: Answer | None = None

    def __call__(self, environ: dict, start_response):
        self.last = None
        stream = environ.get("wsgi.input")
        length = environ.get("CONTENT_LENGTH") or ""
        body = b""
        if stream is not None:
            body = stream.read(int(length)) if length.isdigit() else stream.read()
            stream.close()  # read whole: a large form's body sits in a temporary file, closed here
        plain = {key: value for key, value in environ.items() if isinstance(value, str)}
        what = f"{environ.get('REQUEST_METHOD', 'GET')} {environ.get('PATH_INFO', '/')}"
        answer = self.sandbox.request(plain, body, what, self.timeout, self.target)
        self.last = answer
        start_response(answer.status, answer.headers)
        return [answer.body]
