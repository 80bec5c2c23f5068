"""The gradebook's layout, for one submission (the CSV format) and for a class (grades.csv).

One layout everywhere: `python -m checks DIR --format csv` writes one row of it, a class's
grades.csv one row per student. Steps are columns step_1 ... step_7 (the JSON's step ids),
then each further level's columns (step_8 ... step_11 for level 2) where that level is graded
(see layout_steps), so a spreadsheet or a script reads either file the same way. Every text
cell is safe from spreadsheet formulas (see cell).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from checks import rubric
from checks.results import Grade, number

PROVENANCE = ["rubric", "rubric_sha256", "kit_version", "graded_at"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def layout_steps(graded: Iterable[str] = (), level2: bool = False) -> list[str]:
    """The steps a gradebook has columns for: level 1's, then each further level's where it is graded.

    `graded` are the step ids a run graded: one of a level's among them brings all its columns
    (`level2`: the rubric turns level 2 on, so its columns are there even with no result holding
    one); without, the layout is level 1's alone, as it always was.
    """
    graded = set(graded)
    first, *further = rubric.ALL_LEVELS
    steps = list(first.steps)
    for level in further:
        if graded & set(level.steps) or (level2 and level.setting == "level2"):
            steps += level.steps
    return steps


def gradebook_columns(step_ids: list[str] | None = None) -> list[str]:
    """student, lms_id, seed, score, max_score, step_1 ... step_7 (... step_11), status, isolation, what graded it."""
    steps = [f"step_{step_id}" for step_id in (step_ids or rubric.ALL_LEVELS[0].steps)]
    return ["student", "lms_id", "seed", "score", "max_score", *steps, "status", "isolation", *PROVENANCE]


def cell(value: object) -> object:
    """A value safe in a spreadsheet: text that a spreadsheet would run as a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: list[list], lineterminator: str = "\n") -> str:
    """Rows as CSV, every text cell neutralised (see cell)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    writer.writerows([[cell(value) for value in row] for row in rows])
    return buffer.getvalue()


def gradebook_row(
    student: str,
    seed: object = "",
    score: object = "",
    max_score: object = "",
    steps: dict[str, object] | None = None,
    status: str = "graded",
    graded_with: dict | None = None,
    lms_id: str = "",
    step_ids: list[str] | None = None,
    isolation: str = "",
) -> list:
    """One row of gradebook_columns()."""
    steps, graded_with = steps or {}, graded_with or {}
    ids = step_ids or rubric.ALL_LEVELS[0].steps
    row = [student, lms_id, seed, score, max_score, *(steps.get(step_id, "") for step_id in ids)]
    return row + [status, isolation, *(graded_with.get(key, "") for key in PROVENANCE)]


def render_csv(grade: Grade, color: bool = False, fail_under: float | None = None, header: bool = True) -> str:
    """The gradebook's header and this submission's row: its seed, total and each step's points."""
    steps = {step.id: number(grade.points(step)) for step in grade.steps}
    step_ids = layout_steps(steps)
    row = gradebook_row(
        grade.submission, grade.seed, number(grade.score), number(grade.max_score), steps,
        graded_with=grade.graded_with, isolation=grade.isolation, step_ids=step_ids,
    )
    return csv_text([gradebook_columns(step_ids), row] if header else [row])
