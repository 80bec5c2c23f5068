"""`make classroom50`: the bundle, run here as Classroom 50's runner runs it, and its result.json validated.

The runner (Classroom 50's reusable workflow) extracts the bundle, sets CLASSROOM,
ASSIGNMENT, SUBMISSION_TAG, COMMIT_URL, RELEASE_URL, REVIEW_URL, CLASSROOM50_BUNDLE_DIR
and the rest, and runs autograder.py with the student's checkout as the working
directory; it then reads ./result.json and ./release-body.md, and takes a non-zero exit
for an infrastructure error. Here the checkout is a student's repository made from the
handout, as `gh student accept` makes it (with Classroom 50's workflow and marker file),
committed with git. `validate_result` holds every rule Classroom 50 documents for
result.json (its wiki's "The result.json contract"), written from those rules; `runner_status`
is the commit status the runner sets from it: "success" only when every test passed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from commands import HOSTILE_APPS, parse_commands
from conftest import ROOT, SOLUTION, SUBMISSIONS
from fakes import fake_grade

from checks import rubric
from checks.integrity import MANIFEST, modified_checks
from checks.outputs.classroom50 import release_body, result
from tools import classroom50, handout

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

RUNNER = {
    "CLASSROOM": "web-101",
    "ASSIGNMENT": "flask-club",
    "SUBMISSION_TAG": "submit/2026-11-30T09-30-00Z-1a2b3c4",
    "COMMIT_URL": "https://github.com/web-101-org/web-101-flask-club-ada/commit/1a2b3c4",
    "RELEASE_URL": "https://github.com/web-101-org/web-101-flask-club-ada/releases/tag/submit%2F2026-11-30T09-30-00Z-1a2b3c4",
    "REVIEW_URL": "https://github.com/web-101-org/web-101-flask-club-ada/compare/0f0f0f0...1a2b3c4",
    "PAGES_BASE_URL": "https://web-101-org.github.io/classroom50",
    "USERNAME": "ada",
    "OWNER": "ada",
    "ASSIGNMENT_TYPE": "individual",
    "GITHUB_ACTIONS": "true",
    "GITHUB_REPOSITORY": "web-101-org/web-101-flask-club-ada",
}

# -- the rules of result.json, from Classroom 50's documentation -----------------------------------------
TOP_LEVEL = {
    "schema", "classroom", "assignment", "assignment_type", "owner", "submission", "commit", "release", "review",
    "datetime", "graded_at", "score", "max-score", "tests", "submitted_by",
}
REQUIRED = {"schema", "classroom", "assignment", "submission", "commit", "release", "review", "datetime", "score",
            "max-score", "tests"}
UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")
MAX_BYTES = 10 * 1024 * 1024


def integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_result(text: str, env: dict[str, str]) -> dict:
    """Parse result.json as Classroom 50 reads it and assert every documented rule; return the object."""
    assert len(text.encode()) <= MAX_BYTES, "result.json is larger than a collector accepts"

    def no_constants(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")  # NaN, Infinity: not standard JSON

    data = json.loads(text, parse_constant=no_constants)
    assert isinstance(data, dict), "result.json is an object"
    assert REQUIRED <= set(data) <= TOP_LEVEL, set(data) ^ REQUIRED
    assert data["schema"] == "classroom50/result/v1"
    assert data["classroom"] == env["CLASSROOM"] and data["assignment"] == env["ASSIGNMENT"]
    assert isinstance(data["submission"], str) and data["submission"].startswith("submit/")
    assert data["submission"] == env["SUBMISSION_TAG"]
    for key in ("commit", "release", "review"):
        assert isinstance(data[key], str) and re.match(r"https?://\S+$", data[key]), key
    assert data["commit"] == env["COMMIT_URL"] and data["release"] == env["RELEASE_URL"]
    assert data["review"] == (env.get("REVIEW_URL") or env["COMMIT_URL"])
    for key in ("datetime", "graded_at"):
        if key in data or key == "datetime":
            assert isinstance(data[key], str) and UTC.fullmatch(data[key]), (key, data.get(key))
    assert integer(data["score"]) and integer(data["max-score"])
    assert 0 <= data["score"] <= data["max-score"]
    if "assignment_type" in data:
        assert data["assignment_type"] in ("individual", "group", "team")
    assert isinstance(data["tests"], list)
    names = []
    for test in data["tests"]:
        assert isinstance(test, dict) and {"test-name", "passed", "score", "max-score"} <= set(test), test
        assert isinstance(test["test-name"], str) and test["test-name"].strip(), test
        assert isinstance(test["passed"], bool), test
        assert integer(test["score"]) and integer(test["max-score"]), test
        assert 0 <= test["score"] <= test["max-score"], test
        names.append(test["test-name"])
    assert len(names) == len(set(names)), "test names are unique"
    assert sum(test["score"] for test in data["tests"]) == data["score"]
    assert sum(test["max-score"] for test in data["tests"]) == data["max-score"]
    return data


def runner_status(data: dict) -> str:
    """The commit status Classroom 50's runner sets from a result: a success only when every test passed."""
    return "success" if all(test["passed"] for test in data["tests"]) else "failure"


# -- the bundle and a student's checkout ------------------------------------------------------------------
@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """dist/classroom50/, as `make classroom50` builds it."""
    return classroom50.build(tmp_path_factory.mktemp("classroom50") / "flask-club")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return handout.build(tmp_path_factory.mktemp("handout") / "template")


def git(folder: Path, *args: str) -> str:
    env = {**os.environ, "GIT_COMMITTER_DATE": "2026-11-30T09:29:41Z", "GIT_AUTHOR_DATE": "2026-11-30T09:29:41Z"}
    done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True, env=env)
    return done.stdout


def checkout(template: Path, target: Path, work: Path | None = None, extra: dict[str, str] | None = None) -> Path:
    """A student's repository as accept makes it, with `work` as its starter/, committed."""
    repo = shutil.copytree(template, target)
    (repo / ".classroom50.yaml").write_text("classroom: web-101\nassignment: flask-club\n")
    (repo / ".github" / "workflows" / "autograde.yaml").write_text("# Classroom 50's caller workflow\n")
    if work is not None:
        skipped = shutil.ignore_patterns("instance", "__pycache__")
        shutil.copytree(work, repo / "starter", dirs_exist_ok=True, ignore=skipped)
    for name, text in (extra or {}).items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=Ada", "-c", "user.email=ada@example.org", "commit", "-q", "-m", "my work")
    return repo


def run_runner(bundle: Path, repo: Path, tmp_path: Path, install: bool = False, **env: str):
    """Run the bundle as the runner does: extracted to its own folder, the checkout as working directory."""
    extracted = shutil.copytree(bundle, tmp_path / "bundle" / "flask-club")
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("GITHUB_", "VIRTUAL_ENV"))}
    environment.update(RUNNER, CLASSROOM50_BUNDLE_DIR=str(extracted), GITHUB_WORKSPACE=str(repo))
    environment["RUNNER_TEMP"] = str(tmp_path / "runner-temp")
    Path(environment["RUNNER_TEMP"]).mkdir()
    if not install:
        environment["FLASK_CLUB_PYTHON"] = sys.executable  # the kit's environment has the requirements
    environment.update(env)
    python = shutil.which("python3") if install else sys.executable
    return subprocess.run(
        [python, str(extracted / "autograder.py")],
        cwd=repo,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )


def seed_of(repo: Path) -> int:
    return int(re.search(r"SEED=(\d+)", (repo / "release-body.md").read_text()).group(1))


def kits_own(repo: Path, seed: int) -> dict:
    """The kit's own grade of the same work, with the same seed: `python -m checks starter --format json`."""
    done = subprocess.run(
        [sys.executable, "-m", "checks", str(repo / "starter"), "--format", "json", "--seed", str(seed)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def graded(bundle: Path, template: Path, tmp_path: Path, work: Path | None, **extra) -> tuple[dict, Path, str]:
    repo = checkout(template, tmp_path / "ada", work, **extra)
    done = run_runner(bundle, repo, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    data = validate_result((repo / "result.json").read_text(), RUNNER)
    return data, repo, done.stdout + done.stderr


# -- the bundle -------------------------------------------------------------------------------------------
def test_the_bundle_holds_the_autograder_the_pinned_checks_and_requirements(bundle):
    """autograder.py at its top, the checks with their manifest, requirements.txt; no solution, tests or starter."""
    assert (bundle / "autograder.py").is_file() and (bundle / "requirements.txt").is_file()
    assert (bundle / "checks" / MANIFEST).is_file() and modified_checks(bundle / "checks") == []
    assert (bundle / "requirements.txt").read_text() == (ROOT / "requirements.txt").read_text()
    names = {path.relative_to(bundle).parts[0] for path in bundle.rglob("*")}
    assert names == {"autograder.py", "checks", "requirements.txt"}
    # Classroom 50 reserves these names in a student's repository: the handout ships none of them.
    assert not (ROOT / "templates" / "handout" / ".github" / "workflows" / "autograde.yaml").exists()
    assert not (ROOT / "templates" / "handout" / ".classroom50.yaml").exists()


def test_the_handout_is_a_classroom50_template(template):
    """No file by Classroom 50's reserved names, nothing left of GitHub Classroom, a README on grading there."""
    assert not (template / ".github" / "workflows" / "autograde.yaml").exists()
    assert not (template / ".classroom50.yaml").exists()
    readme = (template / "README.md").read_text()
    assert "Classroom 50" in readme and "gh student submit" in readme and "Releases" in readme
    for path in template.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace").lower()
            for leftover in ("github classroom", "github-classroom", "classroom-resources", "grading-reporter"):
                assert leftover not in text, (path.relative_to(template), leftover)


def test_the_outer_autograder_needs_only_the_standard_library(bundle):
    """Before the requirements are installed, autograder.py imports the standard library and the neutralizer only."""
    source = (bundle / "autograder.py").read_text()
    top = [line for line in source.splitlines() if re.match(r"(import|from) ", line)]
    assert [line for line in top if line.startswith("from checks")] == [
        "from checks.outputs.workflow import command, neutralize  # noqa: E402  (standard library only)"
    ]
    workflow = (bundle / "checks" / "outputs" / "workflow.py").read_text()
    assert not re.search(r"^(from|import) (checks|flask|pytest|bs4|rich)", workflow, re.M)


def test_a_rubric_with_fractions_of_points_is_refused(tmp_path):
    """Classroom 50 records whole points: 2.5 points (or a weight of 1.5) stops the build with the checks named."""
    mine = tmp_path / "halves.toml"
    mine.write_text(rubric.RUBRIC.read_text().replace("test_template_exists = 4", "test_template_exists = 4.5"))
    with pytest.raises(rubric.RubricError, match=r"whole points only.*test_template_exists \(step 3\): 4\.5"):
        classroom50.build(tmp_path / "bundle", rubric_file=mine)
    assert not (tmp_path / "bundle").exists()
    text = rubric.RUBRIC.read_text()
    weighted = text.replace('title = "POST /user/"\ndoc = "docs/student/step-2.md"\nweight = 1',
                            'title = "POST /user/"\ndoc = "docs/student/step-2.md"\nweight = 1.5')
    assert weighted != text
    mine.write_text(weighted)
    with pytest.raises(rubric.RubricError, match="test_post_user_without_username_is_400"):
        classroom50.build(tmp_path / "bundle", rubric_file=mine)


def test_the_default_rubric_is_in_whole_points():
    """Every check of the shipped rubric is worth a whole number of points: the bundle builds from it."""
    assert all(points == int(points) for step in rubric.load().values() for points in step.points.values())


# -- the runner, played here ------------------------------------------------------------------------------
def test_the_solution_scores_the_kits_total(bundle, template, tmp_path):
    """The reference solution in starter/: 100 of 100, one test per check, every test passed."""
    data, repo, log = graded(bundle, template, tmp_path, SOLUTION)
    assert (data["score"], data["max-score"]) == (100, 100)
    assert all(test["passed"] and test["score"] == test["max-score"] for test in data["tests"])
    assert runner_status(data) == "success"
    own = kits_own(repo, seed_of(repo))
    assert len(data["tests"]) == sum(len(step["checks"]) for step in own["steps"])
    assert data["datetime"] == "2026-11-30T09:29:41Z"  # the graded commit's date, not the time of grading
    assert "## Flask Club: 100/100" in (repo / "release-body.md").read_text()
    assert [command.name for command in parse_commands(log)] == ["notice"]
    status = git(repo, "status", "--porcelain")  # the handout's .gitignore: the run's output is never committed
    assert "result.json" not in status and "release-body.md" not in status


def test_the_starter_scores_zero_with_every_failure_and_its_hint(bundle, template, tmp_path):
    """The untouched starter: 0 of 100, valid, and the release body says what to fix and how."""
    data, repo, _ = graded(bundle, template, tmp_path, None)
    assert (data["score"], data["max-score"]) == (0, 100)
    assert not any(test["passed"] for test in data["tests"] if not test.get("feedback"))
    assert runner_status(data) == "failure"
    body = (repo / "release-body.md").read_text()
    assert "## Flask Club: 0/100" in body and "hint: " in body and "make check" in body


def test_a_partial_submission_scores_what_the_kit_gives_it_check_by_check(bundle, template, tmp_path):
    """The starter with step 3 done: the tests' points are the kit's own, check by check, for the same seed."""
    page = "<!doctype html>\n<html><body><h1>{{ username }}</h1></body></html>\n"
    data, repo, _ = graded(bundle, template, tmp_path, None, extra={"starter/templates/user.html": page})
    own = kits_own(repo, seed_of(repo))
    assert (data["score"], data["max-score"]) == (own["score"], own["max_score"]) == (10, 100)
    checks = [check for step in own["steps"] for check in step["checks"]]
    assert [(test.get("check-passed", test["passed"]), test["score"], test["max-score"]) for test in data["tests"]] == [
        (check["passed"], check["score"], check["max_score"]) for check in checks
    ]
    print(json.dumps(data, indent=2))  # the closing note's example (pytest -s shows it)


def test_a_broken_submission_is_graded_not_an_error(bundle, template, tmp_path):
    """An app.py with a syntax error: grading ran, so exit 0; the template's steps still earn their points."""
    data, repo, _ = graded(bundle, template, tmp_path, SUBMISSIONS / "broken_syntax_error")
    own = kits_own(repo, seed_of(repo))
    assert data["score"] == own["score"] and 0 < data["score"] < 100


def test_hidden_checks_are_numbered_tests_without_names_or_messages(template, tmp_path):
    """With a hidden check, result.json and the release show it only as 'hidden check 1 of 1'; its points count."""
    mine = tmp_path / "hidden.toml"
    mine.write_text(rubric.RUBRIC.read_text().replace("hidden = []", 'hidden = ["test_template_is_html"]'))
    hidden_bundle = classroom50.build(tmp_path / "bundle-hidden", rubric_file=mine)
    repo = checkout(template, tmp_path / "ada", None)
    done = run_runner(hidden_bundle, repo, tmp_path / "run")
    assert done.returncode == 0, done.stderr
    data = validate_result((repo / "result.json").read_text(), RUNNER)
    hidden = [test for test in data["tests"] if test["test-name"].startswith("hidden check")]
    shown = [(test["test-name"], test["message"], test["max-score"]) for test in hidden]
    assert shown == [("hidden check 1 of 1", "", 3)]
    for text in ((repo / "result.json").read_text(), (repo / "release-body.md").read_text(), done.stdout):
        assert "test_template_is_html" not in text and "templates/user.html is HTML" not in text
    assert "1 hidden check: 0 passed" in (repo / "release-body.md").read_text()


def test_a_committed_result_json_is_never_taken_for_the_grade(bundle, template, tmp_path):
    """A student's own result.json (100/100) and release body are replaced, even when grading can't run."""
    forged = {"schema": "classroom50/result/v1", **{key.lower(): value for key, value in RUNNER.items()},
              "score": 100, "max-score": 100, "tests": []}
    repo = checkout(template, tmp_path / "ada", None, extra={"result.json": json.dumps(forged)})
    # The bundle's checks were tampered with: grading stops, an infrastructure error.
    broken = tmp_path / "broken-bundle"
    shutil.copytree(bundle, broken)
    (broken / "checks" / "test_step3_template_exists.py").write_text("def test_nothing():\n    pass\n")
    done = run_runner(broken, repo, tmp_path)
    assert done.returncode == 1, done.stdout
    assert "differ from their manifest" in done.stdout + done.stderr
    data = validate_result((repo / "result.json").read_text(), RUNNER)
    assert (data["score"], data["max-score"], data["tests"]) == (0, 0, [])


def test_missing_runner_variables_are_an_infrastructure_error(bundle, template, tmp_path):
    """Run outside Classroom 50 (no SUBMISSION_TAG...), the autograder says so and exits 1, writing nothing."""
    repo = checkout(template, tmp_path / "ada", None)
    done = run_runner(bundle, repo, tmp_path, SUBMISSION_TAG="", COMMIT_URL="")
    assert done.returncode == 1 and "SUBMISSION_TAG, COMMIT_URL" in done.stdout
    assert not (repo / "result.json").exists()


@pytest.mark.parametrize("kind", sorted(HOSTILE_APPS))
def test_nothing_the_submission_prints_becomes_a_command_in_the_grading_log(bundle, template, tmp_path, kind):
    """A hostile app's forged commands reach Classroom 50's log neutralized: the only command is the grader's notice."""
    repo = checkout(template, tmp_path / "ada", None, extra={"starter/app.py": HOSTILE_APPS[kind]})
    # A name the grader's notes print (a link out of the submission), forged.
    (repo / "starter" / "x\n::set-output name=score::100\n##[set-output name=score;]100").symlink_to("/etc/hostname")
    done = run_runner(bundle, repo, tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    data, log = validate_result((repo / "result.json").read_text(), RUNNER), done.stdout + done.stderr
    assert "set-output name=score::100" in log  # the note reached the log, neutralized
    commands = parse_commands(log)
    assert [(command.name, command.title) for command in commands] == [("notice", "Flask Club")], commands
    assert commands[0].message.startswith(f"{data['score']}/100 points")


@pytest.mark.skipif(shutil.which("python3") is None, reason="needs python3")
def test_a_fresh_runner_installs_the_requirements_itself(bundle, template, tmp_path):
    """Without FLASK_CLUB_PYTHON, the bundle makes its own environment in RUNNER_TEMP (pip's cache keeps it quick)."""
    repo = checkout(template, tmp_path / "ada", SOLUTION)
    done = run_runner(bundle, repo, tmp_path, install=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Installing the pinned requirements" in done.stdout
    assert (tmp_path / "runner-temp" / "flask-club-venv" / "requirements.sha256").is_file()
    assert validate_result((repo / "result.json").read_text(), RUNNER)["score"] == 100


def test_the_validator_rejects_what_classroom50_rejects():
    """The validator can fail: each broken rule of a valid result is caught."""
    valid = {"schema": "classroom50/result/v1", "classroom": "web-101", "assignment": "flask-club",
             "submission": RUNNER["SUBMISSION_TAG"], "commit": RUNNER["COMMIT_URL"], "release": RUNNER["RELEASE_URL"],
             "review": RUNNER["REVIEW_URL"], "datetime": "2026-11-30T09:29:41Z", "score": 3, "max-score": 5,
             "tests": [{"test-name": "a", "passed": True, "score": 3, "max-score": 3},
                       {"test-name": "b", "passed": False, "score": 0, "max-score": 2, "message": "kept"}]}
    validate_result(json.dumps(valid), RUNNER)
    broken = [
        {"schema": "classroom50/result/v2"}, {"classroom": "other"}, {"submission": "1a2b3c4"},
        {"commit": ""}, {"datetime": "30/11/2026"}, {"score": 3.0}, {"score": 6}, {"max-score": 4},
        {"tests": [{"test-name": "a", "passed": True, "score": 3, "max-score": 3}]},
        {"tests": [{"test-name": "a", "passed": "yes", "score": 3, "max-score": 3},
                   {"test-name": "b", "passed": False, "score": 0, "max-score": 2}]},
        {"verdict": "pass"},
    ]
    for change in broken:
        with pytest.raises(AssertionError):
            validate_result(json.dumps({**valid, **change}), RUNNER)
    with pytest.raises(AssertionError):
        validate_result(json.dumps(valid).replace('"score": 3,', '"score": NaN,', 1), RUNNER)


# -- the result's rules, on made-up grades (no submission is run) -------------------------------------
IDENTITY = {key.lower(): RUNNER[variable] for key, variable in
            [("classroom", "CLASSROOM"), ("assignment", "ASSIGNMENT"), ("submission", "SUBMISSION_TAG"),
             ("commit", "COMMIT_URL"), ("release", "RELEASE_URL"), ("review", "REVIEW_URL")]}


def made_up_result(failing: set[str]) -> dict:
    grade = fake_grade(failing=failing)
    data = result(grade, IDENTITY, "2026-11-30T09:29:41Z", "2026-11-30T09:31:02Z")
    return validate_result(json.dumps(data), RUNNER)


def test_a_full_score_with_a_failing_feedback_check_is_a_green_commit():
    """100/100 with extra 7's 0-point check failed: the runner's status is success; the test says what it found."""
    data = made_up_result({"test_unset_password_fails_closed"})
    assert (data["score"], data["max-score"]) == (100, 100)
    assert runner_status(data) == "success"
    feedback = [test for test in data["tests"] if test.get("feedback")]
    assert len(feedback) == 1 and feedback[0]["max-score"] == 0 and feedback[0]["check-passed"] is False
    assert feedback[0]["message"].startswith("Feedback only (0 points), not passed: ")


def test_a_lost_point_is_still_a_red_commit():
    """A failed check worth points: the runner's status is failure, as before."""
    data = made_up_result({"test_template_is_html"})
    assert data["score"] < 100 and runner_status(data) == "failure"


def test_the_release_body_escapes_a_work_folder_name_that_forges_a_score():
    """A work folder named with a newline, Markdown and backticks stays one code span: no second score heading."""
    grade = fake_grade(failing={"test_template_is_html"})
    forged = "x`\n\n## Flask Club: 100/100\n\n[click](http://evil.example)`"
    body = release_body(grade, forged)
    headings = [line for line in body.splitlines() if line.startswith("## Flask Club:")]
    assert len(headings) == 1 and "100/100" not in headings[0]
    line = next(line for line in body.splitlines() if "grades " in line)
    assert "``x`??## Flask Club: 100/100??[click](http://evil.example)`/``" in line
