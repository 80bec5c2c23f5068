"""`python -m checks import FROM --out DIR`: an LMS's bulk download made into a class folder.

FROM is what the LMS gives, as a zip or unpacked into a folder; one module reads each:
canvas.py (Canvas's "Download Submissions"), moodle.py (Moodle's "Download all
submissions"), gradescope.py (Gradescope's "Export Submissions") and git.py (a folder of
git clones). placement.py is the one place a download's names meet the disk: every
student's folder is named by the kit from their LMS identity, holds the kit's marker, and
is settled the same way whatever the LMS; archive.py unpacks zips against one budget for a
download and every zip in it. roster.py keeps students.csv, which the gradebook files
read (checks/outputs/gradebooks.py).

Every student of the download gets a line of the summary and a row of students.csv:
placed, not placed (with why: a text entry, a URL, nothing runnable) or not imported (a
broken or oversized archive: that student only, the rest import); late where the LMS
says so; one row per member of a group where the LMS lists them.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from checks.lms.archive import (
    DOWNLOAD_LIMITS,
    SKIPPED,
    DownloadBudget,
    DownloadError,
    DownloadLimits,
    extract,
    safe_member,
)
from checks.lms.canvas import from_canvas, readings
from checks.lms.git import from_git
from checks.lms.gradescope import METADATA, from_gradescope, gradescope_metadata
from checks.lms.moodle import FLAT, FOLDER, from_moodle
from checks.lms.placement import MARKER, Entry, Imported, Namer, is_safe_folder_name, owned, remove_tree
from checks.lms.roster import ROSTER, ROSTER_COLUMNS, Roster, read_roster, write_roster

__all__ = [
    "DOWNLOAD_LIMITS", "LMS_NAMES", "MARKER", "ROSTER", "ROSTER_COLUMNS", "DownloadError", "DownloadLimits", "Entry",
    "Imported", "Roster", "detect", "extract", "gradescope_metadata", "import_class", "main", "read_roster",
    "safe_member", "write_roster",
]

LMS_NAMES = {"canvas": "Canvas", "moodle": "Moodle", "gradescope": "Gradescope", "git": "git clones"}
IMPORTERS = {"canvas": from_canvas, "moodle": from_moodle, "gradescope": from_gradescope, "git": from_git}
ID_LABELS = {"canvas": "Canvas user", "moodle": "Moodle participant", "gradescope": "Gradescope sid", "git": "git"}


def detect(folder: Path) -> str | None:
    """Which LMS an unpacked download came from, by its naming; None when it is none of them."""
    entries = [path for path in folder.iterdir() if path.name not in SKIPPED]
    if any(path.name == METADATA for path in entries):
        return "gradescope"
    if any((FOLDER if path.is_dir() else FLAT).match(path.name) for path in entries):
        return "moodle"
    if any(path.is_file() and readings(path.name) for path in entries):
        return "canvas"
    directories = [path for path in entries if path.is_dir()]
    if directories and all((path / ".git").exists() for path in directories):
        return "git"
    return None


def unwrap(folder: Path) -> Path:
    """The folder a download really starts in: past lone wrapping folders (a zip of a folder)."""
    while True:
        entries = [path for path in folder.iterdir() if path.name not in SKIPPED]
        lone = len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink()
        if lone and detect(folder) is None and not (entries[0] / ".git").exists():
            folder = entries[0]
        else:
            return folder


def download_files(source: Path, report_links: list[str]) -> Iterator[Path]:
    """The entries of an LMS download, in order, less the system's clutter; a link is reported, never followed."""
    for path in sorted(source.iterdir()):
        if path.name in SKIPPED:
            continue
        if path.is_symlink():
            report_links.append(f"{path.name}: a symbolic link")
            continue
        yield path


def import_class(source: Path, out: Path, lms: str | None = None, limits: DownloadLimits = DOWNLOAD_LIMITS) -> Imported:
    """Make the class folder out from an LMS download (a zip or a folder); return what was done.

    Folders an earlier import made (listed in out/students.csv and marked as the kit's) are
    replaced; nothing else in out is touched, and no new folder takes an existing name.
    """
    if not source.exists():
        raise DownloadError(f"{source} does not exist")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise DownloadError(f"{out} is not a folder")
    if out.exists() and any(out.iterdir()) and not (out / ROSTER).is_file():
        raise DownloadError(f"{out} is not empty: give a new folder (or one an earlier import made)")
    budget = DownloadBudget(limits)
    old = read_roster(out) if out.exists() else None
    ours = [out / name for name in (old.students if old else ()) if is_safe_folder_name(name) and owned(out / name)]
    staying = {path.name for path in out.iterdir()} - {path.name for path in ours} if out.exists() else set()
    with tempfile.TemporaryDirectory(prefix="flask-club-import-") as temporary:
        unpacked = Path(temporary) / "download"
        unpacked.mkdir()
        problems: list[str] = []
        if source.is_file():
            problems = extract(source, unpacked, budget)
            folder = unwrap(unpacked)
        else:
            folder = unwrap(source)
        kind = lms or detect(folder)
        if kind is None:
            raise DownloadError(
                f"{source} is not a download this import knows: a Canvas or Moodle submissions zip, "
                "a Gradescope export, or a folder of git clones (--lms says which)"
            )
        links: list[str] = []
        paths = list(download_files(folder, links))
        staging = Path(temporary) / "class"
        staging.mkdir()
        report = IMPORTERS[kind](folder, staging, Namer(staying | {ROSTER}), budget, paths)
        report.unplaced = [f"{source.name}: {problem}" for problem in problems] + links + report.unplaced
        unmarked = sorted(name for name in (old.students if old else ()) if is_safe_folder_name(name)
                          and (out / name).is_dir()
                          and out / name not in ours and not (out / name).is_symlink())
        if unmarked:
            report.notes.append(
                f"kept {len(unmarked)} folder(s) of the last import without the kit's marker ({', '.join(unmarked[:5])}"
                f"{', …' if len(unmarked) > 5 else ''}): an import removes only folders it marked; remove them by hand"
            )
        for path in ours:
            remove_tree(path)
        out.mkdir(parents=True, exist_ok=True)
        for entry in report.entries:
            if entry.placed:
                shutil.move(str(staging / entry.student), str(out / entry.student))
    write_roster(out, report.entries)
    return report


def summary_lines(report: Imported, source: str, out: Path) -> list[str]:
    """What the import says: one line for the class, then one per student of the download (and its notes)."""
    entries = report.entries
    placed = len(report.placed)
    late = sum(entry.late for entry in entries)
    head = f"Imported {len(entries)} students from {source} ({LMS_NAMES[report.lms]}) into {out}/"
    if placed != len(entries):
        head += f": {placed} placed, {len(entries) - placed} not placed"
    head += (f", {late} late" if late else "") + f"; their LMS ids are in {out / ROSTER}."
    lines = [head]
    width = max((len(entry.student) for entry in entries), default=0)
    for entry in entries:
        what = [entry.status] + (["late"] if entry.late else []) + ([f"group {entry.group}"] if entry.group else [])
        who = f"{ID_LABELS[entry.lms]} {entry.lms_id}" + (f", {entry.name}" if entry.name else "")
        lines.append(f"  {entry.student:<{width}}  {printable('; '.join(what))}  ({printable(who)})")
        lines += [f"  {'':<{width}}    note: {printable(note)}" for note in entry.notes]
    for note in report.notes:
        lines.append(f"  note: {printable(note)}")
    if report.unplaced:
        lines.append(f"Not a student's ({len(report.unplaced)}):")
        lines += [f"  {printable(problem)}" for problem in report.unplaced]
    return lines


def printable(text: str) -> str:
    """A download's text as one line a terminal cannot be redrawn by."""
    return "".join(char if char.isprintable() else "?" for char in text)


def main(argv: list[str]) -> int:
    """`python -m checks import FROM --out DIR [--lms NAME]`."""
    parser = argparse.ArgumentParser(
        prog="python -m checks import",
        description="Turn an LMS's bulk download (Canvas, Moodle, Gradescope, or a folder of git clones) into a "
        "class folder: one folder per student, and students.csv with each student's LMS id.",
    )
    parser.add_argument("source", metavar="FROM", help="the download: a zip, or the folder it unpacks to")
    parser.add_argument("--out", metavar="DIR", default="class", help="the class folder to make (default: class)")
    parser.add_argument("--lms", choices=sorted(IMPORTERS), help="the download's kind, when it is not recognised")
    args = parser.parse_args(argv)
    out = Path(args.out)
    try:
        report = import_class(Path(args.source), out, args.lms)
    except DownloadError as error:
        print(f"python -m checks import: {printable(str(error))}", file=sys.stderr)
        return 2
    except OSError as error:
        where = error.filename if error.filename is not None else out
        print(f"python -m checks import: {printable(str(where))}: {error.strerror or error}", file=sys.stderr)
        return 2
    print("\n".join(summary_lines(report, args.source, out)))
    if not report.entries:
        print(f"python -m checks import: no student found in {args.source}", file=sys.stderr)
        return 1
    print(f"Grade them: python -m checks {out} --out grades")
    return 0
