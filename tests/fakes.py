"""For the tests of the outputs: graded results made up (no submission is run), and Gradescope's format."""

from __future__ import annotations

import sys

from checks import rubric
from checks.results import CheckResult, Failure, Grade, StepResult

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, as the tomli package (pinned in requirements.txt)
    import tomli as tomllib

# The fields of Gradescope's results.json (its autograder specification), with the values they take.
GRADESCOPE_TOP = {"score", "execution_time", "output", "visibility", "stdout_visibility", "tests"}
GRADESCOPE_OPTIONAL = {"leaderboard", "extra_data", "output_format", "test_output_format", "test_name_format"}
GRADESCOPE_TEST = {"name", "number", "score", "max_score", "status", "output", "tags", "visibility"}
GRADESCOPE_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


def fake_grade(
    steps: dict[str, rubric.Step] | None = None,
    failing: set[str] = frozenset(),
    messages: dict[str, str] | None = None,
    seed: int = 4242,
) -> Grade:
    """A grade where the checks named in `failing` failed (with a message) and every other passed."""
    steps = steps or rubric.load()
    messages = messages or {}
    results = []
    for step in steps.values():
        result = StepResult(step.id, step.title, step.label, step.doc, counted=step.counted)
        for line, (name, points) in enumerate(step.points.items(), start=10):
            passed = name not in failing
            failure = Failure(f"{name} saw something else", doc=step.doc, label=step.label)
            if name in messages:
                failure = Failure(messages[name])
            message = failure.text()
            result.checks.append(
                CheckResult(
                    name,
                    f"the check {name} holds",
                    passed,
                    points if passed else 0.0,
                    points,
                    "" if passed else message,
                    hidden=name in step.hidden,
                    file=f"checks/{step.module.name}",
                    line=line,
                    duration=0.25,
                    failure=None if passed else failure,
                )
            )
        results.append(result)
    return Grade("path/to/alice", seed, results, duration=3.5)


def with_settings(text: str, **settings: str) -> dict[str, rubric.Step]:
    """The default rubric with top-level settings replaced, e.g. hidden='["test_template_is_html"]'."""
    for key, value in settings.items():
        lines = [f"{key} = {value}" if line.startswith(f"{key} =") else line for line in text.splitlines()]
        text = "\n".join(lines)
    return rubric.parse(tomllib.loads(text))


def validate_gradescope(data: dict) -> None:
    """The fields Gradescope's autograder specification defines, with their types and values."""
    assert set(data) <= GRADESCOPE_TOP | GRADESCOPE_OPTIONAL
    assert isinstance(data["score"], int | float) and isinstance(data["execution_time"], int)
    assert isinstance(data["output"], str) and data["visibility"] in GRADESCOPE_VISIBILITY
    for number, test in enumerate(data["tests"]):
        assert set(test) == GRADESCOPE_TEST, number
        assert test["status"] in ("passed", "failed") and test["visibility"] in GRADESCOPE_VISIBILITY
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert 0 <= test["score"] <= test["max_score"]
