"""The docs' runnable blocks: find them, and run them as a reader would.

A fenced block is runnable when the line just before its fence is a marker:

    <!-- runnable: MODE[; CLAUSE]... -->

MODE says where it runs: `solution`, `solution-level3` or `starter` (a fresh copy
of that folder, standing in for a student's) or `kit` (a fresh copy of the kit's root, with the
virtual environment linked in). `sh` blocks run with `bash -e`, `python` blocks
with the virtual environment's Python, its `bin/` first on PATH. The blocks of one
page that share a mode run in order in one copy. A solution or starter block that
talks to localhost:5000 gets that copy served on a free port instead (with
CLUB_PASSWORD=letmein), and 5000 replaced by the port. Clauses: `timeout: SECONDS`
(default 180, for a block that grades a whole class), `expect: TEXT`
(in the output, repeatable), `fails` (a non-zero exit), and `file: PATH`,
`append: PATH`, `replace: PATH` (write the block into the copy instead of running
it; replace swaps the lines from the block's first line to the next blank one).
docs/instructor/README.md documents the same for whoever edits the docs.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODES = ("solution", "solution-level3", "starter", "kit")
RUNS = {"sh": "sh", "bash": "sh", "python": "python"}
WRITES = ("file", "append", "replace")
MARKER = re.compile(r"^<!--\s*runnable:\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(```+|~~~+)\s*([\w+-]*)")
CLAUSE = re.compile(r";\s*(?=(?:expect|file|append|replace|timeout):|fails\s*(?:;|$))")
TIMEOUT = 180
LOCAL_5000 = re.compile(r"\b(localhost|127\.0\.0\.1):5000\b")
LEFT_OUT = (".git", ".venv", "dist", "grades", "site", "instance", "__pycache__", "*.pyc", ".pytest_cache",
            ".ruff_cache", ".hypothesis", ".flask-club-hints.json", "node_modules")
PASSWORD = "letmein"


class MarkerError(ValueError):
    """A runnable marker that can't be used; the message names the page and line."""


@dataclass
class Block:
    """One marked block of a page: where it is, what it holds, how to run it."""

    page: Path
    line: int
    language: str
    code: str
    mode: str
    expect: list[str] = field(default_factory=list)
    timeout: float = TIMEOUT
    fails: bool = False
    write: tuple[str, str] | None = None  # ("file" | "append" | "replace", path)

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def needs_server(self) -> bool:
        return self.mode != "kit" and self.write is None and bool(LOCAL_5000.search(self.code))


def fences(page: Path) -> list[tuple[int, str, str, str | None]]:
    """Each fenced block of a page: its fence's line number, language, text, and the marker line before it."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found, index = [], 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        fence, language = opening.groups()
        end = index + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        marker = MARKER.match(lines[index - 1]) if index else None
        found.append((index + 1, language, "\n".join(lines[index + 1 : end]), marker.group(1) if marker else None))
        index = end + 1
    return found


def parse(page: Path, line: int, language: str, code: str, marker: str) -> Block:
    """The Block a marker describes; MarkerError if it can't be run as written."""
    where = f"{page.relative_to(ROOT)}:{line}"
    mode, *clauses = (part.strip() for part in CLAUSE.split(marker))
    if mode not in MODES:
        raise MarkerError(f"{where}: runnable mode {mode!r} is not one of {', '.join(MODES)}")
    block = Block(page, line, language, code, mode)
    for clause in clauses:
        key, colon, value = (part.strip() for part in clause.partition(":"))
        if key == "fails" and not colon:
            block.fails = True
        elif key == "expect" and value:
            block.expect.append(value)
        elif key == "timeout" and value.isdigit() and int(value) > 0:
            block.timeout = int(value)
        elif key in WRITES and value and block.write is None:
            block.write = (key, value)
        else:
            raise MarkerError(f"{where}: cannot use the clause {clause!r}")
    if block.write is None and language not in RUNS:
        raise MarkerError(f"{where}: a {language or 'plain'} block can't run: mark sh or python blocks, or write it")
    if block.write is not None and (block.expect or block.fails):
        raise MarkerError(f"{where}: a block that is written into a file is not run: no expect or fails")
    return block


def stray_markers(page: Path) -> list[int]:
    """The line numbers of markers outside code blocks that no fence follows: they mark nothing."""
    lines = page.read_text(encoding="utf-8").splitlines()
    stray, fence = [], None
    for index, line in enumerate(lines):
        opening = FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)
        elif fence is not None and line.strip().startswith(fence):
            fence = None
        elif fence is None and MARKER.match(line):
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if not FENCE.match(following):
                stray.append(index + 1)
    return stray


def blocks(page: Path) -> list[Block]:
    """The page's runnable blocks, in order."""
    return [parse(page, *found) for found in fences(page) if found[3] is not None]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def link_venv(target: Path) -> None:
    """A .venv in target that is this virtual environment (its own stamps, so make installs nothing)."""
    venv = target / ".venv"
    venv.mkdir()
    for entry in Path(sys.prefix).iterdir():
        if not entry.name.startswith("."):
            (venv / entry.name).symlink_to(entry)
    for stamp in (".grader", ".dev"):
        (venv / stamp).touch()


class Workspace:
    """A fresh copy of a folder to run one page's blocks of one mode in, served on demand."""

    def __init__(self, base: Path, mode: str):
        self.mode = mode
        ignore = shutil.ignore_patterns(*LEFT_OUT)
        if mode == "kit":
            self.folder = base / "kit"
            shutil.copytree(ROOT, self.folder, ignore=ignore, symlinks=True)
            link_venv(self.folder)
            self.bin = self.folder / ".venv" / "bin"
        else:
            self.folder = base / mode
            shutil.copytree(ROOT / mode, self.folder, ignore=ignore)
            self.bin = Path(sys.prefix) / "bin"
        self.log = base / f"{mode}-server.log"
        self.server: subprocess.Popen | None = None
        self.port = 5000

    def environment(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        env.update(PATH=f"{self.bin}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(self.bin.parent))
        env.update(NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1")
        return env

    def serve(self) -> None:
        """Start `flask --app app run` on a free port, once; wait until it answers."""
        for _ in range(3):  # another test may take the free port first: then pick another
            if self.server is not None and self.server.poll() is None:
                return
            self.port = free_port()
            command = [str(self.bin / "python"), "-m", "flask", "--app", "app", "run", "--port", str(self.port)]
            with open(self.log, "w") as log:
                env = {**self.environment(), "CLUB_PASSWORD": PASSWORD}
                self.server = subprocess.Popen(command, cwd=self.folder, env=env, stdout=log, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and self.server.poll() is None:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return
                except OSError:
                    time.sleep(0.1)
            if "Address already in use" not in self.log.read_text():
                break
        raise AssertionError(f"the {self.mode} server did not start:\n{self.log.read_text()}")

    def local(self, text: str) -> str:
        """Text with localhost:5000 pointing at this workspace's server."""
        return LOCAL_5000.sub(lambda match: f"{match.group(1)}:{self.port}", text)

    def run(self, block: Block) -> tuple[int, str]:
        """Run (or write) one block here; return its exit status and its output."""
        if block.write is not None:
            write(self.folder, *block.write, block.code)
            return 0, ""
        if block.needs_server:
            self.serve()
        code = self.local(block.code)
        if RUNS[block.language] == "sh":
            command, stdin = ["bash", "-e", "-c", code], None
        else:
            command, stdin = [str(self.bin / "python"), "-"], code
        done = subprocess.run(
            command,
            cwd=self.folder,
            env=self.environment(),
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=block.timeout,
        )
        return done.returncode, done.stdout

    def close(self) -> None:
        if self.server is not None:
            self.server.terminate()
            try:
                self.server.wait(10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()


def write(folder: Path, how: str, name: str, text: str) -> None:
    """Put a block's text into a file of the workspace: as the file, at its end, or over one of its tables."""
    path = folder / name
    if how == "file":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    elif how == "append":
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\n\n" + text + "\n", encoding="utf-8")
    else:
        lines = path.read_text(encoding="utf-8").split("\n")
        first = text.split("\n")[0].rstrip()
        starts = [index for index, line in enumerate(lines) if line.rstrip() == first]
        assert len(starts) == 1, f"{name}: {first!r} must be one line of it, found {len(starts)}"
        end = starts[0] + 1
        while end < len(lines) and lines[end].strip():
            end += 1
        lines[starts[0] : end] = text.split("\n")
        path.write_text("\n".join(lines), encoding="utf-8")
