"""A private copy of a submission to grade, and what it held when the copy was made.

Grading never writes into the student's folder: the app runs in a temporary
copy. The sources the checks read (app.py and templates/user.html) are taken
as they were copied, before any student code runs, so the app cannot rewrite
what is graded.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

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
    pristine: Path | None = None  # the copy as made, before any student code ran; never given to an app
    copies: list[Path] = field(default_factory=list)

    def fresh_copy(self) -> Path:
        """A new copy of the submission as it was handed in, in a folder of its own (like `root`).

        Level 2's checks, and extra 7's start without CLUB_PASSWORD, each run the app on one, so
        that nothing an app wrote before (profiles, sessions, uploads) reaches them.
        """
        if self.pristine is None:
            raise SubmissionError("this copy of the submission keeps no pristine copy to start afresh from")
        parent = Path(tempfile.mkdtemp(prefix="flask-club-", dir=scratch_base()))
        root = parent / "submission"
        shutil.copytree(self.pristine, root, symlinks=True)
        self.copies.append(root)
        return root

    def discard(self, root: Path) -> None:
        """Remove a fresh copy (and its temporary folder)."""
        if root in self.copies:
            self.copies.remove(root)
            shutil.rmtree(root.parent, ignore_errors=True)

    def source(self, relative: str) -> str | None:
        """A text file of the submission as handed in (templates/base.html...), or None."""
        if self.pristine is None:
            return None
        path = (self.pristine / relative).resolve()
        if not path.is_relative_to(self.pristine.resolve()) or not path.is_file():
            return None  # a link that leaves the submission counts as a missing file
        return read_text(path)

    def cleanup(self) -> None:
        for root in list(self.copies):
            self.discard(root)
        shutil.rmtree(self.root.parent, ignore_errors=True)
        if self.pristine is not None:
            shutil.rmtree(self.pristine.parent, ignore_errors=True)


def _ignorer(source: Path, notes: list[str]):
    """What copytree leaves out: caches, version control, and virtual environments (with a note)."""

    def ignore(directory: str, names: list[str]) -> set[str]:
        left_out = set()
        for name in names:
            if (Path(directory, name) / "pyvenv.cfg").exists():
                where = Path(directory, name).relative_to(source).as_posix()
                notes.append(f"left out {where}/: a virtual environment is not part of a submission, nor graded")
                left_out.add(name)
            elif name in SKIPPED or Path(name).suffix in SKIPPED_SUFFIXES:
                left_out.add(name)
        return left_out

    return ignore


def read_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8-sig", errors="replace")  # a BOM (Notepad) is not code
    except OSError:
        return None


def scratch_base() -> str | None:
    """A memory-backed folder for the copy where there is one with room (Linux's /dev/shm), else the default.

    Students' apps often commit to SQLite after every POST; on a disk each commit waits for it (20 ms
    and more), in memory it doesn't.
    """
    shm = Path("/dev/shm")
    try:
        if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 256 << 20:
            return str(shm)
    except OSError:
        pass
    return None


def prepare(submission: str | Path) -> Workspace:
    """Copy the submission to a new temporary folder; raise SubmissionError if it can't be."""
    source = Path(submission)
    if not source.exists():
        raise SubmissionError(f"there is no folder {str(submission)!r}")
    if not source.is_dir():
        raise SubmissionError(f"{str(submission)!r} is a file; give the folder that holds app.py")
    parent = Path(tempfile.mkdtemp(prefix="flask-club-", dir=scratch_base()))
    root = parent / "submission"
    notes: list[str] = []
    try:
        shutil.copytree(source, root, symlinks=True, ignore=_ignorer(source, notes))
    except (OSError, shutil.Error) as error:
        shutil.rmtree(parent, ignore_errors=True)
        raise SubmissionError(f"could not copy {str(submission)!r} to grade it: {error}") from None
    pristine = Path(tempfile.mkdtemp(prefix="flask-club-", dir=scratch_base())) / "pristine"
    shutil.copytree(root, pristine, symlinks=True)  # before any student code runs: where fresh copies come from
    return Workspace(
        given=str(submission),
        root=root,
        app_source=read_text(root / "app.py") if (root / "app.py").is_file() else None,
        template_source=read_text(root / TEMPLATE) if (root / TEMPLATE).is_file() else None,
        notes=notes,
        pristine=pristine,
    )


def look_for(root: Path, name: str) -> list[str]:
    """Where a misplaced file of this name sits in the submission (case-insensitively), at most 3 deep."""
    found = []
    wanted = name.lower()
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if len(relative.parts) > 3 or set(relative.parts) & SKIPPED:
            continue
        if path.is_file() and path.name.lower() == wanted:
            found.append(relative.as_posix())
    return found
