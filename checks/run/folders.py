"""Where a submission is: the one rule for a class's folders and for an upload to Gradescope.

Nothing here imports the rest of the grader (the Gradescope bundle imports it before
anything is installed into its path): standard library only.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

# Never a student's work: version control, virtual environments, caches, macOS's zip leftovers.
SKIPPED = {".git", ".hg", ".venv", "venv", "__pycache__", "node_modules", ".pytest_cache", ".mypy_cache", "__MACOSX"}
NOT_STUDENTS = {"templates", "static", "instance", *SKIPPED}


def kept(relative: Path) -> bool:
    """Whether a path inside a submission counts (not in a cache, a virtualenv or version control)."""
    return not set(relative.parts) & SKIPPED


def files(folder: Path) -> list[Path]:
    """The files of a folder that a grade depends on, sorted (symlinks and caches left out)."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if kept(relative) and path.is_file() and not path.is_symlink() and not path.name.endswith(".pyc"):
            found.append(path)
    return found


def shallowest(paths: list[Path]) -> Path | None:
    return min(paths, key=lambda path: (len(path.parts), str(path)), default=None)


def work_folder(submission: Path) -> Path:
    """The folder holding the student's app: the folder itself, its starter/, or the shallowest one below.

    A student may hand in app.py and templates/ as they are, their whole repository (the
    handout's layout, with starter/app.py), or a zip of either that unpacks a level or two
    down. The shallowest app.py wins; where there is none, the shallowest folder holding
    templates/user.html; where there is neither, the folder itself (it then fails every step).
    """
    for candidate in (submission, submission / "starter"):
        if (candidate / "app.py").is_file():
            return candidate

    def found(pattern: str, up: int) -> list[Path]:
        return [
            path.parents[up]
            for path in submission.rglob(pattern)
            if kept(path.relative_to(submission)) and path.is_file()
        ]

    return shallowest(found("app.py", 0)) or shallowest(found("templates/user.html", 1)) or submission


def has_app(folder: Path) -> bool:
    """Whether a folder is one submission: app.py or templates/user.html in it, or in its starter/."""
    bases = (folder, folder / "starter")
    return any((base / name).is_file() for base in bases for name in ("app.py", "templates/user.html"))


def student_folders(folder: Path) -> list[Path]:
    """The student folders of a class folder, sorted by name (virtual environments and the like left out)."""
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_dir()
        and path.name not in NOT_STUDENTS
        and not path.name.startswith(".")
        and not (path / "pyvenv.cfg").exists()
    )


def class_folder(folder: Path, forced: bool = False) -> Path | None:
    """The class folder DIR stands for, or None when DIR is one submission.

    DIR is a class when it holds no app of its own and two student folders or more (one
    with --class). When its only folder holds no app but two folders or more itself (what
    unpacking an LMS download or cloning every repository into a folder gives), that
    inner folder is the class. A lone folder holding an app is one submission a level down.
    """
    if has_app(folder):
        return None
    students = student_folders(folder)
    if len(students) >= 2 or (forced and students):
        if len(students) == 1 and not has_app(students[0]) and len(student_folders(students[0])) >= 2:
            return students[0]
        return folder
    if len(students) == 1 and not has_app(students[0]) and len(student_folders(students[0])) >= 2:
        return students[0]
    return None


def digest(folder: Path) -> str:
    """A hash of every file a grade depends on: their paths and contents."""
    hashed = hashlib.sha256()
    for path in files(folder):
        hashed.update(path.relative_to(folder).as_posix().encode() + b"\0")
        hashed.update(hashlib.sha256(path.read_bytes()).digest())
    return hashed.hexdigest()


CODE = (".py", ".html")


def not_submitted(student: Path, starter: Path | None) -> str | None:
    """Why a student's folder holds nothing to grade ('an empty folder', 'the untouched starter'), or None.

    The untouched starter: the folder's Python files and templates are the kit's starter's,
    byte for byte, at the same paths (other files, such as a README, do not count).
    """
    work = work_folder(student)
    own = files(work)
    if not [path for path in own if not any(part.startswith(".") for part in path.relative_to(work).parts)]:
        return "an empty folder"  # or one holding only hidden files (.gitkeep, .DS_Store)
    if starter is None or not starter.is_dir():
        return None

    def code(folder: Path, paths: list[Path]) -> dict[str, bytes]:
        return {path.relative_to(folder).as_posix(): path.read_bytes() for path in paths if path.suffix in CODE}

    theirs, mine = code(work, own), code(starter, files(starter))
    return "the untouched starter" if mine and theirs == mine else None
