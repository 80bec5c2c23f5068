"""A private copy of a submission to grade, and what it held when the copy was made.

Grading never writes into the student's folder: the app runs in a temporary
copy. The sources the checks read (app.py and templates/user.html) are taken
as they were copied, before any student code runs, so the app cannot rewrite
what is graded.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from checks.run.scratch import new_scratch
from checks.run.tree import remove_tree
from checks.run.tree import shown as escaped
from checks.sandbox.limits import MAX_COPY, MAX_SOURCE

TEMPLATE = Path("templates") / "user.html"
SKIPPED = {".git", ".hg", ".venv", "venv", "__pycache__", "node_modules", ".pytest_cache", ".mypy_cache"}
SKIPPED_SUFFIXES = {".pyc"}


class SubmissionError(Exception):
    """The directory given cannot be graded at all (it does not exist, or is a file)."""


@dataclass
class Workspace:
    """A submission copied for grading."""

    given: str
    root: Path
    app_source: str | None = None
    template_source: str | None = None
    notes: list[str] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)  # app.py or the template: why it counts as missing
    pristine: Path | None = None  # the copy as made, before any student code ran; never given to an app
    copies: dict[Path, Path] = field(default_factory=dict)  # each fresh copy, and the folder removed with it

    def fresh_copy(self, root: Path | None = None) -> Path:
        """A new copy of the submission as it was handed in, in a folder of its own (like `root`), or at `root`.

        Level 2's checks, and extra 7's start without CLUB_PASSWORD, each run the app on one, so
        that nothing an app wrote before (profiles, sessions, uploads) reaches them.
        """
        if self.pristine is None:
            raise SubmissionError("this copy of the submission keeps no pristine copy to start afresh from")
        if root is None:
            folder = new_scratch()
            root = folder / "submission"
        else:
            folder = root
        self.copies[root] = folder
        copy_submission(self.pristine, root)
        return root

    def discard(self, root: Path) -> list[str]:
        """Remove a fresh copy (and its temporary folder), whatever its app made of it; return what is left."""
        folder = self.copies.pop(root, None)
        return remove_tree(folder) if folder is not None else []

    def source(self, relative: str) -> str | None:
        """A text file of the submission as handed in (templates/base.html...), or None."""
        if self.pristine is None:
            return None
        path = (self.pristine / relative).resolve()
        if not path.is_relative_to(self.pristine.resolve()) or not path.is_file():
            return None  # a link that leaves the submission counts as a missing file
        return read_text(path)

    def cleanup(self) -> list[str]:
        """Remove every copy; say on stderr and return what could not be (the next run's sweep tries again)."""
        left = []
        for root in list(self.copies):
            left += self.discard(root)
        left += remove_tree(self.root.parent)
        if self.pristine is not None:
            left += remove_tree(self.pristine.parent)
        for problem in left:
            print(f"python -m checks: note: a copy could not be removed (the next run tries again): {problem}",
                  file=sys.stderr)
        return left


def _left_out(name: str) -> bool:
    return name in SKIPPED or Path(name).suffix in SKIPPED_SUFFIXES


DEEPEST = 40  # folders nested deeper than this are not copied (no Flask app needs them; a tree 3,000 deep is a trap)
CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def _copy_file(source: int | str, target: int, name: str, budget: list[int], where: str, notes: list[str],
               dir_fd=None) -> None:
    """Copy one regular file without following a link, within what is left of the copy's size budget.

    It is opened without waiting (a fifo or a device is never read) and its type looked at before
    anything is read; the copy is made as `name` in the folder open as `target`.
    """
    descriptor = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            notes.append(f"left out {where}: not a regular file")
            return
        if status.st_size > budget[0]:
            notes.append(f"left out {where}: the copy of a submission holds {MAX_COPY >> 20} MiB at most")
            return
        budget[0] -= status.st_size
        copy = os.open(name, CREATE, 0o666, dir_fd=target)
        with os.fdopen(os.dup(descriptor), "rb") as file, os.fdopen(copy, "wb") as written:
            shutil.copyfileobj(file, written, 1 << 20)
    finally:
        os.close(descriptor)


def _copy_tree(source: int, target: int, where: str, top: str, budget: list[int], notes: list[str],
               depth: int = 0) -> None:
    """Copy the folder open as `source` (`where` in the submission) into the folder open as `target`.

    Regular files and folders only, never through a link but to a regular file inside the submission
    (`top`, its resolved path): a link leaving it, a link to a folder, a device, a fifo or a socket is
    left out with a note naming it, as is a folder more than DEEPEST deep. Every call is relative to a
    folder descriptor, so a path of any length is copied; names are copied as the bytes they are.
    """
    real = os.path.join(top, where)
    for name in sorted(os.listdir(source)):
        shown = escaped(f"{where}{name}")
        try:
            status = os.stat(name, dir_fd=source, follow_symlinks=False)
            if _left_out(name) and not stat.S_ISDIR(status.st_mode):
                continue
            if stat.S_ISDIR(status.st_mode):
                if depth >= DEEPEST:
                    notes.append(f"left out {shown}/: folders more than {DEEPEST} deep are not copied")
                    continue
                folder = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=source)
                try:
                    try:
                        os.stat("pyvenv.cfg", dir_fd=folder, follow_symlinks=False)
                        notes.append(f"left out {shown}/: a virtual environment is not part of a submission")
                        continue
                    except FileNotFoundError:
                        pass
                    if _left_out(name):
                        continue
                    os.mkdir(name, 0o777, dir_fd=target)
                    copy = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=target)
                    try:
                        _copy_tree(folder, copy, f"{where}{name}/", top, budget, notes, depth + 1)
                    finally:
                        os.close(copy)
                finally:
                    os.close(folder)
            elif stat.S_ISREG(status.st_mode):
                _copy_file(name, target, name, budget, shown, notes, dir_fd=source)
            elif stat.S_ISLNK(status.st_mode):
                link = os.readlink(name, dir_fd=source)
                resolved = os.path.realpath(os.path.join(real, link))
                if not resolved.startswith(top + os.sep) or _left_out(os.path.basename(resolved)):
                    notes.append(f"left out {shown}: a link to {escaped(link)}, "
                                 "outside the submission (it counts as missing)")
                elif not stat.S_ISREG(os.stat(resolved, follow_symlinks=False).st_mode):
                    notes.append(f"left out {shown}: a link to {escaped(link)}, "
                                 "which is not a file in the submission")
                else:
                    _copy_file(resolved, target, name, budget, shown, notes)
            else:
                notes.append(f"left out {shown}: not a regular file or folder (a device, a fifo or a socket)")
        except OSError as error:
            notes.append(f"left out {shown}: it could not be read ({error.strerror or error})")


def copy_submission(source: Path, root: Path) -> list[str]:
    """Copy a submission folder into `root` (which must not exist); return the notes on what was left out."""
    notes: list[str] = []
    folder = os.open(source, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        root.mkdir(parents=True)
        target = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            _copy_tree(folder, target, "", os.path.realpath(source), [MAX_COPY], notes)
        finally:
            os.close(target)
    finally:
        os.close(folder)
    return notes


def read_text(path: Path, limit: int = MAX_SOURCE) -> str | None:
    """A file's text (at most `limit` bytes of it: see `too_big`), None if it can't be read."""
    try:
        with open(path, "rb") as file:
            data = file.read(limit)
    except OSError:
        return None
    return data.decode("utf-8-sig", errors="replace")  # a BOM (Notepad) is not code


def too_big(path: Path, limit: int = MAX_SOURCE) -> str | None:
    """Why the grader won't read this source file (it is over `limit` bytes), or None."""
    try:
        size = path.stat().st_size
    except OSError:
        return None
    if size <= limit:
        return None
    return f"{path.name} is {size >> 10} KiB: the checks read source files of {limit >> 10} KiB at most"


def prepare(submission: str | Path) -> Workspace:
    """Copy the submission to a new temporary folder; raise SubmissionError if it can't be."""
    source = Path(submission)
    if not source.exists():
        raise SubmissionError(f"there is no folder {str(submission)!r}")
    if not source.is_dir():
        raise SubmissionError(f"{str(submission)!r} is a file; give the folder that holds app.py")
    parent = new_scratch()
    root = parent / "submission"
    pristine = new_scratch() / "pristine"
    try:
        notes = copy_submission(source, root)
        copy_submission(root, pristine)  # before any student code runs: where fresh copies come from
    except (OSError, shutil.Error) as error:  # unreadable, or no room left where the copies go
        remove_tree(parent)
        remove_tree(pristine.parent)
        raise SubmissionError(f"could not copy {escaped(str(submission))!r} to grade it: {error}") from None
    instance = root / "instance"
    if instance.is_dir() and not instance.is_symlink() and any(instance.iterdir()):
        notes.append(
            "instance/ holds files from your own runs (a database, photos): the checks start your app with them, "
            "where a fresh clone (CI, Gradescope) has none; delete instance/ to be graded as there"
        )
    unreadable = {}
    for relative in ("app.py", TEMPLATE.as_posix()):
        problem = too_big(root / relative)
        if problem is None:
            problem = next((note for note in notes if note.startswith(f"left out {relative}:")), None)
        if problem:
            unreadable[relative] = problem
    sources = {
        relative: read_text(root / relative) if (root / relative).is_file() and relative not in unreadable else None
        for relative in ("app.py", TEMPLATE.as_posix())
    }
    return Workspace(
        given=str(submission),
        root=root,
        app_source=sources["app.py"],
        template_source=sources[TEMPLATE.as_posix()],
        notes=notes,
        unreadable=unreadable,
        pristine=pristine,
    )


def look_for(root: Path, name: str) -> list[str]:
    """Where a misplaced file of this name sits in the submission (case-insensitively), at most 3 deep.

    Never through a link: the app may have made some in its copy by now.
    """
    found = []
    wanted = name.lower()
    for folder, folders, files in os.walk(root):
        relative = Path(folder).relative_to(root)
        depth = len(relative.parts)
        folders[:] = sorted(name for name in folders if name not in SKIPPED and depth < 2)
        for file in sorted(files):
            path = Path(folder, file)
            if file.lower() == wanted and path.is_file() and not path.is_symlink():
                found.append((relative / file).as_posix())
    return sorted(found)
