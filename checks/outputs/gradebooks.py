"""The files an LMS's gradebook imports as they stand, for a class that `python -m checks import` made.

- Canvas (Grades → Import): canvas.csv, in the layout of Canvas's own gradebook export:
  `Student, ID, SIS User ID, SIS Login ID, Section`, then one column for the assignment
  (FLASK_CLUB_ASSIGNMENT, default "Flask Club"; Canvas matches an existing assignment by
  the header it exports, "Flask Club (123456)"), and a "Points Possible" row (Canvas reads
  it only when the column makes a new assignment). Every row carries `ID`, the Canvas
  user id its download put in every file name, so Canvas matches on it and never guesses
  by name.
- Moodle (the assignment's "Upload grading worksheet"): moodle.csv, in the layout of the
  worksheet it downloads: `Identifier` ("Participant 12345", the number its download put
  in every folder name), `Full name`, ..., `Grade`, `Last modified (grade)` (the three
  columns its import needs) and `Feedback comments` (the plain-text feedback, as HTML
  lines, the comments editor's format).

A cell in these files replaces what the gradebook holds, and a blank cell blanks it (in
Canvas a blank grade removes the grade; in Moodle a blank comment removes the comment).
So a student the grader did not grade (nothing handed in, not placed, an error) has no
row at all, and the gradebook keeps what it had for them; Moodle's feedback column is
written only when every row has feedback to put in it. Both files are UTF-8,
CRLF-terminated, every text cell safe from spreadsheet formulas.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from html import escape

from checks.outputs.spreadsheet import csv_text

CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = [
    "Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade", "Grade can be changed",
    "Last modified (submission)", "Last modified (grade)",
]
MOODLE_FEEDBACK = "Feedback comments"


def assignment() -> str:
    """The assignment's column header in canvas.csv."""
    return os.environ.get("FLASK_CLUB_ASSIGNMENT", "Flask Club")


def graded(outcomes, roster) -> list[tuple[object, dict]]:
    """(entry, result) for each student of the roster the grader graded, in the roster's order."""
    results = {outcome.student: outcome.result for outcome in outcomes if outcome.result is not None}
    return [(entry, results[student]) for student, entry in roster.students.items() if student in results]


def canvas_csv(outcomes, roster, feedback: dict[str, str]) -> str:
    """canvas.csv: one row per graded student with a Canvas user id, matched on that ID."""
    rows_graded = [(entry, result) for entry, result in graded(outcomes, roster) if entry.lms_id.isdigit()]
    most = max((result["max_score"] for _, result in rows_graded), default="")
    rows = [[*CANVAS_IDENTITY, assignment()], ["Points Possible", "", "", "", "", most]]
    for entry, result in rows_graded:
        rows.append([entry.name, entry.lms_id, "", "", "", result["score"]])
    return csv_text(rows, lineterminator="\r\n")


def html_lines(text: str) -> str:
    """Plain text as the HTML Moodle's comments editor keeps: escaped, one <br> per line break."""
    return "<br>".join(escape(line) for line in text.rstrip("\n").split("\n"))


def moodle_csv(outcomes, roster, feedback: dict[str, str]) -> str:
    """moodle.csv: Moodle's grading worksheet, one row per graded participant of the roster."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # a time PHP's strtotime reads
    rows_graded = graded(outcomes, roster)
    comments = bool(rows_graded) and all(feedback.get(entry.student, "").strip() for entry, _ in rows_graded)
    rows = [MOODLE_COLUMNS + ([MOODLE_FEEDBACK] if comments else [])]
    for entry, result in rows_graded:
        row = [f"Participant {entry.lms_id}", entry.name or entry.student, entry.email, "Graded",
               result["score"], result["max_score"], "Yes", "", now]
        rows.append(row + ([html_lines(feedback[entry.student])] if comments else []))
    return csv_text(rows, lineterminator="\r\n")


EXPORTS = {"canvas": ("canvas.csv", canvas_csv), "moodle": ("moodle.csv", moodle_csv)}
