"""`make gradescope`: the autograder zip, and run_autograder run against a stand-in for /autograder."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SOLUTION, STARTER
from fakes import validate_gradescope

from checks import rubric
from checks.integrity import MANIFEST
from tools import gradescope

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """dist/gradescope.zip, as `make gradescope` builds it."""
    return gradescope.build(tmp_path_factory.mktemp("gradescope") / "gradescope.zip")


def autograder(built: Path, root: Path, submission: Path | None, layout: str = "flat") -> Path:
    """A stand-in for /autograder as Gradescope lays it out: source/ (the zip), run_autograder, submission/."""
    with zipfile.ZipFile(built) as archive:
        archive.extractall(root / "source")
    for name in ("run_autograder", "setup.sh"):
        (root / "source" / name).chmod(0o755)  # zipfile does not restore modes; Gradescope's unzip does
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    target = root / "submission" / ("starter" if layout == "repository" else "")
    target.mkdir(parents=True)
    if submission is not None:
        skipped = shutil.ignore_patterns("instance", "__pycache__")
        shutil.copytree(submission, target, dirs_exist_ok=True, ignore=skipped)
    return root


def run_autograder(root: Path) -> tuple[dict, subprocess.CompletedProcess[str]]:
    """Run run_autograder with AUTOGRADER_ROOT=root and the kit's Python; return results.json and the run."""
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "FLASK_CLUB_PYTHON": sys.executable}
    done = subprocess.run(
        [str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text()), done


def test_the_zip_has_setup_and_run_autograder_at_its_root(built):
    """setup.sh and run_autograder at the root, executable; the checks with their manifest; the pins."""
    with zipfile.ZipFile(built) as archive:
        names = set(archive.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert {"setup.sh", "run_autograder", "autograde.py", "requirements.txt", f"checks/{MANIFEST}"} <= names
    assert "checks/rubric.toml" in names and "checks/test_step5_show_user.py" in names
    assert all(modes[name] & stat.S_IXUSR for name in ("setup.sh", "run_autograder"))
    assert not any(name.startswith(("solution/", "tests/", "starter/")) or "__pycache__" in name for name in names)


def test_the_zip_is_the_same_for_the_same_kit(built, tmp_path):
    """Building twice gives the same bytes: an instructor can tell whether to upload again."""
    assert gradescope.build(tmp_path / "again.zip").read_bytes() == built.read_bytes()


def test_the_scripts_are_valid_bash():
    """setup.sh (run once by Gradescope, needs the network) and run_autograder parse as bash."""
    for name in ("setup.sh", "run_autograder"):
        done = subprocess.run(["bash", "-n", str(ROOT / "templates" / "gradescope" / name)], capture_output=True)
        assert done.returncode == 0, done.stderr


def test_the_solution_scores_full_marks(built, tmp_path):
    """app.py and templates/ uploaded as they are: results.json gives 100, in Gradescope's format."""
    results, done = run_autograder(autograder(built, tmp_path, SOLUTION))
    validate_gradescope(results)
    checks = sum(len(step.points) for step in rubric.load().values())
    assert results["score"] == 100 and len(results["tests"]) == checks
    assert all(test["status"] == "passed" for test in results["tests"])
    assert "Grading" in done.stdout


def test_a_repository_upload_is_graded_in_its_starter_folder(built, tmp_path):
    """A whole repository (GitHub upload) is graded in starter/: the starter scores 0, each test saying why."""
    results, _ = run_autograder(autograder(built, tmp_path, STARTER, layout="repository"))
    validate_gradescope(results)
    assert results["score"] == 0
    assert all(test["status"] == "failed" for test in results["tests"])
    # Each says why: the page to read, or the failure that blocks it (which says so itself).
    assert all("read: docs/student/" in test["output"] or "blocked: " in test["output"] for test in results["tests"])
    assert any("read: docs/student/" in test["output"] for test in results["tests"])


def test_an_empty_submission_still_gets_results(built, tmp_path):
    """Nothing to grade: results.json still exists, with 0 points and a sentence saying why."""
    results, _ = run_autograder(autograder(built, tmp_path, None))
    validate_gradescope(results)
    assert results["score"] == 0 and "no app.py" in results["output"]


def test_without_the_sandbox_every_student_is_told_why(built, tmp_path):
    """Where the sandbox cannot start (no bwrap here), results.json says so in the grader's words, with 0 points."""
    root = autograder(built, tmp_path / "autograder", SOLUTION)
    no_bwrap = tmp_path / "bin"
    no_bwrap.mkdir()
    for name in ("bash", "env", "python3", "uname", "dirname", "cat"):
        found = shutil.which(name)
        if found:
            (no_bwrap / name).symlink_to(found)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "FLASK_CLUB_PYTHON": sys.executable, "PATH": str(no_bwrap)}
    done = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and results["tests"] == []
    assert results["output"].startswith("The autograder could not grade this submission: no sandbox to grade")
    assert "bubblewrap (bwrap) is not installed" in results["output"]
