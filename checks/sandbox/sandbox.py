"""The Sandbox: one student's app in a child process, asked one request at a time.

`Sandbox` starts child.py (process.py: in the bubblewrap sandbox, or with process limits only;
or has level 2's nursery fork it), waits for it to import the app, and sends it requests with
a time limit each. A request that hangs or kills the app fails alone: the app is started again
for the next one. Killing the sandbox kills every process the app started, and returns once
they are all gone. wsgi.py's RemoteApp puts it behind Flask's test client.
"""

from __future__ import annotations

import http.client
import json
import queue
import subprocess
import threading
from pathlib import Path

from checks.sandbox.cgroup import Budget
from checks.sandbox.guard import watch
from checks.sandbox.isolation import BUBBLEWRAP, Isolation
from checks.sandbox.limits import Limits
from checks.sandbox.nursery import NurseryGone
from checks.sandbox.output import Output
from checks.sandbox.process import Process, exit_description, kill_all, launch, read_frames, read_output, stop
from checks.sandbox.protocol import (
    Answer,
    AppFailure,
    AppNotLoaded,
    frames,
    message_kind,
    parse_answer,
    parse_apps,
    parse_http,
    parse_temp_files,
)


class Sandbox:
    """A student's app running in a child process, asked one request at a time."""

    def __init__(
        self,
        root: Path,
        env: dict[str, str],
        limits: Limits | None = None,
        load_error: str | None = None,
        *,
        isolation: Isolation,
        nursery=None,
        budget: Budget | None = None,
    ):
        self.root = Path(root)
        self.nursery = nursery  # a Nursery (nursery.py) that forks this app, instead of a sandbox of its own
        self.env = dict(env)  # the exercise's variables (CLUB_PASSWORD): all the app gets of the grader
        self.limits = limits or Limits()
        self.isolation = isolation  # decided once per run, by checks.options.Options.isolation()
        self.budget = budget  # the submission's: this app's cgroup is made inside it (see process.launch)
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
            launched = launch(self.root, self.env, self.limits, self.isolation, within=self.budget)
            self.cgroup = launched.cgroup
            self.unset += [line for line in launched.unset if line not in self.unset]
            self.process = Process(launched.popen, output=self.output, info=launched.info, budget=launched.cgroup,
                                   reaper=launched.reaper)
            threading.Thread(target=self.process.read_info, daemon=True).start()
        self.loaded = False
        for target, stream in ((read_frames, self.process.popen.stdout), (read_output, self.process.popen.stderr)):
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
        nursery = self.nursery
        folder = nursery.folder if nursery is not None else self.root
        sandboxed = self.isolation.mode == BUBBLEWRAP
        memory = self.limits.memory_mb << 20 if sandboxed and process.budget is None else None
        reason = watch(lambda: process.popen.poll() is None, folder,
                       lambda: nursery.process.first if nursery is not None else process.first, memory, sandboxed)
        if reason:
            process.overflow = reason
            kill_all(process)

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
        stream = self.process.popen.stdin
        stream.write(frames(message, body))
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
        return parse_http(answer, raw, what, port, timeout)

    def make_apps(self, timeout: float | None = None) -> dict[str, dict]:
        """Level 3 (step 12): have the app's process call create_app(), create_app("default") and
        create_app("testing"); what it says of each, keyed by the call (see child.py's make_apps).

        The two named apps stay in that process: RemoteApp(sandbox, target="testing") asks one.
        """
        what = 'create_app(), create_app("default") and create_app("testing")'
        answer = json.loads(self._ask({"op": "make_apps"}, what, timeout or self.limits.request_timeout))
        return parse_apps(answer, what)

    def temp_files(self, timeout: float | None = None) -> list[tuple[str, bytes]]:
        """Level 3 (step 13): the files of the app's temporary folder, read in its process (2 MiB at most)."""
        timeout = timeout or self.limits.request_timeout
        answer = json.loads(self._ask({"op": "temp_files"}, "the list of its temporary files", timeout))
        return parse_temp_files(answer)

    def stop_http(self) -> None:
        """Stop that server (the child kills it)."""
        if self.process is None:
            return
        try:
            self._send({"op": "stop_serving"})
            self._receive("the request to stop the server", self.limits.request_timeout)
        except (AppFailure, OSError, ValueError):
            pass
