"""Where a student's work goes: the one place a download's names become (or never become) paths.

Every name in a download is data. A student's folder is named by the kit, from the LMS
identity (a Canvas user id, a Moodle participant id, a Gradescope submission, a git
clone): safe characters only, at most 40 of them, unique in the class folder; the name
the LMS shows is kept beside it in students.csv. Each folder the import makes holds a
marker file, and a later import removes only folders that carry it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from checks.lms.archive import DownloadBudget, DownloadError, extract, is_zip_name
from checks.run import folders

MARKER = ".flask-club-import"
MARKER_TEXT = "made by python -m checks import: a later import may replace this folder\n"
LONGEST = 40
LEFT_BEHIND = {"__MACOSX", ".DS_Store", "Thumbs.db"} | folders.SKIPPED
TEMPLATE_SUFFIXES = {".html", ".htm", ".jinja", ".j2"}
STATIC_SUFFIXES = {".css", ".js", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico"}


@dataclass
class Entry:
    """One student of a download: their folder, who they are in the LMS, and what the import did with them."""

    student: str
    lms: str
    lms_id: str
    name: str = ""
    email: str = ""
    late: bool = False
    status: str = "placed"  # or "not placed: why", "not imported: why"
    group: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def placed(self) -> bool:
        return self.status == "placed"


@dataclass
class Imported:
    """What an import made: every student of the download (placed or not), and what was no student's."""

    lms: str
    entries: list[Entry] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def placed(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.placed]


def ascii_slug(text: str, longest: int = LONGEST) -> str:
    """Lowercase ASCII letters, digits and single hyphens, at most `longest`: 'Zoë Ng-Li' → 'zoe-ng-li'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:longest].strip("-")


def identity_slug(identity: str) -> str:
    """An LMS id as a name part: itself when short and safe ('1001', 'anon-x7f3k'), else a short hash."""
    plain = ascii_slug(identity, 24)
    if plain and plain == identity.lower().replace("_", "-") and len(identity) <= 24:
        return plain
    return (plain[:15] + "-" if plain else "") + hashlib.sha256(identity.encode()).hexdigest()[:8]


class Namer:
    """Chooses each student's folder name; `taken` holds the class folder's names that stay."""

    def __init__(self, taken: set[str] | None = None):
        self.taken = {name.lower() for name in taken or ()}

    def free(self, name: str) -> bool:
        return bool(name) and name.lower() not in self.taken and name not in folders.NOT_STUDENTS

    def name(self, display: str, identity: str, prefer_id: bool = False) -> str:
        """A new folder name from the name the LMS shows, made unique with the LMS identity."""
        base = ascii_slug(display)
        ident = identity_slug(identity) if identity else ""
        if prefer_id or base == ident:
            candidates = [ident or base or "student"]
        else:
            candidates = [base] if base else []
            candidates.append("-".join(part for part in (base[: LONGEST - len(ident) - 1], ident) if part) or "student")
        for candidate in candidates:
            if self.free(candidate):
                return self.claim(candidate)
        number = 2
        while not self.free(f"{candidates[-1][:LONGEST - 4]}-{number}"):
            number += 1
        return self.claim(f"{candidates[-1][:LONGEST - 4]}-{number}")

    def claim(self, name: str) -> str:
        self.taken.add(name.lower())
        return name


def is_safe_folder_name(name: str) -> bool:
    """A name the kit could have chosen: nothing that could be read as a path."""
    return bool(re.fullmatch(r"[a-z0-9][a-z0-9-]{0,47}", name))


def owned(folder: Path) -> bool:
    """Whether an earlier import made this folder (a real folder with the kit's marker, no link on the way)."""
    marker = folder / MARKER
    return folder.is_dir() and not folder.is_symlink() and marker.is_file() and not marker.is_symlink()


def mark(folder: Path) -> None:
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def remove_tree(folder: Path) -> None:
    """Remove a folder the kit made, even where its app left folders without write permission."""

    def writable_then_retry(function: Callable, path: str, _info: object) -> None:
        parent = os.path.dirname(path)
        for where in (parent, path):
            if not os.path.islink(where):
                try:
                    os.chmod(where, stat.S_IRWXU)
                except OSError:
                    pass
        function(path)

    if sys.version_info >= (3, 12):
        shutil.rmtree(folder, onexc=writable_then_retry)
    else:
        shutil.rmtree(folder, onerror=writable_then_retry)


def copy_tree(source: Path, target: Path) -> None:
    """Copy a folder's regular files (never a symlink, nor .git or a virtualenv) into target."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if set(relative.parts) & LEFT_BEHIND or path.is_symlink() or not path.is_file():
            continue
        if any((source / parent).is_symlink() for parent in relative.parents if str(parent) != "."):
            continue
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


RENAMED = re.compile(
    r"^(?P<stem>.+?)-(?:(?P<n>\d{1,3})|(?P<uuid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}))"
    r"(?P<suffix>\.[A-Za-z0-9]+)$"
)


def original_name(name: str) -> str:
    """The name a student uploaded, before Canvas renamed a re-upload: app-1.py, app-<uuid>.py → app.py."""
    match = RENAMED.match(name)
    return match["stem"] + match["suffix"] if match else name


def place_flat(files: list[tuple[str, int, Path]], student: Path, entry: Entry) -> None:
    """Copy flat uploads (name, order, path) into a folder: renamed re-uploads back to their name, the newest kept;
    HTML into templates/, CSS, JavaScript and images into static/ (the LMS dropped the folders)."""
    chosen: dict[str, tuple[int, str, Path]] = {}
    uploads: dict[str, int] = {}
    for name, order, path in files:
        target = original_name(name)
        uploads[target] = uploads.get(target, 0) + 1
        if target not in chosen or chosen[target][0] < order:
            chosen[target] = (order, name, path)
    for target, count in sorted(uploads.items()):
        if count > 1:
            entry.notes.append(f"kept {chosen[target][1]} as {target}: the newest of {count} uploads of it")
    student.mkdir(parents=True, exist_ok=True)
    for target, (_, _, source) in sorted(chosen.items()):
        suffix = Path(target).suffix.lower()
        folder = "templates" if suffix in TEMPLATE_SUFFIXES else "static" if suffix in STATIC_SUFFIXES else ""
        if is_zip_name(target):
            folder = ""
        destination = student / folder / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)


def settle(student: Path, budget: DownloadBudget, entry: Entry) -> None:
    """Make a student's folder what they meant to hand in, and say what it is.

    Their zips are unpacked (nested ones too, within the budget: DownloadError past it); a
    loose app.py with *.html beside it and no templates/ gets them moved into templates/;
    a templates folder named with other capitals is kept as made, and named. The entry's
    status says whether the folder holds something to run.
    """
    for archive in sorted(path for path in student.iterdir() if path.is_file() and is_zip_name(path.name)):
        problems = extract(archive, student, budget, depth=2, nested=True, label=archive.name)
        archive.unlink()
        entry.notes.append(f"unpacked {archive.name}")
        entry.notes += [f"{archive.name}: left out {problem}" for problem in problems]
    work = folders.work_folder(student)
    children = [path for path in work.iterdir() if path.name != MARKER] if work.is_dir() else []
    wrong_case = [path for path in children if path.is_dir() and path.name.lower() == "templates"
                  and path.name != "templates"]
    has_templates = (work / "templates").is_dir()
    loose = [path for path in children if path.is_file() and path.suffix.lower() in TEMPLATE_SUFFIXES]
    if (work / "app.py").is_file() and loose and not has_templates and not wrong_case:
        (work / "templates").mkdir()
        for path in loose:
            path.rename(work / "templates" / path.name)
        where = work.relative_to(student).as_posix()
        entry.notes.append(f"moved {', '.join(sorted(p.name for p in loose))} into "
                           f"{'' if where == '.' else where + '/'}templates/, where Flask looks")
    for path in wrong_case:
        entry.notes.append(
            f"kept {path.relative_to(student).as_posix()}/ as handed in: Flask looks for templates/ "
            "(lowercase), and on Linux the case matters"
        )
    if not folders.has_app(student) and not (work / "app.py").is_file():
        entry.status = "not placed: nothing runnable (no app.py, no templates/user.html)"


def build(student: Path, budget: DownloadBudget, entry: Entry, fill: Callable[[Path], None]) -> None:
    """Fill and settle one student's folder in isolation: a refused archive only makes this entry 'not imported'."""
    snapshot = budget.snapshot()
    try:
        fill(student)
        settle(student, budget, entry)
    except DownloadError as error:
        budget.restore(snapshot)
        entry.status = f"not imported: {error}"
    except OSError as error:
        budget.restore(snapshot)
        entry.status = f"not imported: {error.strerror or error}"
    if not entry.placed and student.exists():
        remove_tree(student)
    elif entry.placed:
        mark(student)
