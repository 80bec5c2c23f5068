"""Reporting a grade to GitHub Actions: job summary, annotations, and GitHub Classroom's output.

`python -m checks DIR --github` (in the handout's workflow) appends the Markdown table to
the file `$GITHUB_STEP_SUMMARY` names, prints one `::error` annotation per failing check,
and writes the step outputs `result` (base64 of GitHub Classroom's result object),
`score` and `max_score` to the file `$GITHUB_OUTPUT` names. Outside Actions, where those
variables are unset, only the annotations are printed.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from pathlib import Path

from checks.outputs.formats import classroom_result, hidden_line, modified_line, render_markdown, shown, title, visible
from checks.results import Grade, number


def escape_data(text: str) -> str:
    """A workflow command's message, as GitHub's toolkit escapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property (such as title), as GitHub's toolkit escapes it."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, title_: str, message: str) -> str:
    return f"::{kind} title={escape_property(title_)}::{escape_data(message)}"


def annotations(grade: Grade) -> str:
    """An `::error` line per failing check the reader may see, one for hidden failures, a notice with the total."""
    lines = []
    if grade.modified:
        lines.append(command("error", "Checks modified", modified_line(grade)))
    for step, check in shown(grade):
        if not check.passed:
            lines.append(command("error", title(step, check), check.message))
    hidden_failed = [check for _, check in grade.checks if not visible(grade, check) and not check.passed]
    if hidden_failed:
        lines.append(command("error", "Hidden checks", f"{hidden_line(grade)}; {len(hidden_failed)} failed"))
    total = f"{number(grade.score):g}/{number(grade.max_score):g} points (seed {grade.seed})"
    lines.append(command("notice", "Flask Club", total))
    return "\n".join(lines) + "\n"


def classroom_output(grade: Grade, fail_under: float | None = None) -> str:
    """The `result` step output: base64 of the compact JSON, as GitHub's Classroom graders write it."""
    data = json.dumps(classroom_result(grade, fail_under), ensure_ascii=False, separators=(",", ":"))
    return base64.b64encode(data.encode("utf-8")).decode("ascii")


def append(path: str, text: str) -> None:
    with open(Path(path), "a", encoding="utf-8") as file:
        file.write(text)


def report(grade: Grade, fail_under: float | None = None, environ: Mapping[str, str] | None = None) -> str:
    """Write the job summary and step outputs where the environment says; return the annotations to print."""
    environ = os.environ if environ is None else environ
    summary = environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        append(summary, render_markdown(grade, fail_under=fail_under) + "\n")
    output = environ.get("GITHUB_OUTPUT")
    if output:
        outputs = {
            "result": classroom_output(grade, fail_under),
            "score": f"{number(0 if grade.modified else grade.score):g}",
            "max_score": f"{number(grade.max_score):g}",
        }
        append(output, "".join(f"{key}={value}\n" for key, value in outputs.items()))
    return annotations(grade)
