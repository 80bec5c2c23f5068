"""Class folders as they come, and gradebook files a TA and a spreadsheet can open safely."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SOLUTION, STARTER, SUBMISSIONS, run_checks

from checks.outputs.class_report import grades_csv
from checks.run import folders
from checks.run.class_files import Outcome

ESCAPES = SUBMISSIONS / "mistake_safe_filter"


def copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("instance", "__pycache__"))
    return target


def test_a_folder_holding_the_class_folder_is_graded_as_the_class(tmp_path):
    """download/class/{ada,cy}: recognised, --out honoured, a note says which folder was graded."""
    copy(SOLUTION, tmp_path / "download" / "flask-club-submissions" / "ada")
    copy(ESCAPES, tmp_path / "download" / "flask-club-submissions" / "cy")
    done = run_checks(tmp_path / "download", "--out", tmp_path / "grades", "--seed", "4", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    assert "holds only flask-club-submissions/: grading the class in it" in done.stderr
    with open(tmp_path / "grades" / "grades.csv", newline="") as file:
        scores = {row["student"]: row["score"] for row in csv.DictReader(file)}
    assert scores == {"ada": "100", "cy": "95"}


def test_one_submission_with_out_is_a_class_of_one(tmp_path):
    """--out given for one submission writes its grades.csv, JSON, feedback and report there."""
    submission = copy(ESCAPES, tmp_path / "cy")
    done = run_checks(submission, "--out", tmp_path / "grades", "--seed", "4")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "grades" / "json" / "cy.json").is_file()
    assert (tmp_path / "grades" / "feedback" / "cy.txt").is_file()
    with open(tmp_path / "grades" / "grades.csv", newline="") as file:
        assert [(row["student"], row["score"]) for row in csv.DictReader(file)] == [("cy", "95")]


def test_a_class_with_nothing_to_grade_fails_with_the_reason(tmp_path):
    """Only empty folders and untouched starters: exit 1, each one listed, and why nothing was graded."""
    (tmp_path / "class" / "ada").mkdir(parents=True)
    copy(STARTER, tmp_path / "class" / "bo")
    done = run_checks(tmp_path / "class", "--out", tmp_path / "grades")
    assert done.returncode == 1
    assert "not submitted: ada (an empty folder)" in done.stdout
    assert "not submitted: bo (the untouched starter)" in done.stdout
    assert "nothing could be graded" in done.stderr


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        ({"app.py": "x"}, "."),
        ({"starter/app.py": "x", "README.md": "r"}, "starter"),
        ({"flask-club-main/app.py": "x", "flask-club-main/templates/user.html": "t"}, "flask-club-main"),
        ({"a/b/templates/user.html": "t"}, "a/b"),
        ({".venv/app.py": "x", "work/app.py": "x"}, "work"),
    ],
)
def test_one_work_folder_rule(tmp_path, layout, expected):
    """Where the app is: the folder, its starter/, else the shallowest app.py (or templates/user.html)."""
    for name, text in layout.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert folders.work_folder(tmp_path) == tmp_path / expected


def test_the_gradescope_bundle_uses_the_same_rule():
    """The autograder imports the class's work_folder: there is one rule, not two."""
    text = (ROOT / "templates" / "gradescope" / "autograde.py").read_text()
    assert "from checks.run.folders import work_folder" in text and "def work_folder" not in text


def test_an_untouched_starter_and_an_edited_one(tmp_path):
    """The kit's starter as it is, even inside a handout repository, is not a submission; an edited one is."""
    copy(STARTER, tmp_path / "bo" / "starter")
    (tmp_path / "bo" / "README.md").write_text("the handout's README\n")
    assert folders.not_submitted(tmp_path / "bo", STARTER) == "the untouched starter"
    app = tmp_path / "bo" / "starter" / "app.py"
    app.write_text(app.read_text() + "\n# started\n")
    assert folders.not_submitted(tmp_path / "bo", STARTER) is None


def test_a_folder_of_hidden_files_only_is_not_submitted(tmp_path):
    """A folder holding only what a tool left (.gitkeep, .DS_Store) is empty; one file of the student's is work."""
    (tmp_path / "cy").mkdir()
    (tmp_path / "cy" / ".gitkeep").write_text("")
    (tmp_path / "cy" / ".DS_Store").write_bytes(b"\0")
    assert folders.not_submitted(tmp_path / "cy", STARTER) == "an empty folder"
    (tmp_path / "cy" / "app.py").write_text("from flask import Flask\n")
    assert folders.not_submitted(tmp_path / "cy", STARTER) is None


def test_csv_cells_cannot_become_formulas():
    """Text starting with =, +, -, @, a tab or a CR gets a leading ' in grades.csv; numbers stay numbers."""
    names = ("=cmd|' /C calc'!A0", "+1", "-2", "@SUM(1)", "\tx")
    outcomes = [Outcome(name, None, 0.0, error="boom") for name in names]
    rows = list(csv.DictReader(io.StringIO(grades_csv(outcomes))))
    assert [row["student"] for row in rows] == ["'=cmd|' /C calc'!A0", "'+1", "'-2", "'@SUM(1)", "'\tx"]
    assert {row["status"] for row in rows} == {"error: boom"}


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_gradebook_files_follow_the_umask(tmp_path, umask, mode):
    """Files are created as the umask says: a TA in the group reads them where the umask lets them."""
    code = (
        f"import os; os.umask({umask}); from pathlib import Path; "
        f"from checks.run.class_files import write_atomically; write_atomically(Path({str(tmp_path / 'g.csv')!r}), 'x')"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    assert (tmp_path / "g.csv").stat().st_mode & 0o777 == mode


def test_make_grade_takes_a_rubric(tmp_path):
    """`make grade RUBRIC=file` grades with it: one submission, and a class (OUT=dir)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    rubric = tmp_path / "extras-out.toml"
    text = (ROOT / "checks" / "rubric.toml").read_text()
    rubric.write_text(text.replace("count_extras = true", "count_extras = false"))
    one = subprocess.run(
        ["make", "-s", "grade", f"SUBMISSION={ESCAPES}", f"RUBRIC={rubric}", "FORMAT=csv", "SEED=3"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert one.returncode == 0, one.stderr
    row = list(csv.DictReader(io.StringIO(one.stdout)))[0]
    assert (row["score"], row["max_score"], row["rubric"]) == ("75", "80", "extras-out.toml")
    copy(ESCAPES, tmp_path / "class" / "cy")
    copy(SOLUTION, tmp_path / "class" / "ada")
    whole = subprocess.run(
        ["make", "-s", "grade", f"SUBMISSION={tmp_path / 'class'}", f"RUBRIC={rubric}", f"OUT={tmp_path / 'out'}",
         "JOBS=2"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert whole.returncode == 0, whole.stderr
    with open(tmp_path / "out" / "grades.csv", newline="") as file:
        assert {(row["student"], row["max_score"]) for row in csv.DictReader(file)} == {("ada", "80"), ("cy", "80")}


def test_the_kit_version_is_the_one_pyproject_gives():
    """The version stamped on every gradebook file is the kit's release, as pyproject.toml names it."""
    from checks.version import KIT_VERSION

    assert f'version = "{KIT_VERSION}"' in (ROOT / "pyproject.toml").read_text()


def test_a_student_no_longer_graded_leaves_no_old_result(tmp_path):
    """Emptied (or gone) since the last run: their JSON and feedback go too, so no old grade mixes in."""
    copy(SOLUTION, tmp_path / "class" / "ada")
    copy(ESCAPES, tmp_path / "class" / "cy")
    assert run_checks(tmp_path / "class", "--out", tmp_path / "out", "--seed", "2").returncode == 0
    assert (tmp_path / "out" / "json" / "cy.json").is_file()
    shutil.rmtree(tmp_path / "class" / "cy")
    (tmp_path / "class" / "cy").mkdir()
    again = run_checks(tmp_path / "class", "--out", tmp_path / "out", "--class")
    assert again.returncode == 0, again.stderr
    left = sorted(path.name for path in (tmp_path / "out").rglob("cy.*"))
    assert left == [] and (tmp_path / "out" / "json" / "ada.json").is_file()
