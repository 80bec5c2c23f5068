"""From an LMS's bulk download to a class folder, and back into its gradebook.

Each archive is built here to the LMS's documented naming: Canvas's "Download Submissions"
(flat `lastfirst_userid_submissionid_name.ext`, LATE marked, folders dropped, re-uploads
numbered), Moodle's "Download all submissions" (`Full Name_12345_assignsubmission_file`),
Gradescope's "Export Submissions" (submission_metadata.yml with Ruby-symbol keys), and a
folder of git clones named `assignment-username`.
"""

from __future__ import annotations

import csv
import io
import stat
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SOLUTION, SUBMISSIONS, run_checks

from checks import lms

ESCAPES = SUBMISSIONS / "mistake_safe_filter"  # scores 95: lets HTML through


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def canvas_zip(path: Path) -> Path:
    """A Canvas download: ada on time, grace late (her app re-uploaded as app-1.py), alan's own zip, a stray file."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("lovelaceada_1001_5001_app.py", read(SOLUTION / "app.py"))
        for module in ("db.py", "forms.py"):
            if (SOLUTION / module).exists():
                archive.writestr(f"lovelaceada_1001_5001_{module}", read(SOLUTION / module))
        for template in sorted((SOLUTION / "templates").glob("*.html")):
            archive.writestr(f"lovelaceada_1001_5001_{template.name}", read(template))
        archive.writestr("hoppergrace_LATE_1002_5002_app-1.py", read(ESCAPES / "app.py"))
        archive.writestr("hoppergrace_LATE_1002_5002_user.html", read(ESCAPES / "templates" / "user.html"))
        inner = io.BytesIO()
        with zipfile.ZipFile(inner, "w") as own:
            own.writestr("flask-club/app.py", read(ESCAPES / "app.py"))
            own.writestr("flask-club/templates/user.html", read(ESCAPES / "templates" / "user.html"))
        archive.writestr("turingalan_1003_5003_flask-club.zip", inner.getvalue())
        archive.writestr("notes from the TA.txt", "not a submission")
    return path


def moodle_zip(path: Path) -> Path:
    """A Moodle download as folders (3.1 and later), one online-text submission, one older flat file."""
    with zipfile.ZipFile(path, "w") as archive:
        folder = "Ada Lovelace_201_assignsubmission_file"
        archive.writestr(f"{folder}/app.py", read(ESCAPES / "app.py"))
        archive.writestr(f"{folder}/templates/user.html", read(ESCAPES / "templates" / "user.html"))
        archive.writestr("Ada Lovelace_201_assignsubmission_onlinetext/onlinetext.html", "<p>done!</p>")
        archive.writestr("=Grace Hopper_202_assignsubmission_file_app.py", "print('hello')\n")
    return path


def test_canvas_download_becomes_one_folder_per_student(tmp_path):
    """Canvas's flat files go to one folder per student: user.html into templates/, app-1.py back to app.py."""
    report = lms.import_class(canvas_zip(tmp_path / "submissions.zip"), tmp_path / "class")
    assert report.lms == "canvas"
    assert {entry.student: entry.lms_id for entry in report.entries} == {
        "lovelaceada": "1001", "hoppergrace": "1002", "turingalan": "1003",
    }
    assert [entry.student for entry in report.entries if entry.late] == ["hoppergrace"]
    assert (tmp_path / "class" / "hoppergrace" / "app.py").read_text() == read(ESCAPES / "app.py")
    assert (tmp_path / "class" / "hoppergrace" / "templates" / "user.html").is_file()
    assert (tmp_path / "class" / "lovelaceada" / "templates" / "user.html").is_file()
    assert (tmp_path / "class" / "turingalan" / "flask-club" / "app.py").is_file()  # their own zip, unpacked
    assert any("notes from the TA.txt" in problem for problem in report.unplaced)
    roster = lms.read_roster(tmp_path / "class")
    assert roster.lms == "canvas" and roster.students["hoppergrace"].late


def test_moodle_download_keeps_the_participant_id(tmp_path):
    """Moodle's folders give the participant id its worksheet matches on; other plugins are noted, not graded."""
    report = lms.import_class(moodle_zip(tmp_path / "moodle.zip"), tmp_path / "class")
    assert report.lms == "moodle"
    entries = {entry.student: entry for entry in report.entries}
    assert set(entries) == {"ada-lovelace", "grace-hopper"}
    assert entries["ada-lovelace"].lms_id == "201" and entries["ada-lovelace"].name == "Ada Lovelace"
    assert (tmp_path / "class" / "ada-lovelace" / "templates" / "user.html").is_file()
    assert (tmp_path / "class" / "grace-hopper" / "app.py").read_text() == "print('hello')\n"
    assert any("online text" in note for note in entries["ada-lovelace"].notes)


GRADESCOPE_METADATA = """\
---
submission_9001:
  :submitters:
  - :name: Ada Lovelace
    :sid: '42'
    :email: ada@example.edu
  :created_at: 2026-11-29 10:00:00.000000000 -08:00
  :score: 95.0
submission_9002:
  :submitters:
  - :name: Bo Li
    :sid: '43'
    :email: bo@example.edu
  - :name: Cy Ng
    :sid: '44'
    :email: cy@example.edu
  :created_at: 2026-11-29 11:00:00.000000000 -08:00
"""


def test_gradescope_export_names_students_from_its_metadata(tmp_path):
    """Gradescope's export: a folder per submission, each submitter (sid, every group member) from its metadata."""
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as archive:
        archive.writestr("assignment_77_export/submission_metadata.yml", GRADESCOPE_METADATA)
        archive.writestr("assignment_77_export/submission_9001/app.py", read(ESCAPES / "app.py"))
        archive.writestr("assignment_77_export/submission_9002/starter/app.py", read(SOLUTION / "app.py"))
        archive.writestr("assignment_77_export/submission_9003/app.py", "unlisted")
    report = lms.import_class(tmp_path / "export.zip", tmp_path / "class")
    assert report.lms == "gradescope"
    assert {(entry.student, entry.lms_id, entry.email) for entry in report.entries} == {
        ("ada-lovelace", "42", "ada@example.edu"), ("bo-li", "43", "bo@example.edu"), ("cy-ng", "44", "cy@example.edu"),
    }
    for member in ("bo-li", "cy-ng"):  # a group: one row and one folder per member
        assert (tmp_path / "class" / member / "starter" / "app.py").is_file()
    assert {entry.group for entry in report.entries} == {"", "submission_9002: Bo Li, Cy Ng"}
    assert any("submission_9003" in problem for problem in report.unplaced)


def test_git_clones_are_named_by_username(tmp_path):
    """A folder of clones named assignment-username: the common prefix goes, .git stays behind."""
    download = tmp_path / "flask-club-submissions"
    for user in ("ada", "bo-b"):
        repository = download / f"flask-club-{user}"
        (repository / ".git").mkdir(parents=True)
        (repository / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
        (repository / "starter").mkdir()
        (repository / "starter" / "app.py").write_text(read(ESCAPES / "app.py"))
    report = lms.import_class(download, tmp_path / "class")
    assert report.lms == "git"
    assert {(entry.student, entry.lms_id) for entry in report.entries} == {("ada", "ada"), ("bo-b", "bo-b")}
    assert (tmp_path / "class" / "bo-b" / "starter" / "app.py").is_file()
    assert not (tmp_path / "class" / "ada" / ".git").exists()


def test_a_hostile_zip_cannot_leave_its_folder(tmp_path):
    """Members climbing out, absolute paths and symlinks are left out and reported; nothing lands outside."""
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("../escaped.py", "x")
        archive.writestr("/absolute.py", "x")
        archive.writestr("C:/windows.py", "x")
        link = zipfile.ZipInfo("lovelaceada_1001_5001_app.py")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
        archive.writestr("lovelaceada_1001_5001_user.html", "<p id=username>{{ u }}</p>")
    target = tmp_path / "deep" / "unpacked"
    target.mkdir(parents=True)
    problems = lms.extract(path, target)
    assert len(problems) == 4 and any("symbolic link" in problem for problem in problems)
    assert not (tmp_path / "deep" / "escaped.py").exists() and not Path("/absolute.py").exists()
    assert [p.name for p in target.rglob("*") if p.is_file()] == ["lovelaceada_1001_5001_user.html"]
    assert not any(p.is_symlink() for p in target.rglob("*"))


def test_a_zip_past_the_size_cap_is_refused(tmp_path):
    """Sizes are counted as the bytes come out, not as the zip claims: a zip bomb stops at the cap."""
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("lovelaceada_1001_5001_app.py", b"\0" * (3 << 20))
    with pytest.raises(lms.DownloadError, match="past 1 MiB"):
        lms.extract(path, tmp_path, lms.DownloadLimits(file=1 << 20))
    with pytest.raises(lms.DownloadError, match="more than 0"):
        lms.extract(path, tmp_path, lms.DownloadLimits(members=0))


def test_a_bad_zip_gets_one_line(tmp_path):
    """A file that is not a zip: exit 2 and one line saying so, no traceback."""
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    done = run_checks("import", tmp_path / "broken.zip", "--out", tmp_path / "class")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "python -m checks import: broken.zip is not a zip file, or a damaged one (File is not a zip file)"
    ]


def test_an_unknown_download_says_what_it_takes(tmp_path):
    """A folder that is none of the known downloads is refused with a message naming them."""
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "readme.txt").write_text("hi")
    done = run_checks("import", tmp_path / "stuff", "--out", tmp_path / "class")
    assert done.returncode == 2 and "Canvas or Moodle submissions zip" in done.stderr


def gradebook(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


@pytest.fixture(scope="module")
def canvas_graded(tmp_path_factory) -> Path:
    """The Canvas download imported with `make import` and graded: the files Canvas's import takes."""
    base = tmp_path_factory.mktemp("canvas")
    canvas_zip(base / "submissions.zip")
    done = run_checks("import", base / "submissions.zip", "--out", base / "class")
    assert done.returncode == 0, done.stderr
    assert "Imported 3 students" in done.stdout and "1 late" in done.stdout
    graded = run_checks(base / "class", "--out", base / "grades", "--seed", "8", "--jobs", "2")
    assert graded.returncode == 0, graded.stderr
    return base


def test_canvas_gradebook_file_matches_on_the_canvas_user_id(canvas_graded):
    """canvas.csv: Canvas's export layout, the user id from the download, the score in the assignment column."""
    rows = gradebook(canvas_graded / "grades" / "canvas.csv")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Flask Club"]
    assert rows[1][0] == "Points Possible" and rows[1][5] == "100"
    scores = {row[1]: row[5] for row in rows[2:]}
    assert scores == {"1001": "100", "1002": "95", "1003": "95"}
    assert (canvas_graded / "grades" / "canvas.csv").read_bytes().count(b"\r\n") == 5
    with open(canvas_graded / "grades" / "grades.csv", newline="", encoding="utf-8") as file:
        ids = {row["student"]: row["lms_id"] for row in csv.DictReader(file)}
    assert ids == {"hoppergrace": "1002", "lovelaceada": "1001", "turingalan": "1003"}


def test_moodle_worksheet_matches_on_the_participant(tmp_path):
    """moodle.csv: the worksheet's columns its upload needs, Participant N, the feedback; no row for the ungraded."""
    moodle_zip(tmp_path / "moodle.zip")
    assert run_checks("import", tmp_path / "moodle.zip", "--out", tmp_path / "class").returncode == 0
    (tmp_path / "class" / "grace-hopper" / "app.py").unlink()  # an empty folder: not submitted
    done = run_checks(tmp_path / "class", "--out", tmp_path / "grades", "--seed", "8")
    assert done.returncode == 0, done.stderr
    rows = gradebook(tmp_path / "grades" / "moodle.csv")
    header = rows[0]
    assert {"Identifier", "Grade", "Last modified (grade)", "Feedback comments"} <= set(header)
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_id) == {"Participant 201"}  # 202 handed in nothing: no row, so Moodle keeps what it had
    assert by_id["Participant 201"]["Grade"] == "95" and by_id["Participant 201"]["Maximum Grade"] == "100"
    assert "HTML in a message is shown as text, not run" in by_id["Participant 201"]["Feedback comments"]
    with open(tmp_path / "class" / "students.csv", newline="", encoding="utf-8") as file:
        names = {row["lms_id"]: row["name"] for row in csv.DictReader(file)}
    assert names["202"] == "'=Grace Hopper"  # a formula, neutralised


def test_make_import_takes_from_and_out(tmp_path):
    """`make import FROM=… OUT=…` runs the same import."""
    make = pytest.importorskip("shutil").which("make")
    if make is None:
        pytest.skip("make is not installed")
    import subprocess

    canvas_zip(tmp_path / "submissions.zip")
    done = subprocess.run(
        [make, "-s", "import", f"FROM={tmp_path / 'submissions.zip'}", f"OUT={tmp_path / 'class'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "class" / "students.csv").is_file() and (tmp_path / "class" / "turingalan").is_dir()


def test_a_docs_block_may_take_longer_to_grade_a_class():
    """The guide's class of 200 is graded in one block: `timeout: N` gives it the time (default 180 s)."""
    from runnable import TIMEOUT, parse

    page = ROOT / "docs" / "instructor" / "lms.md"
    block = parse(page, 1, "sh", "python -m checks class", "kit; timeout: 900; expect: 200 submissions")
    assert (block.timeout, block.expect) == (900, ["200 submissions"])
    assert parse(page, 1, "sh", "true", "kit").timeout == TIMEOUT == 180


def test_a_student_named_like_a_skipped_folder_keeps_a_folder_of_their_own(tmp_path):
    """A Moodle student called 'Static' would be a folder the grader skips: their id is added to the name."""
    with zipfile.ZipFile(tmp_path / "moodle.zip", "w") as archive:
        archive.writestr("Static_301_assignsubmission_file/app.py", read(ESCAPES / "app.py"))
        archive.writestr("Ada Lovelace_302_assignsubmission_file/app.py", read(ESCAPES / "app.py"))
    report = lms.import_class(tmp_path / "moodle.zip", tmp_path / "class")
    assert {entry.student for entry in report.entries} == {"static-301", "ada-lovelace"}


def test_a_symlink_in_an_unpacked_download_is_not_followed(tmp_path):
    """An unpacked Canvas folder holding a link to a file elsewhere: reported, and its target not copied."""
    download = tmp_path / "download"
    download.mkdir()
    (download / "lovelaceada_1001_5001_app.py").write_text(read(ESCAPES / "app.py"))
    (tmp_path / "secret.txt").write_text("not theirs")
    (download / "lovelaceada_1001_5001_notes.txt").symlink_to(tmp_path / "secret.txt")
    report = lms.import_class(download, tmp_path / "class")
    assert any("symbolic link" in problem for problem in report.unplaced)
    assert not (tmp_path / "class" / "lovelaceada" / "notes.txt").exists()


def test_importing_again_refreshes_the_class_and_never_overwrites_other_work(tmp_path):
    """A new download into the folder an import made replaces its students; any other folder is refused."""
    canvas_zip(tmp_path / "submissions.zip")
    lms.import_class(tmp_path / "submissions.zip", tmp_path / "class")
    (tmp_path / "class" / "lovelaceada" / "stale.py").write_text("from the last download")
    lms.import_class(tmp_path / "submissions.zip", tmp_path / "class")
    assert not (tmp_path / "class" / "lovelaceada" / "stale.py").exists()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    with pytest.raises(lms.DownloadError, match="is not empty"):
        lms.import_class(tmp_path / "submissions.zip", tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep"
