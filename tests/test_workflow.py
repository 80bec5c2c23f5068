"""The handout's GitHub Actions workflow: its shape, and its commands run here as GitHub would run them.

No GitHub needed: the YAML is parsed, and its `run:` steps are run with bash in a
copy of the handout, with GITHUB_STEP_SUMMARY, GITHUB_OUTPUT and RUNNER_TEMP pointing
at temporary files. `uses:` steps (GitHub's own actions) are checked for shape only.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SOLUTION

from checks.integrity import modified_checks, write_manifest
from tools import handout

WORKFLOW = ROOT / "templates" / "handout" / ".github" / "workflows" / "grade.yml"
JOB = "run-autograding-tests"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$")
EXPRESSION = re.compile(r"\$\{\{.*?\}\}")
HIDDEN = "test_template_is_html"

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
needs_curl = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("curl", "tar", "diff", "cmp")), reason="needs curl, tar and diffutils"
)


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def steps() -> list[dict]:
    return workflow()["jobs"][JOB]["steps"]


def step(name: str) -> dict:
    return next(entry for entry in steps() if entry["name"] == name)


@dataclass
class Ran:
    """What one step did: its process, the job summary, the step outputs."""

    done: subprocess.CompletedProcess[str]
    summary: str
    outputs: dict[str, str]

    @property
    def result(self) -> dict:
        return json.loads(base64.b64decode(self.outputs["result"]))


def run(name: str, folder: Path, **env: str) -> Ran:
    """Run a `run:` step in folder as GitHub's runner would (bash -eo pipefail), expressions left empty."""
    entry = step(name)
    environment = {key: value for key, value in os.environ.items() if not key.startswith("GITHUB_")}
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}"
    for key, value in {**workflow().get("env", {}), **entry.get("env", {})}.items():
        environment[key] = EXPRESSION.sub("", str(value))
    files = folder.parent / "github"
    files.mkdir(exist_ok=True)
    environment.update(
        GITHUB_STEP_SUMMARY=str(files / "summary.md"), GITHUB_OUTPUT=str(files / "output"), RUNNER_TEMP=str(files)
    )
    environment.update(env)
    for key in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"):
        Path(environment[key]).write_text("")
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", entry["run"]],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    outputs = dict(line.split("=", 1) for line in Path(environment["GITHUB_OUTPUT"]).read_text().splitlines())
    return Ran(done, Path(environment["GITHUB_STEP_SUMMARY"]).read_text(), outputs)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return handout.build(tmp_path_factory.mktemp("handout") / "template")


@pytest.fixture
def repo(built, tmp_path) -> Path:
    """A student's repository: a fresh copy of the handout."""
    return shutil.copytree(built, tmp_path / "repo")


def with_solution(repo: Path) -> Path:
    skipped = shutil.ignore_patterns("instance", "__pycache__")
    shutil.copytree(SOLUTION, repo / "starter", dirs_exist_ok=True, ignore=skipped)
    return repo


# -- shape ------------------------------------------------------------------------------------
def test_the_workflow_is_what_github_classroom_reads():
    """Named "Autograding Tests", one job run-autograding-tests, skipping the Classroom bot, on every push."""
    data = workflow()
    assert data["name"] == "Autograding Tests"
    assert "push" in data.get("on", data.get(True))
    assert list(data["jobs"]) == [JOB]
    assert data["jobs"][JOB]["if"] == "github.actor != 'github-classroom[bot]'"
    assert data["permissions"] == {"checks": "write", "actions": "read", "contents": "read"}


def test_every_action_is_pinned():
    """Each `uses:` names an action at a version tag or a commit, never a branch."""
    used = [entry["uses"] for entry in steps() if "uses" in entry]
    assert used and all(PINNED.match(action) for action in used), used
    assert {action.split("@")[0] for action in used} == {
        "actions/checkout",
        "actions/setup-python",
        "actions/upload-artifact",
        "classroom-resources/autograding-grading-reporter",
    }


def test_the_steps_set_up_python_install_grade_and_report():
    """Python 3.11, the pinned requirements, grading the work folder, the artifact, then the reporter last."""
    assert step("Set up Python")["with"]["python-version"] == "3.11"
    assert "-r requirements.txt" in step("Install the pinned dependencies")["run"]
    grade = step("Grade")
    assert grade["id"] == "grade"
    for option in ("--github", "--student", '--fail-under "$FAIL_UNDER"', "json=grades/", "junit=grades/"):
        assert option in grade["run"], option
    names = [entry["name"] for entry in steps()]
    assert names.index("Use the instructor's checks") < names.index("Install the pinned dependencies")
    assert names.index("Install the pinned dependencies") < names.index("Grade")
    artifact = step("Keep the results")
    assert artifact["if"] == "always()" and artifact["with"]["path"] == "grades/"


def test_the_reporter_gets_the_graders_result():
    """The last step is GitHub's reporter, fed the grade step's `result` output as the runner `grade`."""
    reporter = steps()[-1]
    assert reporter["uses"] == "classroom-resources/autograding-grading-reporter@v1"
    assert reporter["with"]["runners"] == "grade"
    # The reporter reads <RUNNER ID IN CAPITALS>_RESULTS.
    assert reporter["env"] == {"GRADE_RESULTS": "${{ steps.grade.outputs.result }}"}
    assert "steps.grade.outputs.result != ''" in reporter["if"] and "always()" in reporter["if"]


def test_the_settings_have_safe_defaults():
    """The work folder is starter, the pass mark 80 (steps 1-5), and the pristine source an empty placeholder."""
    env = workflow()["env"]
    assert env == {"WORK": "starter", "FAIL_UNDER": "80", "CHECKS_URL": ""}
    assert "CHECKS_TOKEN" in step("Use the instructor's checks")["env"]


# -- grading, as the runner would run it --------------------------------------------------------------
def test_the_starter_scores_zero_with_a_red_checkmark(repo):
    """Below the pass mark the grade step fails; the summary, the annotations and the Classroom result say why."""
    text = (repo / "checks" / "rubric.toml").read_text().replace("hidden = []", f'hidden = ["{HIDDEN}"]')
    (repo / "checks" / "rubric.toml").write_text(text)
    write_manifest(repo / "checks")  # as the instructor's build would
    assert "not set" in run("Use the instructor's checks", repo).done.stdout
    ran = run("Grade", repo)
    assert ran.done.returncode == 1, ran.done.stderr
    assert ran.summary.startswith("## Flask Club: 0/100") and "1 hidden check: 0 passed." in ran.summary
    assert "Pass mark: 80 points, not reached." in ran.summary
    assert ran.done.stdout.count("::error title=") == 21  # 20 checks by name, 1 for the hidden one
    assert ran.result["status"] == "fail" and ran.result["max_score"] == 100
    assert len(ran.result["tests"]) == 21 and sum(test["score"] for test in ran.result["tests"]) == 0
    artifacts = [path.read_text() for path in (repo / "grades").iterdir()]
    for where in (ran.summary, ran.done.stdout, json.dumps(ran.result), *artifacts):
        assert HIDDEN not in where and "templates/user.html is HTML" not in where
    assert sorted(path.name for path in (repo / "grades").iterdir()) == ["junit.xml", "result.json"]


def test_the_solution_scores_full_marks_with_a_green_checkmark(repo):
    """The solution's files pass: exit 0, status pass, and the reporter's sum is 100."""
    ran = run("Grade", with_solution(repo))
    assert ran.done.returncode == 0, ran.done.stderr
    assert ran.result["status"] == "pass"
    assert sum(test["score"] for test in ran.result["tests"]) == 100 == int(ran.outputs["score"])
    assert "::error" not in ran.done.stdout and "## Flask Club: 100/100" in ran.summary


def test_a_modified_check_scores_zero_without_a_pristine_copy(repo):
    """With no CHECKS_URL, a check the student changed is an error, and the run earns 0 points."""
    with_solution(repo)
    path = repo / "checks" / "test_step3_template_exists.py"
    path.write_text(path.read_text() + "\n# a student was here\n")
    ran = run("Grade", repo)
    assert ran.done.returncode == 1
    assert "::error title=Checks modified::" in ran.done.stdout
    assert ran.result["status"] == "error" and sum(test["score"] for test in ran.result["tests"]) == 0
    assert ran.result["tests"][0]["name"] == "checks/ is the instructor's copy"
    assert "checks/test_step3_template_exists.py modified" in ran.summary


def tarball(built: Path, target: Path) -> str:
    """The template repository as GitHub serves its archive: one top folder; returns a file:// URL."""
    with tarfile.open(target, "w:gz") as archive:
        archive.add(built, arcname="flask-club-template-main")
    return target.resolve().as_uri()


@needs_curl
def test_the_instructors_checks_replace_modified_ones(built, repo, tmp_path):
    """With CHECKS_URL set, checks/ and requirements.txt come from the instructor's copy, with a warning."""
    url = tarball(built, tmp_path / "template.tar.gz")
    path = repo / "checks" / "rubric.toml"
    path.write_text(path.read_text().replace("test_template_exists = 4", "test_template_exists = 400"))
    (repo / "checks" / "test_mine.py").write_text("")
    ran = run("Use the instructor's checks", repo, CHECKS_URL=url)
    assert ran.done.returncode == 0, ran.done.stderr
    assert "::warning title=Checks restored::" in ran.done.stdout
    assert path.read_text() == (built / "checks" / "rubric.toml").read_text()
    assert not (repo / "checks" / "test_mine.py").exists() and modified_checks(repo / "checks") == []


@needs_curl
def test_unchanged_checks_are_used_without_a_warning(built, repo, tmp_path):
    """A repository whose checks match the instructor's gets no warning."""
    ran = run("Use the instructor's checks", repo, CHECKS_URL=tarball(built, tmp_path / "template.tar.gz"))
    assert ran.done.returncode == 0 and "::warning" not in ran.done.stdout


def test_a_failed_download_falls_back_to_the_manifest(repo, tmp_path):
    """When the instructor's copy can't be fetched, the step warns and leaves the repository's checks."""
    ran = run("Use the instructor's checks", repo, CHECKS_URL=(tmp_path / "missing.tar.gz").as_uri())
    assert ran.done.returncode == 0, ran.done.stderr
    assert "::warning title=Instructor's checks not fetched::" in ran.done.stdout
    assert (repo / "checks" / "cli.py").is_file()
