"""Reporting a grade to GitHub Actions: step outputs, job summary and annotations.

`python -m checks DIR --github` (in the handout's workflow) first writes the step outputs
`graded=true`, `score` and `max_score` to the file `$GITHUB_OUTPUT` names, then appends the
Markdown table to the file `$GITHUB_STEP_SUMMARY` names, and prints one `::error`
annotation per failing check. `start` writes `graded=false` before grading begins, so a
run that crashes leaves no score behind but its own. Outside Actions, where those variables
are unset, only the annotations are printed.

Every text of an annotation passes through checks/outputs/workflow.py: nothing the
submission wrote can end the annotation's line or start a command of its own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from checks.outputs.items import failed_items, item_lines
from checks.outputs.markdown import render_markdown
from checks.outputs.wording import hidden_line, visible
from checks.outputs.workflow import command, escape_data, escape_property
from checks.results import Grade, number

__all__ = ["annotations", "command", "escape_data", "escape_property", "report", "start"]


def annotations(grade: Grade) -> str:
    """An `::error` line per failing check the reader may see, one for hidden failures, a notice with the total."""
    lines = []
    if grade.modified:
        lines.append(command("error", "Checks modified", grade.void))
    for item in failed_items(grade):  # a shared cause once, with the checks it blocks
        text = f"the same as for “{item.same_as}” above" if item.same_as else "\n".join(item_lines(grade, item))
        lines.append(command("error", item.heading, text))
    hidden_failed = [check for _, check in grade.checks if not visible(grade, check) and not check.passed]
    if hidden_failed:
        lines.append(command("error", "Hidden checks", f"{hidden_line(grade)}; {len(hidden_failed)} failed"))
    total = f"{number(grade.score):g}/{number(grade.max_score):g} points (seed {grade.seed})"
    lines.append(command("notice", "Flask Club", total))
    return "\n".join(lines) + "\n"


def append(path: str, text: str) -> None:
    with open(Path(path), "a", encoding="utf-8") as file:
        file.write(text)


def outputs(values: dict[str, str], environ: Mapping[str, str] | None = None) -> None:
    """Append step outputs to $GITHUB_OUTPUT (the last value of a name wins)."""
    environ = os.environ if environ is None else environ
    path = environ.get("GITHUB_OUTPUT")
    if path:
        append(path, "".join(f"{key}={value}\n" for key, value in values.items()))


def start(environ: Mapping[str, str] | None = None) -> None:
    """Before grading: outputs that say no grade yet, so a crash leaves nothing to be taken for one."""
    outputs({"graded": "false", "score": "0", "max_score": "0"}, environ)


def report(grade: Grade, fail_under: float | None = None, environ: Mapping[str, str] | None = None) -> str:
    """Write the step outputs, then the job summary, where the environment says; return the annotations."""
    environ = os.environ if environ is None else environ
    score = f"{number(0 if grade.modified else grade.score):g}"
    outputs({"graded": "true", "score": score, "max_score": f"{number(grade.max_score):g}"}, environ)
    summary = environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        append(summary, render_markdown(grade, fail_under=fail_under) + "\n")
    return annotations(grade)
