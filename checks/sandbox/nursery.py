"""One sandbox for all of level 2's fresh apps: Flask imported once, a new process forked per copy.

Level 2 runs every check on a fresh copy of the submission in a new process. Starting a
sandbox and importing Flask costs about 0.1 s of processor time each, and level 2 has 17
checks. The nursery is one bubblewrap sandbox whose first process (child.py in nursery mode)
imports Flask and Pillow once, and has them answer a small app of its own once (child.warm_up:
what every app's first requests would load); for each fresh copy it forks a process that
imports the student's app.py from that copy, exactly as a new process would.

The copies live in the nursery's folder (mounted at /app; a copy is /app/copy-N). Killing
an app kills every process of the nursery but its first, and empties its /tmp: so one
check's app, or what it left running, never reaches the next check, and an app "stopped and
started again" (step 10) keeps only what it wrote into its copy: each app has an IPC namespace of
its own (no SysV or POSIX shared memory outlives it), and what the apps left in /tmp or beside their
copies is removed whatever modes they set on it. The first process cannot be killed from inside, and
no app can read its memory or its pipe to the grader. All its apps count against one budget (cgroup.py).
"""

from __future__ import annotations

import json
import os
import queue
import secrets
import socket
import subprocess
import threading
from pathlib import Path

from checks.run.tree import remove_tree
from checks.sandbox.cgroup import Budget
from checks.sandbox.isolation import Isolation
from checks.sandbox.limits import Limits
from checks.sandbox.process import Process, launch, stop

REPLY_SECONDS = 10  # how long the nursery may take to fork an app, or to clear them all


class NurseryGone(Exception):
    """The nursery could not start, or has stopped: the app gets a sandbox of its own."""


class Forked:
    """A Popen-like handle on one app the nursery forked: its three pipes, its exit code, `kill()`."""

    def __init__(self, nursery: Nursery, stdin, stdout, stderr):
        self.nursery = nursery
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        self.pid: int | None = None  # in the nursery's process namespace
        self.returncode: int | None = None
        self.ended = threading.Event()

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        if not self.ended.wait(timeout):
            raise subprocess.TimeoutExpired("app", timeout)
        return self.returncode

    def kill(self) -> None:
        """Kill this app, with every other process of the nursery (the running check's apps)."""
        self.nursery.clear()

    def exited(self, code: int | None) -> None:
        self.returncode = code
        self.ended.set()


class Nursery:
    """A sandbox that forks one app for each fresh copy of the submission (made at `new_folder()`)."""

    def __init__(self, folder: Path, env: dict[str, str], limits: Limits, isolation: Isolation,
                 budget: Budget | None = None):
        self.folder = Path(folder)  # holds the copies; its parent holds the sandbox's /etc
        self.folder.mkdir(parents=True, exist_ok=True)
        self._copies: set[str] = set()  # the copies the grader made and still keeps; anything else is removed
        self._lock = threading.Lock()  # one request to the nursery at a time
        self._replies: queue.Queue = queue.Queue()
        self._pending: Forked | None = None  # the app being forked, until the nursery says its pid
        self._apps: dict[int, Forked] = {}
        self.gone = False
        self._started = False
        self._used = False  # an app was forked since the last clear: something may still run
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            launched = launch(self.folder, env, limits, isolation, stdin=theirs, nursery=True, within=budget)
        finally:
            theirs.close()
        self.unset = launched.unset
        self.process = Process(launched.popen, info=launched.info)
        self.cgroup = launched.cgroup
        threading.Thread(target=self.process.read_info, daemon=True).start()
        threading.Thread(target=self._read, daemon=True).start()

    def new_folder(self) -> Path:
        """Where to make the next copy, in the nursery's folder: a name no app can guess and plant first."""
        name = f"copy-{secrets.token_hex(8)}"
        self._copies.add(name)
        return self.folder / name

    def forget(self, root: Path) -> None:
        """The copy `root` was removed: whatever is found under its name from now on is removed too."""
        self._copies.discard(root.name)

    def _sweep(self) -> None:
        """Remove whatever the apps wrote into the nursery's folder beside their copies (once they are gone)."""
        try:
            entries = list(os.scandir(self.folder))
        except OSError:
            return
        for entry in entries:
            if entry.name in self._copies and entry.is_dir(follow_symlinks=False):
                continue
            remove_tree(entry.path)  # whatever modes the apps left on it (a folder at 0500 keeps nothing)

    # -- the conversation ----------------------------------------------------
    def _read(self) -> None:
        """Take the nursery's messages in order: forks, exits, and the answers to requests."""
        try:
            while data := self.control.recv(1 << 16):
                message = json.loads(data)
                if "exited" in message:
                    app = self._apps.pop(message["exited"], None)
                    if app is not None:
                        app.exited(int(message.get("code", -9)))
                    continue
                if "spawned" in message and self._pending is not None:
                    self._pending.pid = int(message["spawned"])
                    self._apps[self._pending.pid] = self._pending
                self._replies.put(message)
        except (OSError, ValueError, TypeError):
            pass
        self.gone = True
        for app in list(self._apps.values()):
            app.exited(-9)
        self._apps.clear()
        self._replies.put({"error": "the nursery stopped"})

    def _ask(self, message: dict, fds: list[int] | None = None) -> dict:
        if self.gone:
            raise NurseryGone("the nursery has stopped")
        try:
            if fds:
                socket.send_fds(self.control, [json.dumps(message).encode()], fds)
            else:
                self.control.send(json.dumps(message).encode())
            return self._replies.get(timeout=REPLY_SECONDS)
        except (OSError, queue.Empty) as error:
            self._stop()
            raise NurseryGone(f"the nursery did not answer ({error or 'in time'})") from None

    def _wait_started(self) -> None:
        """Wait for the nursery to have imported Flask (its first message); raise NurseryGone if it did not."""
        if self._started:
            return
        try:
            reply = self._replies.get(timeout=REPLY_SECONDS)
        except queue.Empty:
            reply = {"error": "the nursery did not start in time"}
        if not reply.get("started"):
            self._stop()
            raise NurseryGone(str(reply.get("error", "the nursery did not start")))
        self._started = True

    def spawn(self, root: Path) -> Forked:
        """Fork an app on the copy `root` (in the nursery's folder); its import starts at once."""
        if root.parent != self.folder:
            raise ValueError(f"{root} is not a copy in the nursery's folder")
        with self._lock:
            self._wait_started()
            ours, theirs = [], []
            for _ in range(3):  # the app's requests, its answers, what it prints
                read, write = os.pipe()
                ours.append(read)
                theirs.append(write)
            theirs[0], ours[0] = ours[0], theirs[0]  # the app reads its requests, the grader writes them
            app = Forked(self, os.fdopen(ours[0], "wb"), os.fdopen(ours[1], "rb"), os.fdopen(ours[2], "rb"))
            self._pending = app
            try:
                reply = self._ask({"op": "spawn", "copy": root.name}, theirs)
            finally:
                self._pending = None
                for descriptor in theirs:
                    os.close(descriptor)
            if "spawned" not in reply:
                for stream in (app.stdin, app.stdout, app.stderr):
                    stream.close()
                raise NurseryGone(str(reply.get("error", "the nursery did not fork the app")))
            self._used = True
            if self.cgroup is not None:
                self.cgroup.mark()  # a limit this app reaches is named for it, not one an earlier app reached
            return app

    def clear(self) -> None:
        """Kill every app of the nursery (and all they started), and empty its /tmp; return once done."""
        with self._lock:
            if self.gone or not self._used:
                return
            try:
                self._wait_started()
                reply = self._ask({"op": "clear"})
            except NurseryGone:
                return
            if reply.get("cleared"):
                self._used = False
                self._sweep()
            else:
                self._stop()

    def _stop(self) -> None:
        """Stop the nursery and everything in it (its folder stays: a copy in it may still be run)."""
        self.gone = True
        stop(self.process, self.cgroup)
        self.cgroup = None
        try:
            self.control.close()
        except OSError:
            pass

    def close(self) -> None:
        """Stop the nursery and everything in it; remove its folder and every copy in it."""
        self._stop()
        remove_tree(self.folder.parent)
