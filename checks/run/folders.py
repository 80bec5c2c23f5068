"""Where a submission is: the one rule for a class's folders and for an upload to Gradescope.

Nothing here imports the rest of the grader (the Gradescope bundle imports it before
anything is installed into its path): standard library only.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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


# -- Walking and removing any tree: thousands deep, paths past 4,096 bytes, names that are not UTF-8 ------------
WINDOW = 48  # folder descriptors a walk keeps open; deeper, it closes the oldest and reopens them through ".."
FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def shown(name: str | bytes, limit: int = 160) -> str:
    """A file name as a message shows it: bytes that are not UTF-8 escaped (caf\\xe9.txt), a long path's middle cut."""
    text = (os.fsencode(name) if isinstance(name, str) else name).decode("utf-8", "backslashreplace")
    return text if len(text) <= limit else f"{text[: limit // 2]}…{text[-limit // 2 :]}"


def restore_modes(name: str, dir_fd: int) -> None:
    """Give the grader back read, write and search on a folder an app left at 000, 0300 or 0500 (never via a link)."""
    handle = os.open(name, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
    try:
        mode = stat.S_IMODE(os.fstat(handle).st_mode) | stat.S_IRWXU
        try:
            os.chmod(f"/proc/self/fd/{handle}", mode)  # the folder that handle holds, whatever is at `name` now
        except FileNotFoundError:  # no /proc: the name, which was a folder a moment ago
            os.chmod(name, mode, dir_fd=dir_fd)
    finally:
        os.close(handle)


def open_folder(name: str, dir_fd: int, repair: bool = False) -> int:
    """A descriptor of the folder `name` in `dir_fd` (never through a link); with `repair`, its u+rwx restored first."""
    try:
        descriptor = os.open(name, FOLDER, dir_fd=dir_fd)
    except PermissionError:
        if not repair:
            raise
        restore_modes(name, dir_fd)
        return os.open(name, FOLDER, dir_fd=dir_fd)
    if repair and os.fstat(descriptor).st_mode & stat.S_IRWXU != stat.S_IRWXU:
        try:
            os.fchmod(descriptor, stat.S_IMODE(os.fstat(descriptor).st_mode) | stat.S_IRWXU)
        except OSError:
            pass  # root needs none of it; a user's unlink below says what is left
    return descriptor


@dataclass
class Level:
    """One folder of a walk: its descriptor (None while closed), identity, path and names still to visit."""

    fd: int | None
    identity: tuple[int, int]
    relative: str
    names: list[str]


def identity(descriptor: int) -> tuple[int, int]:
    status = os.fstat(descriptor)
    return status.st_dev, status.st_ino


def walk(top: int, repair: bool = False, enter=None, problems: list[str] | None = None) -> Iterator[Entry]:
    """Every entry below the folder open as `top`, depth first and sorted, without recursion and never through a link.

    Yields an Entry for each file, link, fifo... (its lstat in `status`), and for each folder once
    its content has been yielded (`status` None: it can be removed now). A folder that
    `enter(relative, status)` declines is yielded with its status and not entered. Names are
    str with surrogate escapes (os.fsencode gives their bytes back); every call is relative to a
    folder descriptor, so no path is ever longer than one name. At most WINDOW descriptors are
    open at once. A folder that cannot be opened is named in `problems` (or raises, without it).
    `repair` gives the grader back u+rwx on each folder before reading it (see restore_modes).
    """
    levels = [Level(top, identity(top), "", sorted(os.listdir(top), reverse=True))]
    try:
        while levels:
            level = levels[-1]
            if level.names:
                name = level.names.pop()
                relative = f"{level.relative}/{name}" if level.relative else name
                try:
                    status = os.stat(name, dir_fd=level.fd, follow_symlinks=False)
                except FileNotFoundError:
                    continue
                if not stat.S_ISDIR(status.st_mode) or (enter is not None and not enter(relative, status)):
                    yield Entry(relative, level.fd, name, status)
                    continue
                try:
                    descriptor = open_folder(name, level.fd, repair)
                    try:
                        names = sorted(os.listdir(descriptor), reverse=True)
                    except OSError:
                        os.close(descriptor)
                        raise
                except OSError as error:
                    if problems is None:
                        raise
                    if len(problems) < 5:
                        problems.append(f"{shown(relative)}/: {error.strerror or error}")
                    continue
                levels.append(Level(descriptor, identity(descriptor), relative, names))
                if len(levels) > WINDOW + 1 and levels[-WINDOW - 1].fd is not None:
                    os.close(levels[-WINDOW - 1].fd)  # never levels[0]: `top` is the caller's
                    levels[-WINDOW - 1].fd = None
                continue
            levels.pop()
            if not levels:
                break
            parent = levels[-1]
            if parent.fd is None:
                parent.fd = os.open("..", FOLDER, dir_fd=level.fd)
                if identity(parent.fd) != parent.identity:
                    raise OSError(f"{shown(parent.relative)}/ was moved while it was walked")
            try:
                yield Entry(level.relative, parent.fd, level.relative.rpartition("/")[2], None)
            finally:
                os.close(level.fd)
                level.fd = None
    finally:
        for level in levels[1:]:
            if level.fd is not None:
                os.close(level.fd)


@dataclass
class Entry:
    """What walk() yields: a path below the top, the open folder holding it, its name there, its lstat or None."""

    relative: str
    dir_fd: int
    name: str
    status: os.stat_result | None


def remove_tree(path: str | Path) -> list[str]:
    """Remove a folder and all it holds, whatever an app made of it; return what could not be removed.

    Without recursion (a tree 3,000 folders deep is fine), never through a link, with no path
    longer than one name, and giving the grader back its permissions on each folder first
    (modes 000, 0300, 0500). A path that is not there is already removed.
    """
    path = os.fspath(path)
    parent, name = os.path.split(os.path.abspath(path))
    problems: list[str] = []
    try:
        above = os.open(parent, FOLDER)
    except OSError as error:
        return [] if isinstance(error, FileNotFoundError) else [f"{path}: {error.strerror or error}"]
    try:
        try:
            status = os.stat(name, dir_fd=above, follow_symlinks=False)
        except FileNotFoundError:
            return []
        if stat.S_ISDIR(status.st_mode):
            top = open_folder(name, above, repair=True)
            try:
                for entry in walk(top, repair=True, problems=problems):
                    try:
                        if entry.status is None:
                            os.rmdir(entry.name, dir_fd=entry.dir_fd)
                        else:
                            os.unlink(entry.name, dir_fd=entry.dir_fd)
                    except FileNotFoundError:
                        pass
                    except OSError as error:  # a folder left full by what could not go says nothing new
                        if error.errno != errno.ENOTEMPTY and len(problems) < 5:
                            problems.append(f"{shown(entry.relative)}: {error.strerror or error}")
            finally:
                os.close(top)
            if problems:
                return problems
            os.rmdir(name, dir_fd=above)
        else:
            os.unlink(name, dir_fd=above)
    except OSError as error:
        problems.append(f"{shown(path)}: {error.strerror or error}")
    finally:
        os.close(above)
    return problems
