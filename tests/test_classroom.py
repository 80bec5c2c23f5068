"""Grading a whole class: one folder per student, in parallel, resumable, order-independent."""

from __future__ import annotations

import csv
import hashlib
import io
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
from conftest import (
    ROOT,
    SOLUTION,
    STARTER,
    SUBMISSIONS,
    grader_copies,
    remove_killed_graders_copies,
    run_checks,
    write_level2_rubric,
)

from checks.sandbox import bubblewrap

STUDENTS = {
    "ada": SOLUTION,
    "bo": STARTER,  # the untouched starter: not submitted, so not graded
    "cy": SUBMISSIONS / "mistake_safe_filter",
    "di": SUBMISSIONS / "broken_syntax_error",
}
GRADED = ["ada", "cy", "di"]


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
    assert rows["ada"]["score"] == "100" and rows["di"]["score"] == "25"
    assert rows["bo"]["score"] == "" and rows["bo"]["status"] == "not submitted: the untouched starter"
    assert rows["cy"]["step_5"] == "25" and rows["cy"]["status"] == "graded"
    steps = [f"step_{n}" for n in range(1, 8)]
    provenance = ["rubric", "rubric_sha256", "kit_version", "graded_at"]
    assert list(rows["ada"]) == ["student", "lms_id", "seed", "score", "max_score", *steps, "status", "isolation",
                                 *provenance]
    assert rows["ada"]["isolation"].startswith("bubblewrap")
    rubric_hash = hashlib.sha256((ROOT / "checks" / "rubric.toml").read_bytes()).hexdigest()
    assert {(rows[s]["rubric"], rows[s]["rubric_sha256"]) for s in GRADED} == {("rubric.toml", rubric_hash)}


def test_one_layout_for_one_submission_and_a_class(graded):
    """`--format csv` for one submission writes the header of a class's grades.csv, and the same row."""
    from checks.run.class_run import student_seed

    base, _ = graded
    alone = run_checks(base / "class" / "cy", "--format", "csv", "--seed", str(student_seed(77, "cy")))
    header, row = list(csv.reader(io.StringIO(alone.stdout)))
    with open(base / "out" / "grades.csv", newline="") as file:
        rows = list(csv.reader(file))
    assert header == rows[0]
    cy = next(line for line in rows if line[0] == "cy")
    assert row[2:-1] == cy[2:-1]  # all but the name (a path here) and the time


def test_each_student_gets_json_and_feedback(graded):
    """A JSON result per student (the contract's shape) and a Markdown feedback file they can read alone."""
    base, _ = graded
    for student in GRADED:
        result = json.loads((base / "out" / "json" / f"{student}.json").read_text())
        assert result["submission"] == student and len(result["steps"]) == 7
        assert result["grading"]["rubric"] == "rubric.toml" and result["grading"]["kit_version"]
    assert not (base / "out" / "json" / "bo.json").exists()
    feedback = (base / "out" / "feedback" / "cy.md").read_text()
    assert "Score: 95/100" in feedback and "HTML in a message is shown as text, not run" in feedback
    assert "Every check passed" in (base / "out" / "feedback" / "ada.md").read_text()
    plain = (base / "out" / "feedback" / "cy.txt").read_text()  # for an LMS comment box: no Markdown, no HTML escapes
    assert "HTML in a message is shown as text, not run" in plain and "GET /user/<username>" in plain
    assert "&lt;" not in plain and "```" not in plain and "|" not in plain.replace("|safe", "")


def test_the_report_shows_where_the_class_struggled(graded):
    """report.html is one self-contained page: charts, common failures, slowest, every student."""
    base, _ = graded
    page = (base / "out" / "report.html").read_text()
    soup = BeautifulSoup(page, "html.parser")
    headings = [h.get_text() for h in soup.find_all("h2")]
    assert "Points per step" in headings and "Score distribution" in headings
    assert "Failing checks, and who failed them" in headings and "The slowest submissions" in headings
    assert "Not submitted (1)" in headings
    assert len(soup.find_all("svg")) == 2
    assert not soup.find_all("script") and "http://" not in page and "https://" not in page
    assert {a["href"] for a in soup.find_all("a")} == {f"feedback/{s}.txt" for s in GRADED}
    rubric_hash = hashlib.sha256((ROOT / "checks" / "rubric.toml").read_bytes()).hexdigest()
    facts = soup.find("p", class_="facts").get_text(" ", strip=True)
    assert "rubric.toml" in facts and rubric_hash[:12] in facts and "kit 0.1.0" in facts


def test_the_report_lists_who_failed_each_check(graded):
    """Each failing check names the students who failed it, linked to their feedback; steps show mean points."""
    base, _ = graded
    soup = BeautifulSoup((base / "out" / "report.html").read_text(), "html.parser")
    table = soup.find("h2", string="Failing checks, and who failed them").find_next("table")
    rows = {tr.find_all("td")[1].get_text(): tr.find_all("td")[4] for tr in table.find_all("tr")[1:]}
    escaped = rows["HTML in a message is shown as text, not run"]
    assert [a.get_text() for a in escaped.find_all("a")] == ["cy", "di"]  # di's app does not load at all
    assert escaped.find("a")["href"] == "feedback/cy.txt"
    chart = soup.find("svg", attrs={"aria-label": "mean points per step"}).get_text(" ")
    # step 5: ada 30, cy 25, di 0 → a mean of 18.3 of 30; the old chart showed only who passed everything.
    assert "18.3/30" in chart
    assert "bo" in soup.find("h2", string="Not submitted (1)").find_next("table").get_text()


def test_a_second_run_regrades_only_what_changed(graded, tmp_path):
    """Unchanged submissions keep their grade; one whose files changed (not added: edited) is graded again."""
    base, _ = graded
    folder, out = tmp_path / "class", tmp_path / "out"
    shutil.copytree(base / "class", folder)
    shutil.copytree(base / "out", out)
    template = folder / "cy" / "templates" / "user.html"
    template.write_text(template.read_text().replace("|safe", ""))  # cy fixes the escaping: 95 → 100
    again = run_checks(folder, "--out", out)
    assert again.returncode == 0, again.stderr
    assert "2 of 3 submissions unchanged since their last grade: kept" in again.stderr
    assert "[3/3] cy: 100/100" in again.stderr
    assert "4 submissions in" in again.stdout and "1 regraded, 2 unchanged, 1 not submitted" in again.stdout
    assert json.loads((out / "json" / "cy.json").read_text())["score"] == 100
    forced = run_checks(folder, "--out", out, "--force", "--jobs", "2")
    assert "unchanged" not in forced.stderr and "3 graded" in forced.stdout


def test_a_changed_rubric_regrades_everyone(graded, tmp_path):
    """A gradebook holds one rubric: grades made with another are never reused, and the run says why."""
    base, _ = graded
    folder, out = tmp_path / "class", tmp_path / "out"
    shutil.copytree(base / "class", folder)
    shutil.copytree(base / "out", out)
    rubric = tmp_path / "double-step-5.toml"
    text = (ROOT / "checks" / "rubric.toml").read_text()
    step_5 = 'doc = "docs/student/step-5.md"\nweight = '
    rubric.write_text(text.replace(step_5 + "1", step_5 + "2"))
    assert rubric.read_text() != text
    regraded = run_checks(folder, "--out", out, "--rubric", rubric, "--jobs", "2")
    assert regraded.returncode == 0, regraded.stderr
    assert "unchanged" not in regraded.stderr and "The rubric is not the one" in regraded.stderr
    with open(out / "grades.csv", newline="") as file:
        rows = {row["student"]: row for row in csv.DictReader(file)}
    assert rows["cy"]["max_score"] == "130" and rows["ada"]["score"] == "130"
    assert {rows[s]["rubric"] for s in GRADED} == {"double-step-5.toml"}
    # Back to the default rubric: every grade is made again with it, none kept from the other.
    back = run_checks(folder, "--out", out, "--jobs", "2")
    assert "unchanged" not in back.stderr
    with open(out / "grades.csv", newline="") as file:
        assert {row["max_score"] for row in csv.DictReader(file) if row["status"] == "graded"} == {"100"}


def test_order_and_jobs_do_not_change_grades(graded, tmp_path):
    """The same seed gives the same grades with one job as with two."""
    base, _ = graded
    one = run_checks(base / "class", "--seed", "77", "--jobs", "1", "--out", tmp_path / "one")
    assert one.returncode == 0, one.stderr
    for student in GRADED:
        first = json.loads((base / "out" / "json" / f"{student}.json").read_text())
        second = json.loads((tmp_path / "one" / "json" / f"{student}.json").read_text())
        first.pop("grading"), second.pop("grading")  # when and with what: the time differs
        assert first == second, student


def test_a_crash_mid_class_loses_no_finished_grade(tmp_path):
    """Killing the grader part-way keeps every grade finished before; the next run completes the rest."""
    folder = make_class(tmp_path / "class")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "checks", str(folder), "--out", str(out), "--jobs", "1", "--seed", "5"]
    copies = grader_copies()
    grader = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    deadline = time.monotonic() + 60
    while not list((out / "json").glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(grader.pid, signal.SIGKILL)
    grader.wait()
    remove_killed_graders_copies(copies)
    finished = {path.stem for path in (out / "json").glob("*.json")}
    assert finished, "nothing finished within a minute"
    again = run_checks(folder, "--out", out, "--jobs", "1")
    assert f"{len(finished)} of 3 submissions unchanged" in again.stderr
    assert {path.stem for path in (out / "json").glob("*.json")} == set(GRADED)


def test_a_class_grade_equals_grading_the_student_alone(graded):
    """A warm class worker grades exactly as `python -m checks DIR --seed N` does for that student."""
    from checks.run.class_run import student_seed

    base, _ = graded
    for student in ("ada", "cy"):
        alone = run_checks(base / "class" / student, "--format", "json", "--seed", str(student_seed(77, student)))
        expected = json.loads(alone.stdout)
        expected["submission"] = student
        in_class = json.loads((base / "out" / "json" / f"{student}.json").read_text())
        assert in_class.pop("grading")["rubric"] == "rubric.toml"
        assert set(in_class.pop("level_files")) == {"2", "3"}  # for the class report's "stuck" or "never tried"
        assert in_class == expected


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
    assert scores == {"ada": "100", "bo": "", "cy": "95", "di": "25", "zz_hostile": "5"}


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
    for name in ("gus.md", "gus.txt"):  # the count the docs promise, never the name
        feedback = (tmp_path / "out" / "feedback" / name).read_text()
        assert hidden_name not in feedback and "1 hidden check: 0 passed" in feedback, name


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


# -- level 2: steps 8 to 11 as a block of their own in every output of the class ------------------------
LEVEL2_CLASS = {
    "ada": SOLUTION,  # full marks on both levels
    "cy": SUBMISSIONS / "mistake_level2_nav_twice",  # its profile page has two #club-nav: 2 points of step 8
    "di": SUBMISSIONS / "mistake_safe_filter",  # a level-1 mistake, and nothing of level 2
}
ROSTER = "student,lms,lms_id,name,email,late\nada,canvas,1001,Ada,,no\ncy,canvas,1002,Cy,,no\ndi,canvas,1003,Di,,no\n"
LEVEL1_STEPS = [f"step_{n}" for n in range(1, 8)]
LEVEL2_STEPS = ["step_8", "step_9", "step_10", "step_11"]


@pytest.fixture(scope="module")
def graded_level2(tmp_path_factory) -> Path:
    """A class imported from Canvas (students.csv), graded once with level 2 on, --seed 77, into out/."""
    base = tmp_path_factory.mktemp("level2")
    for student, source in LEVEL2_CLASS.items():
        shutil.copytree(source, base / "class" / student, ignore=shutil.ignore_patterns("instance", "__pycache__"))
    (base / "class" / "students.csv").write_text(ROSTER, encoding="utf-8")
    done = run_checks(base / "class", "--seed", "77", "--rubric", write_level2_rubric(base), "--out", base / "out",
                      "--jobs", "2")
    assert done.returncode == 0, done.stderr
    return base


def test_level2_has_its_own_columns_in_grades_csv(graded_level2):
    """grades.csv: step_8 ... step_11 after level 1's seven, each student's points in them, out of 150."""
    with open(graded_level2 / "out" / "grades.csv", newline="") as file:
        rows = list(csv.reader(file))
    provenance = ["rubric", "rubric_sha256", "kit_version", "graded_at"]
    assert rows[0] == ["student", "lms_id", "seed", "score", "max_score", *LEVEL1_STEPS, *LEVEL2_STEPS,
                       "status", "isolation", *provenance]
    points = {row[0]: row[1:2] + row[3:16] + row[16:17] for row in rows[1:]}
    assert points == {
        "ada": ["1001", "150", "150", "10", "15", "10", "15", "30", "10", "10", "10", "15", "15", "10", "graded"],
        "cy": ["1002", "148", "150", "10", "15", "10", "15", "30", "10", "10", "8", "15", "15", "10", "graded"],
        "di": ["1003", "95", "150", "10", "15", "10", "15", "25", "10", "10", "0", "0", "0", "0", "graded"],
    }
    assert {row[18] for row in rows[1:]} == {"level2.toml"}


def test_level2_csv_of_one_submission_has_the_class_layout(graded_level2):
    """`--format csv` of one student, level 2 on: the same header as the class's, the same points."""
    from checks.run.class_run import student_seed

    base = graded_level2
    alone = run_checks(base / "class" / "cy", "--format", "csv", "--seed", str(student_seed(77, "cy")),
                       "--rubric", base / "level2.toml")
    header, row = list(csv.reader(io.StringIO(alone.stdout)))
    with open(base / "out" / "grades.csv", newline="") as file:
        rows = list(csv.reader(file))
    assert header == rows[0]
    assert row[2:17] == next(line for line in rows if line[0] == "cy")[2:17]


def test_level2_gradebook_for_canvas_is_out_of_150(graded_level2):
    """canvas.csv carries no steps: its one column holds the total, and Points Possible is level 1's 100 + 50."""
    with open(graded_level2 / "out" / "canvas.csv", newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[1] == ["Points Possible", "", "", "", "", "150"]
    assert {row[1]: row[5] for row in rows[2:]} == {"1001": "150", "1002": "148", "1003": "95"}


def test_level2_is_a_block_of_its_own_in_the_report(graded_level2):
    """report.html: level 2's chart, failing checks and columns come after level 1's, each with its mean."""
    soup = BeautifulSoup((graded_level2 / "out" / "report.html").read_text(), "html.parser")
    assert [h.get_text() for h in soup.find_all("h3")] == [
        "Level 1 (steps 1 to 7): mean 98.3/100",  # 100, 100 and 95
        "Level 2: the club's members (steps 8 to 11): mean 32.7/50, on top of level 1's 100",  # 50, 48 and 0
        "Level 1 (steps 1 to 7)",
        "Level 2: the club's members (steps 8 to 11)",
    ]
    level1 = soup.find("svg", attrs={"aria-label": "mean points per step"}).get_text(" ", strip=True)
    level2 = soup.find("svg", attrs={"aria-label": "mean points per step of level 2"}).get_text(" ", strip=True)
    assert "step 5 28.3/30" in level1 and "step 8" not in level1
    assert level2.startswith("step 8 6.0/10 · 33% passed all (1/3) · One layout for every page step 9 10.0/15")
    assert "step 11 6.7/10" in level2

    def failing(heading: str) -> dict[str, list[str]]:
        table = soup.find("h3", string=heading).find_next("table")
        cells = [tr.find_all("td") for tr in table.find_all("tr")[1:]]
        return {f"{td[0].get_text()}: {td[1].get_text()}": [a.get_text() for a in td[4].find_all("a")] for td in cells}

    level1_failing = failing("Level 1 (steps 1 to 7)")
    assert level1_failing["step 5: HTML in a message is shown as text, not run"] == ["di"]
    assert not any(name.startswith("step 8") for name in level1_failing)
    level2_failing = failing("Level 2: the club's members (steps 8 to 11)")
    assert level2_failing["step 8: the rendered profile page holds exactly one #club-nav"] == ["cy", "di"]
    assert all(name.split(":")[0] in ("step 8", "step 9", "step 10", "step 11") for name in level2_failing)

    table = soup.find("h2", string="Every student").find_next("table")
    groups, header, *students = table.find_all("tr")
    assert [(th.get_text(), th.get("colspan")) for th in groups.find_all("th")] == [
        ("", None), ("", None), ("level 1", "7"), ("level 2", "4")
    ]
    assert [th.get_text() for th in header.find_all("th")][-6:] == [
        "extra 7", "step 8", "step 9", "step 10", "step 11", "rubric"
    ]
    cy = next(tr for tr in students if tr.find("td").get_text() == "cy")
    assert [td.get_text() for td in cy.find_all("td")][1:-1] == ["148/150", *"10 15 10 15 30 10 10 8 15 15 10".split()]
    assert cy.find_all("td")[-1].get_text().startswith("level2.toml ")  # the rubric that made the row


def test_without_level2_every_class_output_keeps_level_1s_layout(graded):
    """No level 2 in the rubric: grades.csv stops at step_7, the report has one chart and no level 2 anywhere."""
    base, _ = graded
    with open(base / "out" / "grades.csv", newline="") as file:
        header = next(csv.reader(file))
    assert header[5:12] == LEVEL1_STEPS and header[12] == "status"
    page = (base / "out" / "report.html").read_text()
    soup = BeautifulSoup(page, "html.parser")
    assert not soup.find_all("h3") and "level 2" not in page.lower() and "step 8" not in page
    assert [svg["aria-label"] for svg in soup.find_all("svg")] == ["mean points per step", "score distribution"]
    header_rows = soup.find("h2", string="Every student").find_next("table").find_all("tr")[:1]
    assert [th.get_text() for th in header_rows[0].find_all("th")] == [
        "student", "score", "step 1", "step 2", "step 3", "step 4", "step 5", "extra 6", "extra 7", "rubric"
    ]


def test_a_rubric_with_level2_gives_its_columns_even_when_no_one_was_graded():
    """The layout follows the rubric: level 2 on, nobody graded (all errors), step_8 ... step_11 are there."""
    from checks.outputs.class_report import grades_csv
    from checks.run.class_files import Outcome

    outcomes = [Outcome("eve", None, 1.0, error="the grader did not finish this submission")]
    assert next(csv.reader(io.StringIO(grades_csv(outcomes, level2=True))))[5:16] == LEVEL1_STEPS + LEVEL2_STEPS
    assert next(csv.reader(io.StringIO(grades_csv(outcomes))))[5:13] == [*LEVEL1_STEPS, "status"]
