"""Mutants: the reference solution with one realistic mistake each (tests/mutants/*.toml).

Each mutant must lose exactly the steps its file names, and keep the others.
"""

from __future__ import annotations

import pytest
from conftest import failed_steps

from tools import mutants

NAMES = mutants.names()


def test_there_are_mutants():
    """The kit keeps a set of mutants to prove the checks catch mistakes."""
    assert len(NAMES) >= 10


@pytest.mark.parametrize("name", NAMES)
def test_mutant_loses_exactly_its_steps(name, grade, tmp_path):
    """The mutant fails the steps it names and passes every other one."""
    mutant = mutants.make(name, tmp_path / "submission")
    result = grade(tmp_path / "submission", seed=2024)
    assert failed_steps(result) == set(mutant["loses"]), mutant["description"]
