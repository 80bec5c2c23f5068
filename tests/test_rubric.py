"""The rubric, the check modules and the contract's points agree."""

from __future__ import annotations

import ast

from checks import rubric

CONTRACT_POINTS = {"1": 10, "2": 15, "3": 10, "4": 15, "5": 30, "6": 10, "7": 10}
LEVEL_2_POINTS = {"8": 10, "9": 15, "10": 15, "11": 10}
LEVEL_3_POINTS = {"12": 15, "13": 20, "14": 10, "15": 15, "16": 20}


def check_functions(step: rubric.Step) -> dict[str, str | None]:
    """The test functions of a step's module, with their docstrings."""
    tree = ast.parse(step.module.read_text())
    return {
        node.name: ast.get_docstring(node)
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


def test_steps_are_worth_the_contracts_points():
    """Each step's checks add up to the contract's default points, 100 in all."""
    steps = rubric.load()
    assert {step.id: step.max_score for step in steps.values()} == CONTRACT_POINTS


def test_level_2_is_off_by_default_and_worth_the_contracts_points():
    """Steps 8 to 11 are in the rubric, off unless it turns them on, worth the contract's 50 points on top."""
    every = rubric.load(every_step=True)
    assert list(every) == [*CONTRACT_POINTS, *LEVEL_2_POINTS, *LEVEL_3_POINTS]
    assert {step.id: step.max_score for step in every.values() if step.level == 2} == LEVEL_2_POINTS
    assert [step.id for step in every.values() if not step.on] == [*LEVEL_2_POINTS, *LEVEL_3_POINTS]
    assert all(step.fresh and not step.needs_app for step in every.values() if step.level == 2)


def test_level_3_is_off_by_default_and_worth_the_contracts_points():
    """Steps 12 to 16 are in the rubric, off unless it turns them on, each worth the contract's points."""
    every = rubric.load(every_step=True)
    assert {step.id: step.max_score for step in every.values() if step.level == 3} == LEVEL_3_POINTS
    assert all(not step.on and step.fresh and not step.needs_app for step in every.values() if step.level == 3)
    assert rubric.ALL_STEP_IDS[-5:] == list(LEVEL_3_POINTS)


def test_every_check_has_points_and_every_point_a_check():
    """The rubric names exactly the checks each step's module defines."""
    for step in rubric.load(every_step=True).values():
        assert set(check_functions(step)) == set(step.points), step.id


def test_every_check_says_what_it_checks():
    """A check's docstring is the one-line sentence the student sees."""
    for step in rubric.load(every_step=True).values():
        for name, doc in check_functions(step).items():
            assert doc and "\n" not in doc.strip(), f"{step.module.name}::{name}"


def test_every_step_names_a_doc_page_that_exists():
    """The page each failure points to is there."""
    for step in rubric.load().values():
        assert (rubric.CHECKS.parent / step.doc).is_file(), step.doc
