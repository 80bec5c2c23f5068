"""Student submissions graded end to end: each must get exactly the contract's verdict.

Every directory under tests/submissions/ is one student's hand-in (`app.py` and
`templates/user.html`, plus whatever else that student wrote). tests/submissions/verdicts.toml
names, for each, the checks the grader must fail and a phrase each one's message must
hold; every other check must pass. The verdicts follow the contract's step table and its
notes alone: steps are graded independently, steps 3 and 4 read only the template's
source, and an app.py that cannot be imported fails every check that needs the app.
tests/submissions/README.md tells each submission's story, with the steps it fails.
"""

from __future__ import annotations

import re

import pytest
import verdicts
from conftest import SUBMISSIONS

EXPECTED = verdicts.samples()
LEVEL2 = verdicts.level2_samples()

# Verdicts that assume a case-sensitive file system, where `Templates/` is not `templates/`.
CASE_SENSITIVE_ONLY = {"mistake_templates_capitalised"}


def _file_system_ignores_case() -> bool:
    return (SUBMISSIONS / "mistake_templates_capitalised" / "templates").exists()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_submission_gets_the_contracts_verdict(name, grade, level2_rubric):
    """Each student submission fails exactly the checks verdicts.toml names, each saying its phrase.

    Samples marked `level2 = true` are graded with level 2 turned on: steps 1 to 11.
    """
    if name in CASE_SENSITIVE_ONLY and _file_system_ignores_case():
        pytest.skip("this file system ignores case, so Templates/ is found as templates/")
    level2 = ("--rubric", level2_rubric) if name in LEVEL2 else ()
    result = grade(SUBMISSIONS / name, *level2, *verdicts.only_step())
    if level2 and not verdicts.only_step():
        assert [step["id"] for step in result["steps"]] == [str(number) for number in range(1, 12)]
    assert verdicts.problems(result, EXPECTED[name]) == []


def test_every_submission_has_a_verdict_and_every_verdict_a_submission():
    """The directories under tests/submissions/ and the tables of verdicts.toml match."""
    on_disk = {
        path.name
        for path in SUBMISSIONS.iterdir()
        if path.is_dir() and not path.name.startswith(".") and path.name != "__pycache__"
    }
    assert sorted(on_disk - set(EXPECTED)) == [], "submissions without a verdict: give each a table in verdicts.toml"
    assert sorted(set(EXPECTED) - on_disk) == [], "verdicts without a submission"


def test_verdicts_name_only_the_rubrics_checks():
    """Every check a verdict names is a check of the rubric, and every phrase says something."""
    for name, fails in EXPECTED.items():
        assert verdicts.unknown_checks(fails) == [], name
        assert all(phrase.strip() for expected in fails.values() for phrase in verdicts.phrases(expected)), name


def readme_steps() -> dict[str, set[str]]:
    """The `fails` column of the README's tables: each submission's failing steps."""
    steps = {}
    text = (SUBMISSIONS / "README.md").read_text(encoding="utf-8")
    for name, cell in re.findall(r"^\| `(\w+)` \|.*\| ([^|]+) \|$", text, re.MULTILINE):
        cell = cell.strip()
        if cell == "none":
            steps[name] = set()
        elif match := re.fullmatch(r"(\d+)[–-](\d+)", cell):
            steps[name] = {str(n) for n in range(int(match[1]), int(match[2]) + 1)}
        else:
            steps[name] = {part.strip() for part in cell.split(",")}
    return steps


def test_readme_tells_the_same_steps_as_the_verdicts():
    """README.md's `fails` column lists the steps of the checks verdicts.toml names, for every submission."""
    told = readme_steps()
    assert sorted(told) == sorted(EXPECTED)
    for name, fails in EXPECTED.items():
        assert told[name] == verdicts.steps_of(fails), name
