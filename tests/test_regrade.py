"""A rubric change is atomic: an interrupted regrade leaves the old run or the new one in --out, never a mix.

The grader here is a fake (each student's result made up from the rubric, no app run): what is
tested is where the class's results go, and when, not what they say.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, grader_copies, remove_killed_graders_copies, run_checks
from fakes import fake_grade

from checks import rubric as rubrics
from checks.options import Options
from checks.outputs.class_report import write_reports
from checks.run import regrade, workers
from checks.run.class_files import Outcome
from checks.run.class_run import ClassRun, grade_class
from checks.run.regrade import replaced_path, staging_path

STUDENTS = ["ada", "bo", "cy", "di"]


class FakeGrader:
    """Stands in for Worker.grade: a result from the options' rubric; Ctrl-C when `stop_at` jobs have started."""

    def __init__(self, monkeypatch):
        self.graded: list[str] = []
        self.stop_at: int | None = None
        grader = self

        def grade(worker, student: Path, seed: int) -> Outcome:
            if grader.stop_at is not None and len(grader.graded) == grader.stop_at:
                raise KeyboardInterrupt  # as Ctrl-C, SIGTERM (the CLI makes it one) or a kill between two students
            grader.graded.append(student.name)
            result = fake_grade(rubrics.load(worker.options.rubric_file()), seed=seed).to_dict()
            result["submission"] = student.name
            return Outcome(student.name, result, 0.01, student_view=json.loads(json.dumps(result)))

        monkeypatch.setattr(workers.Worker, "grade", grade)


@pytest.fixture
def fake(monkeypatch) -> FakeGrader:
    """Every class graded in this test is graded by a FakeGrader."""
    return FakeGrader(monkeypatch)


@pytest.fixture
def class_folder(tmp_path) -> Path:
    """Four students, each with an app.py of their own (so each is a submission)."""
    for number, student in enumerate(STUDENTS):
        (tmp_path / "class" / student).mkdir(parents=True)
        (tmp_path / "class" / student / "app.py").write_text(f"# {student}'s app, number {number}\n")
    return tmp_path / "class"


def doubled_step_5(folder: Path) -> Path:
    """The default rubric with step 5 worth twice as much: another rubric, 130 points."""
    text = (ROOT / "checks" / "rubric.toml").read_text()
    step_5 = 'doc = "docs/student/step-5.md"\nweight = '
    path = folder / "double-step-5.toml"
    path.write_text(text.replace(step_5 + "1", step_5 + "2"))
    assert path.read_text() != text
    return path


def options(folder: Path, out: Path, rubric: Path | None = None) -> ClassRun:
    return ClassRun(folder, out, Options(seed=7, rubric=rubric), jobs=1)


def run(folder: Path, out: Path, rubric: Path | None = None) -> list[Outcome]:
    """Grade the class and write its reports, as `python -m checks CLASS --out OUT` does."""
    given = options(folder, out, rubric)
    seed, outcomes = grade_class(given)
    write_reports(out, outcomes, seed, level2=given.rubric.level2)
    return outcomes


def rubrics_in(out: Path) -> dict[str, str]:
    """Each result's rubric in out/json/ (the name of the rubric file that graded it); one being written is skipped."""
    found = {}
    for path in (out / "json").glob("*.json"):
        try:
            found[path.stem] = json.loads(path.read_text())["grading"]["rubric"]
        except (OSError, ValueError):
            continue
    return found


def state_rubric(out: Path) -> str:
    return json.loads((out / "state.json").read_text())["rubric"]["name"]


def test_an_interrupted_regrade_leaves_the_old_run_whole(fake, class_folder, tmp_path):
    """Ctrl-C between two students of a new rubric's run: --out holds the old rubric's run alone."""
    out = tmp_path / "out"
    run(class_folder, out)
    before = {path.name: path.read_bytes() for folder in ("json", "feedback") for path in (out / folder).iterdir()}
    grades = (out / "grades.csv").read_bytes()
    fake.stop_at = len(STUDENTS) + 2  # two students of the new run are graded, then the grader is stopped
    with pytest.raises(KeyboardInterrupt):
        grade_class(options(class_folder, out, doubled_step_5(tmp_path)))
    assert rubrics_in(out) == dict.fromkeys(STUDENTS, "rubric.toml") and state_rubric(out) == "rubric.toml"
    after = {path.name: path.read_bytes() for folder in ("json", "feedback") for path in (out / folder).iterdir()}
    assert after == before and (out / "grades.csv").read_bytes() == grades
    # the new run's two grades wait beside it, for the run to go on
    assert rubrics_in(staging_path(out)) == dict.fromkeys(STUDENTS[:2], "double-step-5.toml")


def test_a_resumed_regrade_goes_on_and_then_replaces_the_old_run(fake, class_folder, tmp_path):
    """Run again with the new rubric: only the students not yet graded with it are graded; then --out is the new run."""
    out = tmp_path / "out"
    run(class_folder, out)
    (out / "my-notes.txt").write_text("the instructor's own file\n")
    new = doubled_step_5(tmp_path)
    fake.stop_at = len(STUDENTS) + 2
    with pytest.raises(KeyboardInterrupt):
        grade_class(options(class_folder, out, new))
    fake.stop_at, fake.graded = None, []
    outcomes = run(class_folder, out, new)
    assert fake.graded == STUDENTS[2:]  # the two done under the new rubric are kept
    assert {outcome.result["max_score"] for outcome in outcomes} == {130}
    assert rubrics_in(out) == dict.fromkeys(STUDENTS, "double-step-5.toml")
    assert state_rubric(out) == "double-step-5.toml"
    assert {row.split(",")[4] for row in (out / "grades.csv").read_text().splitlines()[1:]} == {"130"}
    assert (out / "my-notes.txt").read_text() == "the instructor's own file\n"  # nothing of the instructor's lost
    assert not staging_path(out).exists() and not replaced_path(out).exists()
    assert sorted(path.name for path in out.iterdir() if path.name.startswith(".")) == []


def test_going_back_to_the_old_rubric_drops_the_unfinished_regrade(fake, class_folder, tmp_path):
    """A regrade given up (the old rubric again) is removed, and the gradebook's grades are all kept."""
    out = tmp_path / "out"
    run(class_folder, out)
    fake.stop_at = len(STUDENTS) + 1
    with pytest.raises(KeyboardInterrupt):
        grade_class(options(class_folder, out, doubled_step_5(tmp_path)))
    fake.stop_at, fake.graded = None, []
    run(class_folder, out)
    assert fake.graded == [] and not staging_path(out).exists()
    assert rubrics_in(out) == dict.fromkeys(STUDENTS, "rubric.toml")


@pytest.mark.parametrize("in_one_step", [True, False], ids=["exchange", "two-renames"])
def test_a_swap_cut_short_is_finished_by_the_next_run(fake, class_folder, tmp_path, monkeypatch, in_one_step):
    """Killed in the middle of the swap itself: the next run finishes it, and grades no one again."""
    out = tmp_path / "out"
    run(class_folder, out)
    new = doubled_step_5(tmp_path)
    renames = []
    real_rename = os.rename

    def rename_then_die(source, target):
        renames.append(Path(target).name)
        if len(renames) == 1 + (not in_one_step):  # the exchange (or first rename) happened; the next is cut
            raise KeyboardInterrupt
        real_rename(source, target)

    if not in_one_step:
        monkeypatch.setattr(regrade, "exchange", lambda first, second: False)
    monkeypatch.setattr(regrade.os, "rename", rename_then_die)
    with pytest.raises(KeyboardInterrupt):
        grade_class(options(class_folder, out, new))
    monkeypatch.setattr(regrade.os, "rename", real_rename)
    # Whatever is at --out now is one run whole: the new one (exchanged), or none yet (renamed aside).
    if out.exists():
        assert set(rubrics_in(out).values()) == {"double-step-5.toml"}
    fake.graded = []
    run(class_folder, out, new)
    assert fake.graded == []
    assert rubrics_in(out) == dict.fromkeys(STUDENTS, "double-step-5.toml")
    assert state_rubric(out) == "double-step-5.toml"
    assert not staging_path(out).exists() and not replaced_path(out).exists()


class Notes:
    """Stands in for the CLI's progress: keeps the notes a run gives."""

    def __init__(self):
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        self.notes.append(text)

    def start(self, total: int, kept: int) -> None:
        pass

    def advance(self, outcome: Outcome) -> None:
        pass

    def stop(self) -> None:
        pass


def test_the_run_says_what_changed_and_where_it_grades(fake, class_folder, tmp_path):
    """A new rubric, then a new seed: each run's first note names what changed, and where the regrade goes."""
    out = tmp_path / "out"
    run(class_folder, out)
    notes = Notes()
    grade_class(options(class_folder, out, doubled_step_5(tmp_path)), notes)
    assert notes.notes[0].startswith("The rubric is not the one this gradebook was graded with (rubric.toml ")
    assert str(staging_path(out)) in notes.notes[0]
    notes = Notes()
    reseeded = options(class_folder, out, tmp_path / "double-step-5.toml")
    reseeded.options = reseeded.options.replace(seed=8)
    grade_class(reseeded, notes)
    assert len(notes.notes) == 1
    assert notes.notes[0].startswith("The seed is not the one this gradebook was graded with (7, now 8)")


# -- the real grader, stopped by a signal part-way through a regrade ----------------------------------------
REAL = {"ada": "solution", "cy": "tests/submissions/mistake_safe_filter", "di": "tests/submissions/broken_syntax_error"}


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory) -> Path:
    """Three real submissions graded once with the default rubric (--seed 5) into out/."""
    base = tmp_path_factory.mktemp("regrade")
    for student, source in REAL.items():
        ignored = shutil.ignore_patterns("instance", "__pycache__")
        shutil.copytree(ROOT / source, base / "class" / student, ignore=ignored)
    done = run_checks(base / "class", "--seed", "5", "--jobs", "1", "--out", base / "out")
    assert done.returncode == 0, done.stderr
    return base


@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGTERM"])
def test_a_real_regrade_stopped_by_a_signal_leaves_the_old_run(graded_class, tmp_path, signal_name):
    """The grader killed (or terminated) after a student of the new rubric: out/ is the old run; then it goes on."""
    folder, out = tmp_path / "class", tmp_path / "out"
    shutil.copytree(graded_class / "class", folder)
    shutil.copytree(graded_class / "out", out)
    before = (out / "grades.csv").read_bytes()
    new = doubled_step_5(tmp_path)
    command = [sys.executable, "-m", "checks", str(folder), "--out", str(out), "--jobs", "1", "--rubric", str(new)]
    copies = grader_copies()
    grader = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    staged = staging_path(out) / "json"

    def new_results() -> bool:  # a result of the new rubric, wherever the grader put it
        return "double-step-5.toml" in {*rubrics_in(out).values(), *rubrics_in(staging_path(out)).values()}

    deadline = time.monotonic() + 120
    while not new_results() and grader.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if grader.poll() is None:
        if signal_name == "SIGKILL":
            os.killpg(grader.pid, signal.SIGKILL)
        else:
            grader.send_signal(signal.SIGTERM)
    grader.wait(60)
    remove_killed_graders_copies(copies)
    assert rubrics_in(out) == dict.fromkeys(REAL, "rubric.toml") and state_rubric(out) == "rubric.toml"
    finished = {path.stem for path in staged.glob("*.json")}
    assert finished and len(finished) < len(REAL), "the signal came too late to cut the regrade short"
    assert (out / "grades.csv").read_bytes() == before
    again = run_checks(folder, "--out", out, "--jobs", "1", "--rubric", new)
    assert again.returncode == 0, again.stderr
    assert "Going on with the regrade" in again.stderr
    assert f"{len(finished)} of {len(REAL)} submissions unchanged" in again.stderr
    assert rubrics_in(out) == dict.fromkeys(REAL, "double-step-5.toml")
    assert not staging_path(out).exists() and not replaced_path(out).exists()


def test_a_gradebook_reached_through_a_link_is_regraded_beside_its_target(fake, class_folder, tmp_path):
    """--out a link to the gradebook: the link stays a link, and the folder it points to holds the new run."""
    target, link = tmp_path / "real-out", tmp_path / "out"
    run(class_folder, target)
    link.symlink_to(target)
    run(class_folder, link, doubled_step_5(tmp_path))
    assert link.is_symlink() and rubrics_in(target) == dict.fromkeys(STUDENTS, "double-step-5.toml")
    assert not staging_path(target).exists() and not replaced_path(target).exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["class", "double-step-5.toml", "out", "real-out"]


def test_a_gradebook_the_command_runs_in_is_regraded_in_place(fake, class_folder, tmp_path, monkeypatch):
    """--out . (the folder the command runs in) can't be swapped away: it is regraded in place, as it says."""
    out = tmp_path / "out"
    run(class_folder, out)
    monkeypatch.chdir(out)
    notes = Notes()
    grade_class(options(class_folder, Path("."), doubled_step_5(tmp_path)), notes)
    assert notes.notes[0].endswith("itself (the folder this command runs in can't be replaced whole).")
    assert rubrics_in(out) == dict.fromkeys(STUDENTS, "double-step-5.toml") and out.is_dir()
    assert not staging_path(out).exists() and not replaced_path(out).exists()
