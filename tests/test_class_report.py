"""The class report answers the instructor's questions first: where points were lost, who is stuck, who was late.

Made-up results (tests/fakes.py): no submission is run, so each case is exactly the one described.
"""

from __future__ import annotations

import csv
import dataclasses
import json

import pytest
from bs4 import BeautifulSoup
from conftest import write_level2_rubric
from fakes import fake_grade

from checks import rubric as rubrics
from checks.lms.placement import Entry
from checks.lms.roster import Roster
from checks.outputs.class_levels import level_progress
from checks.outputs.class_report import grades_csv, summary, write_reports
from checks.rubric import LEVEL_2
from checks.run.class_files import Outcome
from checks.version import graded_with

EVERY_LEVEL_2_CHECK = {name for step_id in LEVEL_2 for name in rubrics.load(every_step=True)[step_id].points}


def outcome(student: str, failing: set[str], steps=None, files: list[str] | None = None, grading=None) -> Outcome:
    """A graded student whose named checks failed; `files`: the level-2 files their folder held."""
    result = fake_grade(steps, failing=failing).to_dict()
    result["submission"] = student
    result["grading"] = grading or graded_with()
    result["level_files"] = {"2": files or [], "3": []}
    return Outcome(student, result, 1.0, student_view=json.loads(json.dumps(result)))


@pytest.fixture(scope="module")
def level2_steps(tmp_path_factory):
    """The steps of the kit's rubric with level 2 turned on."""
    return rubrics.load(write_level2_rubric(tmp_path_factory.mktemp("rubric")))


def row_names(rows: list[dict]) -> list[str]:
    return [row["name"] for row in rows]


def test_the_check_that_cost_most_points_ranks_first():
    """Ranked by points lost, not by how many failed: 10 points × 1 student outrank 3 points × 3 students."""
    outcomes = [
        outcome("ada", {"test_post_user_is_accepted", "test_app_imports", "test_unset_password_fails_closed"}),
        outcome("bo", {"test_app_imports", "test_unset_password_fails_closed"}),
        outcome("cy", {"test_app_imports", "test_unset_password_fails_closed"}),
    ]
    report = summary(outcomes, 1)
    first, second = report["costly"][:2]
    assert "test_post_user_is_accepted" in first["name"] and first["lost"] == 10 and first["count"] == 1
    assert "test_app_imports" in second["name"] and second["lost"] == 9 and second["count"] == 3
    assert [row["lost"] for row in report["failing"]] == [10, 9, 0]  # the full table in the same order


def test_a_feedback_check_never_ranks_first():
    """A 0-point check failed by everyone costs nothing: it is last in the table and absent from the top."""
    outcomes = [outcome(name, {"test_unset_password_fails_closed"}) for name in ("ada", "bo", "cy")]
    outcomes.append(outcome("di", {"test_template_is_html"}))
    report = summary(outcomes, 1)
    assert "test_template_is_html" in report["failing"][0]["name"]
    assert "test_unset_password_fails_closed" in report["failing"][-1]["name"] and report["failing"][-1]["lost"] == 0
    assert row_names(report["costly"]) == row_names(report["failing"][:1])
    alone = summary([outcome("ada", {"test_unset_password_fails_closed"})], 1)
    assert alone["costly"] == []  # nothing cost a point: no "top" check at all


def test_level_2_tells_stuck_from_never_tried(level2_steps):
    """Never tried: no check of the level passed and none of its files exists; a passing check or base.html: stuck."""
    nothing = outcome("never", EVERY_LEVEL_2_CHECK, level2_steps)
    with_file = outcome("file", EVERY_LEVEL_2_CHECK, level2_steps, files=["templates/base.html"])
    one_check = outcome("check", EVERY_LEVEL_2_CHECK - {"test_login_page_has_form"}, level2_steps)
    done = outcome("done", set(), level2_steps)
    states = {o.student: level_progress(o.result, 2, LEVEL_2)["state"] for o in (nothing, with_file, one_check, done)}
    assert states == {"never": "never tried", "file": "stuck", "check": "stuck", "done": "passed"}
    assert level_progress(outcome("l1", set()).result, 2, LEVEL_2) is None  # level 2 not graded: no verdict
    [block] = summary([nothing, with_file, one_check, done], 1, level2=True)["tried"]
    assert [row["student"] for row in block["stuck"]] == ["file", "check"]
    assert block["stuck"][1]["at"] == "step 8" and block["stuck"][1]["earned"] == 3
    assert [row["student"] for row in block["never"]] == ["never"] and len(block["passed"]) == 1


def test_a_level_2_check_worth_0_points_is_no_try(level2_steps):
    """Only checks worth points count as trying: a level-2 check set to 0 points that passes is not a try."""
    steps = {step_id: step for step_id, step in level2_steps.items()}
    login = steps["9"]
    steps["9"] = dataclasses.replace(login, points={**login.points, "test_login_page_has_form": 0.0})
    nearly = outcome("x", EVERY_LEVEL_2_CHECK - {"test_login_page_has_form"}, steps)
    assert level_progress(nearly.result, 2, LEVEL_2)["state"] == "never tried"


def roster(late: set[str], students: list[str]) -> Roster:
    entries = {s: Entry(s, "canvas", str(1000 + n), s.title(), late=s in late) for n, s in enumerate(students)}
    return Roster("canvas", entries)


def test_late_submissions_are_flagged_in_grades_csv_and_the_report(tmp_path):
    """students.csv's late mark: "(late)" in grades.csv's status, a card, a section and a mark in the report."""
    outcomes = [outcome("ada", set()), outcome("bo", {"test_app_imports"}),
                Outcome("cy", None, 0.0, missing="an empty folder")]
    write_reports(tmp_path, outcomes, 5, roster=roster({"bo", "cy"}, ["ada", "bo", "cy"]))
    with open(tmp_path / "grades.csv", newline="") as file:
        status = {row["student"]: row["status"] for row in csv.DictReader(file)}
    assert status == {"ada": "graded", "bo": "graded (late)", "cy": "not submitted: an empty folder (late)"}
    soup = BeautifulSoup((tmp_path / "report.html").read_text(), "html.parser")
    late = soup.find("h2", id="late")
    assert late.get_text() == "Late submissions (2)"
    assert [tr.td.get_text() for tr in late.find_next("table").find_all("tr")[1:]] == ["bo", "cy"]
    marked = [span.parent.get_text() for span in soup.find_all("span", class_="late")]
    assert marked == ["bolate", "cylate"]
    # no roster, no late: the layout and the status stay as they were
    assert "late" not in grades_csv(outcomes)


def test_the_report_answers_first_and_names_each_rows_rubric(tmp_path, level2_steps):
    """The first sections after the figures are the answers; every student's row names the rubric that made it."""
    outcomes = [outcome("ada", set(), level2_steps), outcome("bo", EVERY_LEVEL_2_CHECK, level2_steps)]
    write_reports(tmp_path, outcomes, 5, level2=True)
    soup = BeautifulSoup((tmp_path / "report.html").read_text(), "html.parser")
    headings = [h2.get("id") or h2.get_text() for h2 in soup.find_all("h2")]
    assert headings[:3] == ["lost-points", "tried-level-2", "Points per step"]
    assert soup.find("h2", id="tried-level-2").get_text().endswith("1 passed, 0 stuck, 1 never tried")
    table = soup.find("h2", string="Every student").find_next("table")
    cells = [tr.find("td", class_="rubric").get_text(" ", strip=True) for tr in table.find_all("tr")[2:]]
    assert cells == [f"rubric.toml {graded_with()['rubric_sha256'][:8]}"] * 2
    failing = soup.find("h2", string="Failing checks, and who failed them").find_next("table")
    header = [th.get_text() for th in failing.find("tr").find_all("th")]
    assert header[2] == "points lost"


def test_a_students_level_files_are_found_and_a_link_is_not_one(tmp_path):
    """classroom.level_files: base.html counts for level 2, tests/ for level 3; a link named login.html doesn't."""
    from checks.run.class_run import level_files

    student = tmp_path / "eve"
    (student / "templates").mkdir(parents=True)
    (student / "app.py").write_text("from flask import Flask\n")
    (student / "templates" / "base.html").write_text("<nav id='club-nav'></nav>\n")
    (student / "templates" / "login.html").symlink_to("/etc/hostname")
    (student / "tests").mkdir()
    assert level_files(student) == {"2": ["templates/base.html"], "3": ["tests"]}


def test_level_3_where_graded_is_told_apart_too():
    """Level 3 graded: its own passed, stuck and never tried; tests/ in the folder is a try at it."""
    from checks.rubric import LEVEL_3

    every = rubrics.load(every_step=True)
    level_3 = {name for step_id in LEVEL_3 for name in every[step_id].points}
    tried = outcome("tried", level_3, every)
    tried.result["level_files"]["3"] = ["tests"]
    blocks = summary([tried, outcome("never", level_3, every), outcome("done", set(), every)], 1)["tried"]
    assert [block["level"] for block in blocks] == [2, 3]
    level3 = blocks[1]
    assert ([r["student"] for r in level3["stuck"]], [r["student"] for r in level3["never"]]) == (["tried"], ["never"])
    assert [r["student"] for r in level3["passed"]] == ["done"] and len(blocks[0]["passed"]) == 3


def test_levels_2_and_3_graded_each_get_their_block_and_failing_table():
    """With levels 2 and 3 graded, level 3's steps and failing checks are shown in a block of their own."""
    from checks.rubric import LEVEL_3

    every = rubrics.load(every_step=True)
    failing = {"test_account_form_is_prefilled", *every[LEVEL_3[0]].points}
    report = summary([outcome("ada", failing, every), outcome("bo", set(), every)], 1)
    assert [block["level"] for block in report["blocks"]] == [1, 2, 3]
    levels = {block["level"]: [row["id"] for row in block["rows"]] for block in report["failing_blocks"]}
    assert "10" in levels[2] and LEVEL_3[0] in levels[3]
