"""The files an LMS's gradebook imports as they stand, for a class that `python -m checks import` made.

- Canvas (Grades → Import): canvas.csv, in the layout of Canvas's own gradebook export:
  `Student, ID, SIS User ID, SIS Login ID, Section`, then one column for the assignment
  (FLASK_CLUB_ASSIGNMENT, default "Flask Club"; Canvas matches an existing assignment by
  the header it exports, "Flask Club (123456)"), and a "Points Possible" row. Canvas matches
  each row on ID, the user id its download put in every file name.
- Moodle (the assignment's "Upload grading worksheet"): moodle.csv, in the layout of the
  worksheet it downloads: `Identifier` ("Participant 12345", the number its download put
  in every folder name), `Full name`, ..., `Grade`, `Last modified (grade)` (the three
  columns its import needs) and `Feedback comments` (the plain-text feedback, as HTML
  lines, the comments editor's format).

Both are UTF-8, CRLF-terminated, every text cell safe from spreadsheet formulas. A student
with nothing handed in, or one the grader could not grade, gets an empty grade: the
gradebook keeps what it had.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from html import escape

from checks.outputs.formats import csv_text

CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = [
    "Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade", "Grade can be changed",
    "Last modified (submission)", "Last modified (grade)", "Feedback comments",
]


def assignment() -> str:
    """The assignment's column header in canvas.csv."""
    return os.environ.get("FLASK_CLUB_ASSIGNMENT", "Flask Club")


def canvas_csv(outcomes, roster, feedback: dict[str, str]) -> str:
    """canvas.csv: one row per student of the roster, matched on Canvas's user ID."""
    results = {outcome.student: outcome for outcome in outcomes}
    most = max((o.result["max_score"] for o in outcomes if o.result is not None), default="")
    rows = [[*CANVAS_IDENTITY, assignment()], ["Points Possible", "", "", "", "", most]]
    for student, entry in roster.students.items():
        outcome = results.get(student)
        score = outcome.result["score"] if outcome is not None and outcome.result is not None else ""
        rows.append([entry.name or student, entry.lms_id, "", "", "", score])
    return csv_text(rows, lineterminator="\r\n")


def html_lines(text: str) -> str:
    """Plain text as the HTML Moodle's comments editor keeps: escaped, one <br> per line break."""
    return "<br>".join(escape(line) for line in text.rstrip("\n").split("\n"))


def moodle_csv(outcomes, roster, feedback: dict[str, str]) -> str:
    """moodle.csv: Moodle's grading worksheet, one row per participant of the roster."""
    results = {outcome.student: outcome for outcome in outcomes}
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # a time PHP's strtotime reads
    rows = [MOODLE_COLUMNS]
    for student, entry in roster.students.items():
        outcome = results.get(student)
        graded = outcome is not None and outcome.result is not None
        status = "Graded" if graded else (outcome.status if outcome is not None else "not in this run")
        rows.append([
            f"Participant {entry.lms_id}", entry.name or student, entry.email, status,
            outcome.result["score"] if graded else "", outcome.result["max_score"] if graded else "", "Yes",
            "", now, html_lines(feedback.get(student, "")),
        ])
    return csv_text(rows, lineterminator="\r\n")


EXPORTS = {"canvas": ("canvas.csv", canvas_csv), "moodle": ("moodle.csv", moodle_csv)}
