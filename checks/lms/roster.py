"""A class folder's students.csv: each student's folder, LMS identity, and what the import did with them.

Every text cell is neutralised against spreadsheet formulas (a leading `'` before `=`, `+`,
`-`, `@`, a tab or a carriage return), and read back without it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from checks.lms.placement import Entry
from checks.outputs.spreadsheet import FORMULA_STARTS, cell

ROSTER = "students.csv"
ROSTER_COLUMNS = ["student", "lms", "lms_id", "name", "email", "late", "status", "group", "notes"]


@dataclass
class Roster:
    """A class folder's students.csv: the LMS it came from and each student's entry, by folder name."""

    lms: str
    students: dict[str, Entry]

    @property
    def placed(self) -> dict[str, Entry]:
        return {student: entry for student, entry in self.students.items() if entry.placed}


def roster_text(entries: list[Entry]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # CRLF: a CR inside a cell is then quoted
    writer.writerow(ROSTER_COLUMNS)
    for entry in entries:
        row = [entry.student, entry.lms, entry.lms_id, entry.name, entry.email, "yes" if entry.late else "",
               entry.status, entry.group, "; ".join(entry.notes)]
        writer.writerow([cell(utf8(value)) for value in row])
    return buffer.getvalue()


def utf8(text: str) -> str:
    """A name as UTF-8 can hold it: bytes a folder name held that are not UTF-8 become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def write_roster(out: Path, entries: list[Entry]) -> None:
    temporary = out / f".{ROSTER}.new"
    with open(temporary, "w", encoding="utf-8", newline="") as file:
        file.write(roster_text(entries))
    temporary.replace(out / ROSTER)


def plain(value: str | None) -> str:
    """A cell as written before it was neutralised."""
    value = value or ""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def read_roster(folder: Path) -> Roster | None:
    """A class folder's students.csv, or None when it has none (it was not imported)."""
    try:
        with open(folder / ROSTER, encoding="utf-8-sig", newline="") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError):
        return None
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or not set(ROSTER_COLUMNS[:3]) <= set(rows[0]):
        return None
    students = {}
    for row in rows:
        entry = Entry(plain(row["student"]), plain(row["lms"]), plain(row["lms_id"]), plain(row.get("name")),
                      plain(row.get("email")), row.get("late") == "yes", plain(row.get("status")) or "placed",
                      plain(row.get("group")))
        entry.notes = [note for note in plain(row.get("notes")).split("; ") if note]
        students[entry.student] = entry
    return Roster(plain(rows[0]["lms"]), students)
