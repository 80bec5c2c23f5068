"""Mutants: the reference solution with one realistic mistake each (tests/mutants/*.toml).

Each mutant names the checks it must fail, each with a phrase of its message (`fails`,
`every_check`: see tests/verdicts.py), and the steps that costs (`loses`); every other
check must pass.
"""

from __future__ import annotations

import pytest
import verdicts

from tools import mutants

NAMES = mutants.names()


def test_there_are_mutants():
    """The kit keeps a set of mutants to prove the checks catch mistakes."""
    assert len(NAMES) >= 10


@pytest.mark.parametrize("name", NAMES)
def test_mutant_names_its_checks_and_their_steps(name):
    """A mutant names at least one check of the rubric, and `loses` is exactly their steps."""
    mutant = mutants.load(name)
    fails = verdicts.expectation(mutant)
    assert fails, f"{name}: no [fails]: name the checks it must fail"
    assert verdicts.unknown_checks(fails) == [], name
    assert verdicts.steps_of(fails) == set(mutant["loses"]), name


@pytest.mark.parametrize("name", NAMES)
def test_mutant_fails_exactly_its_checks(name, grade, tmp_path):
    """The mutant fails the checks it names, each saying its phrase, and passes every other one."""
    mutant = mutants.make(name, tmp_path / "submission")
    result = grade(tmp_path / "submission", *verdicts.only_step(), seed=2024)
    assert verdicts.problems(result, verdicts.expectation(mutant)) == [], mutant["description"]
