"""Odd files the grader survives: trees thousands deep, paths past 4,096 bytes, names that are not UTF-8,
folders an app left at 000, 0300 or 0500, links to devices and /proc, fifos and sockets.

The first tests take the grader's helpers one at a time (checks/run/folders.py, the copy, the leftover
sweep), as root and, where permissions change what happens, as a throwaway user made for the test and
removed after it. The last ones grade real submissions and a whole class holding every case beside
honest classmates, whose totals must not change.
"""

from __future__ import annotations

import csv
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import test_attacks
from conftest import ROOT
from test_attacks import fingerprint, world, write_submission

from checks.options import Options
from checks.run import class_run, folders, scratch, workers, workspace
from checks.run.class_files import Outcome
from checks.run.tree import remove_tree
from checks.sandbox import bubblewrap

# The settings of test_attacks.py (root, root without CAP_SYS_ADMIN, an ordinary user) and the fixtures
# they stand on, as fixtures here too.
shared_base, root_kit, user_kit, setting, throwaway_user = (
    test_attacks.shared_base, test_attacks.root_kit, test_attacks.user_kit, test_attacks.setting,
    test_attacks.throwaway_user,
)
SOLUTION = ROOT / "solution"
NON_UTF8 = b"caf\xe9.txt"  # Latin-1's é: not UTF-8


@pytest.fixture(autouse=True)
def removed_after(tmp_path: Path) -> Iterator[None]:
    """Every test's folder is removed after it, pass or fail, with remove_tree (pytest's own removal recurses)."""
    yield
    for path in tmp_path.iterdir():
        remove_tree(path)


def nest(base: Path, depth: int, name: str = "dddd", leaf: bytes = b"deep.txt") -> None:
    """`depth` folders inside one another under `base`, and a file at the bottom (paths past 4,096 bytes)."""
    base.mkdir(parents=True, exist_ok=True)
    handle = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            try:
                os.mkdir(name, dir_fd=handle)
            except FileExistsError:
                pass
            inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=handle)
            os.close(handle)
            handle = inner
        written = os.open(leaf, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=handle)
        os.write(written, b"at the bottom")
        os.close(written)
    finally:
        os.close(handle)


def locked_folders(base: Path) -> None:
    """Folders left at modes 000, 0300 and 0500 with files inside, as an app can leave them."""
    for mode in (0o000, 0o300, 0o500):
        folder = base / f"mode-{mode:o}" / "inner"
        folder.mkdir(parents=True)
        (folder / "kept.txt").write_text("x")
        folder.chmod(mode)
        folder.parent.chmod(mode)


# -- folders.py and tree.py: walking, hashing and removing any tree --------------------------------------------------
def test_remove_tree_removes_3000_nested_folders(tmp_path):
    """3,000 folders inside one another (shutil.rmtree's RecursionError) are removed, and nothing is left."""
    nest(tmp_path / "tree", 3000)
    assert remove_tree(tmp_path / "tree") == []
    assert not (tmp_path / "tree").exists()


def test_remove_tree_restores_modes_never_follows_links(tmp_path):
    """Folders at 000, 0300 and 0500 go; a link in the tree is removed, never what it points to."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine")
    tree = tmp_path / "tree"
    locked_folders(tree)
    (tree / "link").symlink_to(outside)
    (tree / "mode-500" / "link").symlink_to(outside / "keep.txt")  # inside a folder made 0500 just above
    os.mkfifo(tree / "fifo")
    (tree / os.fsdecode(NON_UTF8)).write_text("x")
    assert remove_tree(tree) == []
    assert not tree.exists()
    assert (outside / "keep.txt").read_text() == "mine"


def test_remove_tree_of_a_path_that_is_not_there_is_done(tmp_path):
    """Removing what is already gone is no problem."""
    assert remove_tree(tmp_path / "never") == []


def test_the_digest_hashes_names_that_are_not_utf8(tmp_path):
    """A non-UTF-8 file name is hashed as its bytes: a change of the name or of its content changes the digest."""
    (tmp_path / "app.py").write_text("app = None\n")
    odd = tmp_path / os.fsdecode(NON_UTF8)
    odd.write_text("one")
    first = folders.digest(tmp_path)
    odd.write_text("two")
    second = folders.digest(tmp_path)
    odd.rename(tmp_path / os.fsdecode(b"caf\xe8.txt"))
    assert len({first, second, folders.digest(tmp_path)}) == 3


def test_the_digest_and_files_reach_a_file_1100_folders_deep(tmp_path):
    """A file 1,100 folders down (a path of 5,500 bytes) is found and hashed: changing it changes the digest."""
    nest(tmp_path / "sub", 1100)
    found = folders.files(tmp_path / "sub")
    assert [path.name for path in found] == ["deep.txt"] and len(bytes(found[0])) > 4096
    before = folders.digest(tmp_path / "sub")
    nest(tmp_path / "sub", 1100, leaf=b"more.txt")  # nest() reopens the same chain: a second file down there
    assert folders.digest(tmp_path / "sub") != before


def test_a_symlinked_app_counts_by_the_content_its_copy_holds(tmp_path):
    """app.py linked to a file inside the folder: the digest changes with that file, as the graded copy does,
    even where the file sits in a folder the digest leaves out by itself (node_modules/)."""
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "real.py").write_text("print(30)\n")
    (tmp_path / "app.py").symlink_to("node_modules/real.py")
    before = folders.digest(tmp_path)
    (tmp_path / "node_modules" / "real.py").write_text("print(100)\n")
    after = folders.digest(tmp_path)
    assert before != after
    copy = tmp_path.parent / f"{tmp_path.name}-copy"
    workspace.copy_submission(tmp_path, copy)
    assert (copy / "app.py").read_text() == "print(100)\n" and not (copy / "app.py").is_symlink()
    shutil.rmtree(copy)


@pytest.mark.timeout(60)  # the guard: a digest that opened /proc/kmsg or the fifo would block here forever
def test_the_digest_never_opens_a_fifo_or_a_link_to_proc_kmsg(tmp_path):
    """A fifo, a socket and links to /proc/kmsg, /dev/zero and a fifo are hashed by their names: never opened."""
    (tmp_path / "app.py").write_text("app = None\n")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "kmsg").symlink_to("/proc/kmsg")
    (tmp_path / "zero").symlink_to("/dev/zero")
    (tmp_path / "to-fifo").symlink_to("fifo")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "socket"))
    try:
        first = folders.digest(tmp_path)
        assert folders.digest(tmp_path) == first
        assert folders.not_submitted(tmp_path, SOLUTION) is None
        assert folders.work_folder(tmp_path) == tmp_path
    finally:
        server.close()


# -- the copy ----------------------------------------------------------------------------------------------
@pytest.mark.timeout(120)
def test_the_copy_leaves_out_what_it_cannot_hold_with_a_note(tmp_path):
    """Deep folders, a fifo, a socket and a link to /proc/kmsg are left out with a note; a non-UTF-8 name is copied."""
    source = tmp_path / "source"
    shutil.copytree(SOLUTION, source, ignore=shutil.ignore_patterns("instance", "__pycache__"))
    nest(source / "deep", 1100)
    os.mkfifo(source / "fifo")
    (source / "kmsg").symlink_to("/proc/kmsg")
    (source / os.fsdecode(NON_UTF8)).write_text("x")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(source / "socket"))
    try:
        notes = workspace.copy_submission(source, tmp_path / "copy")
    finally:
        server.close()
    assert (tmp_path / "copy" / os.fsdecode(NON_UTF8)).read_text() == "x"
    assert (tmp_path / "copy" / "app.py").read_bytes() == (SOLUTION / "app.py").read_bytes()
    text = "\n".join(notes)
    assert f"folders more than {workspace.DEEPEST} deep are not copied" in text
    assert "left out fifo: not a regular file" in text and "left out socket: not a regular file" in text
    assert "left out kmsg: a link to /proc/kmsg, outside the submission" in text
    assert remove_tree(tmp_path / "copy") == []


# -- the leftover sweep ------------------------------------------------------------------------------------
def dead_pid() -> int:
    """A process id that no process has now (a child that has ended)."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_the_sweep_removes_what_an_app_left_and_never_crashes(tmp_path):
    """A killed grader's copy holding 3,000 nested folders and locked ones is removed by the next run's sweep."""
    leftover = tmp_path / f"{scratch.PREFIX}{dead_pid()}-abc"
    nest(leftover / "submission", 3000)
    locked_folders(leftover / "submission")
    old = time.time() - 2 * scratch.LEFTOVER_SECONDS
    os.utime(leftover, (old, old))
    left: list[str] = []
    assert scratch.sweep_leftovers(bases=[str(tmp_path)], left=left) == [str(leftover)]
    assert left == [] and not leftover.exists()


# -- as a throwaway user: the modes bind there ---------------------------------------------------------------
@pytest.fixture
def odd_user() -> Iterator[tuple[str, Path]]:
    """(a user made for this test, a world-readable folder): both removed afterwards, pass or fail."""
    if os.geteuid() != 0 or shutil.which("useradd") is None:
        pytest.skip("making a throwaway user needs root and useradd")
    name = f"fcodd{uuid.uuid4().hex[:8]}"
    made = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", name],
        capture_output=True, text=True,
    )
    if made.returncode != 0:
        pytest.skip(f"useradd failed: {made.stderr.strip()}")
    folder = Path(tempfile.mkdtemp(prefix="flask-club-odd-"))
    try:
        folder.chmod(0o777)
        shutil.copy(ROOT / "checks" / "run" / "tree.py", folder / "tree.py")  # standard library only
        (folder / "tree.py").chmod(0o644)
        yield name, folder
    finally:
        remove_tree(folder)
        subprocess.run(["userdel", name], capture_output=True)
        subprocess.run(["groupdel", name], capture_output=True)  # where userdel leaves the group


def as_user(user: str, folder: Path, code: str) -> subprocess.CompletedProcess[str]:
    """Run Python code as `user`, with tree.py's remove_tree, under a time limit (the guard, not an assertion)."""
    python = shutil.which("python3", path="/usr/bin:/bin") or sys.executable
    return subprocess.run(
        [python, "-c", f"import sys; sys.path.insert(0, {str(folder)!r}); from tree import remove_tree\n{code}"],
        user=user, group=user, extra_groups=[], capture_output=True, text=True, timeout=120, cwd=folder,
    )


def test_as_a_user_locked_and_deep_folders_are_removed(odd_user):
    """As an ordinary user, the folders an app made 000, 0300 and 0500, 3,000 deep too, are removed entirely."""
    user, folder = odd_user
    made = as_user(user, folder, f"""
import os, pathlib
base = pathlib.Path({str(folder / "tree")!r})
base.mkdir()
handle = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
for _ in range(3000):
    os.mkdir("dddd", dir_fd=handle)
    inner = os.open("dddd", os.O_RDONLY | os.O_DIRECTORY, dir_fd=handle)
    os.close(handle)
    handle = inner
os.fchmod(handle, 0o500)
for mode in (0o000, 0o300, 0o500):
    inner = base / f"mode-{{mode:o}}" / "inner"
    inner.mkdir(parents=True)
    (inner / "kept.txt").write_text("x")
    inner.chmod(mode)
    inner.parent.chmod(mode)
print(remove_tree(base), base.exists())
""")
    assert made.returncode == 0, made.stderr[-2000:]
    assert made.stdout.split() == ["[]", "False"]
    assert not (folder / "tree").exists()


def test_as_a_user_what_cannot_be_removed_is_said_not_raised(odd_user):
    """A user's copy holding a root-owned locked folder: remove_tree names it, and the sweep goes on to the next."""
    user, folder = odd_user
    uid = pwd.getpwnam(user).pw_uid
    stuck, free = folder / f"{scratch.PREFIX}{dead_pid()}-stuck", folder / f"{scratch.PREFIX}{dead_pid()}-free"
    for leftover in (stuck, free):
        (leftover / "sub").mkdir(parents=True)
        (leftover / "sub" / "file").write_text("x")
        for path in (leftover, leftover / "sub", leftover / "sub" / "file"):
            os.chown(path, uid, uid)
    (stuck / "sub").chmod(0o500)
    os.chown(stuck / "sub", 0, 0)  # the user cannot restore its mode: what stays must be said
    old = time.time() - 2 * scratch.LEFTOVER_SECONDS
    for leftover in (stuck, free):
        os.utime(leftover, (old, old))
    done = as_user(user, folder, f"""
problems = remove_tree({str(stuck)!r})
print(len(problems), problems[0].startswith("sub"), problems)
print(remove_tree({str(free)!r}))
""")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[:2] == ["1", "True"] and done.stdout.splitlines()[1] == "[]", done.stdout
    assert stuck.exists() and not free.exists()
    (stuck / "sub").chmod(0o700)


# -- one grade ----------------------------------------------------------------------------------------------
def grade_one(submission: Path, *extra: str, level2: bool = False) -> tuple[dict, str]:
    """Grade one submission (JSON); a grade that never ends fails on the subprocess's time limit, the guard."""
    done = subprocess.run(
        [sys.executable, "-m", "checks", str(submission), "--format", "json", "--seed", "5", *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout), done.stderr


def solution_copy(folder: Path) -> Path:
    shutil.copytree(SOLUTION, folder, ignore=shutil.ignore_patterns("instance", "__pycache__"))
    return folder


@pytest.mark.skipif(not bubblewrap.available(), reason="the sandbox (bubblewrap) is not available here")
def test_a_file_1100_folders_deep_is_graded_around(tmp_path):
    """A file 1,100 folders down in a submission is left out of its copy with a note; the grade is the app's own."""
    submission = solution_copy(tmp_path / "deep")
    nest(submission / "assets", 1100)
    result, said = grade_one(submission)
    assert result["score"] == 100
    assert f"folders more than {workspace.DEEPEST} deep are not copied" in said


@pytest.mark.skipif(not bubblewrap.available(), reason="the sandbox (bubblewrap) is not available here")
def test_a_link_to_proc_kmsg_and_a_fifo_end_in_bounded_time(tmp_path):
    """A link to /proc/kmsg and a fifo in a submission are left out of its copy, never opened: the grade ends
    (the subprocess's time limit is the guard), with the app's own score and a note for each."""
    submission = solution_copy(tmp_path / "kmsg")
    (submission / "kmsg").symlink_to("/proc/kmsg")
    (submission / "templates" / "kmsg.html").symlink_to("/proc/kmsg")
    os.mkfifo(submission / "fifo")
    result, said = grade_one(submission)
    assert result["score"] == 100
    assert "left out kmsg: a link to /proc/kmsg, outside the submission" in said
    assert "left out fifo: not a regular file or folder" in said


# -- an app's own leftovers, as root and as an ordinary user (test_attacks.py's settings) --------------------
@pytest.mark.skipif(not bubblewrap.available(), reason="the sandbox (bubblewrap) is not available here")
def test_an_app_nesting_3000_folders_and_locking_some_leaves_nothing(setting, monkeypatch):
    """An app that nests 3,000 folders in its copy and locks folders at 000, 0300 and 0500 earns no more than
    its honest score (the sandbox may stop it), changes nothing outside its copy, and its copies are all
    removed when the grade ends."""
    copies = world(setting.folder("copies"), 0o777)
    monkeypatch.setenv(scratch.SCRATCH, str(copies))  # where this grade's copies go (see scratch_base)
    submission = setting.folder("nesting")
    try:
        before = fingerprint(setting)
        write_submission(submission, IMPORT=NESTING)
        result, done = setting.grade(submission)
        assert result["score"] <= setting.twin("weak")
        assert "could not be removed" not in done.stderr, done.stderr[-2000:]
        assert fingerprint(setting) == before
        assert sorted(path.name for path in copies.iterdir()) == []
    finally:
        remove_tree(copies)
        remove_tree(submission)


@pytest.mark.skipif(not bubblewrap.available(), reason="the sandbox (bubblewrap) is not available here")
def test_a_student_folder_the_grader_cannot_read_is_that_students_row(setting):
    """A student folder at mode 000 that root owns: as root it is graded; as a user it is a row saying why
    (never a crash of the class); the honest classmate keeps their grade either way."""
    folder = setting.folder("class")
    write_submission(folder / "honest")
    write_submission(folder / "locked")
    (folder / "locked").chmod(0o000)
    out = setting.folder("grades")
    try:
        done = setting.run(folder, "--class", "--seed", "5", "--out", out, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
        rows = read_grades(out)
        assert set(rows) == {"honest", "locked"}
        assert rows["honest"]["score"] == str(int(setting.twin("weak")))
        if setting.user is None:
            assert rows["locked"]["status"] == "graded"
        else:
            assert rows["locked"]["score"] == "0" and "Permission denied" in rows["locked"]["status"]
    finally:
        (folder / "locked").chmod(0o755)
        remove_tree(folder)
        remove_tree(out)


# -- a class: every student gets a row ---------------------------------------------------------------------
class Broken(Exception):
    pass


def read_grades(out: Path) -> dict[str, dict[str, str]]:
    """grades.csv's rows, by student."""
    with open(out / "grades.csv", encoding="utf-8", newline="") as file:
        return {row["student"]: row for row in csv.DictReader(file)}


def test_an_exception_on_one_submission_is_that_students_row(tmp_path, monkeypatch):
    """The grader failing on one submission (its digest, its worker) gives that student a 0 with the reason
    and a log; the others are graded, and grades.csv and report.html are written."""
    from checks.outputs.class_report import write_reports

    for name in ("ada", "bo", "cy"):
        (tmp_path / "class" / name).mkdir(parents=True)
        (tmp_path / "class" / name / "app.py").write_text(f"# {name}\n")
    real_hash = class_run.content_hash

    def content_hash(folder: Path) -> str:
        if folder.name == "bo":
            raise RecursionError("maximum recursion depth exceeded")
        return real_hash(folder)

    def grade(self, student: Path, seed: int) -> Outcome:
        if student.name == "cy":
            raise Broken("the copy failed")
        result = {"submission": student.name, "score": 100, "max_score": 100, "seed": seed, "steps": []}
        return Outcome(student.name, result, 0.1, student_view=json.loads(json.dumps(result)))

    monkeypatch.setattr(class_run, "content_hash", content_hash)
    monkeypatch.setattr(workers.Worker, "grade", grade)
    out = tmp_path / "out"
    options = class_run.ClassRun(tmp_path / "class", out, Options(seed=1), jobs=2, starter=None)
    _, outcomes = class_run.grade_class(options)
    write_reports(out, outcomes, 1)
    rows = read_grades(out)
    assert rows["ada"]["score"] == "100" and rows["ada"]["status"] == "graded"
    for name, error in (("bo", "RecursionError: maximum recursion depth exceeded"), ("cy", "Broken: the copy failed")):
        assert rows[name]["score"] == "0"
        assert rows[name]["status"].startswith(f"error: the grader failed on this submission: {error}")
        assert f"(the grader's log: {out / 'logs' / f'{name}.log'})" in rows[name]["status"]
        assert "Traceback" in (out / "logs" / f"{name}.log").read_text()
    assert (out / "report.html").exists()


@pytest.mark.skipif(not bubblewrap.available(), reason="the sandbox (bubblewrap) is not available here")
@pytest.mark.timeout(600)
def test_a_class_of_odd_submissions_gives_every_student_a_grade(tmp_path):
    """Deep files, a non-UTF-8 name, a fifo, a link to /proc/kmsg, an app leaving 3,000 nested and locked folders,
    a student folder whose name is not UTF-8: every student gets a graded row, and the others keep their 100."""
    base = tmp_path / "class"
    honest = ("honest-a", "honest-b")
    odd = ("deep", "odd-name", "fifo-and-kmsg", "nesting-app", os.fsdecode(b"stud\xe9nt"))
    for name in (*honest, *odd):
        shutil.copytree(SOLUTION, base / name, ignore=shutil.ignore_patterns("instance", "__pycache__"))
    nest(base / "deep", 1100)
    (base / "odd-name" / os.fsdecode(NON_UTF8)).write_text("x")
    os.mkfifo(base / "fifo-and-kmsg" / "fifo")
    (base / "fifo-and-kmsg" / "kmsg").symlink_to("/proc/kmsg")
    code = (base / "nesting-app" / "app.py").read_text()
    (base / "nesting-app" / "app.py").write_text(NESTING + code)
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "checks", str(base), "--out", str(out), "--seed", "7", "--jobs", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=540, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = read_grades(out)
    assert set(rows) == {*honest, *odd[:-1], "stud\\xe9nt"}
    for name in rows:  # each is the reference solution with something odd beside it: it honestly earns 100
        assert rows[name]["status"] == "graded", rows[name]
        if name != "nesting-app":  # which the sandbox may stop for nesting its folders so deep
            assert rows[name]["score"] == "100", rows[name]
    assert (out / "report.html").exists()


# An app that, at import, nests 3,000 folders in its copy and locks some (000, 0300, 0500), then serves as usual.
NESTING = '''import os as _os
try:
    _handle = _os.open(".", _os.O_RDONLY | _os.O_DIRECTORY)
    for _ in range(3000):
        _os.mkdir("n", dir_fd=_handle)
        _inner = _os.open("n", _os.O_RDONLY | _os.O_DIRECTORY, dir_fd=_handle)
        _os.close(_handle)
        _handle = _inner
    _os.close(_handle)
    for _mode in (0o000, 0o300, 0o500):
        _os.makedirs(f"locked-{_mode:o}/inner")
        open(f"locked-{_mode:o}/inner/kept.txt", "w").close()
        _os.chmod(f"locked-{_mode:o}/inner", _mode)
        _os.chmod(f"locked-{_mode:o}", _mode)
except OSError:
    pass  # a second start in the same copy: its folders are there already
'''
