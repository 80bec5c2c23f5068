"""Where a submission is: the one rule for a class's folders and for an upload to Gradescope.

Nothing here imports the rest of the grader (the Gradescope bundle imports it before
anything is installed into its path): standard library only.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from checks.run.tree import Entry, walk

# Never a student's work: version control, virtual environments, caches, macOS's zip leftovers.
SKIPPED = {".git", ".hg", ".venv", "venv", "__pycache__", "node_modules", ".pytest_cache", ".mypy_cache", "__MACOSX"}
NOT_STUDENTS = {"templates", "static", "instance", *SKIPPED}


def kept(relative: Path) -> bool:
    """Whether a path inside a submission counts (not in a cache, a virtualenv or version control)."""
    return not set(relative.parts) & SKIPPED


def files(folder: Path) -> list[Path]:
    """The files of a folder that a grade depends on, sorted (symlinks and caches left out), at any depth."""
    found = []
    for entry in entries(folder):
        if entry.status is not None and stat.S_ISREG(entry.status.st_mode) and not entry.name.endswith(".pyc"):
            found.append(folder / entry.relative)
    return found


def entries(folder: Path, problems: list[str] | None = None) -> Iterator[Entry]:
    """walk() over a folder given by its path, leaving out caches, virtual environments and version control."""
    top = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        # Only an entry's own name is looked at: the folders above it were let in already.
        for entry in walk(top, enter=lambda relative, status: relative.rpartition("/")[2] not in SKIPPED,
                          problems=problems):
            if entry.name not in SKIPPED:
                yield entry
    finally:
        os.close(top)


def read_bytes(path: Path) -> bytes | None:
    """A regular file's bytes, never through a link nor from a fifo or device (None for those, or unreadable)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        try:
            return file.read()
        except OSError:
            return None


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
        if looks_like(candidate / "app.py", stat.S_ISREG):
            return candidate
    apps, templates = [], []
    try:
        for entry in entries(submission):
            if entry.status is None or not is_file(entry):
                continue
            where = Path(entry.relative)
            if where.name == "app.py":
                apps.append(submission / where.parent)
            elif where.name == "user.html" and where.parent.name == "templates":
                templates.append(submission / where.parent.parent)
    except OSError:
        pass  # a folder moved while it was read: the shallowest found so far
    return shallowest(apps) or shallowest(templates) or submission


def is_file(entry: Entry) -> bool:
    """Whether an entry is a regular file or a link to one (looked at, never opened)."""
    try:
        return stat.S_ISREG(os.stat(entry.name, dir_fd=entry.dir_fd).st_mode)
    except OSError:
        return False


def has_app(folder: Path) -> bool:
    """Whether a folder is one submission: app.py or templates/user.html in it, or in its starter/."""
    bases = (folder, folder / "starter")
    return any(looks_like(base / name, stat.S_ISREG) for base in bases for name in ("app.py", "templates/user.html"))


def looks_like(path: Path, kind) -> bool:
    """Whether a path is of a kind (stat.S_ISREG, S_ISDIR, or None: anything), links followed but never opened;
    False where it can't be looked at (a folder at 000 that another user owns)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return kind is None or kind(mode)


def student_folders(folder: Path) -> list[Path]:
    """The student folders of a class folder, sorted by name (virtual environments and the like left out)."""
    return sorted(
        path
        for path in folder.iterdir()
        if looks_like(path, stat.S_ISDIR)
        and path.name not in NOT_STUDENTS
        and not path.name.startswith(".")
        and not looks_like(path / "pyvenv.cfg", None)
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
    """A hash of every file a grade depends on: their paths (as bytes) and their contents as the copy holds them.

    A link to a regular file inside the folder counts as that file's content, which its copy holds;
    any other link counts by the text it points to, and a fifo, socket or device by its name:
    neither is ever opened. A folder that cannot be read counts by its name and the reason.
    """
    hashed = hashlib.sha256()
    real = os.path.realpath(folder)
    problems: list[str] = []
    for entry in entries(folder, problems):
        if entry.status is None or entry.name.endswith(".pyc"):
            continue
        hashed.update(os.fsencode(entry.relative) + b"\0")
        if stat.S_ISREG(entry.status.st_mode):
            hashed.update(content_digest(entry.name, entry.dir_fd))
        elif stat.S_ISLNK(entry.status.st_mode):
            hashed.update(link_digest(real, entry))
        else:
            hashed.update(b"not a file")
    for problem in problems:
        hashed.update(b"unreadable\0" + os.fsencode(problem))
    return hashed.hexdigest()


def content_digest(name: str, dir_fd: int | None = None) -> bytes:
    """The sha256 of a regular file's content; of a marker for anything else (never waiting on a fifo or device)."""
    try:
        descriptor = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
    except OSError as error:
        return hashlib.sha256(f"unreadable: {error.errno}".encode()).digest()
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return hashlib.sha256(b"not a file").digest()
        hashed = hashlib.sha256()
        try:
            while chunk := file.read(1 << 20):
                hashed.update(chunk)
        except OSError as error:
            hashed.update(f"unreadable: {error.errno}".encode())
        return hashed.digest()


def link_digest(real: str, entry: Entry) -> bytes:
    """What a link counts as: the content of the regular file inside the submission it leads to, else its text."""
    try:
        target = os.readlink(entry.name, dir_fd=entry.dir_fd)
        resolved = os.path.realpath(os.path.join(real, os.path.dirname(entry.relative), target))
    except (OSError, ValueError):
        return hashlib.sha256(b"unreadable link").digest()
    # The copy's own rule (workspace.py): inside the submission, and not itself named as a cache or a .pyc
    inside = resolved.startswith(real + os.sep) and os.path.basename(resolved) not in SKIPPED
    try:
        regular = stat.S_ISREG(os.stat(resolved, follow_symlinks=False).st_mode)  # looked at before it is opened
    except OSError:
        regular = False
    if inside and regular and not resolved.endswith(".pyc"):
        return content_digest(resolved)
    return hashlib.sha256(b"link\0" + os.fsencode(target)).digest()


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

    def code(folder: Path, paths: list[Path]) -> dict[str, bytes | None]:
        return {path.relative_to(folder).as_posix(): read_bytes(path) for path in paths if path.suffix in CODE}

    theirs, mine = code(work, own), code(starter, files(starter))
    return "the untouched starter" if mine and theirs == mine else None
