"""Every Python a student has: the kit installs and grades on Debian's own python3 beside the default one.

Debian 12 (and Raspberry Pi OS, and many school labs) ships Python 3.11.2, older than what
some current releases ask for (soupsieve 3+ needs 3.11.5). requirements.txt is one lock for
every Python from 3.10 on, with environment markers where a release leaves one out. Here a
copy of the kit (its tracked files, as a fresh clone has them) runs `make grade` with
/usr/bin/python3, which creates .venv with that Python and installs the lock; then the
same .venv grades the solution (100) and the starter (0). pip's cache keeps it cheap.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT


def oldest_supported() -> str:
    """Python 3.10, the oldest the kit supports: on PATH, or one that pyenv installed; else the name alone."""
    found = shutil.which("python3.10")
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    installed = sorted(pyenv.glob("3.10.*/bin/python3.10")) if pyenv.is_dir() else []
    if installed and (found is None or version(found) is None):
        return str(installed[-1])
    return found or "python3.10"


# Debian's own python3, and the oldest Python the kit supports where this machine has one.
CANDIDATES = ["/usr/bin/python3", "oldest supported"]


def version(python: str) -> tuple[int, int, int] | None:
    """The interpreter's version, or None where it is missing or does not run."""
    path = shutil.which(python)
    if path is None:
        return None
    try:
        done = subprocess.run(
            [path, "-c", "import sys; print(*sys.version_info[:3])"], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    major, minor, micro = map(int, done.stdout.split())
    return major, minor, micro


def fresh_clone(target: Path) -> Path:
    """The kit's tracked files (what `git clone` gives), without .venv or any build."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def grade(python: Path, kit: Path, submission: str) -> dict:
    done = subprocess.run(
        [str(python), "-m", "checks", submission, "--format", "json", "--seed", "4242"],
        cwd=kit,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.skipif(shutil.which("git") is None or shutil.which("make") is None, reason="needs git and make")
@pytest.mark.parametrize("python", CANDIDATES)
def test_make_grade_works_from_a_fresh_clone_with_this_python(python, tmp_path):
    """`make grade PYTHON=...` makes .venv with that Python, installs the lock, grades: solution 100, starter 0."""
    python = oldest_supported() if python == "oldest supported" else python
    found = version(python)
    if found is None:
        pytest.skip(f"no working {python} on this machine")
    assert found >= (3, 10), f"{python} is {found}: older than the kit supports"
    kit = fresh_clone(tmp_path / "flask-club")
    # As a person runs it: not inside this run's virtualenv, nor inside `make test` (a make run from
    # within make prints "Entering/Leaving directory" lines around the JSON).
    outer = ("VIRTUAL_ENV", "PYTHONHOME", "MAKEFLAGS", "MAKELEVEL", "MFLAGS", "MAKEOVERRIDES")
    env = {key: value for key, value in os.environ.items() if not key.startswith(outer)}
    done = subprocess.run(
        ["make", "grade", f"PYTHON={shutil.which(python)}", "FORMAT=json", "SEED=4242"],
        cwd=kit,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    solution = json.loads(done.stdout[done.stdout.index("{") :])
    assert (solution["score"], solution["max_score"]) == (100, 100), solution
    venv_python = kit / ".venv" / "bin" / "python"
    assert version(str(venv_python)) == found  # graded by that Python, not the default one
    assert grade(venv_python, kit, "starter")["score"] == 0
    # A student's `make check` in the same clone: the starter, graded with that Python.
    check = subprocess.run(
        ["make", "check", f"PYTHON={shutil.which(python)}"], cwd=kit, env=env, capture_output=True, text=True,
        timeout=900, stdin=subprocess.DEVNULL,
    )
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    assert "0/100" in check.stdout


def test_the_makefile_refuses_an_old_python_with_a_clear_message(tmp_path):
    """A Python older than 3.10 gets one line that names the versions supported, not a pip traceback."""
    old = tmp_path / "python-old"
    # A stand-in that reports 3.9 to the version test, whatever python3 is here.
    old.write_text(
        "#!/bin/sh\n"
        'case "$*" in *version_info*) [ "$1" = -c ] && case "$2" in *exit*) exit 1;; '
        '*) echo "Python 3.9.18"; exit 0;; esac;; esac\n'
        "exit 3\n"
    )
    old.chmod(0o755)
    kit = tmp_path / "kit"
    kit.mkdir()
    for name in ("Makefile", "requirements.txt"):
        shutil.copy2(ROOT / name, kit / name)
    done = subprocess.run(
        ["make", "grade", f"PYTHON={old}"], cwd=kit, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "runs on Python 3.10 or newer" in done.stdout and "Python 3.9.18" in done.stdout
    assert not (kit / ".venv").exists()
