"""Mutants of the reference solution (tests/mutants/*.toml): load one, apply it to a copy.

Each mutant is one realistic student mistake, written as text edits to the
solution's files; the kit's tests (tests/test_mutants.py) and the bench both
use them.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, as the tomli package (pinned in requirements.txt)
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "tests" / "mutants"
SOLUTION = ROOT / "solution"


def names() -> list[str]:
    return sorted(path.stem for path in MUTANTS.glob("*.toml"))


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
            if text.count(edit["old"]) != 1:
                raise ValueError(f"{edit['file']}: {edit['old']!r} must occur once in the solution")
            path.write_text(text.replace(edit["old"], edit["new"]))


def make(name: str, root: Path) -> dict:
    """A copy of the solution at root with the named mutant applied; returns the mutant."""
    shutil.copytree(SOLUTION, root, ignore=shutil.ignore_patterns("instance", "__pycache__"))
    mutant = load(name)
    apply(mutant, root)
    return mutant
