"""Grading a whole class: one folder per student, in parallel, resumable, order-independent."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import ROOT, SOLUTION, STARTER, SUBMISSIONS, run_checks

from checks.sandbox import bubblewrap

STUDENTS = {
    "ada": SOLUTION,
    "bo": STARTER,
    "cy": SUBMISSIONS / "mistake_safe_filter",
    "di": SUBMISSIONS / "broken_syntax_error",
}


def make_class(folder: Path) -> Path:
    """A class folder holding a copy of each student's submission."""
    for student, source in STUDENTS.items():
        shutil.copytree(source, folder / student, ignore=shutil.ignore_patterns("instance", "__pycache__"))
    return folder


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """A class graded once with --seed 77 into out/."""
    base = tmp_path_factory.mktemp("class")
    folder = make_class(base / "class")
    done = run_checks(folder, "--seed", "77", "--out", base / "out")
    return base, done


def test_every_student_gets_a_grade(graded):
    """grades.csv holds one row per student: total, max and one column per step."""
    base, done = graded
    assert done.returncode == 0, done.stderr
    with open(base / "out" / "grades.csv", newline="") as file:
        rows = {row["student"]: row for row in csv.DictReader(file)}
    assert set(rows) == set(STUDENTS)
    assert rows["ada"]["score"] == "100" and rows["bo"]["score"] == "0"
    assert rows["cy"]["step_5"] == "25" and rows["cy"]["status"] == "graded"
    assert list(rows["ada"]) == ["student", "score", "max_score", *(f"step_{n}" for n in range(1, 8)), "status"]


def test_each_student_gets_json_and_feedback(graded):
    """A JSON result per student (the contract's shape) and a Markdown feedback file they can read alone."""
    base, _ = graded
    for student in STUDENTS:
        result = json.loads((base / "out" / "json" / f"{student}.json").read_text())
        assert result["submission"] == student and len(result["steps"]) == 7
    feedback = (base / "out" / "feedback" / "cy.md").read_text()
    assert "Score: 95/100" in feedback and "HTML in a message is shown as text, not run" in feedback
    assert "Every check passed" in (base / "out" / "feedback" / "ada.md").read_text()


def test_the_report_shows_where_the_class_struggled(graded):
    """report.html is one self-contained page: charts, common failures, slowest, every student."""
    base, _ = graded
    page = (base / "out" / "report.html").read_text()
    soup = BeautifulSoup(page, "html.parser")
    headings = [h.get_text() for h in soup.find_all("h2")]
    assert "Which step the class struggled with" in headings and "Score distribution" in headings
    assert "The most common failing checks" in headings and "The slowest submissions" in headings
    assert len(soup.find_all("svg")) == 2
    assert not soup.find_all("script") and "http://" not in page and "https://" not in page
    assert {a["href"] for a in soup.find_all("a")} == {f"feedback/{s}.md" for s in STUDENTS}


def test_a_second_run_regrades_only_what_changed(graded, tmp_path):
    """Unchanged submissions keep their grade; a changed one is graded again."""
    base, _ = graded
    folder, out = tmp_path / "class", tmp_path / "out"
    shutil.copytree(base / "class", folder)
    shutil.copytree(base / "out", out)
    (folder / "bo" / "notes.txt").write_text("changed")
    again = run_checks(folder, "--out", out)
    assert again.returncode == 0, again.stderr
    assert "3 of 4 submissions unchanged since their last grade: kept" in again.stderr
    assert "[1/4] bo:" in again.stderr or "bo: 0/100" in again.stderr
    forced = run_checks(folder, "--out", out, "--force", "--jobs", "2")
    assert "unchanged" not in forced.stderr


def test_order_and_jobs_do_not_change_grades(graded, tmp_path):
    """The same seed gives the same grades with one job as with two."""
    base, _ = graded
    one = run_checks(base / "class", "--seed", "77", "--jobs", "1", "--out", tmp_path / "one")
    assert one.returncode == 0, one.stderr
    for student in STUDENTS:
        first = json.loads((base / "out" / "json" / f"{student}.json").read_text())
        second = json.loads((tmp_path / "one" / "json" / f"{student}.json").read_text())
        assert first == second, student


def test_a_crash_mid_class_loses_no_finished_grade(tmp_path):
    """Killing the grader part-way keeps every grade finished before; the next run completes the rest."""
    folder = make_class(tmp_path / "class")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "checks", str(folder), "--out", str(out), "--jobs", "1", "--seed", "5"]
    grader = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    deadline = time.monotonic() + 60
    while not list((out / "json").glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(grader.pid, signal.SIGKILL)
    grader.wait()
    finished = {path.stem for path in (out / "json").glob("*.json")}
    assert finished, "nothing finished within a minute"
    again = run_checks(folder, "--out", out, "--jobs", "1")
    assert f"{len(finished)} of 4 submissions unchanged" in again.stderr
    assert {path.stem for path in (out / "json").glob("*.json")} == set(STUDENTS)


def test_a_class_grade_equals_grading_the_student_alone(graded):
    """A warm class worker grades exactly as `python -m checks DIR --seed N` does for that student."""
    from checks.run.classroom import student_seed

    base, _ = graded
    for student in ("ada", "cy"):
        alone = run_checks(base / "class" / student, "--format", "json", "--seed", str(student_seed(77, student)))
        expected = json.loads(alone.stdout)
        expected["submission"] = student
        assert json.loads((base / "out" / "json" / f"{student}.json").read_text()) == expected


HOSTILE = """\
import glob, os, signal
for folder in glob.glob("/dev/shm/flask-club-*/submission") + glob.glob("/tmp/flask-club-*/submission"):
    for name in ("app.py", "templates/user.html"):
        try:
            open(os.path.join(folder, name), "w").write("ruined")
        except OSError:
            pass
try:
    os.kill(-1, signal.SIGKILL)
except OSError:
    pass
from flask import Flask
app = Flask(__name__)
"""


@pytest.mark.skipif(not bubblewrap.available(), reason="needs the sandbox (bubblewrap)")
def test_a_hostile_classmate_changes_no_one_elses_grade(tmp_path):
    """A student who tries to ruin the other copies and kill every process leaves the others' grades as they are."""
    folder = make_class(tmp_path / "class")
    (folder / "zz_hostile").mkdir()
    (folder / "zz_hostile" / "app.py").write_text(HOSTILE)
    done = run_checks(folder, "--seed", "77", "--jobs", "2", "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    with open(tmp_path / "out" / "grades.csv", newline="") as file:
        scores = {row["student"]: row["score"] for row in csv.DictReader(file)}
    assert scores == {"ada": "100", "bo": "0", "cy": "95", "di": "25", "zz_hostile": "5"}


def test_a_repository_made_from_the_handout_is_graded_in_its_starter_folder(tmp_path):
    """A student repository holding starter/ (as the handout lays it out) is graded there."""
    folder = tmp_path / "class"
    for student in ("eve", "fay"):
        shutil.copytree(SOLUTION, folder / student / "starter", ignore=shutil.ignore_patterns("instance"))
        (folder / student / "README.md").write_text("the handout's README\n")
    done = run_checks(folder, "--seed", "3", "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    for student in ("eve", "fay"):
        assert json.loads((tmp_path / "out" / "json" / f"{student}.json").read_text())["score"] == 100


def test_feedback_hides_what_the_rubric_hides(tmp_path):
    """With a hidden check in the rubric, the instructor's JSON names it and the student's feedback doesn't."""
    rubric = tmp_path / "rubric.toml"
    text = (ROOT / "checks" / "rubric.toml").read_text()
    rubric.write_text(text.replace("hidden = []", 'hidden = ["test_message_html_is_escaped"]', 1))
    folder = tmp_path / "class"
    for student in ("gus", "hal"):
        shutil.copytree(SUBMISSIONS / "mistake_safe_filter", folder / student)
    done = run_checks(folder, "--seed", "3", "--out", tmp_path / "out", "--rubric", rubric)
    assert done.returncode == 0, done.stderr
    hidden_name = "HTML in a message is shown as text, not run"
    assert hidden_name in (tmp_path / "out" / "json" / "gus.json").read_text()
    feedback = (tmp_path / "out" / "feedback" / "gus.md").read_text()
    assert hidden_name not in feedback and "hidden check" in feedback


def test_the_report_escapes_what_students_wrote(tmp_path):
    """A student id holding HTML is shown as text in the report, never as markup."""
    folder = tmp_path / "class"
    for student in ("<i>eve", "fay"):
        shutil.copytree(SUBMISSIONS / "mistake_safe_filter", folder / student)
    done = run_checks(folder, "--seed", "3", "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    soup = BeautifulSoup((tmp_path / "out" / "report.html").read_text(), "html.parser")
    assert soup.find("i") is None
    assert "<i>eve" in soup.get_text()
    assert "GET /user/<username>" in soup.get_text()  # the step title in the chart
