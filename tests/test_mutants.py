"""Mutants: the reference solution with one realistic mistake each (tests/mutants/*.toml).

Each mutant names the checks it must fail, each with a phrase of its message (`fails`,
`every_check`: see tests/verdicts.py), and the steps that costs (`loses`); every other
check must pass. A mutant marked `level2 = true` is graded with level 2 turned on
(steps 1 to 11), as an instructor's rubric does.
"""

from __future__ import annotations

import pytest
import verdicts

from checks import rubric
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


def test_every_level2_step_has_two_mutants():
    """Each step of level 2 (8 to 11) has at least two mutants of its own, each marked `level2 = true`."""
    level2 = [mutants.load(name) for name in NAMES if mutants.load(name).get("level2") is True]
    for step in rubric.LEVEL_2:
        assert sum(mutant["loses"] == [step] for mutant in level2) >= 2, step
    assert all(set(mutant["loses"]) & set(rubric.LEVEL_2) for mutant in level2)


@pytest.mark.parametrize("name", NAMES)
def test_mutant_fails_exactly_its_checks(name, grade, tmp_path, level2_rubric):
    """The mutant fails the checks it names, each saying its phrase, and passes every other one."""
    mutant = mutants.make(name, tmp_path / "submission")
    level2 = ("--rubric", level2_rubric) if mutant.get("level2") is True else ()
    result = grade(tmp_path / "submission", *level2, *verdicts.only_step(), seed=2024)
    assert verdicts.problems(result, verdicts.expectation(mutant)) == [], mutant["description"]
