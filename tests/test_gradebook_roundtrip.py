"""The whole trip: an LMS download → import → grade → the gradebook file → the LMS's own import rules.

The rules each gradebook applies to an uploaded file are written here from its documentation,
and applied to a gradebook that already holds a grade and a comment for every student:

- Canvas (Grades → Import; Canvas's gradebook importer): each row is matched to a student by
  `ID`, else `SIS User ID`, else `SIS Login ID`, else the `Student` name; an assignment column
  whose header matches no assignment makes a new one (its points from "Points Possible");
  in a matched row, a number sets the score and a blank cell removes it; a student with no
  row keeps their score.
- Moodle (Upload grading worksheet; assignfeedback_offline): each row is matched on
  `Identifier` ("Participant N"); its `Grade` sets the grade; where a `Feedback comments`
  column is present, its cell replaces the comment (a blank one blanks it), and where it is
  absent the comments stay; a participant with no row keeps grade and comment.

Nothing already in the gradebook is lost, and every graded student is updated.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from conftest import SOLUTION, STARTER, SUBMISSIONS, run_checks

ESCAPES = SUBMISSIONS / "mistake_safe_filter"  # 95 points


def templates(folder: Path) -> dict[str, str]:
    """A submission's templates, by file name."""
    return {path.name: path.read_text() for path in sorted((folder / "templates").glob("*.html"))}


def modules(folder: Path) -> dict[str, str]:
    """A submission's Python modules beside app.py, by file name (app.py first)."""
    found = sorted(folder.glob("*.py"), key=lambda path: (path.name != "app.py", path.name))
    return {path.name: path.read_text() for path in found}


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


# -- each consumer's rules ---------------------------------------------------------------------------
def canvas_import(gradebook: dict[str, dict], text: str, assignment: str) -> dict[str, dict]:
    """Canvas's gradebook import of `text` into {user id: {"name", "sis", assignment: score}}; a new gradebook."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"], header
    columns = header[5:]
    assert assignment in columns, "a header matching no assignment would make a new assignment"
    result = {user: dict(record) for user, record in gradebook.items()}
    for row in body:
        cells = dict(zip(header, row, strict=True))
        if cells["Student"] == "Points Possible":
            continue
        user = cells["ID"] if cells["ID"] in result else None
        if user is None:
            matches = [u for u, record in result.items() if record["name"] and record["name"] == cells["Student"]]
            user = matches[0] if len(matches) == 1 else None
        if user is None:
            continue  # Canvas lists it as a student it could not match, and imports nothing for it
        value = cells[assignment]
        result[user][assignment] = float(value) if value != "" else None  # a blank removes the score
    return result


def moodle_upload(gradebook: dict[str, dict], text: str) -> dict[str, dict]:
    """Moodle's grading worksheet upload of `text` into {participant: {"grade", "comment"}}."""
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    result = {participant: dict(record) for participant, record in gradebook.items()}
    for row in rows:
        participant = row["Identifier"].removeprefix("Participant ")
        if participant not in result:
            continue
        result[participant]["grade"] = float(row["Grade"]) if row["Grade"] != "" else None
        if "Feedback comments" in row:
            result[participant]["comment"] = row["Feedback comments"]  # a blank cell blanks the comment
    return result


# -- Canvas ------------------------------------------------------------------------------------------
def canvas_download(path: Path) -> Path:
    """Five students: two graded apps (one late), the untouched starter, a text entry, a broken zip."""
    with zipfile.ZipFile(path, "w") as archive:
        for number, (prefix, folder) in enumerate(
            [("lovelaceada_1001", SOLUTION), ("hoppergrace_LATE_1002", ESCAPES), ("turingalan_1003", STARTER)]
        ):
            for file_id, (name, text) in enumerate(modules(folder).items(), start=5100 + 10 * number):
                renamed = "app-1.py" if number == 1 and name == "app.py" else name  # grace uploaded hers again
                archive.writestr(f"{prefix}_{file_id}_{renamed}", text)
            for file_id, (name, text) in enumerate(templates(folder).items(), start=5000 + 10 * number):
                archive.writestr(f"{prefix}_{file_id}_{name}", text)
        archive.writestr("noetheremmy_1004_text.html", "<p>see my laptop</p>")
        archive.writestr("ngandrew_1005_5007_flask-club.zip", b"PK\x03\x04 damaged")
    return path


@pytest.fixture(scope="module")
def canvas_trip(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("canvas-trip")
    done = run_checks("import", canvas_download(base / "submissions.zip"), "--out", base / "class")
    assert done.returncode == 0, done.stderr
    graded = run_checks(base / "class", "--out", base / "grades", "--seed", "3", "--jobs", "2")
    assert graded.returncode == 0, graded.stderr
    return base


def test_canvas_round_trip_keeps_every_grade_and_updates_every_graded_student(canvas_trip):
    """Canvas: the graded two get their new score; the starter, the text entry and the broken zip keep theirs."""
    before = {user: {"name": "", "Flask Club": 42.0} for user in ("1001", "1002", "1003", "1004", "1005", "1999")}
    text = (canvas_trip / "grades" / "canvas.csv").read_text(encoding="utf-8")
    after = canvas_import(before, text, "Flask Club")
    scores = {row["lms_id"]: row["score"] for row in read_csv(canvas_trip / "grades" / "grades.csv")}
    assert scores["1001"] == "100" and scores["1002"] == "95"
    assert after["1001"]["Flask Club"] == 100.0 and after["1002"]["Flask Club"] == 95.0
    for kept in ("1003", "1004", "1005", "1999"):  # the untouched starter, a text entry, a broken zip, not in it
        assert after[kept]["Flask Club"] == 42.0, kept
    assert all(row[1] for row in csv.reader(io.StringIO(text, newline="")) if row[0] != "Points Possible")


# -- Moodle ------------------------------------------------------------------------------------------
def moodle_download(path: Path) -> Path:
    """Four participants: two graded apps, an online-text-only submission, a folder with nothing runnable."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in modules(SOLUTION).items():
            archive.writestr(f"Ada Lovelace_201_assignsubmission_file/{name}", text)
        for name, text in templates(SOLUTION).items():
            archive.writestr(f"Ada Lovelace_201_assignsubmission_file/templates/{name}", text)
        archive.writestr("Grace Hopper_202_assignsubmission_file/app.py", (ESCAPES / "app.py").read_text())
        for name, text in templates(ESCAPES).items():  # loose, beside app.py: the import puts them in templates/
            archive.writestr(f"Grace Hopper_202_assignsubmission_file/{name}", text)
        archive.writestr("Alan Turing_203_assignsubmission_onlinetext/onlinetext.html", "<p>done!</p>")
        archive.writestr("Emmy Noether_204_assignsubmission_file/notes.txt", "no time")
    return path


def test_moodle_round_trip_keeps_every_comment_and_updates_every_graded_participant(tmp_path):
    """Moodle: the graded two get grade and feedback; the others keep their grade and comment."""
    done = run_checks("import", moodle_download(tmp_path / "moodle.zip"), "--out", tmp_path / "class")
    assert done.returncode == 0, done.stderr
    graded = run_checks(tmp_path / "class", "--out", tmp_path / "grades", "--seed", "3", "--jobs", "2")
    assert graded.returncode == 0, graded.stderr
    before = {p: {"grade": 7.0, "comment": f"comment for {p}"} for p in ("201", "202", "203", "204", "299")}
    after = moodle_upload(before, (tmp_path / "grades" / "moodle.csv").read_text(encoding="utf-8"))
    assert after["201"]["grade"] == 100.0 and after["202"]["grade"] == 95.0
    assert "HTML in a message is shown as text" in after["202"]["comment"]
    assert after["201"]["comment"] and after["201"]["comment"] != "comment for 201"
    for kept in ("203", "204", "299"):
        assert after[kept] == before[kept], kept
