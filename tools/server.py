"""The reference solution under waitress, in a process of its own, on a free loopback port.

    with Server(copy_solution(tmp), password="s3cret") as server:
        urllib.request.urlopen(server.url + "/")

The server runs `python serve.py` in a copy of solution/, so its profiles
(instance/profiles.json in the copy) are the caller's own, on 127.0.0.1 only, and
with PORT=0 unless told otherwise: waitress picks a free port, and logs it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solution"

# waitress's line once it listens: "waitress: Serving on http://127.0.0.1:41733".
LISTENING = re.compile(r"Serving on (http://127\.0\.0\.1:\d+)")


def copy_solution(destination: Path) -> Path:
    """Copy solution/ (without its instance/ folder, its data) to `destination`, and return that folder."""
    shutil.copytree(SOLUTION, destination, ignore=shutil.ignore_patterns("instance", "__pycache__"))
    return destination


class Server:
    """`python serve.py` in `folder`, started by start() or `with`, on a port waitress picks."""

    def __init__(self, folder: Path, password: str, port: int = 0, start_timeout: float = 20) -> None:
        self.folder = folder
        self.password = password
        self.wanted_port = port  # 0: any free port
        self.start_timeout = start_timeout
        self.url = ""
        self.lines: list[str] = []  # what the server printed, stdout and stderr together
        self.process: subprocess.Popen[str] | None = None
        self._listening = threading.Event()
        self._reader: threading.Thread | None = None

    @property
    def profiles(self) -> Path:
        """The file the server keeps its profiles in."""
        return self.folder / "instance" / "profiles.json"

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def start(self) -> Server:
        """Start the server and wait until it listens; RuntimeError, with its output, if it does not."""
        env = {**os.environ, "CLUB_PASSWORD": self.password, "PORT": str(self.wanted_port), "HOST": "127.0.0.1"}
        env.pop("FLASK_DEBUG", None)
        self.url = ""
        self.lines = []
        self._listening.clear()
        self.process = subprocess.Popen(
            [sys.executable, "serve.py"],
            cwd=self.folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._reader = threading.Thread(target=self._read, args=(self.process,), daemon=True)
        self._reader.start()
        self._listening.wait(self.start_timeout)
        if not self.url:
            self.stop()
            output = self.output() or "(nothing)\n"
            raise RuntimeError(f"serve.py did not start listening within {self.start_timeout} s; it printed:\n{output}")
        return self

    def _read(self, process: subprocess.Popen[str]) -> None:
        """Keep the server's output (so its pipe never fills up), and note the URL it serves on."""
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append(line)
            found = LISTENING.search(line)
            if found and not self._listening.is_set():
                self.url = found.group(1)
                self._listening.set()
        self._listening.set()  # the process ended: start() need not wait any longer

    def kill(self) -> None:
        """Stop the server at once with SIGKILL, as a power cut or the OOM killer would."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self._reap()

    def stop(self) -> None:
        """Stop the server politely (SIGTERM), or with SIGKILL if it takes over 5 s."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._reap()

    def _reap(self) -> None:
        """Wait for the process, the end of its output, and close the pipe."""
        if self.process is None:
            return
        self.process.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.process = None

    def output(self) -> str:
        return "".join(self.lines)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
