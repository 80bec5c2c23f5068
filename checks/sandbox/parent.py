"""The trusted side of the sandbox: a student's app in a child process, behind a pipe.

`Sandbox` starts `child.py` in its own process (its own session, a scrubbed
environment, resource limits), waits for it to import the app, and sends it
requests with a time limit each. `RemoteApp` is a WSGI callable that forwards
to it, so Flask's test client (and pytest-flask's `client`) work unchanged.
A request that hangs or kills the app fails alone: the sandbox is restarted
for the next one.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

CHILD = Path(__file__).with_name("child.py")
JAIL = Path(__file__).with_name("jail.py")
ISOLATION = "FLASK_CLUB_ISOLATION"  # "jail" or "process": what the probe found, passed on to class workers
UNSHARE = ["unshare", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc", "--propagation", "private"]
HEADER = struct.Struct(">I")
STATUS = re.compile(r"^[1-5]\d\d(?: [^\r\n]*)?$")
KEPT_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP")


def isolation() -> str:
    """'jail' where namespaces and setpriv may work (Linux, as root), else 'process' (resource limits only).

    Not probed: a sandbox that cannot start in the jail falls back to 'process' (see Sandbox.ready).
    """
    known = os.environ.get(ISOLATION)
    if known in ("jail", "process"):
        return known
    can = sys.platform == "linux" and os.geteuid() == 0 and shutil.which("unshare") and shutil.which("setpriv")
    return "jail" if can else "process"


class Cgroups:
    """A pids and a memory cgroup of the sandbox's own (Linux, as root, where the hierarchy is writable)."""

    V1 = Path("/sys/fs/cgroup")

    def __init__(self, processes: int, memory_bytes: int):
        self.folders: list[Path] = []
        if sys.platform != "linux" or os.geteuid() != 0:
            return
        name = f"flask-club-{os.getpid()}-{next(Cgroups.counter)}"
        wanted = [("pids", {"pids.max": processes}), ("memory", {"memory.limit_in_bytes": memory_bytes})]
        for controller, settings in wanted:
            folder = self.V1 / controller / name
            try:
                folder.mkdir()
                for key, value in settings.items():
                    (folder / key).write_text(str(value))
                self.folders.append(folder)
            except OSError:
                self._remove(folder)

    counter = iter(range(1, 1 << 62))

    @property
    def procs(self) -> list[str]:
        return [str(folder / "cgroup.procs") for folder in self.folders]

    def kill_all(self) -> None:
        """Kill whatever is left in the cgroups, even what left the process group."""
        for folder in self.folders:
            try:
                pids = (folder / "cgroup.procs").read_text().split()
            except OSError:
                continue
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (OSError, ValueError):
                    pass

    @staticmethod
    def _remove(folder: Path) -> None:
        for _ in range(50):
            try:
                folder.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.01)

    def remove(self) -> None:
        self.kill_all()
        for folder in self.folders:
            self._remove(folder)
        self.folders = []


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

    def for_sandbox(self) -> dict:
        return {
            "memory_bytes": self.memory_mb << 20,
            "cpu_seconds": int(self.submission_timeout) + 5,
            "file_bytes": self.file_mb << 20,
            "processes": self.processes,
            "max_body": self.max_body,
        }


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


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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


class Sandbox:
    """A student's app running in a child process, asked one request at a time."""

    def __init__(self, root: Path, env: dict[str, str], limits: Limits | None = None, load_error: str | None = None):
        self.root = Path(root)
        self.env = sandbox_environment(env)
        self.limits = limits or Limits()
        self.process: Process | None = None
        self.load_error = load_error
        self.loaded = False
        self.output = Output()
        self.cgroups: Cgroups | None = None
        self.isolation = "none" if load_error else isolation()
        if load_error is None:
            self.start()

    # -- the process -------------------------------------------------------
    def start(self) -> None:
        """Start child.py on the submission; the import goes on in the background."""
        limits = self.limits.for_sandbox()
        self.cgroups = Cgroups(self.limits.processes, self.limits.memory_mb << 20)
        writable = self.root.parent
        scratch = writable / "tmp"
        scratch.mkdir(exist_ok=True)
        env = {**self.env, "TMPDIR": str(scratch), "HOME": str(scratch)}
        command = [sys.executable, "-I", "-B", str(CHILD), str(self.root)]
        if self.isolation == "jail":
            procs = ",".join(self.cgroups.procs) or "-"
            command = [*UNSHARE, sys.executable, "-I", "-B", str(JAIL), str(writable), procs, *command]
        else:
            limits["cgroups"] = self.cgroups.procs
        command.append(json.dumps(limits))
        popen = subprocess.Popen(
            command,
            cwd=self.root,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=os.name == "posix",
        )
        self.process = Process(popen, output=self.output)
        self.loaded = False
        threading.Thread(target=self._read_frames, args=(self.process,), daemon=True).start()
        threading.Thread(target=self._read_output, args=(self.process,), daemon=True).start()

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
        process.frames.put(("eof", None))

    @staticmethod
    def _read_output(process: Process) -> None:
        stream = process.popen.stderr
        try:
            while chunk := stream.read1(65536):
                process.output.add(chunk)
        except (OSError, ValueError):
            pass

    def kill(self) -> None:
        """Stop the app's process and everything it started."""
        process, self.process = self.process, None
        if process is None:
            return
        popen = process.popen
        try:
            if os.name == "posix":
                os.killpg(popen.pid, signal.SIGKILL)
            else:
                popen.kill()
        except (ProcessLookupError, PermissionError, OSError):
            pass
        for stream in (popen.stdin, popen.stdout, popen.stderr):
            try:
                stream.close()
            except OSError:
                pass
        try:
            popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if self.cgroups is not None:
            self.cgroups.remove()

    close = kill

    def _next(self, timeout: float) -> tuple[str, object]:
        assert self.process is not None
        try:
            return self.process.frames.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return ("timeout", None)

    def _died(self) -> str:
        assert self.process is not None
        try:
            code = self.process.popen.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        return exit_description(code)

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
            if kind == "frame" and json.loads(data).get("started"):
                self.process.started = True
                kind, data = self._next(self.limits.import_timeout)
            elif self.isolation == "jail":
                # The jail could not be built here (a container without namespaces?): go without it.
                self.kill()
                self.isolation = os.environ[ISOLATION] = "process"
                self.start()
                return self.ready()
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

    def request(self, environ: dict[str, str], body: bytes, what: str, timeout: float | None = None) -> Answer:
        """Send one request; return the answer or raise AppFailure saying what went wrong."""
        timeout = self.limits.request_timeout if timeout is None else timeout
        self.ready()
        try:
            self._send({"op": "request", "environ": environ}, body)
        except (OSError, ValueError):
            reason = self._died()
            self.kill()
            raise AppFailure(f"your app's process {reason} before {what} could be sent") from None
        message = json.loads(self._receive(what, timeout))
        data = self._receive(what, timeout)
        return parse_answer(message, data)

    def serve_http(self, port: int) -> None:
        """Start the app as a real HTTP server on 127.0.0.1:port, in a process of its own."""
        self.ready()
        self._send({"op": "serve", "port": port})
        json.loads(self._receive("the request to start a server", self.limits.request_timeout))

    def stop_http(self) -> None:
        """Stop that server (the sandbox kills it: its pid may be one of another namespace)."""
        if self.process is None:
            return
        try:
            self._send({"op": "stop_serving"})
            self._receive("the request to stop the server", self.limits.request_timeout)
        except (AppFailure, OSError, ValueError):
            pass



def message_kind(kind: str, data: object) -> str | None:
    """The sandbox's own word for a failed load ('import', 'exit', ...), where it said one."""
    if kind != "frame":
        return None
    try:
        return json.loads(data).get("kind")
    except (ValueError, AttributeError):
        return None


def parse_answer(message: dict, body: bytes) -> Answer:
    """Check an answer from the untrusted side before anything in the grader uses it."""
    status = message.get("status")
    if not isinstance(status, str) or not STATUS.match(status):
        raise AppFailure(f"your app answered with an invalid HTTP status {str(status)[:60]!r}")
    headers = []
    for pair in message.get("headers") or []:
        if (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(part, str) and "\n" not in part and "\r" not in part for part in pair)
        ):
            headers.append((pair[0], pair[1]))
    exception = message.get("exception")
    return Answer(
        status=status,
        headers=headers,
        body=body,
        exception=exception if isinstance(exception, str) else None,
        truncated=bool(message.get("truncated")),
    )


class RemoteApp:
    """A WSGI app that answers by asking the sandbox: Flask's test client can drive it."""

    def __init__(self, sandbox: Sandbox, timeout: float | None = None):
        self.sandbox = sandbox
        self.timeout = timeout
        self.last: Answer | None = None

    def __call__(self, environ: dict, start_response):
        self.last = None
        stream = environ.get("wsgi.input")
        length = environ.get("CONTENT_LENGTH") or ""
        body = b""
        if stream is not None:
            body = stream.read(int(length)) if length.isdigit() else stream.read()
        plain = {key: value for key, value in environ.items() if isinstance(value, str)}
        what = f"{environ.get('REQUEST_METHOD', 'GET')} {environ.get('PATH_INFO', '/')}"
        answer = self.sandbox.request(plain, body, what, self.timeout)
        self.last = answer
        start_response(answer.status, answer.headers)
        return [answer.body]


def wait_for_port(port: int, deadline: float) -> bool:
    """True once something accepts connections on 127.0.0.1:port, False at the deadline."""
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.02)
    return False
