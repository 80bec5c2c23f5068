"""Every output format comes from the one result model: each has a renderer, and they agree."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from conftest import ROOT, SOLUTION, STARTER, SUBMISSIONS, run_checks
from fakes import fake_grade, validate_gradescope, with_settings

from checks import rubric
from checks.cli import parser
from checks.outputs import github
from checks.outputs.formats import RENDERERS, Format
from checks.results import Failure

RUBRIC_TEXT = rubric.RUBRIC.read_text()
HIDDEN = '["test_template_is_html", "test_profiles_are_kept_apart"]'


def hidden_grade(failing=frozenset({"test_template_is_html", "test_post_user_is_accepted"})):
    """A grade under a rubric hiding two checks, one of which failed."""
    return fake_grade(with_settings(RUBRIC_TEXT, hidden=HIDDEN), failing=set(failing))


def test_every_format_has_a_renderer():
    """Each format the CLI offers has a renderer, and each renderer a format."""
    assert set(RENDERERS) == set(Format)
    choices = next(action.choices for action in parser()._actions if action.dest == "format")
    assert set(choices) == {str(item) for item in Format}


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_renderers_return_strings_and_never_print(name, capsys):
    """A renderer returns its output and prints nothing: the CLI decides where it goes."""
    text = RENDERERS[name](fake_grade(failing={"test_template_exists"}), color=False, fail_under=50)
    assert isinstance(text, str) and text.endswith("\n")
    assert capsys.readouterr() == ("", "")


def test_json_is_the_contracts_object():
    """The JSON renderer writes Grade.to_dict(): the contract's keys, nothing added."""
    grade = fake_grade(failing={"test_template_exists"})
    data = json.loads(RENDERERS["json"](grade))
    assert (data["submission"], data["seed"]) == ("path/to/alice", 4242)
    steps = [(step["id"], step["score"], step["max_score"], step["passed"]) for step in data["steps"]]
    assert steps == [
        ("1", 10, 10, True), ("2", 15, 15, True), ("3", 6, 10, False), ("4", 15, 15, True),
        ("5", 30, 30, True), ("6", 10, 10, True), ("7", 10, 10, True),
    ]
    check = data["steps"][2]["checks"][0]
    assert (check["name"], check["passed"], check["score"], check["max_score"]) == (
        "the check test_template_exists holds", False, 0, 4
    )
    assert {"submission", "score", "max_score", "seed", "steps"} <= set(data)  # the contract's keys, and more
    assert (data["score"], data["max_score"]) == (96, 100)
    failed = [c for s in data["steps"] for c in s["checks"] if not c["passed"]]
    assert [c["failure"]["problem"] for c in failed] == ["test_template_exists saw something else"]
    assert failed[0]["message"].startswith("test_template_exists saw something else\nread: docs/student/step-3.md")


def test_markdown_escapes_html_and_fences_messages():
    """Titles such as GET /user/<username> stay visible; a message's backticks can't break its block."""
    grade = fake_grade(failing={"test_profile_shows_each_field"}, messages={"test_profile_shows_each_field": "```oops"})
    text = RENDERERS["markdown"](grade)
    assert "GET /user/&lt;username&gt;" in text and "<username>" not in text
    assert "````text\n```oops\n````" in text
    assert "| **total** | | **90/100** | |" in text


def test_junit_has_a_case_per_check_with_points():
    """JUnit XML: a suite per step, a case per check, failures with the message, points as properties."""
    grade = fake_grade(failing={"test_template_exists"}, messages={"test_template_exists": "bad \x1b[31m\x00 bytes"})
    root = ET.fromstring(RENDERERS["junit"](grade))
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == 22 and root.get("tests") == "22" and root.get("failures") == "1"
    failed = [case for case in cases if case.find("failure") is not None]
    assert [case.get("name") for case in failed] == ["step 3: the check test_template_exists holds"]
    assert failed[0].find("failure").text == "bad [31m bytes"
    score = {prop.get("name"): prop.get("value") for prop in failed[0].iter("property")}
    assert score == {"score": "0", "max_score": "4"}
    assert failed[0].get("file") == "checks/test_step3_template_exists.py"


def test_junit_marks_a_broken_check_as_an_error():
    """A check that broke (a bug in the checks, a field of its failure) is an <error>, not a <failure>."""
    grade = fake_grade(failing={"test_template_exists"})
    grade.steps[2].checks[0].failure = Failure("the check itself broke (KeyError)", broken=True)
    root = ET.fromstring(RENDERERS["junit"](grade))
    assert root.get("errors") == "1" and root.get("failures") == "0"
    grade.steps[2].checks[0].failure = Failure("the check itself broke (KeyError)")  # the words alone are no error
    assert ET.fromstring(RENDERERS["junit"](grade)).get("errors") == "0"


def test_csv_is_one_gradebook_row():
    """CSV: the gradebook's header (a class's grades.csv has the same), then the submission's row."""
    grade = fake_grade(failing={"test_template_exists"})
    grade.graded_with = {"rubric": "rubric.toml", "rubric_sha256": "ab12", "kit_version": "0.1.0", "graded_at": "T"}
    grade.isolation = "bubblewrap"
    rows = list(csv.reader(io.StringIO(RENDERERS["csv"](grade))))
    steps = ["step_1", "step_2", "step_3", "step_4", "step_5", "step_6", "step_7"]
    provenance = ["rubric", "rubric_sha256", "kit_version", "graded_at"]
    assert rows[0] == ["student", "lms_id", "seed", "score", "max_score", *steps, "status", "isolation", *provenance]
    assert rows[1] == ["path/to/alice", "", "4242", "96", "100", "10", "15", "6", "15", "30", "10", "10", "graded",
                       "bubblewrap", "rubric.toml", "ab12", "0.1.0", "T"]


def test_every_output_says_how_the_app_was_isolated():
    """The text's last line and the JSON's `isolation` name the sandbox, or its absence."""
    grade = fake_grade()
    grade.isolation = "process limits (--no-sandbox)"
    assert RENDERERS["text"](grade).splitlines()[-1] == "The app ran in: process limits (--no-sandbox)"
    assert json.loads(RENDERERS["json"](grade))["isolation"] == "process limits (--no-sandbox)"


def test_gradescope_results_follow_the_specification():
    """results.json: the total, one test per check numbered step.check, each with its points."""
    data = json.loads(RENDERERS["gradescope"](fake_grade(failing={"test_template_exists"})))
    validate_gradescope(data)
    assert data["score"] == 96 == sum(test["score"] for test in data["tests"])
    assert sum(test["max_score"] for test in data["tests"]) == 100
    assert [test["number"] for test in data["tests"][:5]] == ["1.1", "1.2", "1.3", "1.4", "2.1"]
    failed = [test for test in data["tests"] if test["status"] == "failed"]
    assert [test["name"] for test in failed] == ["step 3: the check test_template_exists holds"]


def test_gradescope_shows_hidden_checks_once_grades_are_published():
    """A hidden check is in Gradescope's results with visibility after_published; the others are visible."""
    data = json.loads(RENDERERS["gradescope"](hidden_grade()))
    validate_gradescope(data)
    hidden = {test["name"] for test in data["tests"] if test["visibility"] == "after_published"}
    names = ["step 3: the check test_template_is_html holds", "step 5: the check test_profiles_are_kept_apart holds"]
    assert hidden == set(names)


def test_student_view_shows_hidden_checks_only_as_a_count():
    """Students see neither the name nor the message of a hidden check, only how many passed."""
    grade = hidden_grade().for_students()
    secret = "test_template_is_html"
    for name in ("text", "markdown", "junit", "json"):
        text = RENDERERS[name](grade)
        assert secret not in text and "test_profiles_are_kept_apart" not in text, name
    assert "2 hidden checks: 1 passed" in RENDERERS["text"](grade)
    assert "2 hidden checks: 1 passed." in RENDERERS["markdown"](grade)
    assert secret not in github.annotations(grade) and "Hidden checks" in github.annotations(grade)
    assert json.loads(RENDERERS["json"](grade))["score"] == hidden_grade().score


def test_instructor_view_names_hidden_checks():
    """`make grade` (no --student) shows a hidden check in full, marked as hidden."""
    text = RENDERERS["text"](hidden_grade())
    assert "the check test_template_is_html holds  (hidden from students)" in text
    assert "hidden checks:" not in text


def test_extras_not_counted_stay_out_of_every_total():
    """count_extras = false: extras are shown but their points count nowhere."""
    grade = fake_grade(with_settings(RUBRIC_TEXT, count_extras="false"), failing={"test_template_exists"})
    assert (grade.score, grade.max_score) == (76, 80)
    assert "(not counted)" in RENDERERS["text"](grade)
    assert json.loads(RENDERERS["gradescope"](grade))["score"] == 76
    assert sum(test["max_score"] for test in json.loads(RENDERERS["gradescope"](grade))["tests"]) == 80


def test_modified_checks_earn_nothing_where_points_are_reported():
    """A grade made with modified checks says so everywhere, and reports 0 where points are reported."""
    grade = fake_grade()
    grade.modified = ["test_step5_show_user.py modified"]
    assert "checks/test_step5_show_user.py modified" in RENDERERS["text"](grade)
    assert json.loads(RENDERERS["gradescope"](grade))["score"] == 0
    assert "::error title=Checks modified::" in github.annotations(grade)


def test_annotations_escape_workflow_commands():
    """A message's newlines and a title's colons are escaped as GitHub's toolkit does."""
    grade = fake_grade(failing={"test_template_exists"}, messages={"test_template_exists": "100% wrong\nline 2"})
    line = github.annotations(grade).splitlines()[0]
    assert line == "::error title=step 3%3A the check test_template_exists holds::100%25 wrong%0Aline 2"


def test_github_report_writes_outputs_then_summary(tmp_path):
    """--github writes the step outputs (graded, score, max_score) first, then appends the table to the summary."""
    grade = fake_grade(failing={"test_template_exists"})
    env = {"GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), "GITHUB_OUTPUT": str(tmp_path / "output")}
    github.start(env)
    github.report(grade, 90, env)
    assert (tmp_path / "summary.md").read_text().startswith("## Flask Club: 96/100")
    lines = (tmp_path / "output").read_text().splitlines()
    assert lines[:3] == ["graded=false", "score=0", "max_score=0"]  # before grading: no grade yet
    assert dict(line.split("=", 1) for line in lines) == {"graded": "true", "score": "96", "max_score": "100"}
    # The outputs come before anything that could fail: a summary that can't be written leaves them.
    (tmp_path / "output").write_text("")
    env["GITHUB_STEP_SUMMARY"] = str(tmp_path)  # a folder: appending to it fails
    with pytest.raises(OSError):
        github.report(grade, 90, env)
    assert "score=96" in (tmp_path / "output").read_text().splitlines()


def test_the_github_classroom_format_is_gone():
    """GitHub Classroom is discontinued: no format, no option and no output serve it any more."""
    assert "github-classroom" not in RENDERERS and not hasattr(Format, "GITHUB_CLASSROOM")
    help_text = parser().format_help().lower()
    assert "github classroom" not in help_text and "github-classroom" not in help_text


# -- one real run, every format written at once ---------------------------------------
@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """mistake_safe_filter (95/100) graded once, with every format written and --github on."""
    out = tmp_path_factory.mktemp("formats")
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(out / "summary.md"), "GITHUB_OUTPUT": str(out / "output")}
    reports = [arg for name in RENDERERS for arg in ("--report", f"{name}={out / name}")]
    command = [sys.executable, "-m", "checks", str(SUBMISSIONS / "mistake_safe_filter"), "--seed", "99"]
    command += ["--format", "json", "--output", str(out / "main.json"), "--github", *reports]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return out, done


def test_one_run_writes_every_format_with_the_same_score(run):
    """--output and each --report hold the same run: the score is 95 in every format.

    Two checks fail: step 5's escaping (5 points) and extra 7's fail-closed check (0 points, feedback).
    """
    out, done = run
    assert json.loads((out / "main.json").read_text()) == json.loads((out / "json").read_text())
    assert json.loads((out / "json").read_text())["score"] == 95
    assert json.loads((out / "gradescope").read_text())["score"] == 95
    assert list(csv.DictReader(io.StringIO((out / "csv").read_text())))[0]["score"] == "95"
    assert ET.fromstring((out / "junit").read_text()).get("failures") == "2"
    assert "total                                 95/100" in (out / "text").read_text()
    assert "| **total** | | **95/100** | |" in (out / "markdown").read_text()


def test_github_annotations_go_to_stdout_but_not_into_a_json_document(run):
    """With --output, stdout holds the annotations only; the file holds the JSON document alone."""
    out, done = run
    assert done.stdout.startswith("::error title=step 5%3A HTML in a message is shown as text")
    assert done.stdout.rstrip().endswith("::notice title=Flask Club::95/100 points (seed 99)")
    outputs = dict(line.split("=", 1) for line in (out / "output").read_text().splitlines())
    assert (outputs["graded"], outputs["score"], outputs["max_score"]) == ("true", "95", "100")


# -- the exit status and where the output goes -------------------------------------------
@pytest.mark.parametrize(
    ("submission", "fail_under", "status"), [(STARTER, "1", 1), (STARTER, "0", 0), (SOLUTION, "10", 0)]
)
def test_fail_under_sets_the_exit_status(submission, fail_under, status):
    """--fail-under N: exit 1 under N points (step 3 alone here: 0 or 10 points), else 0."""
    done = run_checks(submission, "--step", "3", "--seed", "1", "--fail-under", fail_under)
    assert done.returncode == status, done.stderr
    assert ("under the pass mark of 1" in done.stderr) == (status == 1)


def test_output_writes_the_format_to_a_file(tmp_path):
    """--output FILE writes there (making its folder) and prints nothing."""
    target = tmp_path / "out" / "summary.md"
    done = run_checks(STARTER, "--step", "3", "--seed", "1", "--format", "markdown", "--output", target)
    assert done.returncode == 0 and done.stdout == ""
    assert target.read_text().startswith("## Flask Club: 0/10")


@pytest.mark.parametrize("report", ["junit", "yaml=out.yaml", "json="])
def test_a_bad_report_option_is_refused(report):
    """--report takes FORMAT=FILE with a known format; anything else is a usage error."""
    done = run_checks(STARTER, "--report", report)
    assert done.returncode == 2 and "usage:" in done.stderr and "Traceback" not in done.stderr


def test_the_gradebook_has_a_column_for_every_level_graded():
    """A grade of levels 1 to 3 keeps each step's points in the CSV: no level's columns are dropped."""
    from checks import rubric

    every = rubric.load(every_step=True)
    header = RENDERERS["csv"](fake_grade(steps=every)).splitlines()[0].split(",")
    assert [column for column in header if column.startswith("step_")] == [f"step_{i}" for i in rubric.ALL_STEP_IDS]
    level1 = {key: step for key, step in every.items() if key in rubric.STEP_IDS}
    header = RENDERERS["csv"](fake_grade(steps=level1)).splitlines()[0].split(",")
    assert [column for column in header if column.startswith("step_")] == [f"step_{i}" for i in rubric.STEP_IDS]


def test_a_check_not_run_here_is_neither_a_failure_nor_a_thing_to_fix():
    """Step 16's mutants on a handout: the check shows as not run (–), says why, and counts as no failure."""
    from checks.results import Failure

    grade = fake_grade()
    check = next(check for step in grade.steps for check in step.checks if check.id == "test_template_exists")
    check.passed, check.score, check.max_score = False, 0.0, 0.0
    check.failure = Failure("not run here: this copy of the kit holds no reference club", not_run=True)
    text = RENDERERS["text"](grade)
    assert "–✓✓" in text and "✗" not in text
    assert "– step 3  the check test_template_exists holds\n    not run here: this copy" in text
    assert "Every check passed." in text and "to fix" not in text
    junit = RENDERERS["junit"](grade)
    assert 'skipped="1"' in junit and "<skipped message=" in junit and "<failure" not in junit


def test_a_count_is_said_with_its_noun_in_the_singular_or_the_plural():
    """'1 thing to fix, 2 failed checks': never 'thing(s)'."""
    from checks.outputs.wording import counted

    assert [counted(count, "thing") for count in (0, 1, 2)] == ["0 things", "1 thing", "2 things"]
    assert counted(1, "failed check") == "1 failed check" and counted(3, "mouse", "mice") == "3 mice"
