"""Mutants: the reference solution with one realistic mistake each (tests/mutants/*.toml).

Each mutant must lose exactly the steps its file names, and keep the others.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from conftest import SOLUTION, failed_steps

MUTANTS = Path(__file__).resolve().parent / "mutants"


def load(name: str) -> dict:
    with open(MUTANTS / f"{name}.toml", "rb") as file:
        return tomllib.load(file)


def apply(mutant: dict, root: Path) -> None:
    """Make the mutant's edits to a copy of the solution, insisting each edit finds its text once."""
    for edit in mutant["edit"]:
        path = root / edit["file"]
        if edit.get("delete"):
            path.unlink()
        elif edit.get("create"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(edit["new"])
        else:
            text = path.read_text()
            assert text.count(edit["old"]) == 1, f"{edit['file']}: {edit['old']!r} must occur once in the solution"
            path.write_text(text.replace(edit["old"], edit["new"]))


NAMES = sorted(path.stem for path in MUTANTS.glob("*.toml"))


def test_there_are_mutants():
    """The kit keeps a set of mutants to prove the checks catch mistakes."""
    assert len(NAMES) >= 10


@pytest.mark.parametrize("name", NAMES)
def test_mutant_loses_exactly_its_steps(name, grade, tmp_path):
    """The mutant fails the steps it names and passes every other one."""
    mutant = load(name)
    root = tmp_path / "submission"
    shutil.copytree(SOLUTION, root, ignore=shutil.ignore_patterns("instance", "__pycache__"))
    apply(mutant, root)
    result = grade(root, seed=2024)
    assert failed_steps(result) == set(mutant["loses"]), mutant["description"]
