"""One budget for a submission, whatever number of apps it runs at once.

A grade starts several apps of the same submission (level 2's nursery, the apps started ahead
of their checks, level 3's shared apps): each has a cgroup of its own, made inside the
submission's, so the kernel holds all of them together to one app's memory (checks/sandbox/
cgroup.py, Budget's `within`; the Grading plugin's budget()). Where no cgroup can be had (an
ordinary user without a delegated cgroup v2, as on this kind of machine), these tests skip: each
app then has its rlimits, and the grader counts its memory.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT
from fakes import fake_grade

from checks import rubric as rubrics
from checks.options import Options
from checks.run import workers
from checks.run.class_files import Outcome
from checks.run.class_run import ClassRun, grade_class
from checks.sandbox import cgroup, limits


def what_a_budget_has() -> tuple[bool, bool]:
    """(whether a budget can be made here, whether it limits the CPU), from one made and removed at once."""
    if not cgroup.parents():
        return False, False
    budget = cgroup.Budget(8, 64 << 20)
    try:
        return not budget.problem, budget._file("cpu.max") is not None
    finally:
        budget.remove()  # a budget left here outlives the test run


USABLE, LIMITS_CPU = what_a_budget_has()
pytestmark = pytest.mark.skipif(not USABLE, reason="no cgroup this user may use")


def test_asking_whether_a_budget_can_be_made_leaves_none_behind():
    """The module's own question (a budget made at import) removed its budget: no empty cgroup outlives the run."""
    mine = f"flask-club-{os.getpid()}-*"
    assert not [path for parent in cgroup.parents() for path in parent.glob(mine)]


HOLD = """\
import sys, time
held = bytearray(int(sys.argv[1]) << 20)
for page in range(0, len(held), 4096):
    held[page] = 1
print("held", flush=True)
time.sleep(60)
"""


def hold(budget: cgroup.Budget, mib: int) -> subprocess.Popen:
    """A process in `budget` holding `mib` MiB; returns once it holds them (or has died trying)."""
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(mib)], stdout=subprocess.PIPE, text=True,
                               preexec_fn=budget.join, cwd=ROOT)
    process.stdout.readline()  # "held", or "" once it was killed
    return process


def test_two_apps_of_one_submission_share_its_memory():
    """Two apps of 200 MiB each in a submission allowed 300 MiB: the kernel stops one, and names the memory."""
    submission = cgroup.Budget(64, 300 << 20, oom_group=False)
    processes = []
    try:
        apps = [cgroup.Budget(16, 1 << 30, within=submission) for _ in range(2)]
        assert all(app.folders and all(folder.parent in submission.folders for folder in app.folders) for app in apps)
        processes = [hold(app, 200) for app in apps]
        time.sleep(0.5)
        killed = [process.poll() == -signal.SIGKILL for process in processes]
        assert killed.count(True) == 1, [process.poll() for process in processes]
        assert "memory" in " ".join(app.reached() for app in apps)
    finally:
        for process in processes:
            process.kill()
            process.wait()
            process.stdout.close()
        submission.remove()
    assert not any(folder.exists() for folder in submission.folders)


def test_an_app_alone_keeps_its_own_budget_inside_the_submissions():
    """One app of 200 MiB in a submission allowed 300 MiB runs; removing the submission's budget removes the app's."""
    submission = cgroup.Budget(64, 300 << 20, oom_group=False)
    try:
        app = cgroup.Budget(16, 1 << 30, within=submission)
        process = hold(app, 200)
        assert process.poll() is None and app.reached() == ""
        folders = list(app.folders)
    finally:
        submission.remove()  # kills what runs in the app's cgroup, then removes both
    assert process.wait(timeout=10) == -signal.SIGKILL
    process.stdout.close()
    assert not any(folder.exists() for folder in folders + submission.folders)


def test_a_grade_makes_its_apps_cgroups_inside_one_of_its_own():
    """While a level-2 grade runs, its apps' cgroups are inside the grade's own; none is left when it ends."""
    memory = next(folder for folder in cgroup.parents() if cgroup._hierarchy(folder) in ("memory", "cgroup"))
    grade = subprocess.Popen([sys.executable, "-m", "checks", "solution", "--step", "8-11", "--seed", "3",
                              "--format", "json"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    mine = f"flask-club-{grade.pid}-"
    top, inside = set(), set()
    while grade.poll() is None:
        for folder in memory.glob(f"{mine}*"):
            top.add(folder.name)
            try:
                inside |= {path.name for path in folder.iterdir() if path.is_dir() and path.name.startswith(mine)}
            except OSError:
                pass  # removed while looked at
        time.sleep(0.05)
    assert grade.returncode == 0
    assert len(top) == 1 and inside, (top, inside)  # one budget for the grade, every app's inside it
    assert not list(memory.glob(f"{mine}*"))


SPIN = "import time\nend = time.monotonic() + float(__import__('sys').argv[1])\nwhile time.monotonic() < end: pass\n"


def spin(budget: cgroup.Budget, seconds: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", SPIN, str(seconds)], preexec_fn=budget.join, cwd=ROOT)


@pytest.mark.skipif(not LIMITS_CPU, reason="no cpu controller here")
def test_an_app_gets_one_core_and_a_submission_its_share_of_the_machine():
    """Three processes spinning for 1.5 s in an app's one core use about 1.5 s of CPU, never three cores' worth;
    a submission's budget holds its share (cores=2 writes two periods in one)."""
    app = cgroup.Budget(16, 256 << 20)
    try:
        assert int(app._file("cpu.max").read_text().split()[0]) == cgroup.PERIOD
        started = time.monotonic()
        spinning = [spin(app, 1.5) for _ in range(3)]
        for process in spinning:
            process.wait(timeout=30)
        wall = time.monotonic() - started
        assert 0 < app.cpu_seconds() <= wall * 1.15 + 0.1, (app.cpu_seconds(), wall)
    finally:
        app.remove()
    submission = cgroup.Budget(16, 256 << 20, cores=2)
    try:
        quota = submission._file("cpu.max").read_text().split()[0]
        assert int(quota) == 2 * cgroup.PERIOD
    finally:
        submission.remove()


def test_a_class_gives_each_submission_an_equal_share_of_the_cores(monkeypatch, tmp_path):
    """One grade has every core; a class's jobs share them (at least one each), and the share is not part of
    what the gradebook's grades are keyed by (it changes a grade's time, never its verdict)."""
    monkeypatch.setattr(limits, "machine_cores", lambda: 8)
    assert [limits.share_of(jobs) for jobs in (1, 2, 3, 8, 16)] == [8, 4, 2, 1, 1]
    given = []

    def grade(worker, student, seed):
        given.append(worker.options.limits.cores)
        result = fake_grade(rubrics.load(worker.options.rubric_file()), seed=seed).to_dict()
        return Outcome(student.name, result, 0.01, student_view=result)

    monkeypatch.setattr(workers.Worker, "grade", grade)
    for student in ("ada", "bo", "cy"):
        (tmp_path / "class" / student).mkdir(parents=True)
        (tmp_path / "class" / student / "app.py").write_text(f"# {student}'s app\n")
    run = ClassRun(tmp_path / "class", tmp_path / "out", Options(seed=7), jobs=2)
    grade_class(run)
    assert given == [4, 4, 4]
    assert run.options.limits.cores == 0  # the key: as one grade's options
