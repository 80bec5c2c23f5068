"""The import against downloads a student can shape: every name is data, one bad entry stops no one else.

Each download is built to its LMS's real layout (see checks/lms/): Canvas's flat
`name[_LATE]_id_fileid_upload` files (anonymous `anon_xxxxx` ids, names with underscores and
digits, `_text.html` and `_link.html` entries, re-uploads renamed `app-1.py` … `app-<uuid>.py`),
Moodle's `Full Name_12345_assignsubmission_file/` folders, Gradescope's submission_metadata.yml.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, SOLUTION, run_checks

from checks import lms
from checks.lms.placement import MARKER

APP = (SOLUTION / "app.py").read_text(encoding="utf-8")
USER = (SOLUTION / "templates" / "user.html").read_text(encoding="utf-8")
UUID = "3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b"


def inner_zip(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def write_zip(path: Path, files: dict[str, str | bytes]) -> Path:
    path.write_bytes(inner_zip(files))
    return path


def files_under(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


def roster_rows(folder: Path) -> list[dict[str, str]]:
    with open(folder / "students.csv", newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


# -- every name is data --------------------------------------------------------------------------
GRADESCOPE_HOSTILE = """\
submission_1:
  :submitters:
  - :name: ../../escaped
    :sid: '../../../outside'
    :email: a@example.edu
submission_2:
  :submitters:
  - :name: "=HYPERLINK(\\"http://x\\")"
    :sid: '@sum'
../submission_3:
  :submitters:
  - :name: Climber
    :sid: '3'
"""


def test_a_gradescope_sid_holding_dot_dot_never_reaches_a_path(tmp_path):
    """A sid and a name of `../`: the folder is the kit's name, nothing lands outside --out, students.csv is inert."""
    export = tmp_path / "export"
    for key in ("submission_1", "submission_2"):
        (export / key).mkdir(parents=True)
        (export / key / "app.py").write_text(APP)
    (export / "submission_metadata.yml").write_text(GRADESCOPE_HOSTILE)
    out = tmp_path / "deep" / "class"
    report = lms.import_class(export, out)
    assert sorted(entry.student for entry in report.placed) == ["escaped", "hyperlink-http-x"]
    assert {entry.lms_id for entry in report.entries} >= {"../../../outside", "@sum"}
    climber = [entry for entry in report.entries if entry.name == "Climber"]
    assert climber and climber[0].status.startswith("not placed")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["deep", "export"]
    assert sorted(path.name for path in (tmp_path / "deep").iterdir()) == ["class"]
    text = (out / "students.csv").read_text(encoding="utf-8")
    assert "'@sum" in text and "'=HYPERLINK" in text
    assert lms.read_roster(out).students["escaped"].lms_id == "../../../outside"  # read back as it was


def test_a_reimport_removes_only_folders_it_made_and_marked(tmp_path):
    """A students.csv naming `../victim` or an unmarked folder: the next import removes neither."""
    download = write_zip(tmp_path / "submissions.zip", {"lovelaceada_1001_5001_app.py": APP})
    out = tmp_path / "class"
    lms.import_class(download, out)
    assert (out / "lovelaceada" / MARKER).is_file()
    (tmp_path / "victim").mkdir()
    (tmp_path / "victim" / "thesis.tex").write_text("years of work")
    (out / "mine").mkdir()
    (out / "mine" / "notes.txt").write_text("the TA's notes")
    roster = (out / "students.csv").read_text()
    (out / "students.csv").write_text(roster + "../victim,canvas,9,,,,placed,,\nmine,canvas,8,,,,placed,,\n")
    report = lms.import_class(download, out)
    assert any("kept 1 folder(s) of the last import without the kit's marker (mine)" in note for note in report.notes)
    assert (tmp_path / "victim" / "thesis.tex").read_text() == "years of work"
    assert (out / "mine" / "notes.txt").read_text() == "the TA's notes"
    assert files_under(out / "lovelaceada") == {"app.py", MARKER}


def test_a_moodle_name_made_like_another_participants_folder_overwrites_no_one(tmp_path):
    """A full name `Eve_12_assignsubmission_file` (participant 34): participant 34 gets it, 12 keeps their app."""
    download = write_zip(tmp_path / "moodle.zip", {
        "Ada Lovelace_12_assignsubmission_file/app.py": APP,
        "Ada Lovelace_12_assignsubmission_file/templates/user.html": USER,
        "Eve_12_assignsubmission_file_34_assignsubmission_file/app.py": "print('mine now')\n",
    })
    report = lms.import_class(download, tmp_path / "class")
    by_id = {entry.lms_id: entry for entry in report.entries}
    assert set(by_id) == {"12", "34"} and by_id["34"].name == "Eve_12_assignsubmission_file"
    assert (tmp_path / "class" / by_id["12"].student / "app.py").read_text() == APP
    assert (tmp_path / "class" / by_id["12"].student / "templates" / "user.html").is_file()


def test_students_csv_neutralises_every_formula_start(tmp_path):
    """Names starting =, +, -, @, a tab or a CR are written with a leading ' in students.csv."""
    files = {}
    for number, name in enumerate(["=cmd", "+sum", "-neg", "@at", "\ttab", "\rret"], start=1):
        files[f"{name}_{number}_assignsubmission_file/app.py"] = APP
    report = lms.import_class(write_zip(tmp_path / "moodle.zip", files), tmp_path / "class")
    assert len(report.placed) == 6
    names = [row["name"] for row in roster_rows(tmp_path / "class")]
    assert sorted(names) == sorted(["'=cmd", "'+sum", "'-neg", "'@at", "'\ttab", "'\rret"])


# -- one bad entry stops no one else ---------------------------------------------------------------
def test_one_broken_zip_is_that_students_row_and_the_rest_import(tmp_path):
    """A damaged student zip: 'not imported: …' for them, placed for the others."""
    download = write_zip(tmp_path / "submissions.zip", {
        "lovelaceada_1001_5001_app.py": APP,
        "hoppergrace_1002_5002_flask-club.zip": b"PK\x03\x04 not a zip at all",
        "turingalan_1003_5003_flask-club.zip": inner_zip({"flask-club/app.py": APP}),
    })
    report = lms.import_class(download, tmp_path / "class")
    status = {entry.student: entry.status for entry in report.entries}
    assert status["lovelaceada"] == status["turingalan"] == "placed"
    assert status["hoppergrace"].startswith("not imported: flask-club.zip is not a zip file, or a damaged one")
    assert not (tmp_path / "class" / "hoppergrace").exists()


@pytest.fixture(scope="module")
def nested_bomb() -> bytes:
    """A student's zip holding a zip of 12 files of 96 MiB: 1,152 MiB in all, 5 MiB packed (built in about 4 s)."""
    zeros = b"\0" * (96 << 20)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bomb:
        for number in range(12):
            bomb.writestr(f"part{number}.bin", zeros)
    return inner_zip({"flask-club/app.py": APP, "flask-club/assets.zip": buffer.getvalue()})


def test_a_zip_inside_a_zip_past_one_gib_hits_the_download_cap(tmp_path, nested_bomb):
    """The nesting shares one budget: 1,152 MiB inside a student's zip is refused, before a byte of it is written."""
    download = write_zip(tmp_path / "submissions.zip", {
        "lovelaceada_1001_5001_app.py": APP,
        "hoppergrace_1002_5002_flask-club.zip": nested_bomb,
    })
    report = lms.import_class(download, tmp_path / "class")
    status = {entry.student: entry.status for entry in report.entries}
    assert status["lovelaceada"] == "placed"
    assert status["hoppergrace"] == (
        "not imported: flask-club.zip: assets.zip unpacks past 1024 MiB in all (with what it is in)"
    ) or "unpacks past 1024 MiB in all" in status["hoppergrace"]
    assert not (tmp_path / "class" / "hoppergrace").exists()


def test_the_budget_counts_every_level_of_nesting(tmp_path):
    """With a 1 MiB budget: 600 KiB in the download and 600 KiB in a student's inner zip pass it together."""
    limits = lms.DownloadLimits(total=1 << 20)
    download = write_zip(tmp_path / "submissions.zip", {
        "lovelaceada_1001_5001_app.py": APP + "#" * (600 << 10),
        "hoppergrace_1002_5002_flask-club.zip": inner_zip({"app.py": APP, "more.zip": inner_zip({"x": "y" * 614_400})}),
    })
    report = lms.import_class(download, tmp_path / "class", limits=limits)
    status = {entry.student: entry.status for entry in report.entries}
    assert status["lovelaceada"] == "placed" and "unpacks past 1 MiB in all" in status["hoppergrace"]
    deep = inner_zip({"a.zip": inner_zip({"b.zip": inner_zip({"app.py": APP})})})
    write_zip(tmp_path / "deep.zip", {"lovelaceada_1001_5001_app.zip": deep})
    report = lms.import_class(tmp_path / "deep.zip", tmp_path / "class2")
    assert "zips nested more than 3 deep" in report.entries[0].status


# -- what a student uploaded is what gets graded ------------------------------------------------------
def test_canvas_names_are_read_as_canvas_writes_them(tmp_path):
    """Anonymous ids, underscores and a trailing number in a name, LATE, text and URL entries: each its own row."""
    download = write_zip(tmp_path / "submissions.zip", {
        "anon_x7f3k_5001_app.py": APP,
        "anon_x7f3k_5002_user.html": USER,
        "LATE_anon_q9w2e_5003_app.py": APP,
        "o_brien_1004_5004_app.py": APP,
        "jdoe_2_1005_5005_app.py": APP,
        "jdoe_2_1005_5006_user.html": USER,
        "smithjonesmary_1006_text.html": "<p>my app is on my laptop</p>",
        "leeann_LATE_1007_link.html": "<a href='https://example.com'>repl</a>",
    })
    report = lms.import_class(download, tmp_path / "class")
    rows = {entry.lms_id: entry for entry in report.entries}
    assert set(rows) == {"anon_x7f3k", "anon_q9w2e", "1004", "1005", "1006", "1007"}
    assert rows["anon_x7f3k"].student == "anon-x7f3k" and rows["anon_q9w2e"].late
    assert rows["1004"].placed and rows["1005"].placed and rows["1005"].student == "jdoe-2"
    assert files_under(tmp_path / "class" / "jdoe-2") == {"app.py", "templates/user.html", MARKER}
    assert rows["1006"].status.startswith("not placed: a text entry")
    assert rows["1007"].status.startswith("not placed: a website URL") and rows["1007"].late
    assert all(entry.name == "" for entry in report.entries)  # Canvas's squashed prefix is not the student's name


def test_renamed_reuploads_map_back_to_the_newest(tmp_path):
    """Canvas renames re-uploads app-1.py … app-8.py, then app-<uuid>.py: the newest file id becomes app.py."""
    files = {"lovelaceada_1001_5001_app.py": "print('first')\n"}
    files |= {f"lovelaceada_1001_{5001 + n}_app-{n}.py": f"print('upload {n}')\n" for n in range(1, 9)}
    files["lovelaceada_1001_5010_app-" + UUID + ".py"] = APP
    files["lovelaceada_1001_5011_user.html"] = USER
    report = lms.import_class(write_zip(tmp_path / "submissions.zip", files), tmp_path / "class")
    assert (tmp_path / "class" / "lovelaceada" / "app.py").read_text() == APP
    assert files_under(tmp_path / "class" / "lovelaceada") == {"app.py", "templates/user.html", MARKER}
    assert report.entries[0].notes == [f"kept app-{UUID}.py as app.py: the newest of 10 uploads of it"]


GRADESCOPE_SHAPES = """\
submission_1:
  :submitters:
  - :name: Loose Files
    :sid: '1'
submission_2:
  :submitters:
  - :name: Zipped Up
    :sid: '2'
submission_3:
  :submitters:
  - :name: Capital Tee
    :sid: '3'
submission_4:
  :submitters:
  - :name: Notes Only
    :sid: '4'
"""


def test_gradescope_upload_shapes_become_what_the_student_meant(tmp_path):
    """Loose app.py + user.html go to templates/; a lone zip is unpacked; Templates/ is kept as made, and named."""
    export = tmp_path / "assignment_7_export"
    for key in ("submission_1", "submission_2", "submission_3", "submission_4"):
        (export / key).mkdir(parents=True)
    (export / "submission_metadata.yml").write_text(GRADESCOPE_SHAPES)
    (export / "submission_1" / "app.py").write_text(APP)
    (export / "submission_1" / "user.html").write_text(USER)
    whole_folder = {"flask-club/app.py": APP, "flask-club/templates/user.html": USER}
    write_zip(export / "submission_2" / "flask-club.zip", whole_folder)
    (export / "submission_3" / "Templates").mkdir()
    (export / "submission_3" / "app.py").write_text(APP)
    (export / "submission_3" / "Templates" / "user.html").write_text(USER)
    (export / "submission_4" / "notes.txt").write_text("I ran out of time")
    report = lms.import_class(export, tmp_path / "class")
    rows = {entry.name: entry for entry in report.entries}
    assert files_under(tmp_path / "class" / "loose-files") == {"app.py", "templates/user.html", MARKER}
    assert any("into templates/" in note for note in rows["Loose Files"].notes)
    assert files_under(tmp_path / "class" / "zipped-up") == {
        "flask-club/app.py", "flask-club/templates/user.html", MARKER,
    }
    assert files_under(tmp_path / "class" / "capital-tee") == {"app.py", "Templates/user.html", MARKER}
    assert any("kept Templates/ as handed in" in note for note in rows["Capital Tee"].notes)
    assert rows["Notes Only"].status == "not placed: nothing runnable (no app.py, no templates/user.html)"
    assert not (tmp_path / "class" / "notes-only").exists()


# -- a class of 30 with every odd case, in one run ----------------------------------------------------
def thirty_students(path: Path) -> Path:
    """A Canvas download of 30: 22 tidy students and one of each odd case above."""
    files: dict[str, str | bytes] = {}
    for number in range(22):
        prefix = f"student{chr(97 + number)}_{2000 + number}_{6000 + number}"
        files[f"{prefix}_app.py"] = APP
        files[f"{prefix}_user.html"] = USER.replace("{{", "{{ ") if number % 2 else USER
    files |= {
        "anon_x7f3k_7001_app.py": APP,
        "o_brien_LATE_3001_7002_app.py": APP,
        "jdoe_2_3002_7003_app.py": APP,
        f"renamed_3003_7004_app-{UUID}.py": APP,
        "smithjonesmary_3004_text.html": "<p>text</p>",
        "leeann_3005_link.html": "<a href='https://example.com'>url</a>",
        "broken_3006_7005_flask-club.zip": b"PK\x03\x04 damaged",
        "zipped_3007_7006_flask-club.zip": inner_zip({"flask-club/app.py": APP, "flask-club/templates/user.html": ""}),
        "notes from the TA.txt": "not a student",
    }
    return write_zip(path, files)


def test_thirty_students_with_every_odd_case_import_in_one_run(tmp_path):
    """`python -m checks import`: one summary line per student (30), placed or not with why, late marked."""
    done = run_checks("import", thirty_students(tmp_path / "submissions.zip"), "--out", tmp_path / "class")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Imported 30 students from ") and ": 27 placed, 3 not placed, 1 late;" in lines[0]
    rows = [line for line in lines[1:] if line.startswith("  ") and "(Canvas user " in line]
    assert len(rows) == 30
    assert sum("  placed" in row for row in rows) == 27
    assert any("not placed: a text entry" in row for row in rows)
    assert any("not placed: a website URL" in row for row in rows)
    assert any("not imported: flask-club.zip is not a zip file" in row for row in rows)
    assert any("placed; late" in row and "3001" in row for row in rows)
    assert "notes from the TA.txt" in done.stdout
    assert len(roster_rows(tmp_path / "class")) == 30


def test_a_folder_name_that_is_not_utf8_is_imported_and_written_as_text(tmp_path):
    """An unpacked Moodle download whose folder name holds bytes that are not UTF-8: placed, students.csv readable."""
    download = tmp_path / "download"
    download.mkdir()
    folder = bytes(download) + b"/Jos\xe9 Ng_301_assignsubmission_file"  # Latin-1, as an old unzip leaves it
    os.mkdir(folder)
    with open(folder + b"/app.py", "w") as file:
        file.write(APP)
    report = lms.import_class(download, tmp_path / "class")
    assert [entry.student for entry in report.placed] == ["jos-ng"]
    assert roster_rows(tmp_path / "class")[0]["name"] == "Jos\ufffd Ng"
    done = run_checks("import", download, "--out", tmp_path / "again")
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert "(Moodle participant 301, Jos? Ng)" in done.stdout


# -- as root and as an ordinary user -------------------------------------------------------------------
IMPORTER = "flaskclub-import"  # a throwaway user of this module's own


@pytest.fixture(scope="module")
def ordinary_user(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """(a throwaway ordinary user, a world-readable copy of the grader): made as root, removed afterwards."""
    if os.geteuid() != 0 or shutil.which("useradd") is None:
        pytest.skip("needs root and useradd to make an ordinary user")
    made = subprocess.run(["useradd", "--system", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin",
                           IMPORTER], capture_output=True, text=True)
    if made.returncode != 0 and "already exists" not in made.stderr:
        pytest.skip(f"useradd failed: {made.stderr.strip()}")
    base = Path(tempfile.mkdtemp(prefix="flask-club-import-user-"))
    try:
        base.chmod(0o755)
        shutil.copytree(ROOT / "checks", base / "kit" / "checks", ignore=shutil.ignore_patterns("__pycache__"))
        for path in [base, *base.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        yield IMPORTER, base
    finally:
        shutil.rmtree(base, ignore_errors=True)
        subprocess.run(["pkill", "-KILL", "-u", IMPORTER], capture_output=True, timeout=30)
        subprocess.run(["userdel", IMPORTER], capture_output=True, timeout=30)


def import_as(user: str | None, kit: Path, source: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """`python3 -m checks import SOURCE --out OUT` with the system's Python (the import needs nothing else)."""
    python = shutil.which("python3", path="/usr/bin:/bin") or sys.executable
    return subprocess.run([python, "-m", "checks", "import", str(source), "--out", str(out)], cwd=kit,
                          user=user, group=user, extra_groups=[] if user else None, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(kit)})


def test_a_folder_the_user_cannot_write_gets_one_line_and_root_imports(ordinary_user):
    """As an ordinary user, --out in a folder of root's: one line naming it; as root, the same import works."""
    user, base = ordinary_user
    download = write_zip(base / "submissions.zip", {"lovelaceada_1001_5001_app.py": APP})
    download.chmod(0o644)
    locked = base / "locked"
    locked.mkdir(mode=0o755)
    done = import_as(user, base / "kit", download, locked / "class")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [f"python -m checks import: {locked / 'class'}: Permission denied"]
    assert not (locked / "class").exists()
    mine = base / "mine"
    mine.mkdir()
    shutil.chown(mine, user, user)
    as_user = import_as(user, base / "kit", download, mine / "class")
    assert as_user.returncode == 0, as_user.stderr
    assert (mine / "class" / "lovelaceada" / MARKER).is_file() and (mine / "class" / "lovelaceada").owner() == user
    as_root = import_as(None, base / "kit", download, locked / "class")
    assert as_root.returncode == 0, as_root.stderr
    assert (locked / "class" / "lovelaceada" / "app.py").read_text() == APP
