"""Which checks a graded submission must fail, and what each failure must say.

An expectation maps each check that must fail (its function name in checks/test_*.py)
to a phrase its message must contain; every other check of the graded steps must pass.
The sample submissions keep theirs in tests/submissions/verdicts.toml, the mutants in
their own tests/mutants/NAME.toml, both under the key `fails`:

    [fails]
    test_message_html_is_escaped = "became real elements"

and `every_check.N = "phrase"` says that every check of step N fails with that phrase.
A check may have a list of phrases instead, all of which its message must hold (the
problem, then the hint that diagnoses it). Phrases match whole words, ignoring case. The
result's other plain fields count as lines "key: value": "blocked_by: app" names the
cause a failure is put down to, "blocked_by: null" says there is none.
Pick phrases that state the contract ("expected 400", "refused with 401 or 403")
rather than incidental wording, so that rewording a hint does not break them but
losing the branch that finds the mistake does.
"""

from __future__ import annotations

import ast
import json
import os
import re
from functools import cache
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from checks import rubric

SAMPLES = Path(__file__).resolve().parent / "submissions" / "verdicts.toml"

# Messages every check that needs the app (or the template) gives when app.py did not
# load (or the template is missing). A check failing with one of these has not shown
# that its own test works, except the one check whose own failure it is.
BORROWED = {
    "could not be loaded": "test_app_imports",
    "there is no templates/user.html": "test_template_exists",
}


@cache
def steps() -> dict[str, rubric.Step]:
    """Every step of the kit's rubric, level 2's included."""
    return rubric.load(every_step=True)


@cache
def step_of_check() -> dict[str, str]:
    """Every check of the kit's rubric, mapped to its step id."""
    return {name: step.id for step in steps().values() for name in step.points}


@cache
def check_of_name() -> dict[str, str]:
    """The student-facing name of each check (its docstring's first line), mapped to its function name."""
    names: dict[str, str] = {}
    for step in steps().values():
        for node in ast.parse(step.module.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name in step.points:
                title = (ast.get_docstring(node) or node.name).strip().splitlines()[0]
                if title in names:
                    raise AssertionError(f"{node.name} and {names[title]} share the name {title!r}")
                names[title] = node.name
    return names


def expectation(entry: dict) -> dict[str, str]:
    """The checks an entry (a sample's table, or a mutant's file) says must fail, each with its phrase."""
    fails = dict(entry.get("fails", {}))
    for step_id, phrase in entry.get("every_check", {}).items():
        if step_id not in steps():
            raise AssertionError(f"every_check.{step_id}: there is no step {step_id}")
        for name in steps()[step_id].points:
            fails.setdefault(name, phrase)
    return fails


def samples() -> dict[str, dict[str, str]]:
    """Each sample submission's expectation, from tests/submissions/verdicts.toml."""
    with open(SAMPLES, "rb") as file:
        return {name: expectation(entry) for name, entry in tomllib.load(file).items()}


def level2_samples() -> set[str]:
    """The samples verdicts.toml marks `level2 = true`: graded with level 2 turned on in the rubric."""
    with open(SAMPLES, "rb") as file:
        return {name for name, entry in tomllib.load(file).items() if entry.get("level2") is True}


def failures(result: dict) -> dict[str, str]:
    """The checks a graded result (the contract's JSON) did not pass, each with the text it showed."""
    found = {}
    for step in result["steps"]:
        for check in step["checks"]:
            if not check["passed"]:
                name = check_of_name().get(check["name"], check["name"])
                # The message, then each other plain field as "key: value" ("blocked_by: app",
                # "blocked_by: null"), so that a phrase can name the cause a failure is put down to.
                texts = [check.get("message") or ""]
                texts += [
                    f"{key}: {json.dumps(value) if not isinstance(value, str) else value}"
                    for key, value in check.items()
                    if key not in ("name", "message") and (value is None or isinstance(value, str | int | float))
                ]
                found[name] = "\n".join(texts)
    return found


def problems(result: dict, fails: dict[str, str | list[str]]) -> list[str]:
    """What is wrong with a graded result against an expectation; empty when it meets it.

    Only the steps the result holds are judged: a run of one step (--step) meets the expectation
    of that step's checks."""
    got = failures(result)
    graded = {check_of_name().get(check["name"], check["name"]) for step in result["steps"] for check in step["checks"]}
    graded_steps = {step["id"] for step in result["steps"]}
    judged = graded_steps | {"?"}  # "?": a name no step holds, reported as not graded
    fails = {name: expected for name, expected in fails.items() if step_of_check().get(name, "?") in judged}
    wrong = []
    for name in sorted(set(got) - set(fails)):
        wrong.append(f"{name} failed but should pass:\n    {got[name][:400]}")
    for name in sorted(set(fails) - set(got)):
        done = "passed" if name in graded else "was not graded"
        wrong.append(f"{name} {done} but should fail with {fails[name]!r}")
    for name in sorted(set(fails) & set(got)):
        for phrase in phrases(fails[name]):
            if not says(got[name], phrase):
                wrong.append(f"{name} failed without {phrase!r} in its message:\n    {got[name][:400]}")
    return wrong


def phrases(expected: str | list[str]) -> list[str]:
    """An expectation's phrases for one check: one, or a list (the problem, then the hint, say)."""
    return [expected] if isinstance(expected, str) else list(expected)


def says(text: str, phrase: str) -> bool:
    """Whether the text holds the phrase as whole words, ignoring case: "expected 400" is not in "expected 4000"."""
    pattern = re.escape(phrase.casefold())
    if phrase[:1].isalnum() or phrase[:1] == "_":
        pattern = r"(?<!\w)" + pattern
    if phrase[-1:].isalnum() or phrase[-1:] == "_":
        pattern += r"(?!\w)"
    return re.search(pattern, text.casefold()) is not None


def only_step() -> tuple[str, ...]:
    """CLI arguments grading one step alone, when ONLY_STEP says so (tools/mutation.py sets it).

    Mutating one step's module can change that step's checks alone; the expectations of the
    other steps are then left aside (see problems)."""
    step = os.environ.get("ONLY_STEP", "")
    return ("--step", step) if step else ()


def unknown_checks(fails: dict[str, str]) -> list[str]:
    """The names of an expectation that are no check of the rubric."""
    return sorted(set(fails) - set(step_of_check()))


def steps_of(fails: dict[str, str]) -> set[str]:
    """The step ids an expectation's failing checks worth points belong to (a 0-point check fails no step)."""
    found = set()
    for name in fails:
        step_id = step_of_check().get(name)
        if step_id is not None and steps()[step_id].points[name] > 0:
            found.add(step_id)
    return found


def targets(fails: dict[str, str | list[str]]) -> set[str]:
    """The checks an expectation shows working: failing with a phrase of their own, not a borrowed one."""
    own = set()
    for name, expected in fails.items():
        for phrase in phrases(expected):
            owner = next((check for text, check in BORROWED.items() if text in phrase.casefold()), name)
            if owner == name and phrase.strip():
                own.add(name)
    return own
