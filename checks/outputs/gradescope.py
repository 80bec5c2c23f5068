"""Gradescope's results.json: the total, one test per check with its points and visibility.

Hidden checks are marked `after_published`, so students see them once grades are published.
"""

from __future__ import annotations

import json

from checks.outputs.items import check_output, failed_items
from checks.outputs.wording import points, title
from checks.results import Grade, number

GRADESCOPE_HIDDEN = "after_published"


def render_gradescope(grade: Grade, color: bool = False, fail_under: float | None = None) -> str:
    """Gradescope's results.json: the total, one test per check with its points and visibility."""
    tests = []
    for step in grade.steps:
        for index, check in enumerate(step.checks, start=1):
            tests.append(
                {
                    "name": title(step, check) + ("" if step.counted else " (extra, not counted)"),
                    "number": f"{step.id}.{index}",
                    "score": number(grade.points(check)) if step.counted else 0,
                    "max_score": number(check.max_score) if step.counted else 0,
                    "status": "passed" if check.passed else "failed",
                    "output": check_output(grade, step, check),
                    "tags": [step.label],
                    "visibility": GRADESCOPE_HIDDEN if check.hidden else "visible",
                }
            )
    summary = [f"Flask Club checks: {points(grade.score, grade.max_score)} (seed {grade.seed})."]
    if grade.void:
        summary.insert(0, grade.void + ".")
    for item in failed_items(grade):
        if item.cause is not None:
            summary.append(f"{item.heading}: {item.failure.problem} ({item.blocked_line()}.)")
    hidden, _ = grade.hidden_count()
    if hidden:
        summary.append(f"{hidden} of the tests are shown once grades are published.")
    result = {
        "score": number(grade.score),
        "execution_time": max(1, round(grade.duration)),
        "output": " ".join(summary),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"
