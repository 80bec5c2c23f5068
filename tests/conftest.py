"""Fixtures for the kit's own tests: grading a submission through the CLI."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = ROOT / "solution"
STARTER = ROOT / "starter"
SUBMISSIONS = Path(__file__).resolve().parent / "submissions"

Grade = Callable[..., dict]

# The sample submissions are students' work, not the kit's tests: level 3's carry a tests/ folder of their
# own (step 16 grades it), which pytest must not collect as the kit's.
collect_ignore_glob = ["submissions/*"]


def environment() -> list[tuple[str, bool, str]]:
    """What this machine lets the kit's tests do: (what, whether, why it matters), for the run's summary."""
    import os
    import shutil

    def bubblewrap() -> bool:
        try:
            from checks.sandbox import bubblewrap

            return bubblewrap.available()
        except Exception:  # noqa: BLE001 - a summary line, never a failure
            return False

    def cgroups() -> bool:
        try:
            from checks.sandbox import cgroup

            return bool(cgroup.parents())
        except Exception:  # noqa: BLE001
            return False

    root = os.geteuid() == 0
    return [
        ("root", root, "the attack tests run as root and as a throwaway user (useradd)"),
        ("a throwaway user", root and shutil.which("useradd") is not None, "the attacks as an ordinary user"),
        ("bubblewrap", bubblewrap(), "the sandbox every submission's app runs in"),
        ("cgroups", cgroups(), "one memory, process and CPU budget per submission"),
        ("Chromium", os.path.exists("/usr/bin/chromium"), "the browser test"),
        ("curl", shutil.which("curl") is not None, "the pasted replays"),
    ]


def grader_copies() -> set[Path]:
    """The grader's copies now on this machine (flask-club-PID-… in the temporary folder and /dev/shm)."""
    import tempfile

    return {path for base in (tempfile.gettempdir(), "/dev/shm") for path in Path(base).glob("flask-club-[0-9]*")}


def remove_killed_graders_copies(before: set[Path]) -> None:
    """After a test kills a grader (kill -9, no chance to clean up): remove the copies it and its workers left.

    Only copies made since `before` whose process is gone: another grader's are never touched. The budget
    cgroups of graders that are gone go too, with whatever is still in them (the kit's own sweep, at once).
    """
    import re

    from checks.run.tree import remove_tree
    from checks.sandbox.cgroup import process_gone, sweep

    for path in grader_copies() - before:
        found = re.match(r"flask-club-(\d+)-", path.name)
        if found and process_gone(int(found[1])):
            remove_tree(path)
    sweep(older_than=0)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say which environment-dependent tests this run could take, and which it had to skip, with why."""
    terminalreporter.section("what this machine let the tests do")
    for what, present, why in environment():
        terminalreporter.write_line(f"{'yes' if present else 'NO ':<4} {what}: {why}")
    skipped = terminalreporter.stats.get("skipped", [])
    reasons: dict[str, int] = {}
    for report in skipped:
        reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"skipped {count}: {reason}")


def write_level2_rubric(folder: Path) -> Path:
    """The kit's rubric with level 2 turned on, as an instructor would (`level2 = true`), written in `folder`."""
    text = (ROOT / "checks" / "rubric.toml").read_text(encoding="utf-8")
    assert text.count("\nlevel2 = false\n") == 1
    path = folder / "level2.toml"
    path.write_text(text.replace("\nlevel2 = false\n", "\nlevel2 = true\n"), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def level2_rubric(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The kit's rubric with level 2 turned on, for a whole session of grading."""
    return str(write_level2_rubric(tmp_path_factory.mktemp("level2")))


def run_checks(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `python -m checks ARGS` from the kit's root and return what it did."""
    return subprocess.run(
        [sys.executable, "-m", "checks", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


@contextlib.contextmanager
def flask_run(folder: Path, env: dict[str, str], seconds: float = 60) -> Iterator[int]:
    """The app in `folder` served by `flask run` on a free port, as a student runs it; yields the port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "run", "--port", str(port)],
        cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        process.kill()
        process.wait()


def processes_with(marker: str) -> list[str]:
    """The machine's processes whose command line holds the marker (an app's own, looked for once it should be gone)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if marker.encode() in cmdline.read_bytes():
                found.append(cmdline.parent.name)
        except OSError:
            continue
    return found


def grade_submission(submission: Path, *extra: str, seed: int = 1234) -> dict:
    """Grade one submission with the CLI's JSON format and return the parsed object."""
    done = run_checks(submission, "--format", "json", "--seed", str(seed), *extra)
    assert done.returncode == 0, f"exit {done.returncode}\nstderr:\n{done.stderr}"
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError as error:
        raise AssertionError(f"stdout is not JSON ({error}):\n{done.stdout[:2000]}") from None


def failed_steps(result: dict) -> set[str]:
    """The ids of the steps a graded result did not pass."""
    return {step["id"] for step in result["steps"] if not step["passed"]}


@pytest.fixture
def grade() -> Grade:
    """grade(dir, *cli_args, seed=N) grades a submission and returns the contract's JSON."""
    return grade_submission
