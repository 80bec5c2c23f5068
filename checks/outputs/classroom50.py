"""Classroom 50's result: result.json (`classroom50/result/v1`) and the release's body.

Classroom 50 publishes each graded submission as a release of the student's repository,
with `result.json` as its record: the submission's identity (classroom, assignment, the
`submit/...` tag, the commit, release and review links, the submission instant), the
score and one test per check. Scores there are whole numbers, and the score is the sum
of the tests' scores: so every check is a test worth its rubric points, which must be
whole (the default rubric's are; `make classroom50` refuses a rubric whose are not), and
the tests add up exactly to the kit's own total.

Both files are what the student sees: hidden checks are numbered tests with no name and
no message (`hidden check 1 of 2`), and count as they do everywhere.

Classroom 50's runner gives the commit a green status only when every test passed. A check
worth 0 points (feedback, such as extra 7's fourth check, or an extra the rubric leaves
out of the total) must not turn a full score red: its test is marked `"feedback": true`
and `"passed": true` (it takes no point away), and `"check-passed"` and the message say
what the check itself found. So the status follows the points. Every text of the
release body that the kit did not write (the work folder's name) is escaped.
"""

from __future__ import annotations

import re

from checks.outputs.items import check_output
from checks.outputs.markdown import render_markdown
from checks.outputs.wording import hidden_line, title
from checks.results import Grade

SCHEMA = "classroom50/result/v1"
# The identity fields, from the runner's environment variables.
IDENTITY = {
    "classroom": "CLASSROOM",
    "assignment": "ASSIGNMENT",
    "submission": "SUBMISSION_TAG",
    "commit": "COMMIT_URL",
    "release": "RELEASE_URL",
    "review": "REVIEW_URL",
}


class NotWhole(ValueError):
    """A check or total is worth a fraction of a point, which Classroom 50 can't record."""


def whole(value: float, what: str) -> int:
    """The value as an int; NotWhole if it has a fraction."""
    if round(value, 6) != int(round(value, 6)):
        raise NotWhole(
            f"{what} is worth {value:g} points: Classroom 50 records whole points only "
            "(give every check whole points, and weights that keep them whole)"
        )
    return int(round(value, 6))


def unwhole_points(steps: dict) -> list[str]:
    """The checks of a loaded rubric worth a fraction of a point (their points times the step's weight)."""
    return [
        f"{name} (step {step.id}): {points:g}"
        for step in steps.values()
        for name, points in step.points.items()
        if round(points, 6) != int(round(points, 6))
    ]


def tests(grade: Grade) -> list[dict]:
    """One test per check, in order, as the student sees it; an extra that doesn't count is worth 0 of 0."""
    student = grade if grade.student_view else grade.for_students()
    hidden, _ = student.hidden_count()
    rows, number = [], 0
    for step, check in student.checks:
        if check.hidden:
            number += 1
            name, message = f"hidden check {number} of {hidden}", ""
        else:
            name, message = title(step, check), check_output(student, step, check)  # a blocked one names its cause
        if not step.counted:
            name += " (extra, not counted)"
        row = {
            "test-name": name,
            "passed": check.passed,
            "score": whole(check.score, name) if step.counted else 0,
            "max-score": whole(check.max_score, name) if step.counted else 0,
            "step": step.label,
            "message": message,
        }
        if row["max-score"] == 0:  # feedback: the runner's status follows the points, not this check
            if not check.passed:
                row["message"] = "Feedback only (0 points), not passed: " + message
            row.update({"passed": True, "feedback": True, "check-passed": check.passed})
        rows.append(row)
    return rows


def code_span(text: str) -> str:
    """Text the kit did not write as one Markdown code span: one line, no control character, never closed early."""
    line = "".join(char if char.isprintable() else "?" for char in text)
    longest = max((len(run) for run in re.findall(r"`+", line)), default=0)
    ticks = "`" * (longest + 1)
    padding = " " if line.startswith("`") or line.endswith("`") or not line.strip() else ""
    return f"{ticks}{padding}{line}{padding}{ticks}"


def result(grade: Grade, identity: dict[str, str], submitted: str, graded_at: str) -> dict:
    """The whole result.json: identity, the submission instant, the kit's total and the tests."""
    rows = tests(grade)
    score, max_score = whole(grade.score, "the total"), whole(grade.max_score, "the maximum")
    if (sum(row["score"] for row in rows), sum(row["max-score"] for row in rows)) != (score, max_score):
        raise NotWhole(f"the tests add up to something else than the kit's total {score}/{max_score}")
    return {
        "schema": SCHEMA,
        **{key: identity[key] for key in IDENTITY},
        "datetime": submitted,
        "graded_at": graded_at,
        "score": score,
        "max-score": max_score,
        "tests": rows,
    }


def release_body(grade: Grade, work: str = "starter") -> str:
    """The release's text, for the student: the table of steps, each failure with its hint, hidden checks as a count."""
    student = grade if grade.student_view else grade.for_students()
    lines = [render_markdown(student).rstrip("\n"), ""]
    if hidden_line(student):
        lines += ["Hidden checks count like the others; the guide's steps are all you need for them.", ""]
    lines += [
        f"Check your work before you submit: `make check` in your repository grades {code_span(work + '/')} "
        f"with the same checks (`make check SEED={grade.seed}` repeats this run's data).",
        "",
    ]
    return "\n".join(lines)
