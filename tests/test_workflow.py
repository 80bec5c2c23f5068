"""The handout's GitHub Actions workflow: its shape, and its commands run here as GitHub would run them.

No GitHub needed: the YAML is parsed, and its `run:` steps are run with bash in a
copy of the handout, with GITHUB_STEP_SUMMARY, GITHUB_OUTPUT and RUNNER_TEMP pointing
at temporary files. `uses:` steps (GitHub's own actions) are checked for shape only.
What a step prints is read as GitHub's runner reads it, with a parser of both forms of
workflow commands (tests/commands.py): the only commands are the grader's own.
"""

from __future__ import annotations

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
from commands import BLANKS, FORGED, HOSTILE_APPS, grader_commands, parse_commands
from conftest import ROOT, SOLUTION

from checks.integrity import modified_checks, write_manifest
from tools import handout

WORKFLOW = ROOT / "templates" / "handout" / ".github" / "workflows" / "grade.yml"
JOB = "grade"
GRADING_STEPS = ["Set up Python", "Use the instructor's checks", "Install the sandbox",
                 "Install the pinned dependencies", "Grade", "Keep the results"]
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
    def log(self) -> str:
        """What the runner reads for commands: standard output and error."""
        return self.done.stdout + "\n" + self.done.stderr


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
def test_the_workflow_grades_every_push_in_one_job():
    """Named "Flask Club", one job on every push (and by hand), reading the repository and nothing more."""
    data = workflow()
    assert data["name"] == "Flask Club"
    assert set(data.get("on", data.get(True))) == {"push", "workflow_dispatch"}
    assert list(data["jobs"]) == [JOB] and "if" not in data["jobs"][JOB]
    assert data["permissions"] == {"contents": "read"}


def test_nothing_of_github_classroom_is_left():
    """GitHub Classroom is discontinued: no reporter, no Classroom bot, no `result` output, no Classroom names."""
    text = WORKFLOW.read_text().lower()
    for leftover in ("classroom-resources", "github-classroom", "autograding", "grade_results", "outputs.result",
                     "run-autograding-tests", "checks: write"):
        assert leftover not in text, leftover


def test_every_action_is_pinned():
    """Each `uses:` names an action at a version tag or a commit, never a branch."""
    used = [entry["uses"] for entry in steps() if "uses" in entry]
    assert used and all(PINNED.match(action) for action in used), used
    assert {action.split("@")[0] for action in used} == {
        "actions/checkout",
        "actions/setup-python",
        "actions/upload-artifact",
    }


def test_the_steps_set_up_python_with_a_pip_cache_install_the_sandbox_and_grade():
    """pip's downloads are cached on the pinned requirements; bubblewrap is installed; the work folder graded."""
    python = step("Set up Python")["with"]
    assert python["cache"] == "pip" and python["cache-dependency-path"] == "requirements.txt"
    assert tuple(map(int, python["python-version"].split("."))) >= (3, 10)
    sandbox = step("Install the sandbox")["run"]
    assert "apt-get install" in sandbox and "bubblewrap" in sandbox
    assert "-r requirements.txt" in step("Install the pinned dependencies")["run"]
    grade = step("Grade")
    assert grade["id"] == "grade"
    for option in ("--github", "--student", '--fail-under "$FAIL_UNDER"', "json=grades/", "junit=grades/"):
        assert option in grade["run"], option
    names = [entry["name"] for entry in steps()]
    assert names.index("Use the instructor's checks") < names.index("Install the pinned dependencies")
    assert names.index("Install the sandbox") < names.index("Grade")
    assert names.index("Install the pinned dependencies") < names.index("Grade")
    artifact = step("Keep the results")
    assert "always()" in artifact["if"] and artifact["with"]["path"] == "grades/"


def test_every_grading_step_waits_for_the_classroom50_check():
    """Every step after the check runs only where the repository is not a Classroom 50 assignment."""
    names = [entry["name"] for entry in steps()]
    assert names[:2] == ["Check out the student's work", "Leave the grading to Classroom 50 in its assignments"]
    assert names[2:] == GRADING_STEPS
    for name in GRADING_STEPS:
        assert "steps.where.outputs.grade == 'true'" in step(name)["if"], name


@pytest.mark.parametrize("marker", [".github/workflows/autograde.yaml", ".classroom50.yaml", None])
def test_a_classroom50_assignment_is_not_graded_twice(built, tmp_path, marker):
    """Where Classroom 50's workflow (or its marker file) is, the check says so and turns grading off."""
    repo = shutil.copytree(built, tmp_path / "repo")
    if marker:
        (repo / marker).parent.mkdir(parents=True, exist_ok=True)
        (repo / marker).write_text("# Classroom 50's\n")
    ran = run("Leave the grading to Classroom 50 in its assignments", repo)
    assert ran.done.returncode == 0, ran.done.stderr
    assert ran.outputs == {"grade": "false" if marker else "true"}
    assert ("title=Graded by Classroom 50" in ran.done.stdout) == bool(marker)


def test_the_settings_have_safe_defaults():
    """The work folder is starter, the pass mark 80 (steps 1-5), and the pristine source an empty placeholder."""
    env = workflow()["env"]
    assert env == {"WORK": "starter", "FAIL_UNDER": "80", "CHECKS_URL": ""}
    assert "CHECKS_TOKEN" in step("Use the instructor's checks")["env"]


# -- grading, as the runner would run it --------------------------------------------------------------
def test_the_starter_scores_zero_with_a_red_checkmark(repo):
    """Below the pass mark the grade step fails; the outputs, the summary and the annotations say why."""
    text = (repo / "checks" / "rubric.toml").read_text().replace("hidden = []", f'hidden = ["{HIDDEN}"]')
    (repo / "checks" / "rubric.toml").write_text(text)
    write_manifest(repo / "checks")  # as the instructor's build would
    assert "not set" in run("Use the instructor's checks", repo).done.stdout
    ran = run("Grade", repo)
    assert ran.done.returncode == 1, ran.done.stderr
    assert ran.summary.startswith("## Flask Club: 0/100") and "1 hidden check: 0 passed." in ran.summary
    assert "Pass mark: 80 points, not reached." in ran.summary
    result = json.loads((repo / "grades" / "result.json").read_text())
    assert not any(check["passed"] for step in result["steps"] for check in step["checks"])
    errors = [command for command in grader_commands(ran.log) if command.name == "error"]
    assert len(errors) >= 3 and errors[-1].title == "Hidden checks"  # the hidden one in a line of its own
    assert ran.outputs == {"graded": "true", "score": "0", "max_score": "100"}
    artifacts = [path.read_text() for path in (repo / "grades").iterdir()]
    for where in (ran.summary, ran.done.stdout, *artifacts):
        assert HIDDEN not in where and "templates/user.html is HTML" not in where
    assert sorted(path.name for path in (repo / "grades").iterdir()) == ["junit.xml", "result.json"]


def test_the_solution_scores_full_marks_with_a_green_checkmark(repo):
    """The solution's files pass: exit 0, and the score output is 100."""
    ran = run("Grade", with_solution(repo))
    assert ran.done.returncode == 0, ran.done.stderr
    assert ran.outputs == {"graded": "true", "score": "100", "max_score": "100"}
    assert "::error" not in ran.done.stdout and "## Flask Club: 100/100" in ran.summary


def test_a_modified_check_scores_zero_without_a_pristine_copy(repo):
    """With no CHECKS_URL, a check the student changed is an error, and the run earns 0 points."""
    with_solution(repo)
    path = repo / "checks" / "test_step3_template_exists.py"
    path.write_text(path.read_text() + "\n# a student was here\n")
    ran = run("Grade", repo)
    assert ran.done.returncode == 1
    assert "::error title=Checks modified::" in ran.done.stdout
    assert ran.outputs["score"] == "0" and ran.outputs["graded"] == "true"
    assert "checks/test_step3_template_exists.py modified" in ran.summary.replace("\\_", "_")


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


# -- nothing a student writes becomes a workflow command ----------------------------------------------


def hostile(repo: Path, kind: str) -> Path:
    """A work folder whose every text (app, template, output, file and folder names) carries forged commands."""
    work = repo / "starter"
    (work / "app.py").write_text(HOSTILE_APPS[kind])
    (work / "templates").mkdir(exist_ok=True)
    (work / "templates" / "user.html").write_text(f"<p id='username'>{FORGED}</p>{{{{ username }}}}\n")
    # Names the grader prints in its notes: a link out of the submission, a virtual environment.
    (work / "x\n::set-output name=score::100").symlink_to("/etc/hostname")
    venv = work / "venv\n##[set-output name=score;]100"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    return repo


def assert_only_the_graders_commands(ran: Ran) -> None:
    """Every command in the step's output is the grader's own: errors per failed check, one notice, the true total."""
    commands = grader_commands(ran.log)
    notices = [command for command in commands if command.name == "notice"]
    assert len(notices) == 1, notices
    assert notices[0].message.startswith(f"{ran.outputs['score']}/100 points (seed ")
    forged = {line.strip(BLANKS) for line in FORGED.splitlines()}
    assert not [command for command in commands if command.line.strip(BLANKS) in forged]
    assert not any("stop-commands" in command.name or "set-output" in command.name for command in commands)


@pytest.mark.parametrize("kind", sorted(HOSTILE_APPS))
def test_a_submissions_text_never_becomes_a_workflow_command(repo, kind):
    """Forged commands in a message, an answer, the app's output or a file name reach the log neutralized."""
    ran = run("Grade", hostile(repo, kind))
    assert ran.done.returncode == 1, ran.done.stderr  # under the pass mark, not a crash
    assert "Traceback" not in ran.done.stderr
    assert ran.outputs["graded"] == "true" and int(ran.outputs["score"]) < 80
    assert_only_the_graders_commands(ran)
    # The forged text did reach the log (quoted in messages), so the test tests something.
    assert "Points 100/100" in ran.log and "set-output name=score" in ran.log
    failed = sum(1 for command in grader_commands(ran.log) if command.name == "error")
    assert failed >= 5


def test_a_grader_crash_fails_the_step_and_leaves_no_forged_value(repo):
    """When grading itself crashes (here: a broken check), the step fails; the outputs say "not graded"."""
    hostile(repo, "crashes")
    (repo / "checks" / "conftest.py").write_text("raise ImportError('a broken check')\n")
    write_manifest(repo / "checks")
    ran = run("Grade", repo)
    assert ran.done.returncode != 0
    assert ran.outputs == {"graded": "false", "score": "0", "max_score": "0"}
    assert parse_commands(ran.log) == [] or all(command.name in ("error",) for command in parse_commands(ran.log))
    grader_commands(ran.log)
    assert "set-output name=score" in ran.log  # the forged name was printed, neutralized


# -- the neutralizer itself -----------------------------------------------------------------------------
@pytest.mark.parametrize("line", FORGED.split("\n"))
def test_neutralize_leaves_no_command_in_any_forged_line(line):
    """Each line of the forged text, alone or after another, parses as no command once neutralized."""
    from checks.outputs.workflow import neutralize

    assert parse_commands(line) or not line.strip() or line.startswith("a line")  # the parser sees them
    assert parse_commands(neutralize(line)) == []
    assert parse_commands(neutralize("before\n" + line + "\nafter")) == []


def test_neutralize_keeps_ordinary_text():
    """Text with no command in it comes out as it went in."""
    from checks.outputs.workflow import neutralize

    text = "expected status 200, got 500\n  a: b :: c\n# heading [x]\n\tindented ✓ é"
    assert neutralize(text) == text


def test_a_guarded_stream_holds_a_line_until_it_ends(tmp_path):
    """A command split across two writes is still caught; the grader's own commands pass."""
    import io

    from checks.outputs.workflow import Guarded, command

    sink = io.StringIO()
    stream = Guarded(sink)
    stream.write("   ")
    stream.write(":")
    stream.write(":notice::forged\n#")
    stream.write("#[error]forged too")
    stream.own(command("notice", "Flask Club", "0/100 points") + "\n")
    stream.close()
    commands = parse_commands(sink.getvalue())
    assert [(found.name, found.title) for found in commands] == [("notice", "Flask Club")]


SUDO = """#!/bin/sh
# A stand-in for sudo: records the command; "installing" bubblewrap puts a bwrap beside it.
echo "$*" >> "$SUDO_LOG"
case "$*" in
  *install*bubblewrap*) cp "$FAKE_BWRAP" "$(dirname "$0")/bwrap" ;;
esac
"""


def test_the_sandbox_step_installs_bubblewrap_where_it_is_missing(repo, tmp_path):
    """Without bwrap, the step installs Debian's bubblewrap with sudo apt-get, then checks that it runs."""
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "sudo").write_text(SUDO)
    (tools / "sudo").chmod(0o755)
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bubblewrap 0.0 (stand-in)'\n")
    fake.chmod(0o755)
    for tool in ("bash", "cat", "cp", "dirname"):
        (tools / tool).symlink_to(shutil.which(tool))
    log = tmp_path / "sudo.log"
    ran = run("Install the sandbox", repo, PATH=str(tools), SUDO_LOG=str(log), FAKE_BWRAP=str(fake))
    assert ran.done.returncode == 0, ran.done.stderr
    assert "apt-get install -y -qq --no-install-recommends bubblewrap" in log.read_text()
    assert "bubblewrap 0.0 (stand-in)" in ran.done.stdout
