"""Level 3's reference (solution-level3/) and step 16's mutants of it (tools/level3_mutants.py).

The reference's own tests are step 16's worked example: they pass on the
reference, and each mutant (the reference with one contract rule broken) makes
at least one of them fail. Each run is pytest on a copy, as step 16 runs a
student's tests: the copy's root first on sys.path, no plugin, no
configuration from outside tests/, level 3's variables set.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tools import level3_mutants
from tools.level3_mutants import MUTANTS, Mutant

ROOT = Path(__file__).resolve().parent.parent
# A run that takes longer than step 16 allows a student's suite is a defect of the reference's tests.
RUN_SECONDS = 30


def run_tests(copy: Path) -> subprocess.CompletedProcess[str]:
    """pytest on the copy's tests/, as step 16 runs it; stops at the first failure."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(copy),
        "PYTHONPATH": str(copy),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "SECRET_KEY": "a-key-for-the-reference-tests",
        "CLUB_PASSWORD": "a-club-password-for-the-reference-tests",
        "CLUB_ADMIN": "ChiefOtter42",
        "CLUB_CONFIRM_SECONDS": "3600",
    }
    command = [sys.executable, "-m", "pytest", "tests", "-p", "no:cacheprovider", "-q", "-x"]
    command += ["-c", os.devnull, "--rootdir", str(copy)]
    return subprocess.run(
        command, cwd=copy, env=env, capture_output=True, text=True, timeout=RUN_SECONDS, stdin=subprocess.DEVNULL
    )


def run_on(mutant: Mutant | None) -> subprocess.CompletedProcess[str]:
    """The reference's tests run on a fresh copy of the reference, with the mutant's edit if one is given."""
    with tempfile.TemporaryDirectory(prefix="level3-") as folder:
        copy = level3_mutants.build(mutant, Path(folder) / "solution-level3")
        return run_tests(copy)


def test_the_mutant_set_is_well_formed() -> None:
    """12 to 30 mutants, named once each, each an edit with a rule of a level and step of the contract."""
    assert 12 <= len(MUTANTS) <= 30
    assert len({mutant.name for mutant in MUTANTS}) == len(MUTANTS)
    assert len({(mutant.file, mutant.find, mutant.replace) for mutant in MUTANTS}) == len(MUTANTS)
    for mutant in MUTANTS:
        assert mutant.find != mutant.replace, mutant.name
        assert mutant.rule.endswith("."), mutant.name
        assert mutant.level in (1, 2, 3), mutant.name
        assert mutant.step in {str(step) for step in range(1, 16)}, mutant.name
        assert (mutant.level == 1) == (int(mutant.step) <= 7), mutant.name
        assert (mutant.level == 3) == (int(mutant.step) >= 12), mutant.name
    assert {mutant.level for mutant in MUTANTS} == {1, 2, 3}


def test_each_mutant_edits_its_file_once() -> None:
    """Every mutant's text occurs exactly once in the reference, and the copy differs from it in that file alone."""
    for mutant in MUTANTS:
        with tempfile.TemporaryDirectory(prefix="level3-") as folder:
            copy = level3_mutants.build(mutant, Path(folder) / "solution-level3")
            changed = [
                str(path.relative_to(copy))
                for path in sorted(copy.rglob("*"))
                if path.is_file()
                and path.read_bytes() != (level3_mutants.REFERENCE / path.relative_to(copy)).read_bytes()
            ]
        assert changed == [mutant.file], mutant.name


def test_an_edit_that_does_not_apply_is_refused() -> None:
    """A mutant whose text is not in the reference, or is there twice, is never built silently."""
    missing = Mutant("missing", 3, "12", "A rule.", "config.py", "no such text anywhere", "")
    twice = Mutant("twice", 3, "12", "A rule.", "club/admin.py", "abort(404)", "abort(500)")
    for mutant in (missing, twice):
        with tempfile.TemporaryDirectory(prefix="level3-") as folder, pytest.raises(ValueError, match="not once"):
            level3_mutants.build(mutant, Path(folder) / mutant.name)


def test_the_reference_gets_full_marks_on_every_level(grade) -> None:
    """Graded with levels 2 and 3 turned on, the reference passes every step of every level."""
    text = (ROOT / "checks" / "rubric.toml").read_text(encoding="utf-8")
    for level in ("level2", "level3"):
        assert text.count(f"\n{level} = false\n") == 1
        text = text.replace(f"\n{level} = false\n", f"\n{level} = true\n")
    with tempfile.TemporaryDirectory(prefix="level3-") as folder:
        rubric = Path(folder) / "rubric.toml"
        rubric.write_text(text, encoding="utf-8")
        result = grade(level3_mutants.REFERENCE, "--rubric", str(rubric), seed=3)
    ids = [step["id"] for step in result["steps"]]
    assert ids[:15] == [str(number) for number in range(1, 16)]
    failing = {step["id"]: [c["message"] for c in step["checks"] if not c["passed"]] for step in result["steps"]}
    assert result["score"] == result["max_score"], {step: messages for step, messages in failing.items() if messages}


def test_the_reference_passes_its_own_tests() -> None:
    """The reference's tests all pass on it."""
    run = run_on(None)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "skipped" not in run.stdout


def test_the_reference_tests_kill_every_mutant() -> None:
    """Each mutant makes at least one of the reference's tests fail (never an error of the run itself)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = dict(zip(MUTANTS, pool.map(run_on, MUTANTS), strict=True))
    survivors = [mutant.name for mutant, run in runs.items() if run.returncode != 1 or " failed" not in run.stdout]
    details = {mutant.name: runs[mutant].stdout[-1500:] for mutant in MUTANTS if mutant.name in survivors}
    assert not survivors, details
