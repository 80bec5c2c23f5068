"""A grader stopped part-way (Ctrl-C, SIGTERM, kill -9) writes no wrong grade and leaves nothing behind.

Ctrl-C and SIGTERM (a CI job cancelled, `kill`) stop grading at once: no grade is
written for the submission being graded (the checks not yet run would count as
failed), every sandbox and copy is removed, and a class keeps the grades it had
written. A grader killed with no chance to clean up (kill -9) leaves its copies and
cgroups, named after its process; the next run removes them once they are ten
minutes old.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, grader_copies, processes_with, remove_killed_graders_copies
from test_sandbox import submission

from checks.run import scratch
from checks.sandbox import bubblewrap, cgroup
from checks.stopping import MESSAGE

# test_sandbox.py's valid app, with a process of its own (to look for once the grader has stopped) and
# read-backs slow enough that grading can be stopped part-way.
OWN_PROCESS = (
    'import subprocess, sys, time\nsubprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "MARKER"])'
)
SLOW_READ_BACK = "time.sleep(1.5)"

needs_sandbox = pytest.mark.skipif(not bubblewrap.available(), reason="needs the sandbox (bubblewrap)")


def slow_submission(folder: Path, marker: str) -> Path:
    folder.mkdir(parents=True)
    return submission(folder, IMPORT=OWN_PROCESS.replace("MARKER", marker), SHOW=SLOW_READ_BACK)


def left_by(pid: int) -> list[str]:
    """The copies and pids cgroups named after the grader process `pid`."""
    found = []
    for base in {Path("/dev/shm"), Path(os.environ.get("TMPDIR", "/tmp"))}:
        found += [str(path) for path in base.glob(f"flask-club-{pid}-*")]
    found += [str(path) for path in Path("/sys/fs/cgroup/pids").glob(f"flask-club-{pid}-*")]
    return found


def wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def start(command: list[str]) -> subprocess.Popen:
    """Start the grader as a terminal would: Ctrl-C (SIGINT) reaches it (a background job would ignore it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "checks", *command], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


@pytest.fixture
def swept() -> Iterator[None]:
    """After the test, pass or fail: what the graders it stopped left (theirs and their workers' copies, budget
    cgroups with whatever is still in them) is removed, as the kill -9 tests do. A class's worker is killed
    with SIGKILL when its grader is stopped, part-way through whatever it was doing."""
    before = grader_copies()
    yield
    remove_killed_graders_copies(before)


def stop_for_good(grader: subprocess.Popen) -> None:
    """Where a test failed before the grader ended: end it, and close its pipes."""
    if grader.poll() is None:
        grader.kill()
    grader.communicate()


@needs_sandbox
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_grade_stopped_part_way_writes_nothing_and_leaves_nothing(tmp_path, stop, swept):
    """Stopped in the middle of step 5, the grader prints no grade, exits 130, and no process or copy is left."""
    marker = f"flask-club-interrupted-{uuid.uuid4().hex}"
    submission = slow_submission(tmp_path / "submission", marker)
    grader = start([str(submission), "--format", "json", "--seed", "3", "--output", str(tmp_path / "grade.json")])
    try:
        assert wait_for(lambda: processes_with(marker)), "the app never started"
        time.sleep(2)  # into step 5's slow read-backs
        grader.send_signal(stop)
        out, err = grader.communicate(timeout=60)
    finally:
        stop_for_good(grader)
    assert grader.returncode == 130, err
    assert "interrupted: no grade was written" in err
    assert "Traceback" not in err
    assert out == "" and not (tmp_path / "grade.json").exists()
    assert wait_for(lambda: not processes_with(marker), 10), "the app's process outlived the grader"
    assert left_by(grader.pid) == []


def handles_ctrl_c(pid: int) -> bool:
    """Whether the process catches SIGINT yet: Python sets its handler up before it runs any of the grader."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next((line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), "0")
    return bool(int(caught, 16) & (1 << (signal.SIGINT - 1)))


# Moments after Python is up: while the grader's modules load (the first tenth of a second), while pytest
# loads, while the checks run. Python's own exit ended a few of these with SIGINT (-2) instead of 130.
MOMENTS = [0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6, 0.9]


@pytest.mark.parametrize("moment", MOMENTS)
def test_ctrl_c_at_any_moment_ends_with_one_line_and_130(tmp_path, moment, swept):
    """Ctrl-C at any moment of a grade, even while its modules load: exit 130, one line, no traceback."""
    marker = f"flask-club-early-{uuid.uuid4().hex}"
    submission = slow_submission(tmp_path / "submission", marker)
    sandbox = [] if bubblewrap.available() else ["--no-sandbox"]
    grader = start([str(submission), "--format", "json", "--seed", "3", *sandbox])
    try:
        assert wait_for(lambda: handles_ctrl_c(grader.pid) or grader.poll() is not None, 30)
        time.sleep(moment)
        grader.send_signal(signal.SIGINT)
        out, err = grader.communicate(timeout=60)
    finally:
        stop_for_good(grader)
    assert (grader.returncode, err.strip()) == (130, MESSAGE)
    assert out == ""
    assert wait_for(lambda: not processes_with(marker), 10), "the app's process outlived the grader"


@needs_sandbox
def test_a_class_stopped_part_way_keeps_the_grades_it_wrote(tmp_path, swept):
    """SIGTERM to a class's grader: grades written before stay whole, the one being made is not written."""
    marker = f"flask-club-class-interrupted-{uuid.uuid4().hex}"
    folder = tmp_path / "class"
    shutil.copytree(ROOT / "solution", folder / "ada", ignore=shutil.ignore_patterns("instance", "__pycache__"))
    slow_submission(folder / "zed", marker)
    out = tmp_path / "out"
    grader = start([str(folder), "--class", "--out", str(out), "--jobs", "1", "--seed", "5"])
    try:
        assert wait_for(lambda: processes_with(marker)), "the slow student's app never started"
        time.sleep(2)
        grader.send_signal(signal.SIGTERM)
        _, err = grader.communicate(timeout=60)
    finally:
        stop_for_good(grader)
    assert grader.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    graded = {path.stem: json.loads(path.read_text()) for path in (out / "json").glob("*.json")}
    assert set(graded) == {"ada"}  # ada (first) finished; zed was being graded: no grade for zed
    assert graded["ada"]["score"] == 100
    assert wait_for(lambda: not processes_with(marker), 10), "the app's process outlived the grader"
    assert left_by(grader.pid) == []


# The grader run with one of its functions made to send the signal, on its first call, from a place Python
# handles badly: a finalizer (Python can only report an exception raised there, so the KeyboardInterrupt is
# lost), or code compiled at run time whose frame has no line number (as werkzeug's URL builders have).
SIGNALLED_FROM = """\
import atexit, os, runpy, signal, sys
import {module} as where

class Finalized:
    def __del__(self):
        os.kill(os.getpid(), {signal})
        sum(range(1000))  # Python code runs, and with it the handler: in this finalizer

def in_a_finalizer():
    Finalized()  # made and dropped: its finalizer runs here

def without_a_line():
    source = "import os\\nos.kill(os.getpid(), {signal})\\nsum(range(1000))\\n"
    exec(compile(source, "<generated>", "exec").replace(co_linetable=b""))

calls = []
atexit.register(lambda: open(os.environ["CALLS"], "w").write(str(len(calls))))
original = where.{function}
def patched(*args, **kwargs):
    calls.append(1)  # how many times it is called, the first included (written at the end)
    if len(calls) == 1:
        {place}()
    return original(*args, **kwargs)
where.{function} = patched
sys.argv = ["checks", *sys.argv[1:]]
runpy.run_module("checks", run_name="__main__", alter_sys=True)
"""


def signalled_from(place: str, where: str, stop: signal.Signals, arguments: list[str],
                   calls: Path) -> subprocess.CompletedProcess:
    """Run the grader with `where` (module.function, or module.Club.method) sending `stop` from `place` at its first
    call (in_a_finalizer, without_a_line); `calls` then holds how many times `where` was called."""
    module, _, function = where.rpartition(".")
    if module.endswith(".Club"):
        module, function = module.rpartition(".")[0], f"Club.{function}"
    code = SIGNALLED_FROM.format(module=module, function=function, signal=int(stop), place=place)
    return subprocess.run([sys.executable, "-c", code, *arguments], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL, env={**os.environ, "CALLS": str(calls)})


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupt_python_loses_in_a_finalizer_still_stops_the_grade(tmp_path, stop, swept):
    """Ctrl-C or SIGTERM landing while a finalizer runs (Python only reports it there) stops the grade all the same."""
    sandbox = [] if bubblewrap.available() else ["--no-sandbox"]
    calls = tmp_path / "calls"
    done = signalled_from("in_a_finalizer", "checks.club.Club.request", stop,
                               [str(ROOT / "solution"), "--format", "json", "--seed", "3", *sandbox], calls)
    assert (done.returncode, done.stderr.strip()) == (130, MESSAGE)
    assert done.stdout == ""
    # The check it came in was the last to run (level 1's others send some thirty more requests).
    assert int(calls.read_text()) <= 2, calls.read_text()


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupt_in_a_frame_without_a_line_ends_with_one_line_and_130(tmp_path, stop, swept):
    """Ctrl-C or SIGTERM landing in code compiled at run time (no line number: pytest could not quote it)."""
    sandbox = [] if bubblewrap.available() else ["--no-sandbox"]
    done = signalled_from("without_a_line", "checks.club.Club.request", stop,
                          [str(ROOT / "solution"), "--format", "json", "--seed", "3", *sandbox], tmp_path / "calls")
    assert (done.returncode, done.stderr.strip()) == (130, MESSAGE)
    assert done.stdout == ""


def test_a_class_an_interrupt_was_lost_in_keeps_the_grade_written_and_stops(tmp_path, swept):
    """A class where Ctrl-C was lost in a finalizer: the grade being written is kept, no other is made, exit 130."""
    folder = tmp_path / "class"
    for student in ("ada", "zed"):
        shutil.copytree(ROOT / "solution", folder / student, ignore=shutil.ignore_patterns("instance", "__pycache__"))
    out = tmp_path / "out"
    sandbox = [] if bubblewrap.available() else ["--no-sandbox"]
    done = signalled_from("in_a_finalizer", "checks.run.class_run.keep_log", signal.SIGINT,
                               [str(folder), "--class", "--out", str(out), "--jobs", "1", "--seed", "5", *sandbox],
                               tmp_path / "calls")
    assert done.returncode == 130, done.stderr
    assert "interrupted" in done.stderr and "Traceback" not in done.stderr
    assert {path.stem for path in (out / "json").glob("*.json")} == {"ada"}


def test_copies_left_by_a_killed_grader_are_swept_once_old(tmp_path):
    """Folders flask-club-PID-… of a process that is gone are removed after ten minutes; others are kept."""
    dead = subprocess.Popen(["true"])
    dead.wait()  # a process id no process has now
    old = time.time() - scratch.LEFTOVER_SECONDS - 60
    folders = {
        "dead-old": tmp_path / f"flask-club-{dead.pid}-abc",
        "dead-young": tmp_path / f"flask-club-{dead.pid}-def",
        "alive-old": tmp_path / f"flask-club-{os.getpid()}-ghi",
        "not-ours-name": tmp_path / "flask-club-abcdef",
    }
    for name, folder in folders.items():
        (folder / "submission").mkdir(parents=True)
        if name != "dead-young":
            os.utime(folder, (old, old))
    removed = scratch.sweep_leftovers(bases=[str(tmp_path)])
    assert removed == [str(folders["dead-old"])]
    assert {name for name, folder in folders.items() if folder.exists()} == {"dead-young", "alive-old", "not-ours-name"}


@pytest.mark.skipif(os.geteuid() != 0 or cgroup._parent() is None, reason="pids cgroups are made as root only")
def test_pids_cgroups_left_by_a_killed_grader_are_swept():
    """A pids cgroup named after a process that is gone is emptied and removed; a running grader's is kept."""
    dead = subprocess.Popen(["true"])
    dead.wait()
    # In a cgroup of the test's own, where no other grader of the machine makes or sweeps any.
    parent = cgroup._parent() / f"flask-club-test-{uuid.uuid4().hex}"
    parent.mkdir()
    stale, live = parent / f"flask-club-{dead.pid}-1a2b", parent / f"flask-club-{os.getpid()}-999"
    for folder in (stale, live):
        folder.mkdir()
    try:
        assert cgroup.sweep(older_than=3600, parent=parent) == []  # too young
        removed = cgroup.sweep(older_than=0, parent=parent)
        assert removed == [str(stale)] and not stale.exists()
        assert live.exists()
    finally:
        for folder in (stale, live, parent):
            if folder.exists():
                folder.rmdir()
